//! The result of a validation: per scenario, either a graded diagnosis or the reason there is
//! none. A fixture that did not reproduce is never counted against the tool.

use serde::{Deserialize, Serialize};

use crate::expect::moment::Moment;
use crate::scenario::Category;

use super::repeats::{Repeats, RunResult};
pub use super::validation_outcome::ValidationOutcome;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationReport {
    /// The tool's command line (`--diagnose`).
    pub command: String,
    /// The judge's command line (`--judge`).
    pub judge: Option<String>,
    /// Score each graded scenario must reach (`--min-score`).
    pub min_score: f64,
    pub scenarios: Vec<ScenarioValidation>,
    /// Set when the cluster could not be reached once the run was over, after some
    /// scenarios ended in an error: their fixtures did not fail, the cluster went away.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_unreachable: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    pub outcome: ValidationOutcome,
    /// With `--repeat N` (N > 1): every run, the first (`outcome` above) included.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runs: Vec<RunResult>,
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

    /// With the tool run at several moments (`--moments`): per moment, in time order, what
    /// its runs say together. Empty when it ran at one moment only.
    pub fn by_moment(&self) -> Vec<(Moment, Option<Repeats>)> {
        let mut moments: Vec<Moment> = self.runs.iter().filter_map(|r| r.moment).collect();
        moments.sort();
        moments.dedup();
        if moments.len() < 2 {
            return Vec::new();
        }
        moments
            .into_iter()
            .map(|m| {
                let runs: Vec<RunResult> = self
                    .runs
                    .iter()
                    .filter(|r| r.moment == Some(m))
                    .cloned()
                    .collect();
                (m, Repeats::of(&runs))
            })
            .collect()
    }

    /// How many runs the tool made at each moment (1 unless `--repeat`).
    pub fn repeat(&self) -> usize {
        let moments = self.by_moment().len().max(1);
        self.runs.len().div_ceil(moments)
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
    /// With `--moments`: per moment, the mean score over the scenarios graded there.
    pub fn moment_means(&self) -> Vec<(Moment, Option<f64>)> {
        let mut by: std::collections::BTreeMap<Moment, Vec<f64>> = Default::default();
        for s in &self.scenarios {
            for (m, x) in s.by_moment() {
                let scores = by.entry(m).or_default();
                scores.extend(x.map(|x| x.score_mean));
            }
        }
        by.into_iter()
            .map(|(m, scores)| {
                let mean = (!scores.is_empty()).then(|| {
                    let mean = scores.iter().sum::<f64>() / scores.len() as f64;
                    (mean * 1000.0).round() / 1000.0
                });
                (m, mean)
            })
            .collect()
    }

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
            .filter(|s| matches!(s.outcome, ValidationOutcome::NotReproduced { .. }))
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
