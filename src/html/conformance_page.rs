//! `crashlab conformance --html`: the table of properties, then each probe's timeline (the
//! same picture `run` draws), so a reader sees the restarts the verdicts rest on.

use std::fmt::Write as _;

use crate::conformance::{
    ConformanceReport, Observations, Verdict, markdown_cluster_line, merged_markdown,
};
use crate::timeline::Timeline;

use super::escape::esc;
use super::lane::lanes;
use super::page::page;
use super::timeline_svg::timeline_svg;

fn badge(v: Verdict) -> String {
    let class = match v {
        Verdict::Conforms => "pass",
        Verdict::Differs => "fail",
        Verdict::NotMeasurable => "error",
    };
    format!(
        "<span class=\"badge {class}\" style=\"white-space: nowrap\">{}</span>",
        esc(v.as_str())
    )
}

/// The page; `observations` adds the probes' timelines (absent when only the report is known).
pub fn render_conformance(r: &ConformanceReport, observations: Option<&Observations>) -> String {
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<p class=\"meta\">{}</p>",
        esc(&markdown_cluster_line(r))
    );
    let n = r.counts();
    let _ = writeln!(
        b,
        "<p>{} {} conform, {} differ, {} not measurable here; node evidence read through {}.</p>",
        badge(r.verdict()),
        n.conforms,
        n.differs,
        n.not_measurable,
        esc(&r.node_access)
    );
    for p in &r.properties {
        let _ = writeln!(b, "<h2>{} {}</h2>", esc(&p.title), badge(p.verdict));
        let _ = writeln!(
            b,
            "<table class=\"checks\"><tr><th>case</th><th>upstream</th><th>this cluster</th><th>verdict</th></tr>"
        );
        for row in &p.rows {
            let mut observed = esc(&row.observed);
            if let Some(o) = &row.outcome {
                let _ = write!(observed, " <b>({})</b>", esc(o));
            }
            if !row.evidence.is_empty() {
                observed.push_str("<ul>");
                for e in &row.evidence {
                    let _ = write!(observed, "<li class=\"muted\">{}</li>", esc(e));
                }
                observed.push_str("</ul>");
            }
            let verdict = match &row.why {
                Some(w) => format!(
                    "{}<br><span class=\"note\">{}</span>",
                    badge(row.verdict),
                    esc(w)
                ),
                None => badge(row.verdict),
            };
            let _ = writeln!(
                b,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&row.case),
                esc(&row.upstream),
                observed,
                verdict
            );
        }
        b.push_str("</table>\n");
        if !p.sources.is_empty() {
            b.push_str("<p class=\"note\">Upstream: ");
            let list: Vec<String> = p.sources.iter().map(|s| esc(&s.to_string())).collect();
            b.push_str(&list.join("; "));
            b.push_str("</p>\n");
        }
    }
    if let Some(obs) = observations {
        let _ = writeln!(b, "<h2>The probes' timelines</h2>");
        for run in &obs.probes {
            let _ = writeln!(b, "<h3>{}</h3>", esc(&run.probe));
            if let Some(a) = &run.action {
                let _ = writeln!(
                    b,
                    "<p class=\"note\">crashlab changed {} at {}{}</p>",
                    esc(&a.what),
                    esc(&a.at.to_string()),
                    a.error
                        .as_deref()
                        .map(|e| format!(" (refused: {})", esc(e)))
                        .unwrap_or_default()
                );
            }
            match &run.recording {
                Some(rec) => {
                    b.push_str(&timeline_svg(&lanes(&Timeline::from_recording(rec)), None))
                }
                None => {
                    let _ = writeln!(
                        b,
                        "<p class=\"note\">Not run: {}</p>",
                        esc(run.error.as_deref().unwrap_or("no recording"))
                    );
                }
            }
        }
    }
    page(
        &format!(
            "Crash-loop conformance: {}",
            r.cluster
                .kubelet_version
                .as_deref()
                .unwrap_or(&r.cluster.server_version)
        ),
        &b,
    )
}

/// Several clusters: the side-by-side table, then each cluster's own.
pub fn render_conformance_set(reports: &[ConformanceReport]) -> String {
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<h2>Side by side</h2>\n<pre>{}</pre>",
        esc(&merged_markdown(reports))
    );
    for r in reports {
        let page = render_conformance(r, None);
        // Each cluster's body, without its own document around it.
        let body = page
            .split_once("</h1>\n")
            .and_then(|(_, rest)| rest.split_once("<footer>"))
            .map_or(String::new(), |(body, _)| body.to_owned());
        let _ = writeln!(b, "<h2>{}</h2>\n{body}", esc(&markdown_cluster_line(r)));
    }
    page("Crash-loop conformance of several clusters", &b)
}
