//! Alert rules are diagnostic tooling too: Prometheus alerting rules judged with Prometheus's
//! own `promtool test rules` on kube-state-metrics series derived from a scenario's recorded
//! timeline (never scraped), extended at the loop's last state so that slow rules can fire.
//! Everything but [`promtool`] and [`RuleJudge::judge`]'s promtool call is pure.

mod alerts_error;
mod alerts_report;
mod evaluation;
mod firing;
mod human;
mod junit;
mod outlook;
mod promtool;
mod promtool_version;
mod rule_file;
mod series;
mod test_file;

#[cfg(test)]
mod tests;

pub use alerts_error::{AlertsError, Result};
pub use alerts_report::{
    AlertsOutcome, AlertsReport, DERIVED_NOTE, RuleResult, ScenarioAlerts, SeriesInfo,
    human_duration,
};
pub use evaluation::RuleJudge;
pub use firing::{Firings, duration_s, parse_firings};
pub use human::render_alerts_human;
pub use junit::{ALERTS_SUITE, alerts_junit_suite};
pub use outlook::Outlook;
pub use promtool::{
    ENV_PROMTOOL, PROMTOOL_VERSION, Promtool, cache_root, cached_promtool, ensure_promtool,
};
pub use rule_file::{AlertRule, alert_rules, read_alert_rules};
pub use series::{
    DEFAULT_EXTEND_S, DEFAULT_SCRAPE_INTERVAL_S, DerivedSeries, KSM_JOB, Sample, Series,
    SeriesOptions, derive_series,
};
pub use test_file::{expanding, selector, test_file};
