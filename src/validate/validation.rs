//! The result of a validation: per scenario, either a graded diagnosis or the reason there is
//! none. A fixture that did not reproduce is never counted against the tool.

use serde::Serialize;

use crate::expect::CheckResult;
use crate::runner::Verdict;
use crate::scenario::Category;

use super::grade_result::Grade;
use super::judge::JudgeResult;
use super::repeats::{Repeats, RunResult};
use super::tool_output::ToolOutput;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidationReport {
    /// The tool's command line (`--diagnose`).
    pub command: String,
    /// The judge's command line (`--judge`).
    pub judge: Option<String>,
    /// Score each graded scenario must reach (`--min-score`).
    pub min_score: f64,
    pub scenarios: Vec<ScenarioValidation>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioValidation {
    pub name: String,
    pub namespace: String,
    pub expected_category: Category,
    /// Seconds from the first apply to the moment the incident was ready for diagnosis (the
    /// tool started then), and to the target's first `CrashLoopBackOff`; of the first incident.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ready_after_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crashloop_after_s: Option<f64>,
    /// In JSON, its fields sit beside the others: `result`, then `grade` and `tool`, or
    /// `reason`...
    #[serde(flatten)]
    pub outcome: Outcome,
    /// With `--repeat N` (N > 1): every run, the first (`outcome` above) included.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub runs: Vec<RunResult>,
}

// A handful per run: the size of the graded variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Outcome {
    /// The crash loop was live, the tool ran and its answer was graded.
    Graded {
        grade: Grade,
        tool: ToolOutput,
        #[serde(skip_serializing_if = "Option::is_none")]
        judge: Option<JudgeResult>,
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

impl Outcome {
    /// The score that counts: the judge's when there is a judge, else the deterministic one.
    /// `None` when there is nothing to score (not reproduced, not run, the judge failed).
    pub fn score(&self) -> Option<f64> {
        match self {
            Outcome::Graded { judge: Some(j), .. } => j.score,
            Outcome::Graded { grade, .. } => Some(grade.score),
            _ => None,
        }
    }
}

impl ScenarioValidation {
    /// The score that counts: one run's score, or with repeated runs their mean.
    pub fn score(&self) -> Option<f64> {
        match self.repeats() {
            Some(r) => Some(r.score_mean),
            None if self.runs.len() > 1 => None,
            None => self.outcome.score(),
        }
    }

    /// Whether the tool reached `min_score`; with repeated runs, on every graded run
    /// (pass^N). `None` when it was not scored.
    pub fn passed(&self, min_score: f64) -> Option<bool> {
        if self.runs.len() > 1 {
            return self.repeats().map(|r| r.right == r.graded);
        }
        self.score().map(|s| s >= min_score - 1e-9)
    }

    /// What repeated runs say together; None for a single run or when none was graded.
    pub fn repeats(&self) -> Option<Repeats> {
        if self.runs.len() > 1 {
            Repeats::of(&self.runs)
        } else {
            None
        }
    }
}

/// What a validation means for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValidationExit {
    /// Every scenario reproduced and the tool reached the minimum score on each.
    Pass,
    /// The tool scored below the minimum on at least one reproduced scenario.
    ToolBelow,
    /// No tool failure, but a scenario did not reproduce, was not run, or its judge failed.
    Incomplete,
}

impl ValidationReport {
    /// Mean score over the scored scenarios.
    pub fn overall(&self) -> Option<f64> {
        let scores: Vec<f64> = self.scenarios.iter().filter_map(|s| s.score()).collect();
        (!scores.is_empty()).then(|| {
            let mean = scores.iter().sum::<f64>() / scores.len() as f64;
            (mean * 1000.0).round() / 1000.0
        })
    }

    pub fn scored(&self) -> usize {
        self.scenarios
            .iter()
            .filter(|s| s.score().is_some())
            .count()
    }

    pub fn below(&self) -> usize {
        self.scenarios
            .iter()
            .filter(|s| s.passed(self.min_score) == Some(false))
            .count()
    }

    pub fn not_reproduced(&self) -> usize {
        self.scenarios
            .iter()
            .filter(|s| matches!(s.outcome, Outcome::NotReproduced { .. }))
            .count()
    }

    /// A tool below the minimum decides (it is the finding); otherwise anything unscored
    /// makes the validation incomplete.
    pub fn exit(&self) -> ValidationExit {
        if self.below() > 0 {
            ValidationExit::ToolBelow
        } else if self.scored() < self.scenarios.len() {
            ValidationExit::Incomplete
        } else {
            ValidationExit::Pass
        }
    }
}
