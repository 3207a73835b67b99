//! The crash loop started with a rollout that removed or changed the environment variable the
//! app's log says is missing.

use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::rollout::Rollout;
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "rollout-changed-env",
    needs: &[Needs::Owners, Needs::Logs],
    gives: "missing-config (3) when the rollout to the pod's revision removed or changed, in this container's template, the variable the line that explains the exit misses",
    check: Check::One(clue),
};

fn clue(ctx: &Ctx) -> Option<Clue> {
    let r = Rollout::of(ctx)?;
    let (verb, var) = r.env_change(ctx)?;
    let (from, had) = if verb == "removed" {
        ("from", "set it")
    } else {
        ("in", "set it differently")
    };
    let (rev, prev_rev, kind) = (&r.rev, &r.prev_rev, r.kind());
    Some(
        Clue::new(
            Category::MissingConfig,
            3,
            format!(
                "The crash loop started with a rollout: {rev} of {kind} {} (the new {} {}) {verb} environment variable {var} {from} container {}'s template; {prev_rev} {had}, and its pods run.",
                r.workload.name,
                r.object(),
                r.cur.replica_set,
                ctx.container
            ),
        )
        .fix(format!(
            "Roll back to {prev_rev} (`{}`), then put {var} back into the {kind}'s pod template before rolling out again.",
            r.undo(ctx)
        ))
        .command(r.history(ctx), "what each revision changed"),
    )
}
