//! Which live pods the scenario's target means: shared by the runner, the observer and the
//! previous-logs planner (and the diagnoser's recorded input).

use crate::scenario::Target;

/// Whether `pod` belongs to the target workload (any revision), from its own metadata.
pub(crate) fn owned_by(target: &Target, pod: &k8s_openapi::api::core::v1::Pod) -> bool {
    let (owner, revision) = crate::timeline::controller_and_revision(pod);
    target.owns(
        pod.metadata.name.as_deref().unwrap_or_default(),
        owner.as_deref(),
        revision.as_deref(),
    )
}
