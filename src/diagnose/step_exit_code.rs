//! Step 1, the exit code: how the last instance ended, and what the number means.

use crate::expect::describe_exit;
use crate::scenario::Category;

use super::ctx::Ctx;
use super::diagnosis::{Clue, Step, StepKind};
use super::log_lines::{LineKind, Runtime};

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
                0 if ctx.init && !ctx.sidecar => details.push(
                    "exit code 0: the init container finished successfully, as it should".to_owned(),
                ),
                0 => exit_zero(ctx, reason, &mut details, &mut clues),
                128 if ctx.start_failed() => details.push(format!(
                    "128 with reason {reason}: the runtime could not start the container's process, so the app never ran (its start time is left at the Unix epoch)"
                )),
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
                    match logs_explain(ctx) {
                        Some(LineKind::HeapLimit) => details.push("the language runtime aborts by itself when its heap is full (V8 calls abort()): the logs say so".to_owned()),
                        Some(_) => details.push("the process aborted itself after an error its logs report".to_owned()),
                        None => clues.push(
                            Clue::new(
                                Category::CodeBug,
                                2,
                                "It aborts (exit code 134, SIGABRT): a failed assertion or a fatal runtime error.",
                            )
                            .fix("Read the last log lines for the assertion or runtime error, fix it, or roll back to the last good version."),
                        ),
                    }
                }
                c if c > 128 => details.push(format!(
                    "{c} = 128 + {}: the process was killed by signal {}",
                    c - 128,
                    c - 128
                )),
                2 if ctx.crash.as_ref().is_some_and(|r| r.runtime == Runtime::Go) => details.push(
                    "exit code 2: the Go runtime exits 2 after a panic that nothing recovered"
                        .to_owned(),
                ),
                c => details.push(format!(
                    "the app exited on its own with code {c}: its logs should say why"
                )),
            }
            if matches!(reason, "ContainerCannotRun" | "StartError") {
                let msg = t.message.as_deref().unwrap_or("").trim();
                clues.push(start_failure(
                    ctx,
                    &format!("{reason}, exit code {}", t.exit_code),
                    msg,
                ));
            }
            if let Some(m) = t
                .message
                .as_deref()
                .map(str::trim)
                .filter(|m| !m.is_empty())
            {
                details.push(format!("termination message: {m}"));
            }
            role_details(ctx, &mut details);
            found
        }
        None => match ctx.waiting_reason() {
            Some(reason) => never_created(ctx, reason, &mut details, &mut clues),
            None if ctx.status.is_none() => {
                let phase = ctx.pod_phase().unwrap_or("unknown").to_owned();
                match unscheduled(ctx) {
                    Some(message) => {
                        details.push("the scheduler has not placed the pod on a node, so no container of it was created, and none ever ran: not a crash loop".to_owned());
                        if !message.is_empty() {
                            details.push(format!(
                                "PodScheduled False, reason Unschedulable: {message}"
                            ));
                        }
                        clues.push(unschedulable_clue(ctx, &message));
                        format!("no exit code: the pod is {phase}, never scheduled to a node")
                    }
                    None => format!("no status for this container yet (pod phase {phase})"),
                }
            }
            None => {
                role_details(ctx, &mut details);
                format!(
                    "no termination: running, restart count {}",
                    ctx.restart_count()
                )
            }
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
        "ErrImageNeverPull" => {
            let image = ctx.spec.and_then(|c| c.image.clone()).unwrap_or_default();
            details.push(format!(
                "the image {image} is not on the node and imagePullPolicy is Never, so the kubelet may not pull it: the container was never created, and nothing ran (not a crash loop)"
            ));
            clues.push(
                Clue::new(
                    Category::ImageProblem,
                    3,
                    format!("The image {image} is not present on the node, and the container's imagePullPolicy is Never, so the kubelet does not pull it (ErrImageNeverPull): the container was never created, nothing ran, so there are no logs to read."),
                )
                .fix(format!("Build {image} and load it onto the node (e.g. `kind load docker-image {image}`), or push it to a registry the node can reach and set imagePullPolicy: IfNotPresent."))
                .command(
                    ctx.kubectl(&format!(
                        "get pod {} -o jsonpath='{{.spec.containers[?(@.name==\"{}\")].image}}'",
                        ctx.pod, ctx.container
                    )),
                    "the image the pod asks for",
                ),
            );
        }
        "ErrImagePull" | "ImagePullBackOff" | "InvalidImageName" => {
            let image = ctx.spec.and_then(|c| c.image.clone()).unwrap_or_default();
            details.push(format!(
                "the image {image} cannot be pulled, so the container was never created"
            ));
            clues.push(
                Clue::new(
                    Category::ImageProblem,
                    3,
                    format!("The image {image} cannot be pulled ({shown})."),
                )
                .fix("Correct the image reference (name, tag) or the registry credentials (imagePullSecrets)."),
            );
        }
        "RunContainerError" if exec_failure(msg).is_some() => {
            details.push(
                "the runtime failed to start the container's process: its message says why"
                    .to_owned(),
            );
            clues.push(start_failure(ctx, reason, msg));
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
        "ContainerCreating" => {
            details.push("the container is not created yet: when it stays so, the events say what holds it (a volume that cannot be mounted, an image being pulled)".to_owned());
        }
        "PodInitializing" => {
            details.push("the container waits for the pod's init containers to finish".to_owned());
        }
        _ => {}
    }
    found
}

