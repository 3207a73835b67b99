//! Step 2, `kubectl logs --previous`: what the instance that stopped printed last.

use crate::scenario::Category;

use super::ctx::Ctx;
use super::diagnosis::{Clue, Step, StepKind};
use super::input::Logs;
use super::log_lines::{LineKind, Runtime, classify};

/// Lines shown as details, from the end.
const TAIL: usize = 5;

pub(super) fn step(ctx: &Ctx) -> Step {
    let mut details = Vec::new();
    let mut clues = Vec::new();
    let found = match &ctx.input.logs {
        Logs::NoInstance if ctx.never_ran() => {
            "none: the container never ran, so it has no logs".to_owned()
        }
        Logs::NoInstance => "none: no instance has stopped yet".to_owned(),
        Logs::Failed(message) => format!("could not be read: {message}"),
        Logs::Text { previous, .. } => {
            let which = if *previous {
                "the previous instance"
            } else {
                "the instance that just stopped"
            };
            let lines = &ctx.log_lines;
            if lines.is_empty() {
                if ctx.start_failed() {
                    format!(
                        "empty: {which} never started a process (StartError), so nothing was printed"
                    )
                } else {
                    format!("empty: {which} printed nothing before it stopped")
                }
            } else {
                let start = lines.len().saturating_sub(TAIL);
                let mut shown: Vec<usize> = ctx
                    .crash
                    .as_ref()
                    .and_then(|r| r.headline)
                    .into_iter()
                    .chain(ctx.key_line.as_ref().map(|(i, _)| *i))
                    .filter(|i| *i < start)
                    .collect();
                shown.dedup();
                for i in shown {
                    details.push(format!("line {}: {}", i + 1, lines[i]));
                }
                for (i, l) in lines.iter().enumerate().skip(start) {
                    details.push(format!("line {}: {l}", i + 1));
                }
                signal_lines(ctx, &mut details);
                let n = lines.len();
                let plural = if n == 1 { "" } else { "s" };
                match (&ctx.key_line, ctx.key_text()) {
                    (Some((_, kind)), Some(text)) if kind.category().is_some() => {
                        clues.push(clue_for(ctx, kind, text));
                        if let LineKind::Connection { target, name } = kind {
                            clues.extend(came_up_later(ctx, target.as_deref(), name.as_deref()));
                        }
                        match &ctx.crash {
                            Some(r) => format!(
                                "{n} line{plural} from {which}, ending in a {} crash report; the line that explains it: «{text}»",
                                r.runtime.name()
                            ),
                            None => format!(
                                "{n} line{plural} from {which}; the one that explains the exit: «{text}»"
                            ),
                        }
                    }
                    (Some(_), Some(text)) => {
                        format!("{n} line{plural} from {which}; the last error: «{text}»")
                    }
                    _ => {
                        if ctx.oom_killed() {
                            details.push("a process killed by the kernel gets no chance to log why: the last line only shows what it was doing".to_owned());
                        } else if let Some(signal) = ctx.crash_signal() {
                            details.push(format!("a process killed by {signal} gets no chance to log why: the last line shows what it was doing when it crashed"));
                            let doing: Vec<String> = lines[n.saturating_sub(2)..]
                                .iter()
                                .map(|l| format!("«{}»", l.trim()))
                                .collect();
                            clues.push(Clue::new(
                                Category::CodeBug,
                                1,
                                format!("What it was doing when the {signal} came, by its last log lines: {}.", doing.join(", then ")),
                            ));
                        }
                        format!(
                            "{n} line{plural} from {which}, none reports an error; the last: «{}»",
                            lines[n - 1]
                        )
                    }
                }
            }
        }
    };
    Step {
        step: StepKind::PreviousLogs,
        found,
        details,
        points_to: None,
        clues,
    }
}

