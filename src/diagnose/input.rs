//! What the diagnoser reads: plain data gathered from the API server (or rebuilt from a
//! recording in tests). Nothing here fetches anything.

use std::collections::BTreeMap;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Event, Pod, PodSpec};
use serde::{Deserialize, Serialize};

use super::config_refs::RefKind;

/// Everything [`super::diagnose`] looks at for one pod.
#[derive(Debug, Clone)]
pub struct DiagnoseInput {
    pub pod: Pod,
    /// The container to diagnose (`-c`); `None` picks the one in the most trouble.
    pub container: Option<String>,
    /// core/v1 Events whose `involvedObject` is the pod, in any order.
    pub events: Fetched<Vec<Event>>,
    /// Logs of the container's last terminated instance.
    pub logs: Logs,
    /// The pod's controllers and, for a Deployment, its revisions.
    pub owners: Fetched<OwnerFacts>,
    /// Whether each Secret and ConfigMap the container references exists, by (kind, name).
    pub lookups: BTreeMap<(RefKind, String), Presence>,
    /// Services of the pod's namespace with their ready endpoints.
    pub services: Fetched<Vec<ServiceFacts>>,
}

/// A piece of evidence that may not have been available.
#[derive(Debug, Clone, PartialEq)]
pub enum Fetched<T> {
    Got(T),
    /// The API refused or failed (RBAC, timeout); the message says why.
    Failed(String),
}

impl<T> Fetched<T> {
    pub fn ok(&self) -> Option<&T> {
        match self {
            Fetched::Got(t) => Some(t),
            Fetched::Failed(_) => None,
        }
    }
}

/// The logs of the last terminated instance of the container.
#[derive(Debug, Clone, PartialEq)]
pub enum Logs {
    /// There is no terminated instance (the container never ran, or never stopped).
    NoInstance,
    /// `kubectl logs` (the instance that just terminated) or `kubectl logs --previous`.
    Text { previous: bool, text: String },
    /// The kubelet could not serve them (container removed, node gone, RBAC).
    Failed(String),
}

/// Whether a referenced object exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presence {
    /// It exists; `keys` are its data keys when they were read (ConfigMaps only: crashlab
    /// never reads a Secret's data).
    Present {
        keys: Option<Vec<String>>,
    },
    Missing,
    /// Could not be checked (e.g. forbidden); the message says why.
    Unknown(String),
}

/// The controller chain of a pod and its workload's revisions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OwnerFacts {
    /// From the pod up: `ReplicaSet web-7d9f`, then `Deployment web`. Empty for a bare Pod.
    pub chain: Vec<Owner>,
    /// The workload's revisions, newest first: a Deployment's ReplicaSets, a StatefulSet's or
    /// DaemonSet's ControllerRevisions (empty for other owners).
    pub revisions: Vec<Revision>,
    /// What the workload's own events say about its rollouts (`ScalingReplicaSet: Scaled up
    /// replica set web-7d9f from 0 to 1`), oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    pub kind: String,
    pub name: String,
}

/// One revision of a workload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Revision {
    /// The object that holds it: a Deployment's ReplicaSet, or a ControllerRevision.
    pub replica_set: String,
    /// `deployment.kubernetes.io/revision`, or the ControllerRevision's `revision`.
    pub revision: Option<i64>,
    pub created: Option<Timestamp>,
    /// `container=image` of its pod template, in order.
    pub images: Vec<String>,
    /// Whether the pod being diagnosed belongs to it.
    pub current: bool,
    /// Its pods that are ready (`status.readyReplicas`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready: Option<i32>,
    /// Its pod template's spec, to compare revisions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<PodSpec>,
}

/// A Service of the pod's namespace, reduced to what tells whether it has backends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceFacts {
    pub name: String,
    pub cluster_ip: Option<String>,
    pub ports: Vec<i32>,
    /// `spec.selector`; empty for a Service without one (endpoints managed by hand).
    pub selector: BTreeMap<String, String>,
    /// Ready endpoints over its EndpointSlices; `None` when the slices could not be read.
    pub ready_endpoints: Option<usize>,
    /// The pods behind it, with the tail of their current logs (gathered for Services with a
    /// selector, a few pods each): a dependency that is Ready but still initialising shows it
    /// there, not in its status.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub backends: Vec<Backend>,
}

/// A pod behind a Service, as the app's dependency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Backend {
    pub pod: String,
    /// The container read: the one exposing the Service's target port, else the first.
    pub container: String,
    /// Its Ready condition.
    pub ready: bool,
    /// Whether that container has a readiness probe. Without one, the kubelet reports it ready
    /// as soon as it runs, so the pod is an endpoint before it listens.
    pub readiness_probe: bool,
    /// The tail of the container's current log (as every log read:
    /// `crate::runner::container_logs::LOG_TAIL_LINES`), oldest first; `None` when they could not
    /// be read (`log_error` says why).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_tail: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_error: Option<String>,
}
