//! Ready for diagnosis, on runs recorded from a real kubelet: when each recorded scenario
//! became ready, against its first `CrashLoopBackOff` and the back-off curve's last delay.

use jiff::Timestamp;

use crate::scenario::{
    BackoffExpectation, Expectations, RestartExpectation, TerminationExpectation,
    WaitingExpectation,
};
use crate::timeline::{Signal, Timeline, TimelineBuilder, recorded};

use super::fixtures::scenario_of;
use super::ready_for_diagnosis::{
    CRASH_LOOP_BACK_OFF, crash_loop_at, diagnosis_expectations, ready_at, ready_for_diagnosis,
};
use super::{Decision, evaluate};

fn secs(from: Timestamp, to: Timestamp) -> f64 {
    to.duration_since(from).as_secs_f64()
}

/// When the target's `n`th measured back-off delay was seen (restart `n`).
fn backoff_seen_at(timeline: &Timeline, container: &str, restart_n: i32) -> Option<Timestamp> {
    timeline.entries.iter().find_map(|e| match &e.signal {
        Signal::BackOff {
            container: c,
            restart,
            ..
        } if c.container == container && *restart == restart_n => Some(e.at),
        _ => None,
    })
}

#[test]
fn the_curve_restarts_and_must_not_checks_are_left_out() {
    let expect = Expectations {
        waiting_reason: Some(WaitingExpectation {
            reason: CRASH_LOOP_BACK_OFF.into(),
            message: None,
        }),
        last_termination: Some(TerminationExpectation {
            exit_code: Some(1),
            reason: None,
        }),
        restarts: Some(RestartExpectation {
            min: Some(2),
            max: Some(9),
        }),
        backoff: Some(serde_yaml::from_str::<BackoffExpectation>("{}").unwrap()),
        ready: Some(true),
        containers: [(
            "sidecar".to_owned(),
            Expectations {
                ready: Some(true),
                restarts: Some(RestartExpectation {
                    min: None,
                    max: Some(0),
                }),
                ..Default::default()
            },
        )]
        .into(),
        ..Default::default()
    };
    let evidence = diagnosis_expectations(&expect);
    assert_eq!(evidence.restarts, None);
    assert_eq!(evidence.backoff, None);
    assert_eq!(
        evidence.ready, None,
        "the recovery after the loop comes after the diagnosis"
    );
    assert_eq!(evidence.waiting_reason, expect.waiting_reason);
    assert_eq!(evidence.last_termination, expect.last_termination);
    assert_eq!(evidence.containers["sidecar"].ready, Some(true));
    assert_eq!(evidence.containers["sidecar"].restarts, None);
}

#[test]
fn ready_false_is_a_must_not_check() {
    let expect = Expectations {
        ready: Some(false),
        ..Default::default()
    };
    assert_eq!(diagnosis_expectations(&expect).ready, None);
}

#[test]
fn a_contract_of_only_must_not_checks_waits_for_the_whole_contract() {
    let expect = Expectations {
        restarts: Some(RestartExpectation {
            min: None,
            max: Some(0),
        }),
        ..Default::default()
    };
    let target = crate::scenario::Target::pod("app", "app");
    assert!(!ready_for_diagnosis(&expect, &target, &Timeline::default()));
}

/// Every recording of a scenario that passed becomes ready, never before its first
/// `CrashLoopBackOff` when it promises one, and for a crash loop long before the curve's last
/// measured delay (which the whole contract waits for), also when it promises its recovery.
#[test]
fn recorded_runs_are_ready_at_the_crash_loop_not_at_the_end_of_the_curve() {
    let mut table = String::new();
    for (file, rec) in recorded() {
        let scenario = scenario_of(&rec);
        let (target, expect) = (&scenario.spec.target, &scenario.spec.expect);
        let mut builder = TimelineBuilder::new();
        for obs in &rec.observations {
            builder.push(obs);
        }
        let timeline = builder.finish();
        let passed =
            evaluate(expect, target, &timeline, super::Watch::Finished).decided == Decision::Met;
        let ready = ready_at(expect, target, &timeline);
        let crash_loop = crash_loop_at(target, &timeline);
        let wants_crash_loop = expect
            .waiting_reason
            .as_ref()
            .is_some_and(|w| w.reason == CRASH_LOOP_BACK_OFF);
        if passed {
            assert!(ready.is_some(), "{file}: passed but never ready");
        }
        if let (true, Some(ready)) = (wants_crash_loop, ready) {
            let crash_loop = crash_loop.expect("ready for a crash loop without one");
            assert!(ready >= crash_loop, "{file}: ready before the crash loop");
            // Long before the curve's end, also when the scenario promises its recovery.
            if let Some(b) = &expect.backoff {
                let last = backoff_seen_at(&timeline, &target.container, b.delays as i32)
                    .unwrap_or_else(|| panic!("{file}: the curve's last delay was not seen"));
                assert!(ready < last, "{file}: ready only at the curve's end");
            }
        }
        let at = |t: Option<Timestamp>| {
            t.map_or("-".to_owned(), |t| {
                format!("{:+.1}s", secs(rec.started_at, t))
            })
        };
        table.push_str(&format!(
            "{file}: crash loop {}, ready {}\n",
            at(crash_loop),
            at(ready)
        ));
    }
    insta::assert_snapshot!("ready_for_diagnosis", table);
}
