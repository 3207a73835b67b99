//! Step 1, the exit code: how the last instance ended, and what the number means.

use crate::expect::describe_exit;
use crate::scenario::Category;

use super::diagnosis::{Clue, Step, StepKind};
use super::reasoning::Ctx;

pub(super) fn step(ctx: &Ctx) -> Step {
    let mut details = Vec::new();
    let mut clues = Vec::new();
    let found = match ctx.termination() {
        Some(t) => {
            let mut found = format!(
                "{}, restart count {}",
                describe_exit(t.exit_code, t.reason.as_deref()),
                ctx.restart_count()
            );
            if let Some(r) = ctx.waiting_reason() {
                found.push_str(&format!(", now waiting in {r}"));
            } else if ctx
                .status
                .and_then(|s| s.state.as_ref())
                .is_some_and(|s| s.running.is_some())
            {
                found.push_str(", running again");
            }
            let reason = t.reason.as_deref().unwrap_or("");
            match t.exit_code {
                0 => {
                    details.push("exit code 0: the main process finished successfully, and the pod's restartPolicy starts it again".to_owned());
                    clues.push(Clue::new(
                        Category::CodeBug,
                        1,
                        "Its main process exits 0 and is started again: a long-running container must not finish.",
                    ).fix("Make the container's main process stay in the foreground (or run it as a Job if it is meant to finish)."));
                }
                137 => {
                    details.push("137 = 128 + 9: the process was killed with SIGKILL".to_owned());
                    if reason == "OOMKilled" {
                        details.push("reason OOMKilled: the kernel's OOM killer sent it, because the container reached its memory limit".to_owned());
                        clues.push(Clue::new(
                            Category::ResourceLimits,
                            3,
                            "It is OOMKilled (exit code 137): the kernel's OOM killer ends it each time it reaches its memory limit.",
                        ));
                    } else {
                        details.push(format!(
                            "reason {}, not OOMKilled: this SIGKILL did not come from the OOM killer; usually the kubelet sends it when the grace period after SIGTERM runs out",
                            if reason.is_empty() { "unset" } else { reason }
                        ));
                    }
                }
                143 => details.push(
                    "143 = 128 + 15: the process stopped on SIGTERM, so it was asked to stop (by the kubelet after a failed liveness probe, or by a deletion) and did"
                        .to_owned(),
                ),
                139 => {
                    details.push("139 = 128 + 11: a segmentation fault (SIGSEGV)".to_owned());
                    clues.push(
                        Clue::new(
                            Category::CodeBug,
                            2,
                            "It crashes with a segmentation fault (exit code 139, SIGSEGV).",
                        )
                        .fix("Fix the memory-safety bug (or the native library) behind the segmentation fault, or roll back to the last good version."),
                    );
                }
                134 => {
                    details.push("134 = 128 + 6: the process aborted (SIGABRT)".to_owned());
                    clues.push(
                        Clue::new(
                            Category::CodeBug,
                            2,
                            "It aborts (exit code 134, SIGABRT): a failed assertion or a fatal runtime error.",
                        )
                        .fix("Read the last log lines for the assertion or runtime error, fix it, or roll back to the last good version."),
                    );
                }
                c if c > 128 => details.push(format!(
                    "{c} = 128 + {}: the process was killed by signal {}",
                    c - 128,
                    c - 128
                )),
                c => details.push(format!(
                    "the app exited on its own with code {c}: its logs should say why"
                )),
            }
            if matches!(reason, "ContainerCannotRun" | "StartError") {
                let msg = t.message.as_deref().unwrap_or("").trim();
                clues.push(
                    Clue::new(
                        Category::MissingConfig,
                        2,
                        format!("The runtime could not start the container ({reason}: {msg})."),
                    )
                    .fix("Correct the container's command, args or image so that its entrypoint exists."),
                );
            }
            if let Some(m) = t
                .message
                .as_deref()
                .map(str::trim)
                .filter(|m| !m.is_empty())
            {
                details.push(format!("termination message: {m}"));
            }
            found
        }
        None => match ctx.waiting_reason() {
            Some(reason) => never_created(ctx, reason, &mut details, &mut clues),
            None if ctx.status.is_none() => {
                let phase = ctx
                    .input
                    .pod
                    .status
                    .as_ref()
                    .and_then(|s| s.phase.clone())
                    .unwrap_or_else(|| "unknown".to_owned());
                format!("no status for this container yet (pod phase {phase})")
            }
            None => format!(
                "no termination: running, restart count {}",
                ctx.restart_count()
            ),
        },
    };
    Step {
        step: StepKind::ExitCode,
        found,
        details,
        points_to: None,
        clues,
    }
}

fn never_created(
    ctx: &Ctx,
    reason: &str,
    details: &mut Vec<String>,
    clues: &mut Vec<Clue>,
) -> String {
    let msg = ctx.waiting_message().unwrap_or("");
    let shown = if msg.is_empty() {
        reason.to_owned()
    } else {
        format!("{reason}: {msg}")
    };
    let found = format!(
        "no exit code: waiting in {shown}, restart count {}",
        ctx.restart_count()
    );
    match reason {
        "CreateContainerConfigError" => {
            details.push("the kubelet could not build the container's configuration (environment, mounts), so the container was never created and its process never ran".to_owned());
            clues.push(Clue::new(
                Category::MissingConfig,
                3,
                format!("The container was never created: CreateContainerConfigError, {msg}."),
            ));
        }
        "ErrImagePull" | "ImagePullBackOff" | "InvalidImageName" | "ErrImageNeverPull" => {
            let image = ctx.spec.and_then(|c| c.image.clone()).unwrap_or_default();
            details.push(format!(
                "the image {image} cannot be pulled, so the container was never created"
            ));
            clues.push(
                Clue::new(
                    Category::MissingConfig,
                    3,
                    format!("The image {image} cannot be pulled ({shown})."),
                )
                .fix("Correct the image reference (name, tag) or the registry credentials (imagePullSecrets)."),
            );
        }
        "CreateContainerError" | "RunContainerError" => {
            details.push(
                "the runtime failed to create or start the container: its message says why"
                    .to_owned(),
            );
            clues.push(
                Clue::new(
                    Category::MissingConfig,
                    2,
                    format!("The runtime cannot start the container ({shown})."),
                )
                .fix("Correct what the runtime's message names: command, args, mounts or security settings."),
            );
        }
        "ContainerCreating" | "PodInitializing" => {
            details.push("the container is still being created".to_owned());
        }
        _ => {}
    }
    found
}
