//! An image the kubelet cannot pull (`ErrImagePull`, `ImagePullBackOff`, `InvalidImageName`):
//! a wrong name or tag, or missing registry credentials.

use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "image-pull-failed",
    needs: &[Needs::ExitCode, Needs::Waiting, Needs::Spec],
    gives: "image-problem (3) when a container that never ended waits in ErrImagePull, ImagePullBackOff or InvalidImageName",
    check: Check::One(clue),
};

fn clue(ctx: &Ctx) -> Option<Clue> {
    if ctx.termination().is_some()
        || !matches!(
            ctx.waiting_reason()?,
            "ErrImagePull" | "ImagePullBackOff" | "InvalidImageName"
        )
    {
        return None;
    }
    Some(
        Clue::new(
            Category::ImageProblem,
            3,
            format!(
                "The image {} cannot be pulled ({}).",
                ctx.image(),
                ctx.waiting_shown()?
            ),
        )
        .fix("Correct the image reference (name, tag) or the registry credentials (imagePullSecrets)."),
    )
}
