//! Step 2, `kubectl logs --previous`: what the instance that stopped printed last.

use crate::scenario::Category;

use super::diagnosis::{Clue, Step, StepKind};
use super::input::Logs;
use super::log_lines::{LineKind, classify};
use super::reasoning::Ctx;

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
                format!("empty: {which} printed nothing before it stopped")
            } else {
                let start = lines.len().saturating_sub(TAIL);
                if let Some(i) = ctx.key_line.as_ref().map(|(i, _)| *i)
                    && i < start
                {
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
                        format!(
                            "{n} line{plural} from {which}; the one that explains the exit: «{text}»"
                        )
                    }
                    (Some(_), Some(text)) => {
                        format!("{n} line{plural} from {which}; the last error: «{text}»")
                    }
                    _ => {
                        if ctx.oom_killed() {
                            details.push("a process killed by the kernel gets no chance to log why: the last line only shows what it was doing".to_owned());
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
    match kind {
        LineKind::MissingEnv(var) => Clue::new(
            Category::MissingConfig,
            2,
            format!("Its last log line says why: «{text}»: environment variable {var} is not set."),
        )
        .fix(format!(
            "Set {var} in the container's environment (env or envFrom)."
        )),
        LineKind::MissingFile(path) => {
            let what = match path {
                Some(p) => format!("the configuration file {p} is missing"),
                None => "a configuration file is missing".to_owned(),
            };
            let fix = match path {
                Some(p) => format!("Provide {p}: mount the ConfigMap or Secret that holds it at that path, or point the app at the right path."),
                None => "Provide the configuration file the app reads (mount the ConfigMap or Secret that holds it).".to_owned(),
            };
            Clue::new(
                Category::MissingConfig,
                2,
                format!("Its last log line says why: «{text}»: {what}."),
            )
            .fix(fix)
        }
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
                format!("Its last log line says why: «{text}»: it cannot reach {who}."),
            )
            .fix(format!("Bring {who} back (or point the app at a working address), and make the app retry instead of exiting."))
        }
        LineKind::Crash => Clue::new(Category::CodeBug, 2, format!("The app crashes: «{text}»."))
            .fix("Fix the bug the stack trace points at, or roll back to the last good version.")
            .command(
                ctx.kubectl(&format!(
                    "logs {} -c {} --previous --tail=100",
                    ctx.pod, ctx.container
                )),
                "the whole stack trace",
            ),
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
