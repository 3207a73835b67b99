//! Finished runs on several clusters, compared per scenario: verdict, last exit, reason,
//! measured back-off delays, how soon CrashLoopBackOff showed, and what is not the same
//! everywhere (verdicts, exits and reasons; event messages).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::crash_loop::crash_loop_after_s;
use super::differences::{FacetDifference, facet_differences};
use super::matrix_run::MatrixRun;
use super::row::{Cell, Row};
use crate::timeline::kubelet_backoff::KubeletBackoff;

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
    /// Per column, the kind node image (`None` for other providers).
    #[serde(default)]
    pub node_images: Vec<Option<String>>,
    pub rows: Vec<Row>,
    /// Verdicts, exit codes and reasons that are not the same on every cluster that ran the
    /// scenario.
    #[serde(default)]
    pub differences: Vec<FacetDifference>,
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
                        crash_loop_after_s: crash_loop_after_s(&r.timeline),
                    })
                })
                .collect(),
        })
        .collect::<Vec<Row>>();

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
        // Only the clusters that ran the scenario count: one that did not run it has no
        // messages, which is no difference.
        let ran_on: Vec<bool> = runs.iter().map(|r| find(r, name).is_some()).collect();
        for (reason, per_run) in by_reason {
            let ran: Vec<&BTreeSet<String>> = per_run
                .iter()
                .zip(&ran_on)
                .filter(|(_, ran)| **ran)
                .map(|(m, _)| m)
                .collect();
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
        node_images: runs.iter().map(|r| r.node_image.clone()).collect(),
        differences: facet_differences(&rows),
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
    use crate::matrix::fixtures::local_run;

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
    fn the_same_recording_twice_shows_no_difference() {
        let run = |label: &str| MatrixRun {
            label: label.into(),
            ..local_run(&["exit-1"], false)
        };
        let c = compare(&[run("a"), run("b")]);
        assert_eq!(c.rows.len(), 1);
        assert_eq!(c.rows[0].cells[0], c.rows[0].cells[1]);
        let cell = c.rows[0].cells[0].as_ref().unwrap();
        assert_eq!(cell.exit_code, Some(1));
        assert_eq!(cell.crash_loop_after_s, Some(15.1));
        assert!(c.differences.is_empty(), "{:?}", c.differences);
        assert!(c.event_differences.is_empty(), "{:?}", c.event_differences);
    }

    #[test]
    fn a_scenario_run_on_one_cluster_only_shows_no_difference() {
        let mut b = local_run(&["exit-1@v1.36.3"], false);
        b.reports.clear();
        let c = compare(&[local_run(&["oom"], false), b]);
        assert_eq!(c.rows[0].cells[1], None);
        assert!(c.differences.is_empty(), "{:?}", c.differences);
        assert!(c.event_differences.is_empty(), "{:?}", c.event_differences);
    }

    #[test]
    fn different_runs_show_their_differences() {
        let a = local_run(&["exit-1"], false);
        let mut b = local_run(&["oom"], false);
        b.label = "b".into();
        b.provider = Some("kind".into());
        b.node_image = Some("kindest/node:v1.34.11".into());
        b.reports[0].name = "exit-1".into();
        let c = compare(&[a, b]);
        assert_eq!(c.columns, ["local v1.34.4", "b"]);
        assert_eq!(c.node_images, [None, Some("kindest/node:v1.34.11".into())]);
        assert_eq!(
            c.rows[0].cells[1].as_ref().unwrap().reason.as_deref(),
            Some("OOMKilled")
        );
        let facets: Vec<&str> = c.differences.iter().map(|d| d.facet.as_str()).collect();
        assert_eq!(facets, ["exit code", "reason"]);
        assert_eq!(
            c.differences[1].values,
            [Some("Error".into()), Some("OOMKilled".into())]
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
