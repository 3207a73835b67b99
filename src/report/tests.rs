//! Every reporter, pinned by snapshots of the events of runs recorded on a real kubelet.

use jiff::tz::TimeZone;

use crate::expect::fixtures::scenario_of;
use crate::expect::{Decision, evaluate, summarize};
use crate::runner::{RunEvent, ScenarioReport, Verdict};
use crate::timeline::{Recording, TimelineBuilder, recorded};

use super::{HumanReporter, JsonReporter, JunitReporter, Reporter};

/// The events a runner would have emitted for this recording: signals as they were built,
/// the evaluation stopped at the first final decision (or judged finished at the end).
/// Times come from the recording, so the output is fixed.
pub(crate) fn run_events(rec: &Recording) -> Vec<RunEvent> {
    let scenario = scenario_of(rec);
    let target = scenario.spec.target.clone();
    let expect = &scenario.spec.expect;
    let mut events = vec![
        RunEvent::RunStarted {
            count: 1,
            context: "local".into(),
            server_version: rec.server_version.clone(),
        },
        RunEvent::ScenarioStarted {
            scenario: rec.scenario.clone(),
            namespace: rec.namespace.clone(),
            target: target.clone(),
        },
    ];
    let mut builder = TimelineBuilder::new();
    let mut decision = None;
    for obs in &rec.observations {
        for entry in builder.push(obs) {
            events.push(RunEvent::Signal {
                scenario: rec.scenario.clone(),
                entry,
            });
        }
        if decision.is_none() {
            let e = evaluate(expect, &target, builder.timeline(), false);
            if e.decided.is_final() {
                decision = Some(e);
            }
        }
    }
    let timeline = builder.finish();
    let evaluation = decision.unwrap_or_else(|| evaluate(expect, &target, &timeline, true));
    let verdict = evaluation.verdict();
    let error = (evaluation.decided == Decision::Pending).then(|| {
        format!(
            "observe phase timed out with expectations undecided; pending checks: {}",
            evaluation.pending().join(", ")
        )
    });
    let elapsed_s = rec.observations.last().map_or(0.0, |o| {
        o.received_at.duration_since(rec.started_at).as_secs_f64()
    });
    let elapsed_s = (elapsed_s * 10.0).round() / 10.0;
    events.push(RunEvent::ScenarioFinished {
        report: Box::new(ScenarioReport {
            name: rec.scenario.clone(),
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
        scenario: rec.scenario.clone(),
        namespace: rec.namespace.clone(),
        kept: false,
    });
    events.push(RunEvent::RunFinished { elapsed_s });
    events
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
    let mut all = Vec::new();
    let mut verdicts = Vec::new();
    let recs = recorded();
    for (i, (_, rec)) in recs.iter().enumerate() {
        let events = run_events(rec);
        for ev in events {
            match &ev {
                RunEvent::RunStarted { .. } if i > 0 => continue,
                RunEvent::RunFinished { .. } => continue,
                RunEvent::ScenarioFinished { report } => verdicts.push(report.verdict),
                _ => {}
            }
            all.push(ev);
        }
    }
    all.push(RunEvent::RunFinished { elapsed_s: 600.0 });
    let text = human(&all, false);
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
