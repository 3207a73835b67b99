//! The moments table of `crashlab validate --moments` for people: per scenario the score at
//! each moment the tool ran on the same incident, and pass^moments (right at every one).

use std::fmt::Write;

use super::percent::pct;
use super::validation::ValidationReport;

/// Nothing when the tool ran at one moment only.
pub(super) fn moment_table(out: &mut String, r: &ValidationReport) {
    let means = r.moment_means();
    if means.len() < 2 {
        return;
    }
    let _ = writeln!(
        out,
        "\nmoments: the same incident, the tool run at each; pass^moments = right at every one"
    );
    let mut header = vec!["scenario".to_owned()];
    header.extend(means.iter().map(|(m, _)| m.to_string()));
    header.push("pass^moments".to_owned());
    let mut rows = vec![header];
    for s in &r.scenarios {
        let by = s.by_moment();
        let mut row = vec![s.name.clone()];
        for (m, _) in &means {
            let cell = by
                .iter()
                .find(|(x, _)| x == m)
                .and_then(|(_, rep)| rep.as_ref())
                .map_or_else(|| "-".to_owned(), |x| pct(x.score_mean));
            row.push(cell);
        }
        let all = by
            .iter()
            .map(|(_, x)| x.as_ref())
            .collect::<Option<Vec<_>>>();
        row.push(match all {
            Some(xs) if !xs.is_empty() => {
                let right = xs.iter().all(|x| x.right == x.graded);
                if right { "yes" } else { "no" }.to_owned()
            }
            _ => "-".to_owned(),
        });
        rows.push(row);
    }
    let mut mean_row = vec!["mean".to_owned()];
    mean_row.extend(means.iter().map(|(_, v)| v.map_or("-".to_owned(), pct)));
    let passing = r
        .scenarios
        .iter()
        .filter(|s| {
            let by = s.by_moment();
            !by.is_empty()
                && by
                    .iter()
                    .all(|(_, x)| x.as_ref().is_some_and(|x| x.right == x.graded))
        })
        .count();
    mean_row.push(format!("{passing}/{}", r.scenarios.len()));
    rows.push(mean_row);
    for line in crate::kubectl_view::align(&rows, 0, 2) {
        out.push_str(&line);
        out.push('\n');
    }
}
