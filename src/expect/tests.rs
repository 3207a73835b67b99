//! Evaluation on runs recorded from a real kubelet, and the stopping rules on an empty
//! timeline (which needs no invented cluster data).

use crate::scenario::{
    EventExpectation, Expectations, RestartExpectation, Target, WaitingExpectation,
};
use crate::timeline::{Signal, Timeline, TimelineBuilder, recorded};

use super::fixtures::scenario_of;
use super::{CheckResult, Decision, Outcome, evaluate, summarize};

fn target() -> Target {
    Target::pod("app", "app")
}

fn backoff_event() -> EventExpectation {
    EventExpectation {
        reason: "BackOff".into(),
        message: None,
        kubernetes: None,
    }
}

fn outcomes(checks: &[CheckResult]) -> Vec<(&str, Outcome)> {
    checks
        .iter()
        .map(|c| (c.name.as_str(), c.outcome))
        .collect()
}

#[test]
fn absence_is_pending_while_watching_and_met_when_finished() {
    let expect = Expectations {
        absent_events: vec![backoff_event()],
        restarts: Some(RestartExpectation {
            min: None,
            max: Some(0),
        }),
        ..Default::default()
    };
    let empty = Timeline::default();
    let watching = evaluate(&expect, &target(), &empty, super::Watch::Open);
    assert_eq!(watching.decided, Decision::Pending);
    assert_eq!(
        outcomes(&watching.checks),
        [
            ("restarts.max", Outcome::Pending),
            ("no event BackOff", Outcome::Pending)
        ]
    );
    assert!(watching.checks.iter().all(|c| !c.passed));

    let done = evaluate(&expect, &target(), &empty, super::Watch::Finished);
    assert_eq!(done.decided, Decision::Met);
    assert!(done.checks.iter().all(|c| c.passed));
    assert_eq!(done.checks[0].expected, "no restart");
    assert_eq!(done.checks[0].observed, "0 restarts in the whole watch");
    assert_eq!(done.checks[1].expected, "no BackOff event");
}

#[test]
fn evidence_never_seen_in_the_whole_watch_fails() {
    let expect = Expectations {
        waiting_reason: Some(WaitingExpectation {
            reason: "CrashLoopBackOff".into(),
            message: None,
        }),
        restarts: Some(RestartExpectation {
            min: Some(2),
            max: None,
        }),
        absent_events: vec![backoff_event()],
        ..Default::default()
    };
    let done = evaluate(
        &expect,
        &target(),
        &Timeline::default(),
        super::Watch::Finished,
    );
    assert_eq!(
        outcomes(&done.checks),
        [
            ("waiting_reason", Outcome::Contradicted),
            ("restarts.min", Outcome::Contradicted),
            ("no event BackOff", Outcome::Met),
        ]
    );
    // A healthy cluster that never shows the promised signal fails the scenario (exit 1);
    // only a run that could not watch to the end is an error.
    assert_eq!(done.decided, Decision::Contradicted);
    assert_eq!(done.verdict(), crate::expect::Verdict::Fail);
    assert!(done.pending().is_empty());
    assert_eq!(
        done.checks[0].observed,
        "never waiting; never observed in the whole watch"
    );
    assert_eq!(done.checks[1].expected, "at least 2 restarts");
    assert_eq!(
        done.checks[1].observed,
        "0 restarts; never observed in the whole watch"
    );
}

#[test]
fn an_invalid_pattern_fails_at_once_and_names_itself() {
    let bad = "out of (memory";
    let expect = Expectations {
        waiting_reason: Some(WaitingExpectation {
            reason: "CrashLoopBackOff".into(),
            message: Some(bad.into()),
        }),
        events: vec![EventExpectation {
            reason: "BackOff".into(),
            message: Some(bad.into()),
            kubernetes: None,
        }],
        absent_events: vec![EventExpectation {
            reason: "Killing".into(),
            message: Some(bad.into()),
            kubernetes: None,
        }],
        previous_logs: vec![bad.into()],
        ..Default::default()
    };
    let e = evaluate(&expect, &target(), &Timeline::default(), super::Watch::Open);
    assert_eq!(e.decided, Decision::Contradicted);
    for c in &e.checks {
        assert_eq!(c.outcome, Outcome::Contradicted, "{}", c.name);
        assert!(
            c.observed.starts_with("invalid pattern /out of (memory/: "),
            "{}",
            c.observed
        );
    }
}

