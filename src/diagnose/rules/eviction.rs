//! The pod was evicted, or the node's OOM killer struck (`Evicted`, `OOMKilling` events): the
//! node ran short, not the container's own limit.

use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "eviction",
    needs: &[Needs::Events],
    gives: "resource-limits (2) for the first Evicted or OOMKilling event",
    check: Check::One(clue),
};

fn clue(ctx: &Ctx) -> Option<Clue> {
    let e = ctx
        .events
        .iter()
        .find(|e| matches!(e.reason.as_str(), "Evicted" | "OOMKilling"))?;
    Some(Clue::new(
        Category::ResourceLimits,
        2,
        format!("{}: {}.", e.reason, e.message.trim_end_matches('.')),
    ))
}
