//! The outcome of one check: what was expected, what was observed, and whether they agree.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CheckResult {
    /// Stable name, e.g. `waiting_reason`, `last_termination`, `event BackOff`.
    pub name: String,
    /// The check is met. `false` both when it was contradicted and when it was still pending.
    pub passed: bool,
    /// Human-readable statement of the expectation.
    pub expected: String,
    /// Human-readable statement of what was observed.
    pub observed: String,
    /// Whether the check is decided, and which way.
    pub outcome: Outcome,
}

/// Where a check stands. Only `Pending` can still change as more signals arrive.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// What was observed satisfies the expectation.
    Met,
    /// What was observed contradicts the expectation and later signals cannot undo it.
    Contradicted,
    /// Not decided yet: the evidence has not appeared (or, for a "must not" check, the
    /// watch has not lasted long enough to say it never will).
    Pending,
}

impl CheckResult {
    pub fn new(
        name: impl Into<String>,
        outcome: Outcome,
        expected: impl Into<String>,
        observed: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            passed: outcome == Outcome::Met,
            expected: expected.into(),
            observed: observed.into(),
            outcome,
        }
    }

    /// Changes the outcome, keeping `passed` in step.
    pub fn with_outcome(mut self, outcome: Outcome) -> Self {
        self.outcome = outcome;
        self.passed = outcome == Outcome::Met;
        self
    }
}
