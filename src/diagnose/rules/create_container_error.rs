//! The runtime failed to create or start the container for a reason other than a missing
//! program (`CreateContainerError`, `RunContainerError`): its message names the setting.

use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

use super::start_failed::exec_failure;

pub(super) const RULE: Rule = Rule {
    name: "create-container-error",
    needs: &[Needs::ExitCode, Needs::Waiting],
    gives: "missing-config (2) when a container that never ended waits in CreateContainerError, or in RunContainerError without an exec failure",
    check: Check::One(clue),
};

fn clue(ctx: &Ctx) -> Option<Clue> {
    if ctx.termination().is_some() {
        return None;
    }
    let exec = exec_failure(ctx.waiting_message().unwrap_or("")).is_some();
    match ctx.waiting_reason()? {
        "CreateContainerError" => {}
        "RunContainerError" if !exec => {}
        _ => return None,
    }
    Some(
        Clue::new(
            Category::MissingConfig,
            2,
            format!(
                "The runtime cannot start the container ({}).",
                ctx.waiting_shown()?
            ),
        )
        .fix(
            "Correct what the runtime's message names: command, args, mounts or security settings.",
        ),
    )
}
