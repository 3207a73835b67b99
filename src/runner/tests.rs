//! The whole runner (deploy → observe → conclude → clean up) driven over recorded runs,
//! without a cluster: every way a scenario can end still deletes its namespace, and the watch
//! can fail without losing what it saw.

use std::time::Duration;

use crate::scenario::{Catalogue, Scenario};
use crate::timeline::{Recording, Signal, Timeline, recorded};

use super::replay_cluster::{Call, DELETION, ReplayCluster, WatchFault, watched};
use super::replay_run::{Replayed, run_replay};
use super::{RunEvent, RunOptions, Verdict};
use crate::shutdown::Cancel;

fn recording(file: &str) -> Recording {
    recorded()
        .into_iter()
        .find(|(f, _)| f == file)
        .unwrap_or_else(|| panic!("no recording {file}.json"))
        .1
}

fn builtin(name: &str) -> Scenario {
    Catalogue::builtin().get(name).unwrap().scenario.clone()
}

fn options() -> RunOptions {
    RunOptions {
        context: "replay".into(),
        ..Default::default()
    }
}

async fn run(replay: &ReplayCluster, scenario: Scenario) -> Replayed {
    run_replay(replay, &[scenario], options(), &Cancel::new()).await
}

/// The events' names, e.g. `cleaned_up`, without the signals.
fn milestones(events: &[RunEvent]) -> Vec<&'static str> {
    events
        .iter()
        .filter_map(|ev| match ev {
            RunEvent::LeftoversCollected { .. } => Some("leftovers_collected"),
            RunEvent::RunStarted { .. } => Some("run_started"),
            RunEvent::ScenarioStarted { .. } => Some("scenario_started"),
            RunEvent::Signal { .. } | RunEvent::Observed { .. } => None,
            RunEvent::ScenarioFinished { .. } => Some("scenario_finished"),
            RunEvent::CleanedUp { .. } => Some("cleaned_up"),
            RunEvent::RunFinished { .. } => Some("run_finished"),
        })
        .collect()
}

/// Runs exit-1 on `replay`, cancelling at each of `at` (seconds into the run).
async fn run_cancelling(replay: &ReplayCluster, at: &[u64]) -> Replayed {
    let cancel = Cancel::new();
    let scenarios = [builtin("exit-1")];
    let cancels = async {
        let mut now = 0;
        for &t in at {
            tokio::time::sleep(Duration::from_secs(t - now)).await;
            now = t;
            cancel.cancel();
        }
    };
    let (out, ()) = tokio::join!(run_replay(replay, &scenarios, options(), &cancel), cancels);
    out
}

fn run_elapsed(out: &Replayed) -> f64 {
    match out.events.last() {
        Some(RunEvent::RunFinished { elapsed_s }) => *elapsed_s,
        other => panic!("the run did not finish: {other:?}"),
    }
}

fn error(out: &Replayed) -> &str {
    out.report().error.as_deref().unwrap_or_default()
}

/// The namespace was deleted and the runner waited until it was gone before saying so and
/// ending the run.
fn assert_deleted(replay: &ReplayCluster, out: &Replayed) {
    let namespace = out.report().namespace.clone();
    let calls = replay.calls();
    assert_eq!(
        calls[calls.len() - 2..],
        [
            Call::DeleteNamespace {
                namespace: namespace.clone()
            },
            Call::NamespaceGone {
                namespace: namespace.clone()
            },
        ],
        "{calls:#?}"
    );
    assert!(
        matches!(
            &out.events[out.events.len() - 2],
            RunEvent::CleanedUp { namespace: ns, kept: false, .. } if *ns == namespace
        ),
        "{:?}",
        milestones(&out.events)
    );
    assert!(
        // (to the microsecond: both are sums of floating-point seconds)
        run_elapsed(out) >= out.report().elapsed_s + DELETION.as_secs_f64() - 1e-6,
        "the run ended before the namespace was gone: run {} s, scenario {} s",
        run_elapsed(out),
        out.report().elapsed_s
    );
}

