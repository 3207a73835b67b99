//! Text for `crashlab show NAME` and the JSON schema printed by `crashlab schema`. Pure:
//! both return strings; the CLI prints them.

use std::fmt::Write as _;

use super::catalogue::{Entry, Origin};
use super::expectations::{EventExpectation, Expectations};
use super::ground_truth::{GroundTruth, KeyFact};
use super::scenario::{Scenario, Timeouts, humantime_secs};

/// The text of `crashlab show NAME`: [`explain`] with the scenario's origin under the
/// first line.
pub fn show_text(entry: &Entry) -> String {
    render(&entry.scenario, Some(&entry.origin))
}

/// The full description of a scenario: summary, explanation, target, manifests (as YAML),
/// expectations, time limits and ground truth. Ends with a newline.
pub fn explain(scenario: &Scenario) -> String {
    render(scenario, None)
}

fn render(scenario: &Scenario, origin: Option<&Origin>) -> String {
    let mut out = String::new();
    let spec = &scenario.spec;
    let _ = writeln!(
        out,
        "{}: {}",
        scenario.metadata.name, scenario.metadata.summary
    );
    if let Some(origin) = origin {
        let _ = writeln!(out, "from {origin}");
    }

    section(&mut out, "Explanation");
    push_indented(&mut out, spec.explanation.trim_end());

    section(&mut out, "Target");
    let _ = writeln!(
        out,
        "  container {:?} of {}",
        spec.target.container,
        spec.target.workload()
    );

    section(&mut out, "Manifests");
    for step in spec.steps() {
        if let Some(name) = step.name {
            let wait = step
                .wait_for
                .map(|w| format!(" (then wait until {})", w.describe()))
                .unwrap_or_default();
            let _ = writeln!(out, "  # step {}: {name}{wait}", step.index + 1);
        }
        for manifest in step.manifests {
            out.push_str("  ---\n");
            let yaml = serde_yaml::to_string(manifest)
                .unwrap_or_else(|err| format!("# cannot render as YAML: {err}\n"));
            push_indented(&mut out, yaml.trim_end());
        }
    }

    section(&mut out, "Expectations");
    for line in expectation_lines(&spec.expect) {
        let _ = writeln!(out, "  {line}");
    }

    section(&mut out, "Time limits");
    let _ = writeln!(out, "  {}", timeouts_line(&spec.timeouts));

    if let Some(truth) = &spec.ground_truth {
        section(&mut out, "Ground truth");
        ground_truth_lines(&mut out, truth);
    }
    out
}

/// The JSON schema of the scenario format (pretty-printed, newline-terminated), the content
/// of `scenarios/scenario.schema.json`.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Scenario);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serializes");
    text.push('\n');
    text
}

fn section(out: &mut String, title: &str) {
    let _ = writeln!(out, "\n{title}");
}

fn push_indented(out: &mut String, text: &str) {
    for line in text.lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "  {line}");
        }
    }
}

/// One line per expectation, e.g. `last termination: exit code 137, reason OOMKilled`.
fn expectation_lines(expect: &Expectations) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(waiting) = &expect.waiting_reason {
        lines.push(match &waiting.message {
            Some(m) => format!("waiting reason: {}, message matching /{m}/", waiting.reason),
            None => format!("waiting reason: {}", waiting.reason),
        });
    }
    if let Some(term) = &expect.last_termination {
        let mut parts = Vec::new();
        if let Some(code) = term.exit_code {
            parts.push(format!("exit code {code}"));
        }
        if let Some(reason) = &term.reason {
            parts.push(format!("reason {reason}"));
        }
        if parts.is_empty() {
            parts.push("any".into());
        }
        lines.push(format!("last termination: {}", parts.join(", ")));
    }
    if let Some(restarts) = &expect.restarts {
        let text = match (restarts.min, restarts.max) {
            (Some(min), Some(max)) if min == max => format!("exactly {min}"),
            (Some(min), Some(max)) => format!("between {min} and {max}"),
            (Some(min), None) => format!("at least {min}"),
            (None, Some(max)) => format!("at most {max}"),
            (None, None) => "any number".into(),
        };
        lines.push(format!("restarts: {text}"));
    }
    for event in &expect.events {
        lines.push(format!("event: {}", event_text(event)));
    }
    for event in &expect.absent_events {
        lines.push(format!("no event: {}", event_text(event)));
    }
    for pattern in &expect.previous_logs {
        lines.push(format!("previous logs: /{pattern}/"));
    }
    if let Some(b) = &expect.backoff {
        let curve = match (b.initial_seconds, b.max_seconds) {
            (None, None) => {
                "the cluster's kubelet curve (10s doubling up to 300s by default)".to_string()
            }
            _ => format!("{}s doubling up to {}s", b.initial(), b.max()),
        };
        lines.push(format!(
            "back-off: {} delays following {curve} (first restart immediate), each at most 1.5× + {}s late",
            b.delays, b.slack_seconds
        ));
    }
    match expect.ready {
        Some(true) => lines.push("becomes ready".into()),
        Some(false) => lines.push("never ready".into()),
        None => {}
    }
    for (container, exp) in &expect.containers {
        lines.extend(
            expectation_lines(exp)
                .into_iter()
                .map(|l| format!("container {container}: {l}")),
        );
    }
    lines
}

