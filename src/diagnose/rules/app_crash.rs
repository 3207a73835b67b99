//! The app's log ends in a crash of its own code: a panic, an uncaught exception, a failed
//! assertion, read as a whole when it is a runtime's crash report.

use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::log_lines::LineKind;
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "app-crash",
    needs: &[Needs::Logs],
    gives: "code-bug (2) when the line that explains the exit is a crash of the program (panic, uncaught exception)",
    check: Check::One(clue),
};

fn clue(ctx: &Ctx) -> Option<Clue> {
    let Some((LineKind::Crash, text)) = ctx.explaining_line() else {
        return None;
    };
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
    Some(
        Clue::new(Category::CodeBug, 2, sentence)
            .fix("Fix the bug the stack trace points at, or roll back to the last good version.")
            .command(
                ctx.kubectl(&format!(
                    "logs {} -c {} --previous --tail=100",
                    ctx.pod, ctx.container
                )),
                "the whole stack trace",
            ),
    )
}
