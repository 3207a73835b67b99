//! The alert rules section of `crashlab validate` for people: one line per rule and scenario,
//! under a header that says the series are derived, not scraped.

use std::fmt::Write;

use super::alerts_report::{AlertsOutcome, AlertsReport, RuleResult, human_duration};

pub fn render_alerts_human(r: &AlertsReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "alert rules: {} ({})", r.rule_file, r.promtool);
    let _ = writeln!(
        out,
        "  series: derived from the recorded timeline with kube-state-metrics' definitions, NOT scraped;\n  \
         one sample every {}s, the last observed state held for {} after the observation",
        r.series.scrape_interval_s,
        human_duration(r.series.extended_s as f64)
    );
    for s in &r.scenarios {
        match &s.outcome {
            AlertsOutcome::NotEvaluated { reason } => {
                let _ = writeln!(out, "  {}: not evaluated: {reason}", s.scenario);
            }
            AlertsOutcome::Evaluated {
                observed_s,
                loop_started_s,
                rules,
            } => {
                let loop_text = match loop_started_s {
                    Some(l) => format!("crash loop from {}", human_duration(*l)),
                    None => "no CrashLoopBackOff seen".to_owned(),
                };
                let _ = writeln!(
                    out,
                    "  {} (observed {}, {loop_text}):",
                    s.scenario,
                    human_duration(*observed_s)
                );
                let name = |r: &RuleResult| match &r.for_ {
                    Some(f) => format!("{} (for {f})", r.alert),
                    None => r.alert.clone(),
                };
                let width = rules.iter().map(|r| name(r).len()).max().unwrap_or(0);
                for rule in rules {
                    let verdict = match (rule.first_firing_s, rule.after_loop_started_s) {
                        (None, _) => "does not fire".to_owned(),
                        (Some(t), after_loop) => {
                            let mut text =
                                format!("fires {} after apply", human_duration(t as f64));
                            if let Some(l) = after_loop {
                                let _ =
                                    write!(text, ", {} after the loop started", human_duration(l));
                            }
                            if rule.in_extension {
                                text.push_str(" (in the held extension)");
                            }
                            text
                        }
                    };
                    let _ = writeln!(out, "    {:<width$}  {verdict}", name(rule));
                }
            }
        }
    }
    out
}
