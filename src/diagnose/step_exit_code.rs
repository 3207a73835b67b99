//! Step 1, the exit code: how the last instance ended, and what the number means. (The
//! clues it gives are the rules' of [`super::rules::RULES`].)

use crate::expect::describe_exit;

use super::ctx::Ctx;
use super::log_lines::{LineKind, Runtime};
use super::rules::start_failed::exec_failure;

/// What the step found, with its details.
pub(super) fn found(ctx: &Ctx, details: &mut Vec<String>) -> String {
    let Some(t) = ctx.termination() else {
        return no_termination(ctx, details);
    };
    let mut found = format!(
        "{}, restart count {}",
        describe_exit(t.exit_code, t.reason.as_deref()),
        ctx.restart_count()
    );
    if let Some(r) = ctx.waiting_reason() {
        found.push_str(&format!(", now waiting in {r}"));
    } else if ctx.running() {
        found.push_str(", running again");
    }
    let reason = t.reason.as_deref().unwrap_or("");
    details.extend(exit_code_meaning(ctx, t.exit_code, reason));
    if let Some(m) = t
        .message
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        details.push(format!("termination message: {m}"));
    }
    role_details(ctx, details);
    found
}

/// What exit code `code` (with `reason`) means.
fn exit_code_meaning(ctx: &Ctx, code: i32, reason: &str) -> Vec<String> {
    let one = |s: &str| vec![s.to_owned()];
    match code {
        0 if ctx.init && !ctx.sidecar => {
            one("exit code 0: the init container finished successfully, as it should")
        }
        0 => vec![format!(
            "exit code 0 ({}): the main process finished successfully; restartPolicy {} starts it again",
            if reason.is_empty() { "success" } else { reason },
            ctx.restart_policy()
        )],
        128 if ctx.start_failed() => vec![format!(
            "128 with reason {reason}: the runtime could not start the container's process, so the app never ran (its start time is left at the Unix epoch)"
        )],
        137 if reason == "OOMKilled" => vec![
            "137 = 128 + 9: the process was killed with SIGKILL".to_owned(),
            "reason OOMKilled: the kernel's OOM killer sent it, because the container reached its memory limit".to_owned(),
        ],
        137 => vec![
            "137 = 128 + 9: the process was killed with SIGKILL".to_owned(),
            format!(
                "reason {}, not OOMKilled: this SIGKILL did not come from the OOM killer; usually the kubelet sends it when the grace period after SIGTERM runs out",
                if reason.is_empty() { "unset" } else { reason }
            ),
        ],
        143 => one(
            "143 = 128 + 15: the process stopped on SIGTERM, so it was asked to stop (by the kubelet after a failed liveness probe, or by a deletion) and did",
        ),
        139 => one("139 = 128 + 11: a segmentation fault (SIGSEGV)"),
        134 => {
            let mut out = one("134 = 128 + 6: the process aborted (SIGABRT)");
            match ctx.non_code_cause() {
                Some(LineKind::HeapLimit) => out.push("the language runtime aborts by itself when its heap is full (V8 calls abort()): the logs say so".to_owned()),
                Some(_) => out.push("the process aborted itself after an error its logs report".to_owned()),
                None => {}
            }
            out
        }
        c if c > 128 => vec![format!(
            "{c} = 128 + {}: the process was killed by signal {}",
            c - 128,
            c - 128
        )],
        2 if ctx.crash.as_ref().is_some_and(|r| r.runtime == Runtime::Go) => {
            one("exit code 2: the Go runtime exits 2 after a panic that nothing recovered")
        }
        c => vec![format!(
            "the app exited on its own with code {c}: its logs should say why"
        )],
    }
}

/// A container that has not ended: waiting, unscheduled, or running.
fn no_termination(ctx: &Ctx, details: &mut Vec<String>) -> String {
    if let Some(reason) = ctx.waiting_reason() {
        details.extend(never_created(ctx, reason));
        return format!(
            "no exit code: waiting in {}, restart count {}",
            ctx.waiting_shown().unwrap_or_default(),
            ctx.restart_count()
        );
    }
    if ctx.status.is_none() {
        let phase = ctx.pod_phase().unwrap_or("unknown").to_owned();
        return match ctx.unscheduled() {
            Some(message) => {
                details.push("the scheduler has not placed the pod on a node, so no container of it was created, and none ever ran: not a crash loop".to_owned());
                if !message.is_empty() {
                    details.push(format!(
                        "PodScheduled False, reason Unschedulable: {message}"
                    ));
                }
                format!("no exit code: the pod is {phase}, never scheduled to a node")
            }
            None => format!("no status for this container yet (pod phase {phase})"),
        };
    }
    role_details(ctx, details);
    format!(
        "no termination: running, restart count {}",
        ctx.restart_count()
    )
}

/// What a waiting reason of a container that was never created says.
fn never_created(ctx: &Ctx, reason: &str) -> Option<String> {
    let msg = ctx.waiting_message().unwrap_or("");
    Some(match reason {
        "CreateContainerConfigError" => "the kubelet could not build the container's configuration (environment, mounts), so the container was never created and its process never ran".to_owned(),
        "ErrImageNeverPull" => format!(
            "the image {} is not on the node and imagePullPolicy is Never, so the kubelet may not pull it: the container was never created, and nothing ran (not a crash loop)",
            ctx.image()
        ),
        "ErrImagePull" | "ImagePullBackOff" | "InvalidImageName" => format!(
            "the image {} cannot be pulled, so the container was never created",
            ctx.image()
        ),
        "RunContainerError" if exec_failure(msg).is_some() => {
            "the runtime failed to start the container's process: its message says why".to_owned()
        }
        "CreateContainerError" | "RunContainerError" => {
            "the runtime failed to create or start the container: its message says why".to_owned()
        }
        "ContainerCreating" => "the container is not created yet: when it stays so, the events say what holds it (a volume that cannot be mounted, an image being pulled)".to_owned(),
        "PodInitializing" => "the container waits for the pod's init containers to finish".to_owned(),
        _ => return None,
    })
}

/// What an init container or a sidecar is, and how the pod's other containers are doing.
fn role_details(ctx: &Ctx, details: &mut Vec<String>) {
    if ctx.sidecar {
        details.push(format!(
            "{} is a native sidecar (an init container with restartPolicy: Always): it runs next to the app containers for the pod's whole life, and the kubelet restarts it when it stops",
            ctx.container
        ));
    } else if ctx.init {
        details.push(format!(
            "{} is an init container: the pod's app containers start only after every init container has exited 0, so while it fails they never start (the pod shows Init:CrashLoopBackOff)",
            ctx.container
        ));
    } else {
        return;
    }
    let Some(status) = ctx.input.pod.status.as_ref() else {
        return;
    };
    for s in status.container_statuses.iter().flatten() {
        let state = s.state.as_ref();
        let now = if state.is_some_and(|st| st.running.is_some()) {
            "running".to_owned()
        } else if let Some(r) = state
            .and_then(|st| st.waiting.as_ref())
            .and_then(|w| w.reason.as_deref())
        {
            format!("waiting in {r}")
        } else if state.is_some_and(|st| st.terminated.is_some()) {
            "terminated".to_owned()
        } else {
            "not started".to_owned()
        };
        let ready = if s.ready { ", ready" } else { "" };
        details.push(format!(
            "app container {}: {now}{ready}, restart count {}",
            s.name, s.restart_count
        ));
    }
}
