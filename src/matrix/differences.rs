//! What is not the same on every cluster that ran a scenario: the verdict, the last exit code,
//! its reason and the last waiting reason. Back-off delays are left out on purpose: the
//! kubelet adds up to 50 % jitter to each wait (docs/kubelet-facts.md §1), so two runs never measure
//! the same delays; they stay side by side in the table.

use serde::{Deserialize, Serialize};

use super::row::{Cell, Row};
use crate::runner::Verdict;

/// One fact of one scenario that differs between clusters.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FacetDifference {
    pub scenario: String,
    /// `verdict`, `exit code`, `reason` or `waiting reason`.
    pub facet: String,
    /// Per column, the value (`none` when there was none); `None` where the scenario did not
    /// run.
    pub values: Vec<Option<String>>,
}

/// A fact's name and how to read it from a cell.
type Facet = (&'static str, fn(&Cell) -> String);

/// The facts compared, in the order they are listed.
const FACETS: &[Facet] = &[
    ("verdict", |c| verdict_name(c.verdict).to_string()),
    ("exit code", |c| or_none(c.exit_code.map(|e| e.to_string()))),
    ("reason", |c| or_none(c.reason.clone())),
    ("waiting reason", |c| or_none(c.waiting_reason.clone())),
];

/// Every facet whose value is not the same in all the cells of a row that ran; rows in order,
/// facets in the order of [`FACETS`].
pub fn facet_differences(rows: &[Row]) -> Vec<FacetDifference> {
    let mut out = Vec::new();
    for row in rows {
        for (facet, value) in FACETS {
            let values: Vec<Option<String>> =
                row.cells.iter().map(|c| c.as_ref().map(value)).collect();
            let mut ran = values.iter().flatten();
            let first = ran.next();
            if ran.any(|v| Some(v) != first) {
                out.push(FacetDifference {
                    scenario: row.scenario.clone(),
                    facet: (*facet).to_string(),
                    values,
                });
            }
        }
    }
    out
}

fn verdict_name(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
        Verdict::Error => "error",
    }
}

fn or_none(v: Option<String>) -> String {
    v.unwrap_or_else(|| "none".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(exit_code: Option<i32>, reason: Option<&str>) -> Cell {
        Cell {
            verdict: Verdict::Pass,
            exit_code,
            reason: reason.map(str::to_owned),
            waiting_reason: Some("CrashLoopBackOff".into()),
            restart_count: 2,
            backoff_delays_s: vec![0, 12],
            crash_loop_after_s: Some(14.0),
        }
    }

    #[test]
    fn lists_only_the_facets_that_differ() {
        let mut kind = cell(Some(137), Some("Error"));
        // Jitter: other delays and timing are not a difference.
        kind.backoff_delays_s = vec![0, 16];
        kind.crash_loop_after_s = Some(17.5);
        let rows = [Row {
            scenario: "oom".into(),
            cells: vec![Some(cell(Some(137), Some("OOMKilled"))), Some(kind)],
        }];
        assert_eq!(
            facet_differences(&rows),
            [FacetDifference {
                scenario: "oom".into(),
                facet: "reason".into(),
                values: vec![Some("OOMKilled".into()), Some("Error".into())],
            }]
        );
    }

    #[test]
    fn a_scenario_that_did_not_run_somewhere_is_no_difference() {
        let rows = [Row {
            scenario: "exit-1".into(),
            cells: vec![Some(cell(Some(1), Some("Error"))), None],
        }];
        assert!(facet_differences(&rows).is_empty());
        let rows = [Row {
            scenario: "missing-secret-ref".into(),
            cells: vec![Some(cell(None, None)), Some(cell(Some(1), None))],
        }];
        let d = facet_differences(&rows);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].values, [Some("none".into()), Some("1".into())]);
    }
}
