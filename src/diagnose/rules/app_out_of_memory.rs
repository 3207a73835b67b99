//! The app's last log line says it ran out of memory, by its own account.

use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::log_lines::LineKind;
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "app-out-of-memory",
    needs: &[Needs::Logs],
    gives: "resource-limits (2) when the line that explains the exit says the app ran out of memory",
    check: Check::One(clue),
};

fn clue(ctx: &Ctx) -> Option<Clue> {
    let Some((LineKind::OutOfMemory, text)) = ctx.explaining_line() else {
        return None;
    };
    Some(Clue::new(
        Category::ResourceLimits,
        2,
        format!("The app runs out of memory by its own account: «{text}»."),
    ))
}
