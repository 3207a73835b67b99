//! The comparison as Markdown, for people and for docs.

use std::fmt::Write;

use super::comparison::{Cell, Comparison};
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
    if !c.kubelet_backoff.iter().flatten().next().is_none() {
        let _ = writeln!(out);
        for (col, b) in c.columns.iter().zip(&c.kubelet_backoff) {
            if let Some(b) = b {
                let _ = writeln!(out, "- {col}: {}", b.because);
            }
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
    format!("{verdict}: {exit}{delays}")
}