/// Exit code 0 of a container that should keep running: under `restartPolicy: Always` (the
/// only policy of a Deployment, StatefulSet or DaemonSet, and of a native sidecar) a finished
/// process is started again, and a container that keeps finishing ends in CrashLoopBackOff
/// like one that fails.
fn exit_zero(ctx: &Ctx, reason: &str, details: &mut Vec<String>, clues: &mut Vec<Clue>) {
    let policy = if ctx.sidecar {
        "Always".to_owned()
    } else {
        ctx.input
            .pod
            .spec
            .as_ref()
            .and_then(|s| s.restart_policy.clone())
            .unwrap_or_else(|| "Always".to_owned())
    };
    let how = if reason.is_empty() {
        "exit code 0".to_owned()
    } else {
        format!("exit code 0, {reason}")
    };
    details.push(format!(
        "exit code 0 ({}): the main process finished successfully; restartPolicy {policy} starts it again",
        if reason.is_empty() { "success" } else { reason }
    ));
    if policy != "Always" || ctx.restart_count() == 0 {
        return;
    }
    let workload = workload_kind(ctx);
    let runs_as = match workload.as_deref() {
        Some(kind) => format!("it runs as a {kind}, whose pods must keep running"),
        None => "its pod's restartPolicy is Always".to_owned(),
    };
    clues.push(
        Clue::new(
            Category::CodeBug,
            2,
            format!(
                "Its main process finishes successfully ({how}) and is started again, over and over: {runs_as}, so a program that completes its work and exits is treated as a crash, and the kubelet backs off between restarts (CrashLoopBackOff). The program is meant to finish, the workload is not meant for it."
            ),
        )
        .fix("Run a program that is meant to finish as a Job (or a CronJob, to run it on a schedule), which expects it to complete; if it is meant to serve, keep its main process in the foreground instead of exiting."),
    );
}

/// The kind of the pod's workload: from the owners read, else from the pod's controller
/// (a ReplicaSet with a `pod-template-hash` is a Deployment's).
fn workload_kind(ctx: &Ctx) -> Option<String> {
    if let Some(owners) = ctx.input.owners.ok()
        && let Some(top) = owners.chain.last()
    {
        return Some(top.kind.clone());
    }
    let pod = &ctx.input.pod;
    let owner = pod
        .metadata
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true))?;
    let hashed = pod
        .metadata
        .labels
        .as_ref()
        .is_some_and(|l| l.contains_key("pod-template-hash"));
    Some(if owner.kind == "ReplicaSet" && hashed {
        "Deployment".to_owned()
    } else {
        owner.kind.clone()
    })
}

/// The program the runtime could not execute, from its message: `exec: "/app/server": stat
/// /app/server: no such file or directory` (runc), `exec: "server": executable file not found
/// in $PATH`, `exec format error`, `permission denied`.
fn exec_failure(message: &str) -> Option<(Option<String>, &'static str)> {
    static EXEC: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"exec(?::)? "([^"]+)""#).expect("built-in pattern")
    });
    let why = if message.contains("executable file not found") {
        "executable file not found in $PATH"
    } else if message.contains("no such file or directory") {
        "no such file or directory"
    } else if message.contains("exec format error") {
        "exec format error: built for another CPU architecture, or a script without its interpreter"
    } else if message.contains("permission denied") && message.contains("exec") {
        "permission denied: the file is not executable"
    } else {
        return None;
    };
    Some((EXEC.captures(message).map(|c| c[1].to_owned()), why))
}