/// Each recorded run, evaluated as the runner does it: after every observation until the
/// decision is final, then once more as finished.
#[test]
fn recorded_runs_are_decided() {
    for (file, rec) in recorded() {
        let scenario = scenario_of(&rec);
        let (target, expect) = (&scenario.spec.target, &scenario.spec.expect);
        let mut builder = TimelineBuilder::new();
        let mut decided_at = None;
        for (i, obs) in rec.observations.iter().enumerate() {
            builder.push(obs);
            let e = evaluate(expect, target, builder.timeline(), super::Watch::Open);
            // The decision follows from the outcomes.
            let any_contradicted = e.checks.iter().any(|c| c.outcome == Outcome::Contradicted);
            let all_met = e.checks.iter().all(|c| c.outcome == Outcome::Met);
            assert_eq!(
                e.decided == Decision::Contradicted,
                any_contradicted,
                "{file} #{i}"
            );
            assert_eq!(
                e.decided == Decision::Met,
                all_met && !any_contradicted,
                "{file} #{i}"
            );
            for c in &e.checks {
                assert_eq!(
                    c.passed,
                    c.outcome == Outcome::Met,
                    "{file} #{i} {}",
                    c.name
                );
            }
            if decided_at.is_none() && e.decided.is_final() {
                let secs = obs.received_at.duration_since(rec.started_at).as_secs_f64();
                decided_at = Some((i, secs, e));
            }
        }
        let timeline = builder.finish();
        let finished = evaluate(expect, target, &timeline, super::Watch::Finished);
        let summary = summarize(target, &timeline);

        // The summary agrees with the timeline it came from.
        let pods = crate::expect::TargetPods::of(target, &timeline);
        let target_backoffs = timeline
            .entries
            .iter()
            .filter(|e| matches!(&e.signal, Signal::BackOff { container, .. } if pods.contains(&container.pod) && container.container == target.container))
            .count();
        assert_eq!(summary.backoff_delays_s.len(), target_backoffs, "{file}");
        assert!(summary.restart_count as usize >= target_backoffs, "{file}");

        let mut out = String::new();
        match &decided_at {
            Some((i, secs, e)) => {
                out.push_str(&format!(
                    "decided {:?} at observation {i} of {} (+{secs:.1}s)\n",
                    e.decided,
                    rec.observations.len()
                ));
                for c in &e.checks {
                    out.push_str(&format!(
                        "  {:?} {}\n    expected {}\n    observed {}\n",
                        c.outcome, c.name, c.expected, c.observed
                    ));
                }
            }
            None => out.push_str(&format!(
                "undecided after {} observations\n",
                rec.observations.len()
            )),
        }
        out.push_str(&format!("finished: {:?}\n", finished.decided));
        for c in &finished.checks {
            out.push_str(&format!(
                "  {:?} {}\n    observed {}\n",
                c.outcome, c.name, c.observed
            ));
        }
        out.push_str(&format!(
            "summary: {}\n",
            serde_json::to_string_pretty(&summary).unwrap()
        ));
        insta::assert_snapshot!(format!("evaluation__{file}"), out);
    }
}

/// A window chosen for absence must not cut short a back-off curve still inside its own
/// bounds: on the recorded `sidecar-crash` and `port-conflict` runs (a curve of three delays
/// and a must-not check on the other container), cut just before the observation that
/// completed the curve, as a window that ended there would see them.
#[test]
fn past_the_window_a_pending_curve_is_awaited_and_absence_has_held() {
    for name in ["sidecar-crash", "port-conflict"] {
        let (_, rec) = recorded()
            .into_iter()
            .find(|(_, r)| r.scenario == name)
            .unwrap_or_else(|| panic!("no recording of {name}"));
        let scenario = scenario_of(&rec);
        let (target, expect) = (&scenario.spec.target, &scenario.spec.expect);
        let curve = |e: &super::Evaluation| {
            e.checks
                .iter()
                .find(|c| c.name == "backoff")
                .map(|c| c.outcome)
        };
        let mut builder = TimelineBuilder::new();
        let mut before_curve = None;
        for obs in &rec.observations {
            let cut = builder.timeline().clone();
            builder.push(obs);
            let e = evaluate(expect, target, builder.timeline(), super::Watch::Open);
            if curve(&e) == Some(Outcome::Met) {
                before_curve = Some(cut);
                break;
            }
        }
        let cut =
            before_curve.unwrap_or_else(|| panic!("{name}: the recorded curve was never met"));

        // Cut there, the window's end leaves the curve pending and the watch open...
        let past = evaluate(expect, target, &cut, super::Watch::PastWindow);
        assert_eq!(curve(&past), Some(Outcome::Pending), "{name}");
        assert!(past.curve_pending, "{name}");
        assert_eq!(past.decided, Decision::Pending, "{name}");
        // ... with the other container's must-not checks met on the whole window.
        let app_max = past
            .checks
            .iter()
            .find(|c| c.name == "app: restarts.max")
            .unwrap_or_else(|| panic!("{name}: no app: restarts.max"));
        assert_eq!(app_max.outcome, Outcome::Met, "{name}");
        assert_eq!(app_max.observed, "0 restarts in the whole watch", "{name}");
        // Finished there instead (what a window of that length used to decide), it fails.
        let finished = evaluate(expect, target, &cut, super::Watch::Finished);
        assert_eq!(curve(&finished), Some(Outcome::Contradicted), "{name}");
        assert_eq!(finished.decided, Decision::Contradicted, "{name}");

        // The whole recording, past the window: the curve completed within its bounds.
        let whole = Timeline::from_recording(&rec);
        let e = evaluate(expect, target, &whole, super::Watch::PastWindow);
        assert_eq!(e.decided, Decision::Met, "{name}: {:#?}", e.checks);
    }
}

