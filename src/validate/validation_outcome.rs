//! What became of one scenario in a validation: graded, not reproduced, or not run.

use serde::{Deserialize, Serialize};

use crate::expect::{CheckResult, Sight};
use crate::runner::Verdict;

use super::grade_result::Grade;
use super::judge::JudgeResult;
use super::tool_output::ToolOutput;

// A handful per run: the size of the graded variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum ValidationOutcome {
    /// The crash loop was live, the tool ran and its answer was graded.
    Graded {
        grade: Grade,
        tool: ToolOutput,
        #[serde(skip_serializing_if = "Option::is_none")]
        judge: Option<JudgeResult>,
        /// When the tool ran and what the target looked like meanwhile.
        #[serde(skip_serializing_if = "Option::is_none")]
        saw: Option<Sight>,
    },
    /// The scenario's signal contract did not hold, so the tool was not asked: the fixture
    /// (or the cluster) is at fault, not the tool.
    NotReproduced {
        verdict: Verdict,
        reason: String,
        /// The checks that were not met.
        unmet_checks: Vec<CheckResult>,
    },
    /// The scenario reproduced but the tool was not run (cancelled).
    NotRun { reason: String },
}

impl ValidationOutcome {
    /// What the tool was shown, when it ran.
    pub fn sight(&self) -> Option<&Sight> {
        match self {
            ValidationOutcome::Graded { saw, .. } => saw.as_ref(),
            _ => None,
        }
    }

    /// The score that counts: the judge's when there is a judge, else the deterministic one.
    /// `None` when there is nothing to score (not reproduced, not run, the judge failed).
    pub fn score(&self) -> Option<f64> {
        match self {
            ValidationOutcome::Graded { judge: Some(j), .. } => j.score,
            ValidationOutcome::Graded { grade, .. } => Some(grade.score),
            _ => None,
        }
    }
}
