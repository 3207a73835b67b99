//! Every reporter, pinned by snapshots of the events the runner emits while replaying runs
//! recorded on a real kubelet (`tests/fixtures/recordings/`): the real runner, over
//! [`ReplayCluster`], on tokio's paused clock, so times are the recordings' and fixed.

use std::sync::{Arc, Mutex};

use jiff::tz::TimeZone;

use crate::runner::replay_cluster::{ReplayCluster, WatchFault};
use crate::runner::replay_run::replay_blocking;
use crate::runner::{RunEvent, RunOptions, Verdict};
use crate::scenario::{Catalogue, Expectations, RestartExpectation, Scenario};
use crate::timeline::{Recording, recorded};

use super::{HumanReporter, JsonReporter, JunitReporter, Reporter, StoryOptions, StoryReporter};

fn builtin(name: &str) -> Scenario {
    Catalogue::builtin().get(name).unwrap().scenario.clone()
}

/// The events of a run of `scenario` on the local provider's context, replaying `rec`
/// with the watch failing as `fault` says.
fn replayed(rec: &Recording, scenario: Scenario, fault: Option<WatchFault>) -> Vec<RunEvent> {
    let options = RunOptions {
        context: "local".into(),
        ..Default::default()
    };
    let make = || {
        let replay = ReplayCluster::new(rec.clone());
        match fault {
            Some(f) => replay.with_watch_fault(f),
            None => replay,
        }
    };
    replay_blocking(make, &[scenario], options).events
}

/// The events of the run that made `rec`, replayed: its built-in scenario, its watch.
fn run_events(rec: &Recording) -> Vec<RunEvent> {
    replayed(rec, builtin(&rec.scenario), None)
}

/// Several single-scenario runs merged into one run of them all, as if run in parallel: the
/// first run's start, every scenario's events, the longest run's end.
fn one_run(runs: Vec<Vec<RunEvent>>) -> Vec<RunEvent> {
    let count = runs.len();
    let mut all = Vec::new();
    let mut elapsed_s = 0.0_f64;
    for (i, events) in runs.into_iter().enumerate() {
        for ev in events {
            match ev {
                RunEvent::RunStarted {
                    context,
                    server_version,
                    kubelet_backoff,
                    parallel,
                    ..
                } if i == 0 => all.push(RunEvent::RunStarted {
                    count,
                    context,
                    server_version,
                    kubelet_backoff,
                    parallel,
                }),
                RunEvent::RunFinished { elapsed_s: e } => elapsed_s = elapsed_s.max(e),
                RunEvent::RunStarted { .. } => {}
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

fn story(events: &[RunEvent], color: bool, pauses: Option<Arc<Mutex<Vec<String>>>>) -> String {
    let pause = pauses.map(|p| {
        Box::new(move |next: &str| p.lock().unwrap().push(next.to_owned())) as super::story::Pause
    });
    let mut r = StoryReporter::new(
        Vec::new(),
        StoryOptions {
            color,
            live: false,
            tz: TimeZone::UTC,
            pause,
        },
    );
    for ev in events {
        r.handle(ev).unwrap();
    }
    r.finish().unwrap();
    String::from_utf8(r.into_inner()).unwrap()
}

/// The narrated story of every recorded run, plain: the default output of `crashlab run`
/// when stdout is not a terminal.
#[test]
fn story_output_of_recorded_runs() {
    for (file, rec) in recorded() {
        let events = run_events(&rec);
        let plain = story(&events, false, None);
        assert!(
            !plain.contains('\u{1b}'),
            "{file}: colour without being asked"
        );
        assert!(
            story(&events, true, None).contains('\u{1b}'),
            "{file}: no colour when asked"
        );
        insta::assert_snapshot!(format!("story__{file}"), plain);
    }
}

/// The story of the OOM run says what a newcomer needs, in order: the instance that died and
/// why, the status kubectl showed, the back-off, the logs, then kubectl's views.
#[test]
fn story_of_an_oom_kill_reads_in_order() {
    let rec = recorded()
        .into_iter()
        .find(|(f, _)| f == "oom")
        .map(|(_, r)| r)
        .unwrap();
    let pauses = Arc::new(Mutex::new(Vec::new()));
    let text = story(&run_events(&rec), false, Some(pauses.clone()));
    let order = [
        "■ instance 1 ended within a second",
        "exit 137 OOMKilled",
        "the kernel's OOM killer ended it",
        "kubectl get pod → app  0/1  OOMKilled  0",
        "CrashLoopBackOff: the kubelet waits 10s before the next restart",
        "logs --previous of instance",
        "$ kubectl get pod app -n crashlab-oom-",
        "$ kubectl describe pod app",
        "Last State:     Terminated",
        "Reason:       OOMKilled",
        "Exit Code:    137",
        "Warning  BackOff",
        "$ kubectl logs app -n crashlab-oom-",
        "diagnosis: The app allocates memory past its 64Mi limit",
        "oom  PASS",
    ];
    let mut from = 0;
    for needle in order {
        let at = text[from..]
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} missing after byte {from}:\n{text}"));
        from += at + needle.len();
    }
    // The routine events of every restart are folded, not repeated.
    assert_eq!(text.matches("event Normal Pulled").count(), 1, "{text}");
    assert_eq!(
        *pauses.lock().unwrap(),
        [
            "the first crash",
            "the crash loop: CrashLoopBackOff",
            "what kubectl shows"
        ]
    );
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
    let all = one_run(recs.iter().map(|(_, rec)| run_events(rec)).collect());
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
/// of every reporter, on real observations. One run of four scenarios:
/// - the OOM run checked as exit-1: its exits contradict `exit code 1 (Error)`;
/// - the liveness run checked for the default back-off curve: the kubelet restarted the
///   container at once after the second liveness kill (0 s), where a crash loop waits 10 s;
/// - the missing-Secret-ref run checked as exit-1: nothing ever terminates, so every check
///   fails at the end of the observe window ("never observed");
/// - the same, with the watch lost half-way (an error, then nothing): at the end of the
///   window what is undecided is an `error`, not a failure, since signals may have been lost.
#[test]
fn mismatched_expectations_fail_and_say_why() {
    let recs = recorded();
    let find = |name: &str| {
        recs.iter()
            .find(|(_, r)| r.scenario == name)
            .map(|(_, r)| r)
            .unwrap_or_else(|| panic!("no recording of {name}"))
    };
    let named = |scenario: &Scenario, name: &str| {
        let mut s = scenario.clone();
        s.metadata.name = name.to_owned();
        s
    };
    let exit_1 = builtin("exit-1");
    let mut curve = exit_1.clone();
    curve.spec.expect = Expectations {
        restarts: Some(RestartExpectation {
            min: Some(2),
            max: None,
        }),
        backoff: exit_1.spec.expect.backoff.clone(),
        ..Default::default()
    };
    let lost = Some(WatchFault::Lost { after: 8 });
    let runs = [
        (find("oom"), named(&exit_1, "oom-as-exit-1"), None),
        (
            find("liveness"),
            named(&curve, "liveness-as-crash-loop"),
            None,
        ),
        (
            find("missing-secret-ref"),
            named(&exit_1, "missing-secret-ref-as-exit-1"),
            None,
        ),
        (
            find("missing-secret-ref"),
            named(&exit_1, "missing-secret-ref-watch-lost"),
            lost,
        ),
    ];
    let all = one_run(
        runs.into_iter()
            .map(|(rec, scenario, fault)| replayed(rec, scenario, fault))
            .collect(),
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
