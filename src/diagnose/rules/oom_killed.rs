//! An instance OOM-killed: the kernel's OOM killer ended it at its memory limit (exit code
//! 137, reason `OOMKilled`).

use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "oom-killed",
    needs: &[Needs::ExitCode],
    gives: "resource-limits (3) when the last instance ended with exit code 137, reason OOMKilled",
    check: Check::One(clue),
};

fn clue(ctx: &Ctx) -> Option<Clue> {
    let t = ctx.termination()?;
    (t.exit_code == 137 && t.reason.as_deref() == Some("OOMKilled")).then(|| {
        Clue::new(
            Category::ResourceLimits,
            3,
            "It is OOMKilled (exit code 137): the kernel's OOM killer ends it each time it reaches its memory limit.",
        )
    })
}
