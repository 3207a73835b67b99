//! An abort (exit code 134, SIGABRT) that the logs do not explain otherwise: a failed
//! assertion or a fatal runtime error.

use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "abort",
    needs: &[Needs::ExitCode, Needs::Logs],
    gives: "code-bug (2) when the last instance ended with exit code 134 and its logs name no other cause (a heap limit, a missing variable)",
    check: Check::One(clue),
};

fn clue(ctx: &Ctx) -> Option<Clue> {
    (ctx.termination()?.exit_code == 134 && ctx.non_code_cause().is_none()).then(|| {
        Clue::new(
            Category::CodeBug,
            2,
            "It aborts (exit code 134, SIGABRT): a failed assertion or a fatal runtime error.",
        )
        .fix("Read the last log lines for the assertion or runtime error, fix it, or roll back to the last good version.")
    })
}
