//! The report of a run (`crashlab run --html`, or `crashlab report RESULT.json`): per
//! scenario, the timeline, the back-off chart, the checks (expected vs observed), the
//! previous logs, the explanation and the diagnosis steps.

use std::fmt::Write as _;

use crate::expect::duration::elapsed;
use crate::expect::{CheckResult, Outcome};
use crate::report::RunDocument;
use crate::runner::{ScenarioReport, Verdict};
use crate::scenario::{ClusterFacts, Scenario};
use crate::timeline::Signal;

use super::backoff_chart::backoff_chart;
use super::escape::esc;
use super::lane::lanes;
use super::measured_delays::measured_delays;
use super::page::{badge, page};
use super::timeline_svg::timeline_svg;

/// Lines of a previous instance's log shown (the end of it: the crash is there).
const LOG_LINES: usize = 40;

/// The whole document. `scenarios`: where to find each scenario's explanation and back-off
/// expectation, by name (fitted to the run's cluster as the runner fits them); a scenario
/// not among them is shown without.
pub fn render_run(result: &RunDocument, scenarios: &[Scenario]) -> String {
    let sum = &result.summary;
    let mut body = String::new();
    let _ = writeln!(
        body,
        "<p class=\"meta\">{} scenario(s): <span class=\"pass\">{} passed</span>, <span class=\"fail\">{} failed</span>, <span class=\"pending\">{} error(s)</span>{}{}{}</p>",
        sum.total,
        sum.passed,
        sum.failed,
        sum.errors,
        opt(" · context ", sum.context.as_deref()),
        opt(" · server ", sum.server_version.as_deref()),
        sum.elapsed_s
            .map(|e| format!(" · took {}", elapsed(e)))
            .unwrap_or_default(),
    );
    if let Some(b) = &sum.kubelet_backoff {
        let _ = writeln!(
            body,
            "<p class=\"meta\">Kubelet back-off: {}s doubling up to {}s ({}).</p>",
            b.initial_s,
            b.max_s,
            esc(&b.because)
        );
    }
    if result.scenarios.is_empty() {
        body.push_str("<p class=\"note\">No scenario ended in this run.</p>\n");
    }
    let facts = ClusterFacts {
        server_version: sum.server_version.clone().unwrap_or_default(),
        backoff: sum.kubelet_backoff.as_ref().map(|b| (b.initial_s, b.max_s)),
    };
    for report in &result.scenarios {
        let scenario = scenarios
            .iter()
            .find(|s| s.metadata.name == report.name)
            .map(|s| s.for_cluster(&facts));
        body.push_str(&scenario_section(report, scenario.as_ref()));
    }
    let title = match result.scenarios.as_slice() {
        [one] => format!("crashlab run: {}", one.name),
        _ => "crashlab run".to_owned(),
    };
    page(&title, &body)
}

fn opt(label: &str, v: Option<&str>) -> String {
    v.map(|v| format!("{label}{}", esc(v))).unwrap_or_default()
}

/// One scenario's section.
pub fn scenario_section(report: &ScenarioReport, scenario: Option<&Scenario>) -> String {
    let mut s = String::new();
    let verdict = match report.verdict {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
        Verdict::Error => "error",
    };
    let _ = writeln!(
        s,
        "<section id=\"{0}\">\n<h2>{0} {1}</h2>",
        esc(&report.name),
        badge(verdict)
    );
    if let Some(sc) = scenario {
        let _ = writeln!(s, "<p class=\"meta\">{}</p>", esc(&sc.metadata.summary));
    }
    let o = &report.observed;
    let _ = writeln!(
        s,
        "<p class=\"meta\">namespace {} · container {} · last exit {} · {} restart(s){} · decided after {}</p>",
        esc(&report.namespace),
        esc(if o.container.is_empty() {
            "?"
        } else {
            &o.container
        }),
        match (o.exit_code, &o.reason) {
            (Some(c), Some(r)) => format!("{c} ({})", esc(r)),
            (Some(c), None) => c.to_string(),
            _ => "none".to_owned(),
        },
        o.restart_count,
        o.waiting_reason
            .as_deref()
            .map(|w| format!(" · waiting {}", esc(w)))
            .unwrap_or_default(),
        elapsed(report.elapsed_s),
    );
    if let Some(e) = &report.error {
        let _ = writeln!(s, "<p class=\"fail\">{}</p>", esc(e));
    }
    let curve = scenario.and_then(|sc| sc.spec.expect.backoff.as_ref());
    s.push_str("<h3>Timeline</h3>\n");
    s.push_str(&timeline_svg(&lanes(&report.timeline), curve));
    let delays = measured_delays(report);
    if curve.is_some() || !delays.is_empty() {
        s.push_str("<h3>Back-off: measured against the kubelet's curve</h3>\n");
        if scenario.is_none() {
            s.push_str("<p class=\"note\">The scenario's file was not given (`-f FILE`), so its expected curve is not drawn.</p>\n");
        } else if curve.is_none() {
            s.push_str("<p class=\"note\">This scenario does not check the back-off: the delays are measured, not judged.</p>\n");
        }
        s.push_str("<div class=\"charts\">\n");
        s.push_str(&backoff_chart(&delays, curve));
        s.push_str("</div>\n");
    }
    s.push_str(&checks_table(&report.checks));
    s.push_str(&previous_logs(report));
    match scenario {
        Some(sc) => s.push_str(&explanation(&sc.spec.explanation)),
        None => s.push_str("<p class=\"note\">Scenario not found in the catalogue: no explanation. Give its file with `-f FILE`.</p>\n"),
    }
    s.push_str("</section>\n");
    s
}

