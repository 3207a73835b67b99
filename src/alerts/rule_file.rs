//! The alerting rules of a Prometheus rule file, as far as crashlab needs them: names and
//! `for` durations. Validity is promtool's business (`promtool check rules` runs first); this
//! only lists what to ask about.

use std::path::Path;

use serde::Deserialize;

use super::alerts_error::{AlertsError, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertRule {
    pub group: String,
    pub name: String,
    /// The rule's `for`, as written (`15m`); `None` when it fires at once.
    pub for_: Option<String>,
}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    groups: Vec<Group>,
}

#[derive(Deserialize)]
struct Group {
    name: String,
    #[serde(default)]
    rules: Vec<Rule>,
}

#[derive(Deserialize)]
struct Rule {
    alert: Option<String>,
    #[serde(rename = "for")]
    for_: Option<String>,
}

/// The alerting rules of `text` (recording rules are skipped), in file order.
pub fn alert_rules(text: &str) -> std::result::Result<Vec<AlertRule>, String> {
    let file: File = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
    Ok(file
        .groups
        .into_iter()
        .flat_map(|g| {
            let group = g.name;
            g.rules.into_iter().filter_map(move |r| {
                r.alert.map(|name| AlertRule {
                    group: group.clone(),
                    name,
                    for_: r.for_,
                })
            })
        })
        .collect())
}

/// Reads the alerting rules of the file at `path`; a file with none is an error.
pub fn read_alert_rules(path: &Path) -> Result<Vec<AlertRule>> {
    let text = std::fs::read_to_string(path).map_err(|e| AlertsError::RuleFile {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let rules = alert_rules(&text).map_err(|message| AlertsError::RuleFile {
        path: path.to_path_buf(),
        message,
    })?;
    if rules.is_empty() {
        return Err(AlertsError::RuleFile {
            path: path.to_path_buf(),
            message: "no alerting rule (`alert:`) in any group".to_owned(),
        });
    }
    Ok(rules)
}
