//! Every reporter, pinned by snapshots of the events of runs recorded on a real kubelet.

use jiff::tz::TimeZone;

use crate::expect::fixtures::scenario_of;
use crate::expect::{Decision, evaluate, summarize};
use crate::runner::kubelet_backoff::KubeletBackoff;
use crate::runner::{RunEvent, ScenarioReport, Verdict};
use crate::scenario::{Expectations, RestartExpectation, Scenario};
use crate::timeline::{Recording, TimelineBuilder, recorded};

use super::{HumanReporter, JsonReporter, JunitReporter, Reporter};

/// The events a runner would have emitted for this recording: signals as they were built,
/// the evaluation stopped at the first final decision (or judged finished at the end).
/// Times come from the recording, so the output is fixed.
pub(crate) fn run_events(rec: &Recording) -> Vec<RunEvent> {
    run_events_as(rec, &scenario_of(rec), &rec.scenario, true)
}

/// As [`run_events`], checking the recording against `scenario`'s expectations and naming
/// the scenario `name`. `to_the_end`: the watch lasted the observe window (else it was cut
/// short, as when the cluster stops answering, and what is undecided is an error).
fn run_events_as(
    rec: &Recording,
    scenario: &Scenario,
    name: &str,
    to_the_end: bool,
) -> Vec<RunEvent> {
    let target = scenario.spec.target.clone();
    let expect = &scenario.spec.expect;
    let mut events = vec![
        RunEvent::RunStarted {
            count: 1,
            context: "local".into(),
            server_version: rec.server_version.clone(),
            // Read from kubelet v1.34.4's /configz and /metrics on the local provider.
            kubelet_backoff: Some(KubeletBackoff {
                initial_s: 10,
                max_s: 300,
                because: "ReduceDefaultCrashLoopBackOffDecay off, KubeletCrashLoopBackOffMax off"
                    .into(),
            }),
        },
        RunEvent::ScenarioStarted {
            scenario: name.to_owned(),
            namespace: rec.namespace.clone(),
            target: target.clone(),
        },
    ];
    let mut builder = TimelineBuilder::new();
    let mut decision = None;
    let mut decided_at = None;
    for obs in &rec.observations {
        for entry in builder.push(obs) {
            events.push(RunEvent::Signal {
                scenario: name.to_owned(),
                entry,
            });
        }
        if decision.is_none() {
            let e = evaluate(expect, &target, builder.timeline(), false);
            if e.decided.is_final() {
                decision = Some(e);
                decided_at = Some(obs.received_at);
            }
        }
    }
    let timeline = builder.finish();
    let evaluation = decision.unwrap_or_else(|| evaluate(expect, &target, &timeline, to_the_end));
    let verdict = evaluation.verdict();
    let error = (evaluation.decided == Decision::Pending).then(|| {
        format!(
            "the watch ended unexpectedly during the observe phase; pending checks: {}",
            evaluation.pending().join(", ")
        )
    });
    // The runner stops at the decision (a log fetch still in flight may land later).
    let end = decided_at.or(rec.observations.last().map(|o| o.received_at));
    let elapsed_s = end.map_or(0.0, |t| t.duration_since(rec.started_at).as_secs_f64());
    let elapsed_s = (elapsed_s * 10.0).round() / 10.0;
    events.push(RunEvent::ScenarioFinished {
        report: Box::new(ScenarioReport {
            name: name.to_owned(),
            namespace: rec.namespace.clone(),
            verdict,
            error,
            checks: evaluation.checks,
            observed: summarize(&target, &timeline),
            elapsed_s,
            timeline,
        }),
    });
    events.push(RunEvent::CleanedUp {
        scenario: name.to_owned(),
        namespace: rec.namespace.clone(),
        kept: false,
    });
    events.push(RunEvent::RunFinished { elapsed_s });
    events
}