/// Lines about SIGTERM tell who stopped the app: note them even when they explain nothing.
fn signal_lines(ctx: &Ctx, details: &mut Vec<String>) {
    for line in &ctx.log_lines {
        match classify(line) {
            Some(LineKind::GotSigterm) => {
                details.push(format!(
                    "«{line}»: the app was stopped from outside; it did not crash on its own"
                ));
                return;
            }
            Some(LineKind::IgnoresSigterm) => {
                details.push(format!("«{line}»: the app ignores SIGTERM, so every stop waits out the grace period and ends in SIGKILL"));
                return;
            }
            _ => {}
        }
    }
}

fn clue_for(ctx: &Ctx, kind: &LineKind, text: &str) -> Clue {
    // How the line is introduced: a crash report is read as a whole.
    let says = match &ctx.crash {
        Some(r) => format!(
            "Its log ends in a {} crash report: «{text}»",
            r.runtime.name()
        ),
        None => format!("Its last log line says why: «{text}»"),
    };
    match kind {
        LineKind::MissingEnv(var) => {
            let how = match &ctx.crash {
                Some(r) if r.runtime == Runtime::Python => {
                    format!(
                        " (the app reads os.environ[\"{var}\"], which raises KeyError when it is unset)"
                    )
                }
                _ => String::new(),
            };
            Clue::new(
                Category::MissingConfig,
                2,
                format!("{says}: environment variable {var} is not set{how}."),
            )
            .fix(match ctx.cron_job() {
                Some(cron) => format!(
                    "Set {var} in the container's environment in CronJob {cron}'s job template (env or envFrom): the next scheduled run is created from it, so editing the Job or the pod does not last."
                ),
                None => format!("Set {var} in the container's environment (env or envFrom)."),
            })
        }
        LineKind::MissingFile(path) => {
            let what = match path {
                Some(p) => format!("the configuration file {p} is missing"),
                None => "a configuration file is missing".to_owned(),
            };
            let fix = match path {
                Some(p) => format!("Provide {p}: mount the ConfigMap or Secret that holds it at that path, or point the app at the right path."),
                None => "Provide the configuration file the app reads (mount the ConfigMap or Secret that holds it).".to_owned(),
            };
            Clue::new(Category::MissingConfig, 2, format!("{says}: {what}.")).fix(fix)
        }
        LineKind::BadConfig { file, line } => {
            let file_name = file.as_deref().unwrap_or("its configuration file");
            let at = line
                .as_ref()
                .map(|l| format!(" at line {l}"))
                .unwrap_or_default();
            Clue::new(
                Category::MissingConfig,
                2,
                format!("{says}: {file_name} is there but does not parse{at}. The content of the configuration is wrong, so every restart fails the same way."),
            )
            .fix(format!(
                "Correct {file_name}{at} where it comes from (see the recent changes), and validate the configuration before it is deployed."
            ))
        }
        LineKind::Schema { object, migration } => {
            let what = match migration {
                Some(m) => {
                    format!("migration {m} expects {object}, which the database does not have")
                }
                None => {
                    format!("the SQL it runs expects {object}, which the database does not have")
                }
            };
            let fix = match migration {
                Some(m) => format!(
                    "Fix migration {m}: it needs {object}, which no migration before it creates (a missing, misnamed or misordered migration); once it applies, {} succeeds on its next restart.",
                    ctx.container
                ),
                None => format!(
                    "Make the SQL match the schema: create {object} first (a missing or misordered migration), or correct the name."
                ),
            };
            Clue::new(
                Category::CodeBug,
                2,
                format!("{says}: {what}. The program and the database schema do not match: a bug in the migrations or queries, not in the cluster."),
            )
            .fix(fix)
        }
        LineKind::PortInUse(address) => port_in_use_clue(ctx, &says, address.as_deref()),
        LineKind::ReadOnlyFs(path) => read_only_clue(ctx, &says, path.as_deref()),
        LineKind::Connection { target, name } => {
            let who = match (name, target) {
                (Some(n), Some(t)) => format!("{n} at {t}"),
                (Some(n), None) => n.clone(),
                (None, Some(t)) => t.clone(),
                (None, None) => "a dependency".to_owned(),
            };
            Clue::new(
                Category::DependencyDown,
                2,
                format!("{says}: it cannot reach {who}."),
            )
            .fix(format!("Bring {who} back (or point {subject} at a working address), and make {subject} retry instead of exiting.", subject = subject(ctx)))
        }
        LineKind::Crash => {
            let sentence = match &ctx.crash {
                Some(r) => {
                    let thrown = r
                        .headline
                        .map(|i| format!(" (thrown: «{}»)", ctx.log_lines[i].trim()))
                        .unwrap_or_default();
                    format!(
                        "The app crashes: its log ends in a {} crash report, «{text}»{thrown}: a bug in the app's code.",
                        r.runtime.name()
                    )
                }
                None => format!("The app crashes: «{text}»."),
            };
            Clue::new(Category::CodeBug, 2, sentence)
                .fix(
                    "Fix the bug the stack trace points at, or roll back to the last good version.",
                )
                .command(
                    ctx.kubectl(&format!(
                        "logs {} -c {} --previous --tail=100",
                        ctx.pod, ctx.container
                    )),
                    "the whole stack trace",
                )
        }
        LineKind::HeapLimit => {
            let exit = ctx
                .termination()
                .map(|t| format!(" (exit code {})", t.exit_code))
                .unwrap_or_default();
            let (runtime, flag) = match ctx.crash.as_ref().map(|r| r.runtime) {
                Some(Runtime::Java) => ("The JVM", "-Xmx"),
                _ => ("The Node.js runtime (V8)", "--max-old-space-size"),
            };
            let killed = if ctx.oom_killed() {
                ""
            } else {
                " The kernel did not OOM-kill the container: the runtime gave up by itself when its heap was full, and aborted"
            };
            Clue::new(
                Category::ResourceLimits,
                2,
                format!("{runtime} runs out of heap: «{text}». Its heap limit ({flag}) is reached.{killed}{exit}."),
            )
            .fix(format!(
                "Find out why the heap grows (a leak, an unbounded cache, too much data loaded at once) and fix it; if the app really needs more, raise {flag} together with the container's limits.memory, keeping the heap below the container limit."
            ))
        }
        LineKind::OutOfMemory => Clue::new(
            Category::ResourceLimits,
            2,
            format!("The app runs out of memory by its own account: «{text}»."),
        ),
        LineKind::GotSigterm | LineKind::IgnoresSigterm | LineKind::OtherError => {
            unreachable!("only lines with a category make clues")
        }
    }
}

