//! A scenario's verdict: what its checks decided together.

use serde::{Deserialize, Serialize};

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