/// Several single-scenario runs merged into one run of them all.
fn one_run(runs: Vec<Vec<RunEvent>>, elapsed_s: f64) -> Vec<RunEvent> {
    let count = runs.len();
    let mut all = Vec::new();
    for (i, events) in runs.into_iter().enumerate() {
        for ev in events {
            match ev {
                RunEvent::RunStarted {
                    context,
                    server_version,
                    kubelet_backoff,
                    ..
                } if i == 0 => all.push(RunEvent::RunStarted {
                    count,
                    context,
                    server_version,
                    kubelet_backoff,
                }),
                RunEvent::RunStarted { .. } | RunEvent::RunFinished { .. } => {}
                ev => all.push(ev),
            }
        }
    }
    all.push(RunEvent::RunFinished { elapsed_s });
    all
}

fn human(events: &[RunEvent], color: bool) -> String {
    let mut r = HumanReporter::new(Vec::new(), color, TimeZone::UTC);
    for ev in events {
        r.handle(ev).unwrap();
    }
    r.finish().unwrap();
    String::from_utf8(r.into_inner()).unwrap()
}

fn json(events: &[RunEvent]) -> String {
    let mut r = JsonReporter::new(Vec::new());
    for ev in events {
        r.handle(ev).unwrap();
    }
    r.finish().unwrap();
    r.finish().unwrap(); // idempotent
    String::from_utf8(r.into_inner()).unwrap()
}

fn junit(events: &[RunEvent]) -> String {
    let mut r = JunitReporter::new(Vec::new());
    for ev in events {
        r.handle(ev).unwrap();
    }
    r.finish().unwrap();
    String::from_utf8(r.into_inner()).unwrap()
}

#[test]
fn human_output_of_recorded_runs() {
    for (file, rec) in recorded() {
        let events = run_events(&rec);
        let plain = human(&events, false);
        assert!(
            !plain.contains('\u{1b}'),
            "{file}: colour without being asked"
        );
        let colored = human(&events, true);
        assert!(colored.contains('\u{1b}'), "{file}: no colour when asked");
        insta::assert_snapshot!(format!("human__{file}"), plain);
    }
}

#[test]
fn json_output_of_recorded_runs() {
    for (file, rec) in recorded() {
        let events = run_events(&rec);
        let text = json(&events);
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        // The public contract.
        let s = &doc["scenarios"][0];
        for key in [
            "name",
            "namespace",
            "verdict",
            "checks",
            "observed",
            "elapsed_s",
            "timeline",
        ] {
            assert!(s.get(key).is_some(), "{file}: scenarios[0].{key} missing");
        }
        for key in [
            "exit_code",
            "reason",
            "waiting_reason",
            "restart_count",
            "exit_codes",
            "backoff_delays_s",
            "events",
        ] {
            assert!(
                s["observed"].get(key).is_some(),
                "{file}: observed.{key} missing"
            );
        }
        for c in s["checks"].as_array().unwrap() {
            for key in ["name", "passed", "expected", "observed"] {
                assert!(c.get(key).is_some(), "{file}: check.{key} missing");
            }
        }
        assert_eq!(doc["summary"]["total"], 1, "{file}");
        // The timeline is long and already pinned by the timeline snapshots.
        let mut pinned = doc.clone();
        let n = pinned["scenarios"][0]["timeline"]["entries"]
            .as_array()
            .unwrap()
            .len();
        pinned["scenarios"][0]["timeline"] = serde_json::json!(format!("[{n} entries]"));
        insta::assert_json_snapshot!(format!("json__{file}"), pinned);
    }
}

#[test]
fn junit_output_of_recorded_runs() {
    for (file, rec) in recorded() {
        let events = run_events(&rec);
        let xml = junit(&events);
        let parsed = quick_junit::Report::deserialize_from_str(&xml).unwrap();
        assert_eq!(parsed.test_suites.len(), 1, "{file}");
        assert_eq!(parsed.test_suites[0].test_cases.len(), 1, "{file}");
        insta::assert_snapshot!(format!("junit__{file}"), xml);
    }
}

