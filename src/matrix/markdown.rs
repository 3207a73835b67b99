//! The comparison as Markdown, for people and for docs (and `$GITHUB_STEP_SUMMARY`).

use std::fmt::Write;

use super::comparison::Comparison;
use super::row::Cell;
use crate::expect::duration::go_duration;
use crate::runner::Verdict;

pub fn to_markdown(c: &Comparison) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "| scenario | {} |", c.columns.join(" | "));
    let _ = writeln!(out, "|---|{}", "---|".repeat(c.columns.len()));
    let curves: Vec<String> = c
        .kubelet_backoff
        .iter()
        .map(|b| match b {
            Some(b) => format!(
                "{} → {}",
                go_duration(b.initial_s.into()),
                go_duration(b.max_s.into())
            ),
            None => "?".into(),
        })
        .collect();
    let _ = writeln!(out, "| *kubelet back-off* | {} |", curves.join(" | "));
    for row in &c.rows {
        let cells: Vec<String> = row
            .cells
            .iter()
            .map(|cell| cell.as_ref().map(cell_text).unwrap_or_else(|| "—".into()))
            .collect();
        let _ = writeln!(out, "| `{}` | {} |", row.scenario, cells.join(" | "));
    }
    let notes: Vec<(&String, Vec<String>)> = c
        .columns
        .iter()
        .enumerate()
        .map(|(i, col)| {
            let mut n = Vec::new();
            if let Some(Some(b)) = c.kubelet_backoff.get(i) {
                n.push(b.because.clone());
            }
            if let Some(Some(image)) = c.node_images.get(i) {
                n.push(format!("node image `{image}`"));
            }
            (col, n)
        })
        .filter(|(_, n)| !n.is_empty())
        .collect();
    if !notes.is_empty() {
        let _ = writeln!(out);
        for (col, n) in notes {
            let _ = writeln!(out, "- {col}: {}", n.join("; "));
        }
    }
    let _ = writeln!(out);
    if c.differences.is_empty() {
        let _ = writeln!(
            out,
            "Verdicts, exit codes and reasons: the same on every cluster that ran the scenario."
        );
    } else {
        let _ = writeln!(out, "Verdicts, exit codes and reasons that differ:\n");
        let _ = writeln!(out, "| scenario | what | {} |", c.columns.join(" | "));
        let _ = writeln!(out, "|---|---|{}", "---|".repeat(c.columns.len()));
        for d in &c.differences {
            let cells: Vec<String> = d
                .values
                .iter()
                .map(|v| v.as_deref().unwrap_or("—").replace('|', "\\|"))
                .collect();
            let _ = writeln!(
                out,
                "| `{}` | {} | {} |",
                d.scenario,
                d.facet,
                cells.join(" | ")
            );
        }
    }
    let _ = writeln!(out);
    if c.event_differences.is_empty() {
        let _ = writeln!(out, "Event messages: the same on every cluster.");
    } else {
        let _ = writeln!(out, "Event messages that differ:\n");
        let _ = writeln!(out, "| scenario | reason | {} |", c.columns.join(" | "));
        let _ = writeln!(out, "|---|---|{}", "---|".repeat(c.columns.len()));
        for d in &c.event_differences {
            let cells: Vec<String> = d
                .messages
                .iter()
                .map(|m| {
                    if m.is_empty() {
                        "—".into()
                    } else {
                        m.iter()
                            .map(|s| format!("`{}`", s.replace('|', "\\|")))
                            .collect::<Vec<_>>()
                            .join("<br>")
                    }
                })
                .collect();
            let _ = writeln!(
                out,
                "| `{}` | {} | {} |",
                d.scenario,
                d.reason,
                cells.join(" | ")
            );
        }
    }
    out
}

fn cell_text(c: &Cell) -> String {
    let verdict = match c.verdict {
        Verdict::Pass => "pass",
        Verdict::Fail => "**FAIL**",
        Verdict::Error => "**ERROR**",
    };
    let exit = match (c.exit_code, &c.reason) {
        (Some(code), Some(r)) => format!("exit {code} {r}"),
        (Some(code), None) => format!("exit {code}"),
        (None, _) => c.waiting_reason.clone().unwrap_or_else(|| "no exit".into()),
    };
    let delays = if c.backoff_delays_s.is_empty() {
        String::new()
    } else {
        format!(
            "; delays {}",
            c.backoff_delays_s
                .iter()
                .map(|d| format!("{d}s"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let crash_loop = c
        .crash_loop_after_s
        .map(|s| format!("; CrashLoopBackOff after {s:.1}s"))
        .unwrap_or_default();
    format!("{verdict}: {exit}{delays}{crash_loop}")
}
