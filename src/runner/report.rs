//! The result of one scenario: the verdict, each check, and a summary of what was observed.

use serde::{Deserialize, Serialize};

pub use crate::expect::{CheckResult, EventSummary, ObservedSummary, Verdict};
use crate::timeline::Timeline;

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
