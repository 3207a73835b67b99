//! The repeated-runs table of `crashlab validate --repeat N` for people: per scenario how many
//! runs were right, pass@1, pass@N, pass^N and the spread of scores.

use std::fmt::Write;

use super::percent::pct;
use super::validation::ValidationReport;

/// Nothing when no scenario ran the tool more than once.
pub(super) fn repeat_table(out: &mut String, r: &ValidationReport) {
    let Some(n) = r
        .scenarios
        .iter()
        .map(|s| s.repeat())
        .max()
        .filter(|n| *n > 1)
    else {
        return;
    };
    let moments = r.scenarios.iter().any(|s| !s.by_moment().is_empty());
    let n_all = r.scenarios.iter().map(|s| s.runs.len()).max().unwrap_or(n);
    if moments {
        let _ = writeln!(
            out,
            "\nrepeated runs: {n} per moment, {n_all} per scenario in all; pass@1 = right/graded, pass@{n_all} = at least one right, pass^{n_all} = all right"
        );
    }
    let n = n_all;
    if !moments {
        let _ = writeln!(
            out,
            "\nrepeated runs: {n} per scenario; pass@1 = right/graded, pass@{n} = at least one right, pass^{n} = all right"
        );
    }
    let mut rows = vec![[
        "scenario".to_owned(),
        "right".to_owned(),
        "pass@1".to_owned(),
        format!("pass@{n}"),
        format!("pass^{n}"),
        "scores min/mean/max".to_owned(),
    ]];
    for s in &r.scenarios {
        let row = match s.repeats() {
            Some(x) => [
                s.name.clone(),
                format!("{}/{}", x.right, x.graded),
                pct(x.pass_at_1),
                pct(x.pass_at_n),
                pct(x.pass_all_n),
                format!(
                    "{}/{}/{}",
                    pct(x.score_min),
                    pct(x.score_mean),
                    pct(x.score_max)
                ),
            ],
            None => {
                let dash = || "-".to_owned();
                [
                    s.name.clone(),
                    dash(),
                    dash(),
                    dash(),
                    dash(),
                    "not graded".to_owned(),
                ]
            }
        };
        rows.push(row);
    }
    let rows: Vec<Vec<String>> = rows.into_iter().map(Vec::from).collect();
    for line in crate::kubectl_view::align(&rows, 0, 2) {
        out.push_str(&line);
        out.push('\n');
    }
}
