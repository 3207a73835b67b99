//! Finished runs on several clusters, compared per scenario: verdict, last exit, reason,
//! measured back-off delays, and the event messages that are not the same everywhere.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::runner::kubelet_backoff::KubeletBackoff;
use crate::runner::{ScenarioReport, Verdict};

/// Every scenario's report from one cluster.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MatrixRun {
    /// Column heading, e.g. `v1.35.4` or `v1.35.4 maxContainerRestartPeriod=20s`.
    pub label: String,
    /// API server `gitVersion`.
    pub server_version: String,
    pub kubelet_backoff: Option<KubeletBackoff>,
    pub reports: Vec<ScenarioReport>,
}

/// One scenario on one cluster.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Cell {
    pub verdict: Verdict,
    pub exit_code: Option<i32>,
    pub reason: Option<String>,
    pub waiting_reason: Option<String>,
    pub restart_count: i32,
    pub backoff_delays_s: Vec<i64>,
}

/// One scenario across clusters (`None` where it was not run).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Row {
    pub scenario: String,
    pub cells: Vec<Option<Cell>>,
}

/// An event reason whose messages differ between clusters (normalized: namespaces, pod
/// names and UIDs replaced), with the messages seen on each.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EventDifference {
    pub scenario: String,
    pub reason: String,
    pub messages: Vec<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Comparison {
    pub columns: Vec<String>,
    pub kubelet_backoff: Vec<Option<KubeletBackoff>>,
    pub rows: Vec<Row>,
    pub event_differences: Vec<EventDifference>,
}

/// Compares runs; scenarios keep the order of their first appearance.
pub fn compare(runs: &[MatrixRun]) -> Comparison {
    let mut names: Vec<String> = Vec::new();
    for run in runs {
        for r in &run.reports {
            if !names.contains(&r.name) {
                names.push(r.name.clone());
            }
        }
    }
    let find = |run: &MatrixRun, name: &str| run.reports.iter().find(|r| r.name == name).cloned();
    let rows = names
        .iter()
        .map(|name| Row {
            scenario: name.clone(),
            cells: runs
                .iter()
                .map(|run| {
                    find(run, name).map(|r| Cell {
                        verdict: r.verdict,
                        exit_code: r.observed.exit_code,
                        reason: r.observed.reason.clone(),
                        waiting_reason: r.observed.waiting_reason.clone(),
                        restart_count: r.observed.restart_count,
                        backoff_delays_s: r.observed.backoff_delays_s.clone(),
                    })
                })
                .collect(),
        })
        .collect();

    let mut event_differences = Vec::new();
    for name in &names {
        // reason → per run, the normalized messages.
        let mut by_reason: BTreeMap<String, Vec<BTreeSet<String>>> = BTreeMap::new();
        for (i, run) in runs.iter().enumerate() {
            if let Some(r) = find(run, name) {
                for e in &r.observed.events {
                    by_reason
                        .entry(e.reason.clone())
                        .or_insert_with(|| vec![BTreeSet::new(); runs.len()])[i]
                        .insert(normalize_message(&e.message, &r.namespace));
                }
            }
        }
        for (reason, per_run) in by_reason {
            let ran: Vec<&BTreeSet<String>> = per_run.iter().collect();
            if ran.windows(2).any(|w| w[0] != w[1]) {
                event_differences.push(EventDifference {
                    scenario: name.clone(),
                    reason,
                    messages: per_run
                        .into_iter()
                        .map(|s| s.into_iter().collect())
                        .collect(),
                });
            }
        }
    }
    Comparison {
        columns: runs.iter().map(|r| r.label.clone()).collect(),
        kubelet_backoff: runs.iter().map(|r| r.kubelet_backoff.clone()).collect(),
        rows,
        event_differences,
    }
}

/// Replaces what differs between any two runs of a scenario: the namespace (and so the
/// `pod_namespace(uid)` form) and UIDs.
pub fn normalize_message(message: &str, namespace: &str) -> String {
    let uid = regex::Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
        .expect("valid regex");
    let ip = regex::Regex::new(r"\b10\.(?:96|244)\.\d{1,3}\.\d{1,3}\b").expect("valid regex");
    let m = if namespace.is_empty() {
        message.to_string()
    } else {
        message.replace(namespace, "<namespace>")
    };
    let m = uid.replace_all(&m, "<uid>");
    ip.replace_all(&m, "<ip>").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expect::summarize;
    use crate::timeline::Recording;

    fn report_of(rec: &Recording) -> ScenarioReport {
        let timeline = crate::timeline::Timeline::from_recording(rec);
        let target = crate::scenario::Target {
            pod: "app".into(),
            container: "app".into(),
        };
        ScenarioReport {
            name: rec.scenario.clone(),
            namespace: rec.namespace.clone(),
            verdict: Verdict::Pass,
            error: None,
            checks: Vec::new(),
            observed: summarize(&target, &timeline),
            elapsed_s: 0.0,
            timeline,
        }
    }

    fn recording(name: &str) -> Recording {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("tests/fixtures/recordings/{name}.json"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn messages_lose_run_specific_parts() {
        let ns = "crashlab-exit-1-wzz7z";
        let m = "Back-off restarting failed container app in pod app_crashlab-exit-1-wzz7z(f71ffc56-89b1-47e0-ad4d-c62facd62fb3)";
        assert_eq!(
            normalize_message(m, ns),
            "Back-off restarting failed container app in pod app_<namespace>(<uid>)"
        );
    }

    #[test]
    fn the_same_recording_twice_shows_no_event_difference() {
        let rec = recording("exit-1");
        let run = |label: &str| MatrixRun {
            label: label.into(),
            server_version: rec.server_version.clone(),
            kubelet_backoff: None,
            reports: vec![report_of(&rec)],
        };
        let c = compare(&[run("a"), run("b")]);
        assert_eq!(c.rows.len(), 1);
        assert_eq!(c.rows[0].cells[0], c.rows[0].cells[1]);
        assert_eq!(c.rows[0].cells[0].as_ref().unwrap().exit_code, Some(1));
        assert!(c.event_differences.is_empty(), "{:?}", c.event_differences);
    }

    #[test]
    fn different_runs_show_their_differences() {
        let (a, b) = (recording("exit-1"), recording("oom"));
        let mut rb = report_of(&b);
        rb.name = "exit-1".into();
        let c = compare(&[
            MatrixRun {
                label: "a".into(),
                server_version: a.server_version.clone(),
                kubelet_backoff: None,
                reports: vec![report_of(&a)],
            },
            MatrixRun {
                label: "b".into(),
                server_version: b.server_version.clone(),
                kubelet_backoff: None,
                reports: vec![rb],
            },
        ]);
        assert_eq!(
            c.rows[0].cells[1].as_ref().unwrap().reason.as_deref(),
            Some("OOMKilled")
        );
        // Pod-level events are identical after normalization; only messages that really
        // differ are listed.
        assert!(
            c.event_differences
                .iter()
                .all(|d| d.messages[0] != d.messages[1])
        );
    }
}
