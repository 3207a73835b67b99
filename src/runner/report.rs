//! The result of one scenario: the verdict, each check, and a summary of what was observed.

use serde::{Deserialize, Serialize};

use crate::expect::CheckResult;
use crate::timeline::Timeline;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every expectation held.
    Pass,
    /// An expectation was contradicted by what the cluster did.
    Fail,
    /// The run could not decide: a phase timed out, the cluster failed, ...
    Error,
}

/// Everything known about one scenario once it has ended.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ScenarioReport {
    pub name: String,
    pub namespace: String,
    pub verdict: Verdict,
    /// Why the verdict is `error` (timeout, API failure), with what to try next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub checks: Vec<CheckResult>,
    pub observed: ObservedSummary,
    /// Seconds from namespace creation to the verdict.
    pub elapsed_s: f64,
    /// Seconds from the first apply to the moment the scenario was ready for diagnosis (every
    /// signal a diagnosis relies on seen, nothing contradicted: [`crate::expect::readiness`]);
    /// `crashlab validate` starts the tool then. None when it never was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_after_s: Option<f64>,
    /// Seconds from the first apply to the target container's first `CrashLoopBackOff`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crashloop_after_s: Option<f64>,
    /// The full timeline, for tools that want every signal.
    pub timeline: Timeline,
}

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
