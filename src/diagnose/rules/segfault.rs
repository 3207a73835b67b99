//! A segmentation fault (exit code 139, SIGSEGV): a memory-safety bug of the app or of a
//! native library it loads.

use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "segfault",
    needs: &[Needs::ExitCode],
    gives: "code-bug (2) when the last instance ended with exit code 139",
    check: Check::One(clue),
};

fn clue(ctx: &Ctx) -> Option<Clue> {
    (ctx.termination()?.exit_code == 139).then(|| {
        Clue::new(
            Category::CodeBug,
            2,
            "It crashes with a segmentation fault (exit code 139, SIGSEGV).",
        )
        .fix("Fix the memory-safety bug (or the native library) behind the segmentation fault, or roll back to the last good version.")
    })
}
