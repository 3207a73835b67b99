//! Markdown: one cluster's table, or several clusters side by side (`--merge`), for docs and
//! CI summaries.

use std::fmt::Write as _;

use super::conformance_report::ConformanceReport;
use super::verdict::Verdict;

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn mark(v: Verdict) -> &'static str {
    match v {
        Verdict::Conforms => "✅ conforms",
        Verdict::Differs => "❌ differs",
        Verdict::NotMeasurable => "➖ not measurable here",
    }
}

/// The cluster in one line.
pub fn cluster_line(r: &ConformanceReport) -> String {
    let c = &r.cluster;
    format!(
        "{} {} ({}), node `{}`, {}, cgroup {} with the {} driver, kernel {}; kubelet back-off {}s → {}s",
        c.provider.as_deref().unwrap_or("context"),
        c.kubelet_version.as_deref().unwrap_or(&c.server_version),
        c.context,
        c.node.as_deref().unwrap_or("?"),
        c.container_runtime.as_deref().unwrap_or("runtime unknown"),
        c.cgroup_version.as_deref().unwrap_or("?"),
        c.cgroup_driver.as_deref().unwrap_or("?"),
        c.kernel.as_deref().unwrap_or("?"),
        c.kubelet_backoff.initial_s,
        c.kubelet_backoff.max_s,
    )
}

/// One cluster: a table of every row, then why rows differ or were not measured, then sources.
pub fn to_markdown(r: &ConformanceReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Crash-loop conformance: {}\n", cluster_line(r));
    let n = r.counts();
    let _ = writeln!(
        out,
        "{} conform, {} differ, {} not measurable here{}.\n",
        n.conforms,
        n.differs,
        n.not_measurable,
        r.duration_s
            .map(|d| format!(", measured in {:.0} s", d))
            .unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "| property | case | upstream | this cluster | verdict |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|");
    for p in &r.properties {
        for row in &p.rows {
            let observed = match &row.outcome {
                Some(o) => format!("{} ({o})", row.observed),
                None => row.observed.clone(),
            };
            let verdict = match &row.why {
                Some(why) if row.verdict != Verdict::Conforms => {
                    format!("{}: {}", mark(row.verdict), why)
                }
                _ => mark(row.verdict).to_owned(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                cell(p.property.name()),
                cell(&row.case),
                cell(&row.upstream),
                cell(&observed),
                cell(&verdict)
            );
        }
    }
    let evidence: Vec<_> = r
        .properties
        .iter()
        .flat_map(|p| p.rows.iter().map(move |row| (p, row)))
        .filter(|(_, row)| !row.evidence.is_empty())
        .collect();
    if !evidence.is_empty() {
        let _ = writeln!(out, "\n## Evidence\n");
        for (p, row) in evidence {
            let _ = writeln!(out, "- **{} / {}**", p.property.name(), row.case);
            for e in &row.evidence {
                let _ = writeln!(out, "  - {}", e.replace('\n', " "));
            }
        }
    }
    let _ = writeln!(out, "\n## Sources\n");
    for p in &r.properties {
        for s in &p.sources {
            let _ = writeln!(out, "- {}: {s}", p.property.name());
        }
    }
    out
}

/// Several clusters side by side: one row per property and case, one column per cluster.
pub fn merged_markdown(reports: &[ConformanceReport]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| property | case | {} |",
        reports.iter().map(column).collect::<Vec<_>>().join(" | ")
    );
    let _ = writeln!(out, "|---|---|{}", "---|".repeat(reports.len()));
    let mut keys: Vec<(String, String)> = Vec::new();
    for r in reports {
        for p in &r.properties {
            for row in &p.rows {
                let k = (p.property.name().to_owned(), row.case.clone());
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
    }
    for (prop, case) in &keys {
        let cells: Vec<String> = reports
            .iter()
            .map(|r| {
                r.properties
                    .iter()
                    .filter(|p| p.property.name() == prop)
                    .flat_map(|p| &p.rows)
                    .find(|row| &row.case == case)
                    .map_or("—".to_owned(), |row| {
                        let icon = mark(row.verdict).split(' ').next().unwrap_or("");
                        let short = match (&row.outcome, row.verdict) {
                            (Some(o), _) => o.clone(),
                            (None, Verdict::NotMeasurable) => "not measurable".to_owned(),
                            (None, _) => clip(&row.observed, 48),
                        };
                        cell(&format!("{icon} {short}"))
                    })
            })
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            cell(prop),
            cell(case),
            cells.join(" | ")
        );
    }
    out
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max - 1).collect();
    format!("{cut}…")
}

fn column(r: &ConformanceReport) -> String {
    let c = &r.cluster;
    let mut label = format!(
        "{} {}",
        c.provider.as_deref().unwrap_or(&c.context),
        c.kubelet_version.as_deref().unwrap_or(&c.server_version)
    );
    if let Some(node) = &c.node {
        label.push_str(&format!(" on {node}"));
    }
    if c.kubelet_backoff.max_s != 300 || c.kubelet_backoff.initial_s != 10 {
        label.push_str(&format!(
            ", back-off {}s→{}s",
            c.kubelet_backoff.initial_s, c.kubelet_backoff.max_s
        ));
    }
    if r.long {
        label.push_str(", --long");
    }
    cell(&label)
}