fn event_text(event: &EventExpectation) -> String {
    match &event.message {
        Some(m) => format!("{} with message matching /{m}/", event.reason),
        None => event.reason.clone(),
    }
}

fn timeouts_line(t: &Timeouts) -> String {
    let observe = match &t.must_not_window {
        Some(w) if w.from == super::WindowStart::PromisedSignals => format!(
            "observe until every promised signal has come (within {}), then {} of the kubelet's initial back-off delays ({} on a default kubelet), at least {}",
            humantime_secs::format(t.observe),
            w.backoff_periods,
            humantime_secs::format(w.on_kubelet(super::expectations::DEFAULT_INITIAL_S)),
            humantime_secs::format(w.at_least)
        ),
        Some(w) => format!(
            "observe {} of the kubelet's initial back-off delays ({} on a default kubelet), at least {}",
            w.backoff_periods,
            humantime_secs::format(t.observe_on_default_kubelet()),
            humantime_secs::format(w.at_least)
        ),
        None => format!("observe {}", humantime_secs::format(t.observe)),
    };
    format!(
        "deploy {}, {observe}, cleanup {}",
        humantime_secs::format(t.deploy),
        humantime_secs::format(t.cleanup)
    )
}

fn ground_truth_lines(out: &mut String, truth: &GroundTruth) {
    let _ = writeln!(out, "  category: {}", truth.category);
    let _ = writeln!(out, "  a correct diagnosis names:");
    facts(out, &truth.key_facts);
    if !truth.wrong_answers.is_empty() {
        let _ = writeln!(out, "  wrong advice for this incident:");
        facts(out, &truth.wrong_answers);
    }
}

fn facts(out: &mut String, facts: &[KeyFact]) {
    for fact in facts {
        let patterns: Vec<String> = fact.any_of.iter().map(|p| format!("/{p}/")).collect();
        let _ = writeln!(out, "    - {} ({})", fact.name, patterns.join(" or "));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Catalogue;

    #[test]
    fn show_oom() {
        let catalogue = Catalogue::builtin();
        let oom = &catalogue.get("oom").unwrap().scenario;
        insta::assert_snapshot!(explain(oom));
    }

    #[test]
    fn show_text_names_the_origin() {
        let catalogue = Catalogue::builtin();
        let text = show_text(catalogue.get("exit-1").unwrap());
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("exit-1: The app exits 1 at start-up because its config file is missing")
        );
        assert_eq!(lines.next(), Some("from built-in scenarios/exit-1.yaml"));
    }

    #[test]
    fn show_missing_secret_ref() {
        let catalogue = Catalogue::builtin();
        let s = &catalogue.get("missing-secret-ref").unwrap().scenario;
        insta::assert_snapshot!(explain(s));
    }

    /// The committed schema is the generated one. To refresh it:
    /// `CRASHLAB_UPDATE_SCHEMA=1 cargo test --lib scenario::explain`.
    #[test]
    fn committed_schema_is_current() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/scenario.schema.json");
        let generated = json_schema();
        if std::env::var_os("CRASHLAB_UPDATE_SCHEMA").is_some() {
            std::fs::write(&path, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "{} is out of date; run `CRASHLAB_UPDATE_SCHEMA=1 cargo test --lib scenario::explain` and commit it",
            path.display()
        );
    }

    #[test]
    fn schema_describes_the_format() {
        let schema: serde_json::Value = serde_json::from_str(&json_schema()).unwrap();
        assert_eq!(schema["title"], "Scenario");
        let required = schema["required"].as_array().unwrap();
        for field in ["apiVersion", "kind", "metadata", "spec"] {
            assert!(required.iter().any(|r| r == field), "{field}");
        }
    }
}