fn checks_table(checks: &[CheckResult]) -> String {
    let mut s = String::from(
        "<h3>Checks</h3>\n<table class=\"checks\"><tr><th>check</th><th>result</th><th>expected</th><th>observed</th></tr>\n",
    );
    for c in checks {
        let result = match c.outcome {
            Outcome::Met => "<span class=\"pass\">met</span>",
            Outcome::Contradicted => "<span class=\"fail\">contradicted</span>",
            Outcome::Pending => "<span class=\"pending\">never decided</span>",
        };
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{result}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.name),
            esc(&c.expected),
            esc(&c.observed)
        );
    }
    if checks.is_empty() {
        s.push_str("<tr><td colspan=\"4\" class=\"muted\">no check was evaluated</td></tr>\n");
    }
    s.push_str("</table>\n");
    s
}

/// The last previous-instance log of the target container (the one the checks read).
fn previous_logs(report: &ScenarioReport) -> String {
    let o = &report.observed;
    let last = report
        .timeline
        .entries
        .iter()
        .rev()
        .find_map(|e| match &e.signal {
            Signal::PreviousLogs {
                container,
                restart_count,
                text,
            } if container.container == o.container
                && (o.pods.is_empty() || o.pods.contains(&container.pod)) =>
            {
                Some((container, restart_count, text))
            }
            _ => None,
        });
    let Some((c, restart, text)) = last else {
        return String::new();
    };
    let lines: Vec<&str> = text.lines().collect();
    let shown = &lines[lines.len().saturating_sub(LOG_LINES)..];
    format!(
        "<h3>Logs of the previous instance (kubectl logs --previous, pod {}, before restart {}){}</h3>\n<pre>{}</pre>\n",
        esc(&c.pod),
        restart,
        if shown.len() < lines.len() {
            format!(", last {} of {} lines", shown.len(), lines.len())
        } else {
            String::new()
        },
        esc(&shown.join("\n"))
    )
}

/// The scenario's explanation, its "How to diagnose" steps as a numbered list.
fn explanation(text: &str) -> String {
    if text.trim().is_empty() {
        return String::new();
    }
    let (what, how) = match text.find("How to diagnose") {
        Some(i) => (&text[..i], Some(&text[i..])),
        None => (text, None),
    };
    let mut s = format!(
        "<h3>Explanation</h3>\n<div class=\"explain\">{}</div>\n",
        esc(what.trim_end())
    );
    if let Some(how) = how {
        let mut steps: Vec<String> = Vec::new();
        for line in how.lines().skip(1) {
            let t = line.trim();
            if let Some(rest) = t
                .split_once(". ")
                .filter(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
                .map(|(_, r)| r)
            {
                steps.push(rest.to_owned());
            } else if let Some(last) = steps.last_mut().filter(|_| !t.is_empty()) {
                last.push(' ');
                last.push_str(t);
            }
        }
        s.push_str("<h3>How to diagnose it, in this order</h3>\n<ol class=\"steps\">\n");
        for step in steps {
            let _ = writeln!(s, "<li>{}</li>", esc(&step));
        }
        s.push_str("</ol>\n");
    }
    s
}
