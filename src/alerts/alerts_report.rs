//! What judging alert rules found: per scenario and rule, whether the rule fired on the series
//! derived from the scenario's recorded timeline, and how long after the scenario was applied
//! and after its crash loop started. Field names are a public contract (`-o json`): add, never
//! rename.

use serde::Serialize;

/// Said wherever results are shown: nothing here was scraped.
pub const DERIVED_NOTE: &str = "series derived from the recorded timeline with kube-state-metrics' definitions, not scraped; held at the last observed state after the observation";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertsReport {
    /// The rule file, as given.
    pub rule_file: String,
    /// `promtool --version`'s first line.
    pub promtool: String,
    pub series: SeriesInfo,
    pub scenarios: Vec<ScenarioAlerts>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesInfo {
    /// Always `derived`.
    pub source: &'static str,
    pub note: &'static str,
    pub scrape_interval_s: u64,
    /// How long the last state is held after the last observation.
    pub extended_s: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioAlerts {
    pub scenario: String,
    pub namespace: String,
    #[serde(flatten)]
    pub outcome: AlertsOutcome,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum AlertsOutcome {
    Evaluated {
        /// Seconds from the first to the last observation.
        observed_s: f64,
        /// Seconds from the first observation to the first `CrashLoopBackOff`.
        loop_started_s: Option<f64>,
        rules: Vec<RuleResult>,
    },
    /// The scenario did not reproduce (or promtool could not judge it).
    NotEvaluated { reason: String },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleResult {
    pub alert: String,
    pub group: String,
    /// The rule's `for`, as written.
    #[serde(rename = "for", skip_serializing_if = "Option::is_none")]
    pub for_: Option<String>,
    pub fires: bool,
    /// First firing evaluation, seconds after the first observation (≈ after apply).
    pub first_firing_s: Option<u64>,
    /// The same, counted from the first `CrashLoopBackOff`.
    pub after_loop_started_s: Option<f64>,
    /// The first firing falls in the held extension, past the last observation.
    pub in_extension: bool,
    /// The label sets that fired first, as promtool printed them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
}

impl AlertsReport {
    /// Scenarios whose rules could not be judged.
    pub fn not_evaluated(&self) -> usize {
        self.scenarios
            .iter()
            .filter(|s| matches!(s.outcome, AlertsOutcome::NotEvaluated { .. }))
            .count()
    }
}

/// `15m 30s`, `45s`, `1h 2m`.
pub fn human_duration(seconds: f64) -> String {
    let total = seconds.round().max(0.0) as u64;
    let (h, m, s) = (total / 3600, total % 3600 / 60, total % 60);
    let mut parts = Vec::new();
    if h > 0 {
        parts.push(format!("{h}h"));
    }
    if m > 0 {
        parts.push(format!("{m}m"));
    }
    if s > 0 || parts.is_empty() {
        parts.push(format!("{s}s"));
    }
    parts.join(" ")
}
