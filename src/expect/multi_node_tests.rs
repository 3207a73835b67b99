//! A DaemonSet judged over its pods, one per node, on runs recorded on a three-node kind
//! cluster (`crashlab cluster up --provider kind --nodes 3`: the control plane keeps its
//! NoSchedule taint, so the DaemonSet's two pods run on the two workers).

use std::collections::BTreeSet;

use crate::timeline::{Recording, Signal, Timeline};

use super::fixtures::scenario_of;
use super::{Decision, Outcome, TargetPods, evaluate, summarize};

fn recording(file: &str) -> Recording {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/recordings-multi-node")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

const GO_PANIC: &str = "go-panic@kind-v1.34.4-3-nodes.json";

#[test]
fn each_pod_of_a_daemon_set_shows_the_crash_loop_so_it_passes() {
    let rec = recording(GO_PANIC);
    let scenario = scenario_of(&rec);
    let (target, expect) = (&scenario.spec.target, &scenario.spec.expect);
    let timeline = Timeline::from_recording(&rec);

    // Each pod was bound once, to its own worker.
    let scheduled: Vec<(&str, &str)> = timeline
        .entries
        .iter()
        .filter_map(|e| match &e.signal {
            Signal::Scheduled { pod, node } => Some((pod.as_str(), node.as_str())),
            _ => None,
        })
        .collect();
    let pods = TargetPods::of(target, &timeline);
    assert_eq!(pods.pods.len(), 2, "{pods:?}");
    assert_eq!(scheduled.len(), 2, "{scheduled:?}");
    let summary = summarize(target, &timeline);
    assert_eq!(summary.pods.len(), 2);
    let nodes: BTreeSet<&str> = summary.nodes.values().map(String::as_str).collect();
    assert_eq!(
        nodes,
        BTreeSet::from(["crashlab-worker", "crashlab-worker2"])
    );

    let e = evaluate(expect, target, &timeline, super::Watch::Finished);
    assert_eq!(e.decided, Decision::Met, "{:#?}", e.checks);
    let mut said = String::new();
    for c in &e.checks {
        said += &format!(
            "{:?} {}\n    expected {}\n    observed {}\n",
            c.outcome, c.name, c.expected, c.observed
        );
    }
    insta::assert_snapshot!("daemon_set_over_two_pods", said);
}

/// The same run with everything one pod's container did taken out, as if its node never ran
/// it: the other pod alone shows every signal, and the DaemonSet still does not pass.
#[test]
fn a_daemon_set_fails_when_one_of_its_pods_does_not_show_it() {
    let rec = recording(GO_PANIC);
    let scenario = scenario_of(&rec);
    let (target, expect) = (&scenario.spec.target, &scenario.spec.expect);
    let mut timeline = Timeline::from_recording(&rec);
    let pods = TargetPods::of(target, &timeline);
    let quiet = pods.pods.iter().next().unwrap().clone();
    let busy = pods.pods.iter().nth(1).unwrap().clone();
    timeline.entries.retain(|e| match &e.signal {
        Signal::PodCreated { .. } | Signal::Scheduled { .. } => true,
        other => other.pod() != Some(quiet.as_str()),
    });

    let watching = evaluate(expect, target, &timeline, super::Watch::Open);
    assert_eq!(
        watching.decided,
        Decision::Pending,
        "{:#?}",
        watching.checks
    );
    let finished = evaluate(expect, target, &timeline, super::Watch::Finished);
    assert_eq!(finished.decided, Decision::Contradicted);
    let waiting = finished
        .checks
        .iter()
        .find(|c| c.name == "waiting_reason")
        .unwrap();
    assert_eq!(waiting.outcome, Outcome::Contradicted);
    assert!(
        waiting.observed.starts_with(&format!("pod {quiet}: "))
            && waiting.observed.contains(&format!("; pod {busy}: ")),
        "{}",
        waiting.observed
    );
    // Judged together, as before, the busy pod's signals would have passed for both.
    let busy_only = finished
        .checks
        .iter()
        .filter(|c| c.outcome == Outcome::Contradicted)
        .count();
    assert_eq!(busy_only, finished.checks.len(), "{:#?}", finished.checks);
}

/// The scheduler lists every reason with its node count: on three nodes the tainted control
/// plane comes first, `0/3 nodes are available: 1 node(s) had untolerated taint(s), 2
/// Insufficient cpu.`, which `unschedulable` accepts as it does `0/1 …: 1 Insufficient cpu.`.
#[test]
fn unschedulable_on_three_nodes_names_insufficient_cpu_after_the_taint() {
    let rec = recording("unschedulable@kind-v1.34.4-3-nodes.json");
    let scenario = scenario_of(&rec);
    let (target, expect) = (&scenario.spec.target, &scenario.spec.expect);
    let timeline = Timeline::from_recording(&rec);
    let e = evaluate(expect, target, &timeline, super::Watch::Finished);
    assert_eq!(e.decided, Decision::Met, "{:#?}", e.checks);
    let event = e
        .checks
        .iter()
        .find(|c| c.name == "event FailedScheduling")
        .unwrap();
    assert!(
        event.observed.contains(
            "0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu."
        ),
        "{}",
        event.observed
    );
}