#[tokio::test(start_paused = true)]
async fn a_passing_run_deletes_its_namespace_and_waits_until_it_is_gone() {
    let replay = ReplayCluster::new(recording("exit-1"));
    let out = run(&replay, builtin("exit-1")).await;
    assert_eq!(out.report().verdict, Verdict::Pass, "{}", error(&out));
    assert_eq!(out.report().namespace, "crashlab-exit-1-wzz7z");
    let calls = replay.calls();
    assert_eq!(
        calls[..2],
        [
            Call::CreateNamespace {
                namespace: "crashlab-exit-1-wzz7z".into(),
                scenario: "exit-1".into()
            },
            // Watching from before the first apply.
            Call::Watch {
                namespace: "crashlab-exit-1-wzz7z".into()
            },
        ]
    );
    assert!(
        matches!(&calls[2], Call::Apply { manifest, .. } if manifest["metadata"]["name"] == "app"),
        "{calls:#?}"
    );
    assert_eq!(
        milestones(&out.events),
        [
            "run_started",
            "scenario_started",
            "scenario_finished",
            "cleaned_up",
            "run_finished"
        ]
    );
    assert_deleted(&replay, &out);
}

#[tokio::test(start_paused = true)]
async fn a_failing_run_deletes_its_namespace() {
    // The OOM kill contradicts exit-1's `exit code 1 (Error)`.
    let replay = ReplayCluster::new(recording("oom"));
    let out = run(&replay, builtin("exit-1")).await;
    assert_eq!(out.report().verdict, Verdict::Fail, "{}", error(&out));
    assert_deleted(&replay, &out);
}

#[tokio::test(start_paused = true)]
async fn an_observe_timeout_deletes_the_namespace() {
    // The pod appears, then the watch goes quiet for the 4 minutes of the observe window:
    // what was never seen in the whole window fails.
    let replay =
        ReplayCluster::new(recording("exit-1")).with_watch_fault(WatchFault::Stall { after: 3 });
    let out = run(&replay, builtin("exit-1")).await;
    assert_eq!(out.report().verdict, Verdict::Fail, "{}", error(&out));
    assert!(
        out.report()
            .checks
            .iter()
            .any(|c| c.observed.ends_with("never observed in the whole watch")),
        "{:#?}",
        out.report().checks
    );
    assert!(
        out.report().elapsed_s >= 240.0,
        "{}",
        out.report().elapsed_s
    );
    assert_deleted(&replay, &out);
}

#[tokio::test(start_paused = true)]
async fn an_observe_timeout_after_a_lost_watch_is_an_error_and_deletes_the_namespace() {
    // The watch fails and never comes back: what was not seen may have been missed.
    let replay =
        ReplayCluster::new(recording("exit-1")).with_watch_fault(WatchFault::Lost { after: 3 });
    let out = run(&replay, builtin("exit-1")).await;
    assert_eq!(out.report().verdict, Verdict::Error);
    let error = error(&out);
    assert!(
        error.starts_with("observe phase timed out after 4m with expectations undecided; "),
        "{error}"
    );
    assert!(
        error.ends_with(
            "; last watch error: watching pods: error reading the watch stream: connection reset by peer"
        ),
        "{error}"
    );
    assert_deleted(&replay, &out);
}

#[tokio::test(start_paused = true)]
async fn a_deploy_timeout_deletes_the_namespace() {
    let replay =
        ReplayCluster::new(recording("exit-1")).with_watch_fault(WatchFault::Stall { after: 0 });
    let out = run(&replay, builtin("exit-1")).await;
    assert_eq!(out.report().verdict, Verdict::Error);
    assert!(
        error(&out).starts_with(
            "deploy phase timed out after 1m: no pod of the target (pod app) appeared"
        ),
        "{}",
        error(&out)
    );
    assert_deleted(&replay, &out);
}

