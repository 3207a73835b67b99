//! What the runner tells the world while it works. Reporters consume these and nothing else.

use serde::Serialize;

use crate::scenario::Target;
use crate::timeline::{Entry, Observation};

use super::ScenarioReport;

/// One thing that happened during a run, in order.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RunEvent {
    /// Before the run: namespaces of this host's crashlab runs that are gone (killed, crashed)
    /// were deleted. Each entry: namespace and why.
    LeftoversCollected { namespaces: Vec<(String, String)> },
    /// A run of `count` scenarios begins against `context` (kube context name).
    RunStarted {
        count: usize,
        context: String,
        server_version: String,
        /// The restart back-off the node's kubelet uses, and how crashlab knows.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        kubelet_backoff: Option<crate::timeline::kubelet_backoff::KubeletBackoff>,
        /// With `--parallel auto`: how many run at once, and why.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        parallel: Option<super::capacity::ParallelChoice>,
    },
    /// A scenario's namespace was created and its manifests applied; `target` is the
    /// container whose signals are checked (reporters name other containers explicitly).
    ScenarioStarted {
        scenario: String,
        namespace: String,
        target: Target,
        /// The scenario's one-line summary (what breaks).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        summary: String,
    },
    /// A new signal was observed for a scenario.
    Signal { scenario: String, entry: Entry },
    /// The raw object behind the signals just sent (a Pod or Event as the watch delivered it,
    /// fetched logs, a step): for reporters that show what kubectl would print.
    Observed {
        scenario: String,
        observation: Box<Observation>,
    },
    /// A scenario ended: verdict, checks and what was observed.
    ScenarioFinished { report: Box<ScenarioReport> },
    /// A scenario's namespace was deleted (or kept with `--keep`).
    CleanedUp {
        scenario: String,
        namespace: String,
        kept: bool,
    },
    /// Every scenario has ended.
    RunFinished { elapsed_s: f64 },
}