#[test]
fn one_run_of_every_recording() {
    // All recordings as one run: the tally and the JUnit suite count every scenario.
    let recs = recorded();
    let all = one_run(recs.iter().map(|(_, rec)| run_events(rec)).collect(), 600.0);
    let verdicts: Vec<Verdict> = all
        .iter()
        .filter_map(|ev| match ev {
            RunEvent::ScenarioFinished { report } => Some(report.verdict),
            _ => None,
        })
        .collect();
    let text = human(&all, false);
    assert!(
        text.starts_with(&format!("running {} scenario", recs.len())),
        "{text}"
    );
    let last = text.lines().last().unwrap();
    let passed = verdicts.iter().filter(|v| **v == Verdict::Pass).count();
    assert!(
        last.starts_with(&format!("{} scenarios: {passed} passed", recs.len())) || recs.len() == 1,
        "{last}"
    );
    let doc: serde_json::Value = serde_json::from_str(&json(&all)).unwrap();
    assert_eq!(doc["summary"]["total"], recs.len());
    assert_eq!(doc["summary"]["passed"], passed);
    let parsed = quick_junit::Report::deserialize_from_str(&junit(&all)).unwrap();
    assert_eq!(parsed.tests, recs.len());
}

/// Real runs checked against another scenario's expectations: the failure and error paths
/// of every reporter, on real observations. One run of three scenarios:
/// - the OOM run checked as exit-1: its exits contradict `exit code 1 (Error)`;
/// - the liveness run checked for the default back-off curve: the kubelet restarted the
///   container at once after the second liveness kill (0 s), where a crash loop waits 10 s;
/// - the missing-Secret-ref run checked as exit-1: nothing ever terminates, so every check
///   fails at the end of the observe window ("never observed");
/// - the same, with the watch cut short: what is undecided is an `error`, not a failure.
#[test]
fn mismatched_expectations_fail_and_say_why() {
    let recs = recorded();
    let find = |name: &str| {
        recs.iter()
            .find(|(_, r)| r.scenario == name)
            .map(|(_, r)| r)
            .unwrap_or_else(|| panic!("no recording of {name}"))
    };
    let exit_1 = scenario_of(find("exit-1"));
    let mut curve = exit_1.clone();
    curve.spec.expect = Expectations {
        restarts: Some(RestartExpectation {
            min: Some(2),
            max: None,
        }),
        backoff: exit_1.spec.expect.backoff.clone(),
        ..Default::default()
    };
    let runs = [
        (find("oom"), &exit_1, "oom-as-exit-1"),
        (find("liveness"), &curve, "liveness-as-crash-loop"),
        (
            find("missing-secret-ref"),
            &exit_1,
            "missing-secret-ref-as-exit-1",
        ),
        (
            find("missing-secret-ref"),
            &exit_1,
            "missing-secret-ref-watch-lost",
        ),
    ];
    let all = one_run(
        runs.into_iter()
            .map(|(rec, scenario, name)| {
                run_events_as(rec, scenario, name, !name.ends_with("-watch-lost"))
            })
            .collect(),
        100.0,
    );
    let verdicts: Vec<Verdict> = all
        .iter()
        .filter_map(|ev| match ev {
            RunEvent::ScenarioFinished { report } => Some(report.verdict),
            _ => None,
        })
        .collect();
    assert_eq!(
        verdicts,
        [Verdict::Fail, Verdict::Fail, Verdict::Fail, Verdict::Error]
    );

    // Only the end of each scenario: the signals are pinned above.
    let text = human(&all, false);
    let summary: Vec<&str> = text
        .lines()
        .filter(|l| !l.contains("  05:") && !l.contains("deployed to"))
        .collect();
    insta::assert_snapshot!("human__mismatched", summary.join("\n"));

    let xml = junit(&all);
    let parsed = quick_junit::Report::deserialize_from_str(&xml).unwrap();
    assert_eq!((parsed.tests, parsed.failures, parsed.errors), (4, 3, 1));
    // Without system-out (pinned above), the failures and error as a CI shows them.
    let mut report = parsed;
    for case in &mut report.test_suites[0].test_cases {
        case.system_out = None;
    }
    insta::assert_snapshot!("junit__mismatched", report.to_string().unwrap());

    let doc: serde_json::Value = serde_json::from_str(&json(&all)).unwrap();
    let checks: Vec<_> = doc["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| serde_json::json!({"name": s["name"], "verdict": s["verdict"], "error": s["error"], "checks": s["checks"]}))
        .collect();
    insta::assert_json_snapshot!(
        "json__mismatched",
        serde_json::json!({"scenarios": checks, "summary": doc["summary"]})
    );
}