/// The runtime could not start the container's process (`StartError`, `RunContainerError`).
fn start_failure(ctx: &Ctx, shown: &str, msg: &str) -> Clue {
    let image = ctx.spec.and_then(|c| c.image.clone()).unwrap_or_default();
    match exec_failure(msg) {
        Some((program, why)) => {
            let program = program
                .or_else(|| {
                    ctx.spec
                        .and_then(|c| c.command.as_ref().or(c.args.as_ref()))
                        .and_then(|c| c.first().cloned())
                })
                .unwrap_or_else(|| "its entrypoint".to_owned());
            let source = match ctx.spec.and_then(|c| c.command.as_ref()) {
                Some(_) => "the container's command",
                None => "the image's entrypoint",
            };
            Clue::new(
                Category::ImageProblem,
                3,
                format!(
                    "The runtime cannot start the container: {program} ({source}) is not in the image {image} ({why}; {shown}: «{msg}»). No process of the app ever ran, so there are no logs; the image and the command do not match."
                ),
            )
            .fix(format!(
                "Make {source} point at a program that exists in {image} (check its path), or rebuild the image so that it contains {program}."
            ))
            .command(
                ctx.kubectl(&format!(
                    "get pod {} -o jsonpath='{{.spec.containers[?(@.name==\"{}\")].command}}'",
                    ctx.pod, ctx.container
                )),
                "the command the pod runs",
            )
        }
        None => Clue::new(
            Category::MissingConfig,
            2,
            format!("The runtime could not start the container ({shown}: {msg})."),
        )
        .fix("Correct the container's command, args or image so that its entrypoint exists."),
    }
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

/// The scheduler's reason when the pod is not scheduled (`PodScheduled` False): its message,
/// possibly empty.
fn unscheduled(ctx: &Ctx) -> Option<String> {
    let status = ctx.input.pod.status.as_ref()?;
    let cond = status
        .conditions
        .iter()
        .flatten()
        .find(|c| c.type_ == "PodScheduled" && c.status == "False");
    match cond {
        Some(c) => Some(c.message.clone().unwrap_or_default()),
        None => {
            // No condition yet, but the scheduler said so in an event.
            ctx.events_with("FailedScheduling")
                .last()
                .map(|e| e.message.clone())
        }
    }
}

/// The pod cannot be scheduled: for lack of CPU or memory (its requests are larger than what
/// any node has free), or because no node matches its constraints.
fn unschedulable_clue(ctx: &Ctx, message: &str) -> Clue {
    let message = message.trim().trim_end_matches('.');
    let insufficient: Vec<&str> = ["cpu", "memory", "ephemeral-storage", "pods"]
        .into_iter()
        .filter(|r| message.contains(&format!("Insufficient {r}")))
        .collect();
    let quoted = if message.is_empty() {
        String::new()
    } else {
        format!(" («{message}»)")
    };
    if insufficient.is_empty() {
        return Clue::new(
            Category::MissingConfig,
            2,
            format!("The pod is Pending: the scheduler finds no node it may run on{quoted}, so it was never scheduled and no container ever started."),
        )
        .fix("Make the pod's node selector, affinity, tolerations or volume claims match the cluster's nodes.");
    }
    let requests: Vec<String> = insufficient
        .iter()
        .filter_map(|r| {
            let q = ctx
                .spec
                .and_then(|c| c.resources.as_ref())
                .and_then(|res| res.requests.as_ref())
                .and_then(|m| m.get(*r))?;
            Some(format!("requests.{r} {}", q.0))
        })
        .collect();
    let asks = if requests.is_empty() {
        String::new()
    } else {
        format!(
            " Container {} asks for {}.",
            ctx.container,
            requests.join(" and ")
        )
    };
    Clue::new(
        Category::ResourceLimits,
        3,
        format!(
            "The pod is Pending: no node has enough {} free for its requests{quoted}, so the scheduler never placed it (FailedScheduling) and no container ever started: not a crash loop.{asks}",
            insufficient.join(" and ")
        ),
    )
    .fix(format!(
        "Lower the {} requests to what the app really needs and a node can offer (compare with `kubectl describe nodes`, Allocatable), or add a node large enough.",
        insufficient.join(" and ")
    ))
    .command(
        "kubectl describe nodes".to_owned(),
        "what each node can allocate and what is already requested",
    )
}

/// The key log line, when it names a cause other than a crash of the app's own code (a
/// runtime's heap limit, a missing variable): then the exit code only says how it ended.
fn logs_explain<'c>(ctx: &'c Ctx) -> Option<&'c LineKind> {
    ctx.key_line
        .as_ref()
        .map(|(_, k)| k)
        .filter(|k| k.category().is_some_and(|c| c != Category::CodeBug))
}
