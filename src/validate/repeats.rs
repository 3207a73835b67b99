//! Repeated runs of a tool on one scenario (`--repeat N`): each run's result, and what they
//! say together. Diagnostic agents built on language models answer differently from run to
//! run, so one run says little; public suites report pass@1, pass@k and "all k right".
//!
//! The estimators are those of the Codex paper (Chen et al. 2021, "Evaluating Large Language
//! Models Trained on Code", §2.1) over n graded runs of which c reached the minimum score:
//!
//! * pass@k = 1 − C(n−c, k) / C(n, k): the chance that at least one of k runs drawn from the
//!   n is right. pass@1 is c / n. With k = n it is the plain definition: 1 when any run was
//!   right, else 0.
//! * pass^k = C(c, k) / C(n, k): the chance that all k drawn runs are right (τ-bench's
//!   pass^k). With k = n it is the plain definition: 1 when every run was right, else 0.
//!
//! crashlab reports pass@1, pass@n and pass^n with n = the runs that were graded (a run whose
//! fixture did not reproduce, or whose judge failed, is not a sample of the tool).

use serde::{Deserialize, Serialize};

use crate::expect::moment::Moment;

use super::validation_outcome::ValidationOutcome;

/// One run of the tool on a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// 1 for the first run.
    pub run: usize,
    /// The namespace of the incident it ran on (one per run with `--fresh`).
    pub namespace: String,
    /// `graded`, `not_reproduced` or `not_run`.
    pub result: String,
    /// None when it was not scored.
    pub score: Option<f64>,
    /// Whether the score reached the minimum; None when it was not scored.
    pub passed: Option<bool>,
    /// How long the tool took, when it ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_elapsed_s: Option<f64>,
    /// The moment it ran at (`--moment`, `--moments`), and what it saw then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moment: Option<Moment>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saw: Option<String>,
    /// The moment it really ran at, when that differs from the one asked, and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ran_at: Option<Moment>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl RunResult {
    pub fn new(run: usize, namespace: &str, outcome: &ValidationOutcome, min_score: f64) -> Self {
        let score = outcome.score();
        Self {
            run,
            namespace: namespace.to_owned(),
            result: match outcome {
                ValidationOutcome::Graded { .. } => "graded",
                ValidationOutcome::NotReproduced { .. } => "not_reproduced",
                ValidationOutcome::NotRun { .. } => "not_run",
            }
            .to_owned(),
            score,
            passed: score.map(|s| s >= min_score - 1e-9),
            tool_elapsed_s: match outcome {
                ValidationOutcome::Graded { tool, .. } => Some(tool.elapsed_s),
                _ => None,
            },
            // The moment asked for: where a scenario fell back, its note says so.
            moment: outcome.sight().map(|s| s.asked.unwrap_or(s.moment)),
            saw: outcome.sight().map(crate::expect::Sight::describe),
            ran_at: outcome
                .sight()
                .filter(|s| s.asked.is_some())
                .map(|s| s.moment),
            note: outcome.sight().and_then(|s| s.note.clone()),
        }
    }
}

/// What the runs of one scenario say together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Repeats {
    /// Runs asked for (`--repeat`).
    pub runs: usize,
    /// Runs graded (n).
    pub graded: usize,
    /// Graded runs that reached the minimum score (c).
    pub right: usize,
    /// c / n.
    pub pass_at_1: f64,
    /// At least one of the n graded runs right (pass@k with k = n).
    pub pass_at_n: f64,
    /// All n graded runs right (pass^k with k = n).
    pub pass_all_n: f64,
    pub score_min: f64,
    pub score_max: f64,
    pub score_mean: f64,
}

impl Repeats {
    /// None when no run was graded.
    pub fn of(runs: &[RunResult]) -> Option<Repeats> {
        let scores: Vec<f64> = runs.iter().filter_map(|r| r.score).collect();
        let n = scores.len();
        if n == 0 {
            return None;
        }
        let c = runs.iter().filter(|r| r.passed == Some(true)).count();
        let round = |x: f64| (x * 1000.0).round() / 1000.0;
        Some(Repeats {
            runs: runs.len(),
            graded: n,
            right: c,
            pass_at_1: round(pass_at_k(n, c, 1)),
            pass_at_n: round(pass_at_k(n, c, n)),
            pass_all_n: round(pass_hat_k(n, c, n)),
            score_min: scores.iter().copied().fold(f64::INFINITY, f64::min),
            score_max: scores.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            score_mean: round(scores.iter().sum::<f64>() / n as f64),
        })
    }
}

/// C(n, k) as a float (n is a handful of runs).
fn choose(n: usize, k: usize) -> f64 {
    if k > n {
        return 0.0;
    }
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

/// 1 − C(n−c, k) / C(n, k); k ≤ n.
pub fn pass_at_k(n: usize, c: usize, k: usize) -> f64 {
    1.0 - choose(n - c, k) / choose(n, k)
}

/// C(c, k) / C(n, k); k ≤ n.
pub fn pass_hat_k(n: usize, c: usize, k: usize) -> f64 {
    choose(c, k) / choose(n, k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimators_match_the_plain_definitions_at_k_equals_n() {
        for n in 1..=6 {
            for c in 0..=n {
                assert_eq!(pass_at_k(n, c, n), if c > 0 { 1.0 } else { 0.0 }, "{n} {c}");
                assert_eq!(
                    pass_hat_k(n, c, n),
                    if c == n { 1.0 } else { 0.0 },
                    "{n} {c}"
                );
                assert!((pass_at_k(n, c, 1) - c as f64 / n as f64).abs() < 1e-12);
            }
        }
        // Codex paper, by hand: n = 5, c = 2, k = 2: 1 − C(3,2)/C(5,2) = 1 − 3/10.
        assert!((pass_at_k(5, 2, 2) - 0.7).abs() < 1e-12);
        // pass^2 with n = 5, c = 3: C(3,2)/C(5,2) = 3/10.
        assert!((pass_hat_k(5, 3, 2) - 0.3).abs() < 1e-12);
    }

    fn run(score: Option<f64>) -> RunResult {
        RunResult {
            run: 1,
            namespace: "ns".into(),
            result: if score.is_some() {
                "graded"
            } else {
                "not_reproduced"
            }
            .to_owned(),
            score,
            passed: score.map(|s| s >= 1.0),
            tool_elapsed_s: None,
            moment: None,
            saw: None,
            ran_at: None,
            note: None,
        }
    }

    #[test]
    fn stats_count_only_graded_runs() {
        let r = Repeats::of(&[run(Some(1.0)), run(Some(0.25)), run(None), run(Some(1.0))]).unwrap();
        assert_eq!((r.runs, r.graded, r.right), (4, 3, 2));
        assert_eq!(r.pass_at_1, 0.667);
        assert_eq!(r.pass_at_n, 1.0);
        assert_eq!(r.pass_all_n, 0.0);
        assert_eq!((r.score_min, r.score_max, r.score_mean), (0.25, 1.0, 0.75));
        assert_eq!(Repeats::of(&[run(None)]), None);
    }
}
