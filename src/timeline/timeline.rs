//! The timeline: what happened to the scenario's containers, as a list of typed entries built
//! from a [`crate::timeline::Recording`]. Expectations and reporters read only this.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Every signal seen during one scenario, in order of observation.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Timeline {
    pub entries: Vec<Entry>,
}

/// One signal and the local time crashlab saw it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Entry {
    pub at: Timestamp,
    #[serde(flatten)]
    pub signal: Signal,
}

/// Identifies one container of one pod.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContainerRef {
    pub pod: String,
    pub container: String,
    /// An init container (`spec.initContainers`). Container names are unique across init and
    /// app containers of a pod, so this marks the container; it does not tell two apart.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub init: bool,
}

impl ContainerRef {
    /// An app container (`spec.containers`).
    pub fn new(pod: impl Into<String>, container: impl Into<String>) -> Self {
        Self {
            pod: pod.into(),
            container: container.into(),
            init: false,
        }
    }

    /// Whether this is the container `container` of pod `pod`, init or not.
    pub fn is(&self, pod: &str, container: &str) -> bool {
        self.pod == pod && self.container == container
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "signal", rename_all = "snake_case")]
pub enum Signal {
    /// A container instance is running (`state.running.startedAt`).
    Started {
        #[serde(flatten)]
        container: ContainerRef,
        restart_count: i32,
        started_at: Timestamp,
    },
    /// A container instance terminated (from `state.terminated` or `lastState.terminated`).
    Terminated {
        #[serde(flatten)]
        container: ContainerRef,
        exit_code: i32,
        reason: Option<String>,
        message: Option<String>,
        started_at: Option<Timestamp>,
        finished_at: Option<Timestamp>,
        /// Which instance terminated: 0 for the first run, 1 after the first restart, ...
        /// (the pod status' `restartCount` when this instance is the newest, one less when a
        /// newer instance already exists).
        restart_count: i32,
    },
    /// The container's waiting reason changed (`CrashLoopBackOff`, `CreateContainerConfigError`, ...).
    Waiting {
        #[serde(flatten)]
        container: ContainerRef,
        reason: String,
        message: Option<String>,
        restart_count: i32,
    },
    /// The kubelet waited this long between an exit and the next start:
    /// next `startedAt` minus previous `finishedAt`, in whole seconds (as the Kubernetes e2e
    /// tests measure it). When the next start failed (`StartError`, `startedAt` left at the
    /// Unix epoch), its `finishedAt` stands in for the start attempt.
    BackOff {
        #[serde(flatten)]
        container: ContainerRef,
        /// Which restart this delay led to (1 = first restart).
        restart: i32,
        delay_s: i64,
        finished_at: Timestamp,
        started_at: Timestamp,
    },
    /// A Kubernetes Event was created, or its count rose.
    Event {
        reason: String,
        message: String,
        #[serde(rename = "type")]
        type_: String,
        count: i32,
        /// `involvedObject.kind/name`, e.g. `Pod/app`.
        object: String,
        /// `involvedObject.fieldPath`, e.g. `spec.containers{app}`.
        field_path: Option<String>,
        /// When the cluster last saw it: `series.lastObservedTime`, else `lastTimestamp`,
        /// else `eventTime`, else `firstTimestamp` (the API fills different fields for
        /// core/v1 and events.k8s.io/v1 recorders).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_seen: Option<Timestamp>,
    },
    /// Logs of the previous (terminated) container instance.
    PreviousLogs {
        #[serde(flatten)]
        container: ContainerRef,
        restart_count: i32,
        text: String,
    },
    /// The pod was deleted.
    PodDeleted { pod: String },
}
