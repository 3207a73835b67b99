//! An image that is not on the node while `imagePullPolicy` is `Never` (`ErrImageNeverPull`):
//! the kubelet may not pull it, so the container was never created.

use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "image-never-pull",
    needs: &[Needs::ExitCode, Needs::Waiting, Needs::Spec],
    gives: "image-problem (3) when a container that never ended waits in ErrImageNeverPull",
    check: Check::One(clue),
};

fn clue(ctx: &Ctx) -> Option<Clue> {
    if ctx.termination().is_some() || ctx.waiting_reason()? != "ErrImageNeverPull" {
        return None;
    }
    let image = ctx.image();
    Some(
        Clue::new(
            Category::ImageProblem,
            3,
            format!("The image {image} is not present on the node, and the container's imagePullPolicy is Never, so the kubelet does not pull it (ErrImageNeverPull): the container was never created, nothing ran, so there are no logs to read."),
        )
        .fix(format!("Build {image} and load it onto the node (e.g. `kind load docker-image {image}`), or push it to a registry the node can reach and set imagePullPolicy: IfNotPresent."))
        .command(ctx.spec_field_command("image"), "the image the pod asks for"),
    )
}
