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
    /// A pod was seen for the first time (a new UID): which workload it belongs to, and of
    /// which revision, as its own metadata says.
    PodCreated {
        pod: String,
        /// The controller, `Kind/name` (e.g. `ReplicaSet/api-7d8f6c5b9`); none for a bare Pod.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        owner: Option<String>,
        /// The revision label: `pod-template-hash` (Deployment) or `controller-revision-hash`
        /// (StatefulSet, DaemonSet).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        revision: Option<String>,
        /// `metadata.creationTimestamp`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        created_at: Option<Timestamp>,
    },
    /// The pod is bound to a node (`spec.nodeName`, first seen set): the node it runs on.
    Scheduled { pod: String, node: String },
    /// The container's readiness changed (`ready` in its status). Not-ready at the start is
    /// not reported.
    Ready {
        #[serde(flatten)]
        container: ContainerRef,
        ready: bool,
    },
    /// crashlab applied one step of a scenario in steps (and waited for it when asked).
    Step { index: usize, name: String },
}

impl Signal {
    /// The pod a signal is about, when it is about one.
    pub fn pod(&self) -> Option<&str> {
        match self {
            Signal::Started { container, .. }
            | Signal::Terminated { container, .. }
            | Signal::Waiting { container, .. }
            | Signal::BackOff { container, .. }
            | Signal::PreviousLogs { container, .. }
            | Signal::Ready { container, .. } => Some(&container.pod),
            Signal::PodDeleted { pod }
            | Signal::PodCreated { pod, .. }
            | Signal::Scheduled { pod, .. } => Some(pod),
            Signal::Event { object, .. } => object.strip_prefix("Pod/"),
            Signal::Step { .. } => None,
        }
    }
}
