//! What became of one scenario's run in a validation: graded (with what the tool saw), not
//! reproduced (the fixture's fault, never the tool's), or not run.

use crate::expect::{Outcome, Sight};
use crate::runner::{ScenarioRun, Verdict};
use crate::scenario::GroundTruth;

use super::cluster_words::ClusterWords;
use super::contradiction::Recorded;
use super::grade::{Given, GradeOptions, grade_in};
use super::tool_hook::ToolResult;
use super::validation_outcome::ValidationOutcome;

pub(super) fn outcome_of(
    run: &ScenarioRun,
    result: Option<(ToolResult, &ClusterWords, &Recorded)>,
    truth: &GroundTruth,
    grading: &GradeOptions,
    tell_scenario: bool,
) -> ValidationOutcome {
    let r = &run.report;
    let unmet = || {
        r.checks
            .iter()
            .filter(|c| c.outcome != Outcome::Met)
            .cloned()
            .collect::<Vec<_>>()
    };
    // The tool ran at the moment the incident was ready for diagnosis; if the contract broke
    // afterwards, its answer was about a fixture that was not what the scenario promised.
    let tool_ran = result.is_some() && r.verdict != Verdict::Pass;
    let broke_after = |reason: String| {
        if tool_ran {
            format!(
                "the tool ran on a fixture that later broke, so its answer is not graded: {reason}"
            )
        } else {
            reason
        }
    };
    match (r.verdict, result) {
        (Verdict::Pass, Some((result, cluster, recorded))) => {
            // A name with a dash or a digit is masked as a word; a plain word (`oom`,
            // `liveness`) is what a diagnosis says, and a blind incident does not tell it.
            // Told its name (`--tell-scenario`), a tool can echo any of them; blind, it
            // cannot, and a plain word (`oom`) is what a diagnosis says.
            let scenario = [r.name.as_str()];
            let words: &[&str] =
                if tell_scenario || r.name.contains(|c: char| c == '-' || c.is_ascii_digit()) {
                    &scenario
                } else {
                    &[]
                };
            let given = Given {
                strings: &[&r.namespace],
                words,
                cluster: Some(cluster),
                recorded: Some(recorded),
            };
            ValidationOutcome::Graded {
                grade: grade_in(truth, &result.tool, grading, &given),
                saw: Some(Sight::of(
                    &result.call,
                    &r.timeline,
                    run.applied_at,
                    run.watch_ended_at,
                )),
                tool: result.tool,
                judge: result.judge,
            }
        }
        (Verdict::Pass, None) => ValidationOutcome::NotRun {
            reason: "cancelled before the tool finished".to_owned(),
        },
        // Ctrl-C is nobody's fault: neither the fixture's nor the tool's.
        (Verdict::Error, _)
            if r.error
                .as_deref()
                .is_some_and(|e| e.starts_with("cancelled")) =>
        {
            ValidationOutcome::NotRun {
                reason: r.error.clone().unwrap_or_default(),
            }
        }
        (Verdict::Fail, _) => {
            let contradicted: Vec<String> = r
                .checks
                .iter()
                .filter(|c| c.outcome == Outcome::Contradicted)
                .map(|c| c.name.clone())
                .collect();
            ValidationOutcome::NotReproduced {
                verdict: Verdict::Fail,
                reason: broke_after(r.error.clone().unwrap_or_else(|| {
                    format!(
                        "the cluster did something other than the scenario promised: {}",
                        contradicted.join(", ")
                    )
                })),
                unmet_checks: unmet(),
            }
        }
        (Verdict::Error, _) => ValidationOutcome::NotReproduced {
            verdict: Verdict::Error,
            reason: broke_after(
                r.error
                    .clone()
                    .unwrap_or_else(|| "the run could not decide".to_owned()),
            ),
            unmet_checks: unmet(),
        },
    }
}
