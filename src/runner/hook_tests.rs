//! The ready-for-diagnosis hook, driven over recorded runs: it fires at the crash loop while
//! the watch goes on judging the rest of the contract, cleanup waits for it, and a contract
//! broken after it fired is the report's verdict.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;

use crate::scenario::{BackoffExpectation, Catalogue, Scenario};
use crate::timeline::recorded;

use super::replay_cluster::{Call, ReplayCluster};
use super::replay_run::{Replayed, run_replay};
use super::{OnReproduced, Reproduced, RunEvent, RunOptions, Verdict};
use crate::shutdown::Cancel;

fn replay(file: &str) -> ReplayCluster {
    let rec = recorded()
        .into_iter()
        .find(|(f, _)| f == file)
        .unwrap_or_else(|| panic!("no recording {file}.json"))
        .1;
    ReplayCluster::new(rec)
}

fn builtin(name: &str) -> Scenario {
    Catalogue::builtin().get(name).unwrap().scenario.clone()
}

/// Every call of the hook: what it was told, and when (replay clock) it began and ended.
type Calls = Arc<Mutex<Vec<(Reproduced, Timestamp, Timestamp)>>>;

/// A hook that takes `busy` (like a diagnostic tool), remembering each call.
async fn run_hooked(
    replay: &ReplayCluster,
    scenario: Scenario,
    busy: Duration,
) -> (Replayed, Calls) {
    let calls: Calls = Arc::default();
    let (clock, seen) = (replay.clock(), calls.clone());
    let hook = OnReproduced(Arc::new(move |live: Reproduced| {
        let seen = seen.clone();
        Box::pin(async move {
            let began = clock.now();
            tokio::time::sleep(busy).await;
            seen.lock().unwrap().push((live, began, clock.now()));
        })
    }));
    let options = RunOptions {
        context: "replay".into(),
        on_reproduced: Some(hook),
        ..Default::default()
    };
    let out = run_replay(replay, &[scenario], options, &Cancel::new()).await;
    (out, calls)
}

/// When the scenario's verdict was reached (replay clock).
fn ended_at(out: &Replayed) -> Timestamp {
    let started = out.runs[0].recording.as_ref().unwrap().started_at;
    started
        .checked_add(Duration::from_secs_f64(out.report().elapsed_s))
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn the_hook_fires_at_the_crash_loop_while_the_curve_is_still_judged() {
    let replay = replay("exit-1");
    let (out, calls) = run_hooked(&replay, builtin("exit-1"), Duration::from_secs(1)).await;
    let report = out.report();
    assert_eq!(report.verdict, Verdict::Pass, "{:?}", report.error);
    let calls = calls.lock().unwrap();
    assert_eq!(calls.len(), 1, "once per scenario");
    let (live, began, _) = &calls[0];
    assert_eq!(live.pod, "app");
    assert_eq!(live.namespace, report.namespace);

    let ready = report.ready_after_s.expect("ready_after_s");
    let crash_loop = report.crashloop_after_s.expect("crashloop_after_s");
    assert!(
        ready >= crash_loop,
        "ready {ready} before the crash loop {crash_loop}"
    );
    assert!(
        ready - crash_loop < 1.0,
        "ready {ready}, crash loop {crash_loop}"
    );
    // The curve's last delays (10 s, 20 s) were still being measured when the hook ran.
    let end = ended_at(&out);
    let before_end = end.duration_since(*began).as_secs_f64();
    assert!(
        before_end > 15.0,
        "the hook began only {before_end:.1}s before the verdict"
    );
}

#[tokio::test(start_paused = true)]
async fn cleanup_waits_for_a_hook_that_outlasts_the_watch() {
    let replay = replay("exit-1");
    let (out, calls) = run_hooked(&replay, builtin("exit-1"), Duration::from_secs(600)).await;
    assert_eq!(out.report().verdict, Verdict::Pass);
    let (_, _, hook_ended) = calls.lock().unwrap()[0].clone();
    assert!(hook_ended > ended_at(&out), "the hook outlasted the watch");
    // The namespace was deleted, and the run ended, only after the hook's 600 s.
    assert!(
        replay
            .calls()
            .iter()
            .any(|c| matches!(c, Call::DeleteNamespace { .. }))
    );
    let run_s = match out.events.last() {
        Some(RunEvent::RunFinished { elapsed_s }) => *elapsed_s,
        other => panic!("the run did not finish: {other:?}"),
    };
    assert!(
        run_s >= 600.0,
        "the run ended after {run_s}s, before the hook"
    );
}

#[tokio::test(start_paused = true)]
async fn a_contract_broken_after_the_hook_fired_fails_the_scenario() {
    // Expecting a flat 30 s curve: the evidence holds at the crash loop, then the kubelet's
    // 10 s delay, too early for it, contradicts the curve.
    let mut scenario = builtin("exit-1");
    scenario.spec.expect.backoff = Some(BackoffExpectation {
        initial_seconds: Some(30),
        max_seconds: Some(30),
        delays: 3,
        slack_seconds: 0,
        requeue_floor_seconds: None,
    });
    let replay = replay("exit-1");
    let (out, calls) = run_hooked(&replay, scenario, Duration::from_secs(1)).await;
    assert_eq!(out.report().verdict, Verdict::Fail);
    assert_eq!(calls.lock().unwrap().len(), 1, "the hook had fired");
    assert!(out.report().ready_after_s.is_some());
}

#[tokio::test(start_paused = true)]
async fn a_contract_contradicted_before_the_evidence_never_fires_the_hook() {
    // The OOM kill (137) contradicts exit-1's `exit code 1 (Error)` at the first exit.
    let replay = replay("oom");
    let (out, calls) = run_hooked(&replay, builtin("exit-1"), Duration::from_secs(1)).await;
    assert_eq!(out.report().verdict, Verdict::Fail);
    assert!(calls.lock().unwrap().is_empty());
    assert_eq!(out.report().ready_after_s, None);
    // Nor does it hold the watch open for a moment that will not come: the run ends at the
    // contradiction, not at the end of exit-1's 4 minute window.
    let first_exit = out
        .report()
        .timeline
        .entries
        .iter()
        .find(|e| matches!(e.signal, crate::timeline::Signal::Terminated { .. }))
        .map(|e| e.at)
        .expect("the recorded OOM kill");
    let after = ended_at(&out).duration_since(first_exit).as_secs_f64();
    assert!(
        after < 5.0,
        "the watch ended {after:.1} s after the first exit"
    );
}
