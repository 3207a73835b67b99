//! The outcome of one check: what was expected, what was observed, and whether they agree.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CheckResult {
    /// Stable name, e.g. `waiting_reason`, `last_termination.exit_code`, `event BackOff`.
    pub name: String,
    pub passed: bool,
    /// Human-readable statement of the expectation.
    pub expected: String,
    /// Human-readable statement of what was observed.
    pub observed: String,
}
