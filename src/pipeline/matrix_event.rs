//! What a matrix run reports while it goes: each column's cluster coming up, each scenario's
//! verdict, what a teardown left behind.

use crate::runner::Verdict;

#[derive(Debug, Clone, PartialEq)]
pub enum MatrixEvent {
    /// A column begins: its provider's cluster of `version` is being brought up.
    ColumnStarted {
        provider: &'static str,
        version: String,
        tuned: bool,
    },
    /// Its node is ready, `after_s` seconds after the bring-up began.
    ClusterReady {
        provider: &'static str,
        version: String,
        after_s: f64,
    },
    ScenarioFinished {
        name: String,
        verdict: Verdict,
        elapsed_s: f64,
    },
    /// Something a provider's teardown could not remove.
    TeardownProblem(String),
}
