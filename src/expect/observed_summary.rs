//! The facts of a run other tools rely on, summarised from the target container's timeline.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The facts other tools rely on, taken from the timeline of the target container.
/// Field names are a public contract (`--output json`): add, never rename.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ObservedSummary {
    /// The pods the target meant at the end (a workload's pods of its newest revision), and
    /// the container checked in them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pods: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub container: String,
    /// The node each of those pods ran on (`spec.nodeName` as the watch saw it), by pod name;
    /// a pod never bound to a node is not in it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub nodes: BTreeMap<String, String>,
    /// Exit code of the last termination.
    pub exit_code: Option<i32>,
    /// Reason of the last termination (`Error`, `OOMKilled`, ...).
    pub reason: Option<String>,
    /// Last waiting reason seen (`CrashLoopBackOff`, ...).
    pub waiting_reason: Option<String>,
    /// Highest restart count seen.
    pub restart_count: i32,
    /// Every termination's exit code, in order.
    pub exit_codes: Vec<i32>,
    /// Every measured restart delay (next startedAt − previous finishedAt), seconds.
    pub backoff_delays_s: Vec<i64>,
    /// Every distinct event, with its highest count.
    pub events: Vec<EventSummary>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EventSummary {
    pub reason: String,
    pub message: String,
    pub count: i32,
    #[serde(rename = "type")]
    pub type_: String,
}
