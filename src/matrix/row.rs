//! The comparison's table: a row per scenario, a cell per cluster.

use serde::{Deserialize, Serialize};

use crate::runner::Verdict;

/// One scenario on one cluster.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Cell {
    pub verdict: Verdict,
    pub exit_code: Option<i32>,
    pub reason: Option<String>,
    pub waiting_reason: Option<String>,
    pub restart_count: i32,
    pub backoff_delays_s: Vec<i64>,
    /// Seconds from the scenario's first signal (the pod scheduled, moments after it was
    /// applied) to the first `CrashLoopBackOff` waiting reason, on crashlab's clock; `None`
    /// when no container showed it.
    #[serde(default)]
    pub crash_loop_after_s: Option<f64>,
}

/// One scenario across clusters (`None` where it was not run).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Row {
    pub scenario: String,
    pub cells: Vec<Option<Cell>>,
}
