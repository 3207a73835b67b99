//! The crash may have come with the rollout that changed the container images (when no change
//! of that rollout explains the failure better).

use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::rollout::Rollout;
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "rollout-changed-image",
    needs: &[Needs::Owners, Needs::Logs],
    gives: "code-bug (1) when the rollout to the pod's revision changed its images and rollout-changed-env does not apply",
    check: Check::One(clue),
};

fn clue(ctx: &Ctx) -> Option<Clue> {
    let r = Rollout::of(ctx)?;
    if r.env_change(ctx).is_some() || r.prev.images == r.cur.images {
        return None;
    }
    Some(
        Clue::new(
            Category::CodeBug,
            1,
            format!(
                "The crash may have come with the rollout of {} of {} {}, which changed {} to {}.",
                r.rev,
                r.kind(),
                r.workload.name,
                r.prev.images.join(", "),
                r.cur.images.join(", ")
            ),
        )
        .fix(format!(
            "Roll back (`{}`) and fix the new version before rolling it out again.",
            r.undo(ctx)
        ))
        .command(r.history(ctx), "what each revision changed"),
    )
}