/// `address already in use`: containers of a pod share one network namespace, so another
/// container of the pod that listens on the same port is the usual culprit.
fn port_in_use_clue(ctx: &Ctx, says: &str, address: Option<&str>) -> Clue {
    let port: Option<i32> = address
        .and_then(|a| a.rsplit(':').next())
        .and_then(|p| p.parse().ok());
    let shown = address.unwrap_or("its port");
    let others: Vec<String> = match (port, ctx.input.pod.spec.as_ref()) {
        (Some(port), Some(spec)) => spec
            .init_containers
            .iter()
            .flatten()
            .filter(|c| c.restart_policy.as_deref() == Some("Always"))
            .chain(spec.containers.iter())
            .filter(|c| c.name != ctx.container)
            .filter(|c| {
                c.ports.iter().flatten().any(|p| p.container_port == port)
                    || c.command
                        .iter()
                        .flatten()
                        .chain(c.args.iter().flatten())
                        .any(|a| a == &port.to_string() || a.ends_with(&format!(":{port}")))
            })
            .map(|c| c.name.clone())
            .collect(),
        _ => Vec::new(),
    };
    let mut sentence = format!("{says}: the address {shown} is already in use.");
    let fix = match others.as_slice() {
        [] => {
            sentence.push_str(" Another process in the pod's network namespace (the containers of a pod share one) or a second server in the app already listens there.");
            format!(
                "Make container {} listen on a port of its own (its args and containerPort), one that no other container of the pod uses.",
                ctx.container
            )
        }
        others => {
            let list = others.join(", ");
            let port = port.map(|p| p.to_string()).unwrap_or_default();
            sentence.push_str(&format!(
                " The containers of a pod share one network namespace, and container {list} of this pod already listens on port {port}: both are configured for the same port."
            ));
            format!(
                "Give container {} a port of its own (its args and containerPort), different from {list}'s {port}.",
                ctx.container
            )
        }
    };
    Clue::new(Category::MissingConfig, 2, sentence).fix(fix)
}

