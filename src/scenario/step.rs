//! Scenarios in steps: "it worked, then a change broke it". Each step applies its manifests
//! and may wait for the target workload to finish rolling out before the next one, so the
//! rollout history the cluster keeps (`kubectl rollout history`) is real.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One step of a scenario.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Step {
    /// What the step does, shown live and in the timeline, e.g. `revision 2 drops
    /// DATABASE_URL`.
    #[schemars(length(min = 1))]
    pub name: String,
    /// Kubernetes objects applied (server-side) in order. Applying an object of an earlier
    /// step again changes it (a Deployment gets a new revision).
    #[schemars(with = "Vec<super::scenario::ManifestSchema>")]
    pub manifests: Vec<serde_json::Value>,
    /// What must happen before the next step starts (within `timeouts.deploy`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_for: Option<WaitFor>,
}

/// A condition on the target workload.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum WaitFor {
    /// The rollout is complete, as `kubectl rollout status` decides it: the controller has
    /// seen the newest spec, and every replica is updated and available (a DaemonSet: every
    /// scheduled pod updated and available). Only for `deployment`, `statefulSet` and
    /// `daemonSet` targets.
    RolledOut,
}

impl WaitFor {
    pub fn describe(self) -> &'static str {
        match self {
            WaitFor::RolledOut => "rolled out",
        }
    }
}