/// Past the window, promised evidence still counts while the watch goes on for a curve under
/// way (its container has exited); when the watch finishes it fails as ever. A loop that
/// never began, or no curve at all, keeps nothing open (`curve_pending` is what the runner
/// asks). On the recorded `exit-1` run, cut at its first exit.
#[test]
fn past_the_window_evidence_waits_with_a_curve_under_way_and_fails_when_finished() {
    let (_, rec) = recorded()
        .into_iter()
        .find(|(_, r)| r.scenario == "exit-1")
        .expect("a recording of exit-1");
    let scenario = scenario_of(&rec);
    let (target, expect) = (&scenario.spec.target, &scenario.spec.expect);
    let mut builder = TimelineBuilder::new();
    let first_exit = rec
        .observations
        .iter()
        .find_map(|obs| {
            builder.push(obs);
            builder
                .timeline()
                .entries
                .iter()
                .any(|e| matches!(e.signal, Signal::Terminated { .. }))
                .then(|| builder.timeline().clone())
        })
        .expect("the recorded first exit");
    let past = evaluate(expect, target, &first_exit, super::Watch::PastWindow);
    let pending: Vec<&str> = past
        .checks
        .iter()
        .filter(|c| c.outcome == Outcome::Pending)
        .map(|c| c.name.as_str())
        .collect();
    assert!(pending.contains(&"backoff"), "{pending:?}");
    assert!(pending.contains(&"waiting_reason"), "{pending:?}");
    assert_eq!(past.decided, Decision::Pending);
    assert!(past.curve_pending);
    let done = evaluate(expect, target, &first_exit, super::Watch::Finished);
    assert_eq!(done.decided, Decision::Contradicted);
    assert!(!done.curve_pending);

    // Never began: nothing late to wait for.
    let empty = evaluate(
        expect,
        target,
        &Timeline::default(),
        super::Watch::PastWindow,
    );
    assert_eq!(empty.decided, Decision::Pending);
    assert!(!empty.curve_pending);
    // No curve at all.
    let mut no_curve = expect.clone();
    no_curve.backoff = None;
    let e = evaluate(&no_curve, target, &first_exit, super::Watch::PastWindow);
    assert!(!e.curve_pending);
}

/// On the recorded `job-never-restart` run, only absence is left from the observation that
/// brought the Job controller's `BackoffLimitExceeded` on, and not one observation before:
/// the moment its must-not window starts (`from: promisedSignals`).
#[test]
fn only_absence_is_left_once_the_last_promised_signal_has_come() {
    let (_, rec) = recorded()
        .into_iter()
        .find(|(f, _)| f == "job-never-restart")
        .expect("the recorded job-never-restart run");
    let scenario = scenario_of(&rec);
    let (target, expect) = (&scenario.spec.target, &scenario.spec.expect);
    let mut builder = TimelineBuilder::new();
    let mut first = None;
    let mut limit_at = None;
    for (i, obs) in rec.observations.iter().enumerate() {
        builder.push(obs);
        if limit_at.is_none()
            && matches!(&obs.what, crate::timeline::Observed::Event { object }
                if object.reason.as_deref() == Some("BackoffLimitExceeded"))
        {
            limit_at = Some(i);
        }
        let left = super::only_absence_left(expect, target, builder.timeline());
        if left && first.is_none() {
            first = Some(i);
        }
        // Never decided while watching: absence is still to prove.
        assert_eq!(
            evaluate(expect, target, builder.timeline(), super::Watch::Open).decided,
            Decision::Pending,
            "#{i}"
        );
    }
    assert!(limit_at.is_some(), "the recording has BackoffLimitExceeded");
    assert_eq!(first, limit_at);
}
