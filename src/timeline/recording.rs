//! The raw material of a run: every Pod and Event object the watch delivered, and every
//! previous-container log fetched, in arrival order. Recordings of real runs are committed
//! as fixtures (`tests/fixtures/recordings/`) and replayed through [`crate::timeline::TimelineBuilder`].

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Event, Pod};
use serde::{Deserialize, Serialize};

/// Everything observed while one scenario ran, in the order it arrived.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Recording {
    /// Scenario name (`oom`, `exit-1`, ...).
    pub scenario: String,
    /// Namespace the scenario ran in.
    pub namespace: String,
    /// `gitVersion` of the API server, e.g. `v1.34.4`.
    pub server_version: String,
    /// Version of the kubelet on the node that ran the target pod, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubelet_version: Option<String>,
    /// The restart back-off the kubelet used, as derived from its configuration and gates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubelet_backoff: Option<super::kubelet_backoff::KubeletBackoff>,
    /// When observation started (local clock).
    pub started_at: Timestamp,
    pub observations: Vec<Observation>,
}

/// One thing crashlab saw, stamped with the local time it arrived.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Observation {
    pub received_at: Timestamp,
    #[serde(flatten)]
    pub what: Observed,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Observed {
    /// A Pod as delivered by a watch (applied or modified).
    Pod { object: Box<Pod> },
    /// A Pod deletion delivered by a watch.
    PodDeleted { name: String },
    /// An Event as delivered by a watch (created or updated).
    Event { object: Box<Event> },
    /// Logs of a terminated container instance (`kubectl logs --previous`).
    PreviousLogs {
        pod: String,
        container: String,
        /// The restart count of the container when the logs were fetched; the logs belong
        /// to the instance that ran before it.
        restart_count: i32,
        text: String,
    },
    /// crashlab applied one step of a scenario in steps.
    Step { index: usize, name: String },
}
