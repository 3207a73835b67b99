//! Judging alert rules on one scenario's timeline: derive the series, write the promtool test
//! file, run `promtool test rules`, read back the firings.

use std::path::{Path, PathBuf};

use super::alerts_error::{AlertsError, Result};
use super::alerts_report::{AlertsOutcome, RuleResult};
use super::firing::parse_firings;
use super::outlook::Outlook;
use super::promtool::{Promtool, combined};
use super::rule_file::{AlertRule, read_alert_rules};
use super::series::{SeriesOptions, derive_series};
use super::test_file::test_file;
use crate::timeline::Timeline;

/// A checked rule file and the promtool that checked it.
#[derive(Debug, Clone)]
pub struct RuleJudge {
    pub promtool: Promtool,
    /// Absolute, so that promtool finds it from the test file's directory.
    pub rule_file: PathBuf,
    pub rules: Vec<AlertRule>,
    pub options: SeriesOptions,
}

impl RuleJudge {
    /// Lists the file's alerting rules and has promtool check it: a bad file is a usage error
    /// with promtool's own message.
    pub fn new(promtool: Promtool, rule_file: &Path, options: SeriesOptions) -> Result<Self> {
        let rule_file = std::path::absolute(rule_file).map_err(|e| AlertsError::RuleFile {
            path: rule_file.to_path_buf(),
            message: e.to_string(),
        })?;
        if !rule_file.is_file() {
            return Err(AlertsError::RuleFile {
                path: rule_file,
                message: "no such file".to_owned(),
            });
        }
        promtool.check_rules(&rule_file)?;
        let rules = read_alert_rules(&rule_file)?;
        Ok(Self {
            promtool,
            rule_file,
            rules,
            options,
        })
    }

    /// The rules judged on the series derived from `timeline` (scenario `scenario`, run in
    /// `namespace`), held after the observation as `outlook` says.
    pub fn judge(
        &self,
        scenario: &str,
        namespace: &str,
        timeline: &Timeline,
        outlook: Outlook,
    ) -> Result<AlertsOutcome> {
        let Some(derived) = derive_series(timeline, namespace, self.options, outlook) else {
            return Ok(AlertsOutcome::NotEvaluated {
                reason: "nothing was observed".to_owned(),
            });
        };
        let mut unique: Vec<String> = self.rules.iter().map(|r| r.name.clone()).collect();
        unique.sort_unstable();
        unique.dedup();
        let text = test_file(scenario, &derived, &self.rule_file, &unique);
        let dir = tempfile::Builder::new()
            .prefix("crashlab-alerts-")
            .tempdir()
            .map_err(|e| AlertsError::Io {
                action: "create",
                path: std::env::temp_dir(),
                source: e,
            })?;
        let path = dir.path().join(format!("{scenario}.test.yaml"));
        std::fs::write(&path, text).map_err(|e| AlertsError::Io {
            action: "write",
            path: path.clone(),
            source: e,
        })?;
        let out = self.promtool.test_rules(&path)?;
        let firings = parse_firings(&combined(&out), out.status.success()).map_err(|output| {
            AlertsError::TestFailed {
                scenario: scenario.to_owned(),
                output,
            }
        })?;
        let loop_offset = derived.loop_offset_s();
        let observed_end = (derived.observed_scrapes as u64 - 1) * derived.scrape_interval_s;
        let rules = self
            .rules
            .iter()
            .map(|rule| {
                let fired = firings.get(&rule.name);
                let first = fired.and_then(|f| f.times_s.first().copied());
                RuleResult {
                    alert: rule.name.clone(),
                    group: rule.group.clone(),
                    for_: rule.for_.clone(),
                    fires: first.is_some(),
                    first_firing_s: first,
                    after_loop_started_s: first
                        .zip(loop_offset)
                        .map(|(t, l)| ((t as f64 - l) * 10.0).round() / 10.0),
                    in_extension: first.is_some_and(|t| t > observed_end),
                    labels: fired.map(|f| f.first_labels.clone()).unwrap_or_default(),
                }
            })
            .collect();
        let observed_s = timeline
            .entries
            .last()
            .map(|e| e.at.duration_since(derived.start).as_secs_f64())
            .unwrap_or_default();
        Ok(AlertsOutcome::Evaluated {
            observed_s: (observed_s * 10.0).round() / 10.0,
            loop_started_s: loop_offset.map(|l| (l * 10.0).round() / 10.0),
            rules,
        })
    }
}
