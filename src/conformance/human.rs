//! `crashlab conformance`'s terminal output: the cluster, then each property with its rows.

use std::fmt::Write as _;

use owo_colors::{OwoColorize, Style};

use super::conformance_report::{ConformanceReport, Row};
use super::verdict::Verdict;

/// The report as text; `color` colours the verdicts.
pub fn render_human(r: &ConformanceReport, color: bool) -> String {
    let palette = &color;
    let mut out = String::new();
    let c = &r.cluster;
    let _ = writeln!(
        out,
        "crashlab conformance: context {} · {} · node {}",
        c.context,
        c.kubelet_version.as_deref().unwrap_or(&c.server_version),
        c.node.as_deref().unwrap_or("?")
    );
    let _ = writeln!(
        out,
        "  runtime {} · cgroup {} ({} driver) · kernel {}",
        c.container_runtime.as_deref().unwrap_or("unknown"),
        c.cgroup_version.as_deref().unwrap_or("unknown"),
        c.cgroup_driver.as_deref().unwrap_or("unknown"),
        c.kernel.as_deref().unwrap_or("unknown"),
    );
    let _ = writeln!(
        out,
        "  kubelet back-off: {}s doubling to {}s ({})",
        c.kubelet_backoff.initial_s, c.kubelet_backoff.max_s, c.kubelet_backoff.because
    );
    let _ = writeln!(out, "  node evidence read through: {}", r.node_access);
    for p in &r.properties {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{} {} [{}]",
            paint(palette, p.verdict, "■"),
            p.title,
            paint(palette, p.verdict, p.verdict.as_str())
        );
        for row in &p.rows {
            row_text(&mut out, row, palette);
        }
        for s in &p.sources {
            let _ = writeln!(out, "    source: {s}");
        }
    }
    let n = r.counts();
    let _ = writeln!(out);
    let took = r
        .duration_s
        .map(|d| {
            format!(
                " in {}",
                crate::expect::duration::go_duration(d.round() as u64)
            )
        })
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{}: {} conform, {} differ, {} not measurable here{took}",
        paint(palette, r.verdict(), r.verdict().as_str()),
        n.conforms,
        n.differs,
        n.not_measurable
    );
    out
}

fn row_text(out: &mut String, row: &Row, palette: &bool) {
    let _ = writeln!(
        out,
        "  {} {}: {}{}",
        paint(palette, row.verdict, tag(row.verdict)),
        row.case,
        row.observed,
        row.outcome
            .as_deref()
            .map(|o| format!(" ({o})"))
            .unwrap_or_default()
    );
    let _ = writeln!(out, "      upstream: {}", row.upstream);
    if let Some(why) = &row.why {
        let _ = writeln!(out, "      why: {why}");
    }
    for e in &row.evidence {
        let _ = writeln!(out, "      · {e}");
    }
}

fn tag(v: Verdict) -> &'static str {
    match v {
        Verdict::Conforms => "✓",
        Verdict::Differs => "✗",
        Verdict::NotMeasurable => "–",
    }
}

fn paint(color: &bool, v: Verdict, text: &str) -> String {
    if !*color {
        return text.to_owned();
    }
    let style = match v {
        Verdict::Conforms => Style::new().green(),
        Verdict::Differs => Style::new().red().bold(),
        Verdict::NotMeasurable => Style::new().yellow(),
    };
    text.style(style).to_string()
}
