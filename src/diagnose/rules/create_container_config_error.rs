//! The kubelet could not build the container's configuration (`CreateContainerConfigError`:
//! a Secret, ConfigMap or key its environment names is missing), so it was never created.

use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "create-container-config-error",
    needs: &[Needs::ExitCode, Needs::Waiting],
    gives: "missing-config (3) when a container that never ended waits in CreateContainerConfigError",
    check: Check::One(clue),
};

fn clue(ctx: &Ctx) -> Option<Clue> {
    (ctx.termination().is_none() && ctx.waiting_reason()? == "CreateContainerConfigError").then(
        || {
            let msg = ctx.waiting_message().unwrap_or("");
            Clue::new(
                Category::MissingConfig,
                3,
                format!("The container was never created: CreateContainerConfigError, {msg}."),
            )
        },
    )
}
