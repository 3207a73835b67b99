//! `crashlab validate --alert-rules RULES.yaml`: getting promtool and checking the file before
//! any cluster is touched, judging the rules on each scenario's recorded timeline once the run
//! is over, and putting the result beside (or instead of) the tool's grades in every format.

use std::path::Path;

use quick_junit::Report;
use serde_json::{Value, json};

use super::cli_error::CliError;
use crate::alerts::{
    AlertsError, AlertsOutcome, AlertsReport, DERIVED_NOTE, Outlook, RuleJudge, ScenarioAlerts,
    SeriesInfo, SeriesOptions, alerts_junit_suite, ensure_promtool, render_alerts_human,
};
use crate::expect::target_recovered;
use crate::runner::{ScenarioReport, Verdict};
use crate::scenario::humantime_secs;
use crate::validate::{SUITE, ValidationReport, render_human, render_json, validation_suite};

fn cli_error(e: AlertsError) -> CliError {
    if e.is_usage() {
        CliError::usage(e.to_string())
            .with_hint("fix the rule file; `promtool check rules FILE` shows the same")
    } else {
        CliError::env(e.to_string())
    }
}

/// promtool (cached, else built) and the checked rule file. Exit 2 for a bad file or
/// `--alerts-hold`, 3 when promtool cannot be had.
pub fn prepare(rules: &Path, promtool: Option<&Path>, hold: &str) -> Result<RuleJudge, CliError> {
    let extend = humantime_secs::parse(hold).map_err(|_| {
        CliError::usage(format!(
            "--alerts-hold {hold:?}: expected a duration such as 30m or 1h"
        ))
    })?;
    let options = SeriesOptions {
        extend_s: extend.as_secs(),
        ..SeriesOptions::default()
    };
    let promtool = ensure_promtool(promtool).map_err(cli_error)?;
    RuleJudge::new(promtool, rules, options).map_err(cli_error)
}

/// The rules judged on every reproduced scenario.
pub fn judge_all(judge: &RuleJudge, rules: &Path, reports: &[ScenarioReport]) -> AlertsReport {
    let scenarios = reports
        .iter()
        .map(|r| {
            let outcome = if r.verdict == Verdict::Pass {
                // The verified expectations say whether the loop goes on after the watch.
                let outlook = Outlook::from_recovery(target_recovered(&r.checks));
                judge
                    .judge(&r.name, &r.namespace, &r.timeline, outlook)
                    .unwrap_or_else(|e| AlertsOutcome::NotEvaluated {
                        reason: e.to_string(),
                    })
            } else {
                AlertsOutcome::NotEvaluated {
                    reason: format!(
                        "the scenario did not reproduce ({})",
                        r.error.as_deref().unwrap_or("an expectation failed")
                    ),
                }
            };
            eprintln!(
                "crashlab: {}: alert rules judged on the derived series",
                r.name
            );
            ScenarioAlerts {
                scenario: r.name.clone(),
                namespace: r.namespace.clone(),
                outcome,
            }
        })
        .collect();
    AlertsReport {
        rule_file: rules.display().to_string(),
        promtool: judge.promtool.version.clone(),
        series: SeriesInfo {
            source: "derived",
            note: DERIVED_NOTE,
            scrape_interval_s: judge.options.scrape_interval_s,
            extended_s: judge.options.extend_s,
        },
        scenarios,
    }
}

pub fn render_human_with(v: Option<&ValidationReport>, a: Option<&AlertsReport>) -> String {
    let mut out = v.map(render_human).unwrap_or_default();
    if let Some(a) = a {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&render_alerts_human(a));
        if v.is_none() {
            let judged = a.scenarios.len() - a.not_evaluated();
            out.push_str(&format!(
                "\nalert rules judged on {judged} of {} scenario{}\n",
                a.scenarios.len(),
                if a.scenarios.len() == 1 { "" } else { "s" }
            ));
        }
    }
    out
}

/// The validation document with an `alerts` field; `{"schemaVersion": 1, "alerts": ...}`
/// alone without a tool.
pub fn render_json_with(v: Option<&ValidationReport>, a: Option<&AlertsReport>) -> String {
    let mut doc = match v {
        Some(v) => serde_json::from_str(&render_json(v)).unwrap_or_else(|_| json!({})),
        None => json!({ "schemaVersion": crate::validate::VALIDATION_SCHEMA_VERSION }),
    };
    if let (Some(a), Value::Object(o)) = (a, &mut doc) {
        o.insert(
            "alerts".to_owned(),
            serde_json::to_value(a).unwrap_or(Value::Null),
        );
    }
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

pub fn render_junit_with(
    v: Option<&ValidationReport>,
    a: Option<&AlertsReport>,
) -> Result<String, quick_junit::SerializeError> {
    let mut report = Report::new(SUITE);
    if let Some(v) = v {
        report.add_test_suite(validation_suite(v));
    }
    if let Some(a) = a {
        report.add_test_suite(alerts_junit_suite(a));
    }
    report.to_string()
}
