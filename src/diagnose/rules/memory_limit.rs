//! The memory limit an OOM-killed container reached: what it is set to, and what to do about
//! it.

use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "memory-limit",
    needs: &[Needs::ExitCode, Needs::Resources],
    gives: "resource-limits (3) when the last instance was OOMKilled: its limits.memory, or no limit",
    check: Check::One(clue),
};

fn clue(ctx: &Ctx) -> Option<Clue> {
    if !ctx.oom_killed() {
        return None;
    }
    let limit = ctx.resource("limits", "memory");
    Some(
        Clue::new(
            Category::ResourceLimits,
            3,
            match &limit {
                Some(l) => format!("Its memory limit (limits.memory) is {l}, and it uses all of it."),
                None => "It has no memory limit, so it was killed when the node ran short.".to_owned(),
            },
        )
        .fix(match &limit {
            Some(l) => format!("Find out why it needs more than {l} (a leak, an unbounded cache, a heap sized for a bigger machine) and fix that, or raise limits.memory if the app really needs that much."),
            None => "Set requests.memory to what the app really uses, and fix the growth if it is a leak.".to_owned(),
        })
        .command(
            ctx.kubectl(&format!("top pod {} --containers", ctx.pod)),
            "memory in use now (needs metrics-server)",
        )
        .command(ctx.spec_field_command("resources"), "the requests and limits as set"),
    )
}
