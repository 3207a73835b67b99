//! Step 2, `kubectl logs --previous`: what the instance that stopped printed last. (The
//! clues it gives are the rules' of [`super::rules::RULES`].)

use super::ctx::Ctx;
use super::input::Logs;
use super::log_lines::{LineKind, classify};

/// Lines shown as details, from the end.
const TAIL: usize = 5;

/// What the step found, with its details.
pub(super) fn found(ctx: &Ctx, details: &mut Vec<String>) -> String {
    match &ctx.input.logs {
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
                signal_lines(ctx, details);
                let n = lines.len();
                let plural = if n == 1 { "" } else { "s" };
                match (ctx.explaining_line(), ctx.key_text()) {
                    (Some((_, text)), _) => match &ctx.crash {
                        Some(r) => format!(
                            "{n} line{plural} from {which}, ending in a {} crash report; the line that explains it: «{text}»",
                            r.runtime.name()
                        ),
                        None => format!(
                            "{n} line{plural} from {which}; the one that explains the exit: «{text}»"
                        ),
                    },
                    (None, Some(text)) => {
                        format!("{n} line{plural} from {which}; the last error: «{text}»")
                    }
                    (None, None) => {
                        if ctx.oom_killed() {
                            details.push("a process killed by the kernel gets no chance to log why: the last line only shows what it was doing".to_owned());
                        } else if let Some(signal) = ctx.crash_signal() {
                            details.push(format!("a process killed by {signal} gets no chance to log why: the last line shows what it was doing when it crashed"));
                        }
                        format!(
                            "{n} line{plural} from {which}, none reports an error; the last: «{}»",
                            lines[n - 1]
                        )
                    }
                }
            }
        }
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