/// `read-only file system`: the root file system is read-only (`readOnlyRootFilesystem`) or
/// the path is on a read-only volume.
fn read_only_clue(ctx: &Ctx, says: &str, path: Option<&str>) -> Clue {
    let root_read_only = ctx
        .spec
        .and_then(|c| c.security_context.as_ref())
        .and_then(|s| s.read_only_root_filesystem)
        == Some(true);
    let shown = path.unwrap_or("the path it writes to");
    let mount = path.and_then(|p| {
        ctx.spec?
            .volume_mounts
            .iter()
            .flatten()
            .filter(|m| {
                p == m.mount_path
                    || p.starts_with(&format!("{}/", m.mount_path.trim_end_matches('/')))
            })
            .max_by_key(|m| m.mount_path.len())
    });
    let mut sentence =
        format!("{says}: it cannot write {shown}, which is on a read-only file system.");
    let fix = match mount {
        Some(m) if m.read_only == Some(true) => {
            sentence.push_str(&format!(
                " {shown} is on volume {} mounted read-only at {}.",
                m.name, m.mount_path
            ));
            format!(
                "Mount volume {} writable at {} (readOnly: false) if the app must write there, or move the app's state to a writable volume such as an emptyDir.",
                m.name, m.mount_path
            )
        }
        _ if root_read_only => {
            sentence.push_str(&format!(
                " The container's securityContext sets readOnlyRootFilesystem: true, and no writable volume is mounted at {shown}."
            ));
            format!(
                "Keep readOnlyRootFilesystem and mount a writable volume (an emptyDir) at {shown}, where the app keeps its state."
            )
        }
        _ => format!(
            "Mount a writable volume (an emptyDir) at {shown}, or point the app at a writable path."
        ),
    };
    Clue::new(Category::MissingConfig, 2, sentence).fix(fix)
}

/// Who runs the program: `the app`, or the init container or sidecar by name.
fn subject(ctx: &Ctx) -> String {
    if ctx.init {
        ctx.container.clone()
    } else {
        "the app".to_owned()
    }
}

/// The app stopped on a refused connection but runs again now: what it could not reach was
/// not listening yet and came up later (a dependency still initialising after a cold start
/// while the app started first).
fn came_up_later(ctx: &Ctx, target: Option<&str>, name: Option<&str>) -> Option<Clue> {
    let status = ctx.status?;
    let running = status.state.as_ref().is_some_and(|s| s.running.is_some());
    // Ready by a readiness probe: without one, the kubelet reports even an instance that
    // exits within milliseconds ready for a moment, which proves nothing.
    let proven = status.ready && ctx.spec.is_some_and(|c| c.readiness_probe.is_some());
    if !running || !proven || ctx.restart_count() == 0 {
        return None;
    }
    let who = match (name, target) {
        (Some(n), Some(t)) => format!("{n} at {t}"),
        (Some(n), None) => n.to_owned(),
        (None, Some(t)) => t.to_owned(),
        (None, None) => "its dependency".to_owned(),
    };
    let short = name.or(target).unwrap_or("its dependency");
    Some(
        Clue::new(
            Category::DependencyDown,
            3,
            format!(
                "It runs again now (ready, after {} restarts), so {who} was not listening yet when the app started, and came up later: it was still initialising (a cold start) while the app started first, and the app crash-looped on the refused connections until then.",
                ctx.restart_count()
            ),
        )
        .fix(format!(
            "Nothing is down any more; make {subject} wait for {short} and retry with a back-off instead of exiting (or add an init container that waits until {short} accepts connections), so that the next cold start does not crash-loop it.",
            subject = subject(ctx)
        )),
    )
}
