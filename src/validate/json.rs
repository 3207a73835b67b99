//! `crashlab validate -o json`: one document with every scenario's grade and a summary, read
//! back as a [`ValidationReport`] (the figures beside it, score, passed, the summary, are made
//! again from it). Field names are a public contract: add, never rename; a change that breaks
//! a reader raises the version.

use serde_json::{Value, json};

use super::validation::{ValidationExit, ValidationReport};

/// The version of the validation document this crashlab writes.
pub const VALIDATION_SCHEMA_VERSION: u32 = 1;

pub fn render_json(r: &ValidationReport) -> String {
    let scenarios: Vec<Value> = r
        .scenarios
        .iter()
        .map(|s| {
            let mut v = serde_json::to_value(s).unwrap_or(Value::Null);
            if let Value::Object(o) = &mut v {
                o.insert("score".to_owned(), json!(s.score()));
                o.insert("passed".to_owned(), json!(s.passed(r.min_score)));
                if !s.runs.is_empty() {
                    o.insert("repeats".to_owned(), json!(s.repeats()));
                }
                let by = s.by_moment();
                if !by.is_empty() {
                    let moments: Vec<Value> = by
                        .iter()
                        .map(|(m, x)| json!({"moment": m, "repeats": x}))
                        .collect();
                    o.insert("moments".to_owned(), json!(moments));
                }
            }
            v
        })
        .collect();
    let result = match r.exit() {
        ValidationExit::Pass => "pass",
        ValidationExit::ToolBelow => "tool_below_min_score",
        ValidationExit::Incomplete => "incomplete",
    };
    let moment_means: serde_json::Map<String, Value> = r
        .moment_means()
        .into_iter()
        .map(|(m, v)| (m.as_str().to_owned(), json!(v)))
        .collect();
    let mut doc = json!({
        "schemaVersion": VALIDATION_SCHEMA_VERSION,
        "command": r.command,
        "judge": r.judge,
        "min_score": r.min_score,
        "scenarios": scenarios,
        "summary": {
            "scenarios": r.scenarios.len(),
            "scored": r.scored(),
            "below_min_score": r.below(),
            "not_reproduced": r.not_reproduced(),
            "overall_score": r.overall(),
            "repeat": r.scenarios.iter().map(|s| s.repeat()).max().unwrap_or(0).max(1),
            "result": result,
        },
    });
    if let Some(why) = &r.cluster_unreachable
        && let Some(summary) = doc.get_mut("summary").and_then(Value::as_object_mut)
    {
        summary.insert("cluster_unreachable".to_owned(), json!(why));
    }
    if !moment_means.is_empty()
        && let Some(summary) = doc.get_mut("summary").and_then(Value::as_object_mut)
    {
        summary.insert("moments".to_owned(), Value::Object(moment_means));
    }
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}