#[tokio::test(start_paused = true)]
async fn a_deploy_error_deletes_the_namespace() {
    let replay = ReplayCluster::new(recording("exit-1"))
        .failing_apply(r#"admission webhook "deny.example.com" denied the request"#);
    let out = run(&replay, builtin("exit-1")).await;
    assert_eq!(out.report().verdict, Verdict::Error);
    assert!(
        error(&out).starts_with(
            r#"deploy phase failed: could not apply `Pod/app`: admission webhook "deny.example.com" denied the request; "#
        ),
        "{}",
        error(&out)
    );
    assert!(!milestones(&out.events).contains(&"scenario_started"));
    assert_deleted(&replay, &out);
}

#[tokio::test(start_paused = true)]
async fn cancelling_mid_run_deletes_the_namespace() {
    let replay = ReplayCluster::new(recording("exit-1"));
    let out = run_cancelling(&replay, &[10]).await;
    assert_eq!(out.report().verdict, Verdict::Error);
    assert!(
        error(&out).starts_with("cancelled during the observe phase; "),
        "{}",
        error(&out)
    );
    assert_deleted(&replay, &out);
}

#[tokio::test(start_paused = true)]
async fn cancelling_before_the_pod_appears_deletes_the_namespace() {
    let replay =
        ReplayCluster::new(recording("exit-1")).with_watch_fault(WatchFault::Stall { after: 0 });
    let out = run_cancelling(&replay, &[10]).await;
    assert!(
        error(&out).starts_with("cancelled during the deploy phase; "),
        "{}",
        error(&out)
    );
    assert_deleted(&replay, &out);
}

#[tokio::test(start_paused = true)]
async fn kept_namespaces_are_not_deleted() {
    let replay = ReplayCluster::new(recording("exit-1"));
    let options = RunOptions {
        keep_namespaces: true,
        ..options()
    };
    let out = run_replay(&replay, &[builtin("exit-1")], options, &Cancel::new()).await;
    assert_eq!(out.report().verdict, Verdict::Pass);
    assert!(
        !replay
            .calls()
            .iter()
            .any(|c| matches!(c, Call::DeleteNamespace { .. })),
        "{:#?}",
        replay.calls()
    );
    assert!(out.events.iter().any(|ev| matches!(
        ev,
        RunEvent::CleanedUp { kept: true, namespace, .. } if *namespace == out.report().namespace
    )));
}

/// The terminations of a timeline: (pod, restart, exit code).
fn terminations(timeline: &Timeline) -> Vec<(String, i32, i32)> {
    timeline
        .entries
        .iter()
        .filter_map(|e| match &e.signal {
            Signal::Terminated {
                container,
                restart_count,
                exit_code,
                ..
            } => Some((container.pod.clone(), *restart_count, *exit_code)),
            _ => None,
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_watch_error_mid_run_is_recovered_without_losing_a_termination() {
    for file in ["exit-1", "oom", "liveness", "postgres-down", "bad-rollout"] {
        let rec = recording(file);
        let scenario = builtin(&rec.scenario);
        let full = run(&ReplayCluster::new(rec.clone()), scenario.clone()).await;
        let full = full.report();
        // The watch fails just before the pod update that shows the second termination and
        // misses 5 s (the watcher's back-off) before it re-lists: that termination is only
        // in the re-listed pod's `lastState`.
        let second = full
            .timeline
            .entries
            .iter()
            .filter(|e| matches!(e.signal, Signal::Terminated { .. }))
            .nth(1)
            .unwrap_or_else(|| panic!("{file}: fewer than two terminations"))
            .at;
        let after = rec
            .observations
            .iter()
            .filter(|o| watched(&o.what))
            .position(|o| o.received_at == second)
            .unwrap();
        let replay = ReplayCluster::new(rec).with_watch_fault(WatchFault::Reconnect {
            after,
            lost: Duration::from_secs(5),
        });
        let cut = run(&replay, scenario).await;
        let cut = cut.report();
        assert_eq!(cut.verdict, full.verdict, "{file}: {:?}", cut.error);
        assert_eq!(cut.error, full.error, "{file}");
        assert_eq!(
            terminations(&cut.timeline),
            terminations(&full.timeline),
            "{file}"
        );
        assert_eq!(cut.observed.exit_codes, full.observed.exit_codes, "{file}");
        assert_eq!(
            cut.observed.restart_count, full.observed.restart_count,
            "{file}"
        );
        let recovered = cut
            .timeline
            .entries
            .iter()
            .filter(|e| matches!(e.signal, Signal::Terminated { .. }))
            .nth(1)
            .unwrap()
            .at;
        assert!(
            recovered > second,
            "{file}: seen at once, nothing was missed"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_second_cancel_stops_waiting_for_the_deletion() {
    let replay = ReplayCluster::new(recording("exit-1")).stuck_namespace();
    let out = run_cancelling(&replay, &[10, 20]).await;
    assert!(error(&out).starts_with("cancelled during the observe phase; "));
    let calls = replay.calls();
    assert!(calls.contains(&Call::DeleteNamespace {
        namespace: out.report().namespace.clone()
    }));
    assert!(
        !calls
            .iter()
            .any(|c| matches!(c, Call::NamespaceGone { .. })),
        "{calls:#?}"
    );
    // Not reported as cleaned up, and over long before the cleanup timeout (2 minutes).
    assert!(!milestones(&out.events).contains(&"cleaned_up"));
    let elapsed = run_elapsed(&out);
    assert!((20.0..21.0).contains(&elapsed), "{elapsed}");
}

#[tokio::test(start_paused = true)]
async fn a_namespace_that_never_goes_is_given_up_after_the_cleanup_timeout() {
    let replay = ReplayCluster::new(recording("exit-1")).stuck_namespace();
    let out = run(&replay, builtin("exit-1")).await;
    assert_eq!(out.report().verdict, Verdict::Pass);
    assert!(!milestones(&out.events).contains(&"cleaned_up"));
    let waited = run_elapsed(&out) - out.report().elapsed_s;
    assert!((120.0..121.0).contains(&waited), "{waited}");
}

#[tokio::test(start_paused = true)]
async fn a_delete_request_without_answer_is_given_up() {
    let replay = ReplayCluster::new(recording("exit-1")).hanging_delete();
    let out = run(&replay, builtin("exit-1")).await;
    assert_eq!(out.report().verdict, Verdict::Pass);
    assert!(!milestones(&out.events).contains(&"cleaned_up"));
    let waited = run_elapsed(&out) - out.report().elapsed_s;
    assert!((30.0..31.0).contains(&waited), "{waited}");
}

/// Ctrl-C during the run, and again while the delete request hangs: the second gives up on
/// the request at once instead of waiting out its 30 s.
#[tokio::test(start_paused = true)]
async fn a_second_ctrl_c_gives_up_on_a_hanging_delete_request() {
    let replay = ReplayCluster::new(recording("exit-1")).hanging_delete();
    let out = run_cancelling(&replay, &[5, 7]).await;
    assert!(error(&out).starts_with("cancelled"), "{}", error(&out));
    assert!(!milestones(&out.events).contains(&"cleaned_up"));
    let elapsed = run_elapsed(&out);
    assert!((7.0..8.0).contains(&elapsed), "{elapsed}");
    // The request was made: the namespace is not left without asking.
    assert!(
        replay
            .calls()
            .iter()
            .any(|c| matches!(c, Call::DeleteNamespace { .. })),
        "{:?}",
        replay.calls()
    );
}

/// The replay is faithful: each built-in scenario run over its own recording sees what the
/// real run saw, in the same order and at the same times (give or take the replay's
/// millisecond), until its verdict is decided.
#[tokio::test(start_paused = true)]
async fn replaying_a_recording_reproduces_its_timeline() {
    for (file, rec) in recorded() {
        let out = run(&ReplayCluster::new(rec.clone()), builtin(&rec.scenario)).await;
        let report = out.report();
        let recorded = Timeline::from_recording(&rec);
        let signals = |t: &Timeline| {
            t.entries
                .iter()
                .map(|e| e.signal.clone())
                .collect::<Vec<_>>()
        };
        let (got, was) = (signals(&report.timeline), signals(&recorded));
        assert_eq!(got, was[..got.len().min(was.len())], "{file}");
        // The runner stops watching once the verdict is decided; the runner that made the two
        // 1.35 recordings watched on.
        assert!(
            got.len() == was.len() || report.error.is_none(),
            "{file}: stopped undecided after {} of {} entries",
            got.len(),
            was.len()
        );
        for (got, was) in report.timeline.entries.iter().zip(&recorded.entries) {
            let off = got.at.duration_since(was.at).abs();
            assert!(
                off < jiff::SignedDuration::from_secs(1),
                "{file}: {:?} at {} instead of {}",
                got.signal,
                got.at,
                was.at
            );
        }
        assert_eq!(report.verdict, Verdict::Pass, "{file}: {:?}", report.error);
        assert_eq!(report.namespace, rec.namespace, "{file}");
        assert_eq!(
            out.runs[0].recording.as_ref().map(|r| r.started_at),
            Some(rec.started_at),
            "{file}"
        );
    }
}

/// A slot is for watching: with one slot, the second scenario starts while the first one's
/// namespace is still being deleted (the replay's deletion takes [`DELETION`]), and the run
/// still ends only after its clean-ups.
#[tokio::test(start_paused = true)]
async fn the_next_scenario_starts_while_the_last_namespace_is_deleted() {
    let replay = ReplayCluster::new(recording("exit-1"));
    let options = RunOptions {
        parallelism: super::Parallelism::Fixed(1),
        ..options()
    };
    let out = run_replay(
        &replay,
        &[builtin("exit-1"), builtin("exit-1")],
        options,
        &Cancel::new(),
    )
    .await;
    let calls = replay.calls();
    let at = |want: fn(&Call) -> bool| -> Vec<usize> {
        calls
            .iter()
            .enumerate()
            .filter(|(_, c)| want(c))
            .map(|(i, _)| i)
            .collect()
    };
    let created = at(|c| matches!(c, Call::CreateNamespace { .. }));
    let deleted = at(|c| matches!(c, Call::DeleteNamespace { .. }));
    // Both runs replay one recording, so they share its namespace's name: the first one's
    // deletion takes it out of the replay's set, and the second finds nothing left to wait for.
    let gone = at(|c| matches!(c, Call::NamespaceGone { .. }));
    assert_eq!((created.len(), deleted.len()), (2, 2), "{calls:#?}");
    assert!(!gone.is_empty(), "{calls:#?}");
    assert!(
        created[1] < gone[0],
        "the second scenario waited for the first one's namespace to be gone: {calls:#?}"
    );
    assert_eq!(
        milestones(&out.events).last(),
        Some(&"run_finished"),
        "{:?}",
        milestones(&out.events)
    );
}

/// Where the recorded `sidecar-crash` run completed its back-off curve: the index of that
/// observation among the watched ones, and seconds from the target's first appearance.
fn sidecar_curve_completed() -> (Recording, usize, f64) {
    let rec = recording("sidecar-crash");
    let scenario = crate::expect::fixtures::scenario_of(&rec);
    let (target, expect) = (&scenario.spec.target, &scenario.spec.expect);
    let mut builder = crate::timeline::TimelineBuilder::new();
    let mut first_seen = None;
    let mut watched_before = 0;
    for obs in &rec.observations {
        if first_seen.is_none() && matches!(obs.what, crate::timeline::Observed::Pod { .. }) {
            first_seen = Some(obs.received_at);
        }
        builder.push(obs);
        let e = crate::expect::evaluate(
            expect,
            target,
            builder.timeline(),
            crate::expect::Watch::Open,
        );
        let curve = e.checks.iter().find(|c| c.name == "backoff").unwrap();
        if curve.outcome == crate::expect::Outcome::Met {
            let secs = obs
                .received_at
                .duration_since(first_seen.unwrap())
                .as_secs_f64();
            return (rec.clone(), watched_before, secs);
        }
        watched_before += usize::from(watched(&obs.what));
    }
    panic!("the recorded sidecar-crash curve was never met");
}

/// `sidecar-crash` with a must-not window that ends `before` seconds ahead of the moment the
/// recorded run completed its curve, as on a loaded node whose kubelet restarted late but
/// within the curve's bounds.
fn sidecar_with_short_window(completed_s: f64, before: f64) -> (Scenario, Duration) {
    let mut scenario = builtin("sidecar-crash");
    let window = Duration::from_secs_f64((completed_s - before).floor());
    scenario.spec.timeouts.must_not_window = Some(crate::scenario::MustNotWindow {
        backoff_periods: 0,
        at_least: window,
        from: crate::scenario::WindowStart::TargetSeen,
        fitted: None,
    });
    (scenario, window)
}

#[tokio::test(start_paused = true)]
async fn a_window_does_not_cut_short_a_curve_within_its_bounds() {
    let (rec, _, completed_s) = sidecar_curve_completed();
    let (scenario, window) = sidecar_with_short_window(completed_s, 5.0);
    let replay = ReplayCluster::new(rec);
    let out = run(&replay, scenario).await;
    let report = out.report();
    assert_eq!(report.verdict, Verdict::Pass, "{:#?}", report.checks);
    // It watched past the window, until the curve was complete, and not much longer.
    let app_max = report
        .checks
        .iter()
        .find(|c| c.name == "app: restarts.max")
        .unwrap();
    assert_eq!(app_max.observed, "0 restarts in the whole watch");
    assert!(
        report.elapsed_s > window.as_secs_f64() + 4.0,
        "{} s, window {window:?}",
        report.elapsed_s
    );
    assert!(
        report.elapsed_s < completed_s + 30.0,
        "{} s, curve completed {completed_s} s after the pod appeared",
        report.elapsed_s
    );
    assert_deleted(&replay, &out);
}

#[tokio::test(start_paused = true)]
async fn a_curve_that_never_completes_fails_once_its_bounds_have_run_out() {
    let (rec, completing, completed_s) = sidecar_curve_completed();
    let (scenario, window) = sidecar_with_short_window(completed_s, 5.0);
    let allowance = crate::expect::backoff::allowance(
        crate::scenario::Catalogue::builtin()
            .get("sidecar-crash")
            .unwrap()
            .scenario
            .spec
            .expect
            .backoff
            .as_ref()
            .unwrap(),
    );
    assert_eq!(allowance, Duration::from_secs(81), "12 + 27 + 42 s");
    // The watch goes quiet just before the restart that would have completed the curve.
    let replay = ReplayCluster::new(rec).with_watch_fault(WatchFault::Stall { after: completing });
    let out = run(&replay, scenario).await;
    let report = out.report();
    assert_eq!(report.verdict, Verdict::Fail, "{:#?}", report.checks);
    let curve = report.checks.iter().find(|c| c.name == "backoff").unwrap();
    assert!(
        curve
            .observed
            .ends_with("2 of 3 delays measured; never observed in the whole watch"),
        "{}",
        curve.observed
    );
    let waited = window + allowance;
    assert!(
        report.elapsed_s >= waited.as_secs_f64() && report.elapsed_s < waited.as_secs_f64() + 15.0,
        "{} s, window {window:?} + allowance {allowance:?}",
        report.elapsed_s
    );
    assert_deleted(&replay, &out);
}

/// The recorded `job-never-restart` run (v1.34.4, default kubelet) and how many watched
/// observations came before the Job controller's `BackoffLimitExceeded`, 33 s in.
fn job_before_backoff_limit() -> (Recording, usize) {
    let rec = recording("job-never-restart");
    let before = rec
        .observations
        .iter()
        .take_while(|o| {
            !matches!(&o.what, crate::timeline::Observed::Event { object }
                if object.reason.as_deref() == Some("BackoffLimitExceeded"))
        })
        .filter(|o| watched(&o.what))
        .count();
    (rec, before)
}

#[tokio::test(start_paused = true)]
async fn a_window_counted_from_the_promised_signals_starts_when_they_have_come() {
    let (rec, _) = job_before_backoff_limit();
    let replay = ReplayCluster::new(rec);
    let out = run(&replay, builtin("job-never-restart")).await;
    let report = out.report();
    assert_eq!(report.verdict, Verdict::Pass, "{:#?}", report.checks);
    let max = report
        .checks
        .iter()
        .find(|c| c.name == "restarts.max")
        .unwrap();
    assert_eq!(max.observed, "0 restarts in the whole watch");
    // BackoffLimitExceeded came 32.8 s after the first apply; then 3 periods of the
    // recorded kubelet's 10 s: not the 75 s the signals have to come, nor 75 + 30 s.
    assert!(
        report.elapsed_s > 62.0 && report.elapsed_s < 66.0,
        "{} s",
        report.elapsed_s
    );
    assert_deleted(&replay, &out);
}

#[tokio::test(start_paused = true)]
async fn promised_signals_that_never_come_fail_when_their_time_is_up() {
    let (rec, before) = job_before_backoff_limit();
    // The watch goes quiet just before `BackoffLimitExceeded`.
    let replay = ReplayCluster::new(rec).with_watch_fault(WatchFault::Stall { after: before });
    let out = run(&replay, builtin("job-never-restart")).await;
    let report = out.report();
    assert_eq!(report.verdict, Verdict::Fail, "{:#?}", report.checks);
    let event = report
        .checks
        .iter()
        .find(|c| c.name.starts_with("event BackoffLimitExceeded"))
        .unwrap_or_else(|| panic!("{:#?}", report.checks));
    assert_eq!(event.outcome, crate::expect::Outcome::Contradicted);
    // 75 s for the signals to come; the window never started.
    assert!(
        report.elapsed_s >= 75.0 && report.elapsed_s < 80.0,
        "{} s",
        report.elapsed_s
    );
    assert_deleted(&replay, &out);
}
