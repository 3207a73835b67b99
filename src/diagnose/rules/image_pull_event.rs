//! The kubelet's events report an image it cannot pull.

use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

use super::missing_object_event::{Failure, first_failure};

pub(super) const RULE: Rule = Rule {
    name: "image-pull-event",
    needs: &[Needs::Events, Needs::Waiting],
    gives: "image-problem (2) when the kubelet's first telling failure event is about pulling the image",
    check: Check::One(clue),
};

fn clue(ctx: &Ctx) -> Option<Clue> {
    let Failure::ImagePull(e) = first_failure(ctx)? else {
        return None;
    };
    let message = e.message.trim_end_matches('.');
    if ctx
        .waiting_message()
        .is_some_and(|w| message.contains(w.trim_end_matches('.')))
    {
        return Some(Clue::new(
            Category::ImageProblem,
            2,
            format!(
                "The kubelet keeps retrying and failing ({} ×{}).",
                e.reason, e.count
            ),
        ));
    }
    Some(
        Clue::new(
            Category::ImageProblem,
            2,
            format!("The kubelet reports: {message}."),
        )
        .fix("Correct the image reference (name, tag) or the registry credentials (imagePullSecrets)."),
    )
}
