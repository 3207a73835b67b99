//! Series derivation on committed recordings of real runs, and the rules judged by the real
//! promtool (built into the cache when missing; a test fails, never skips, without it).

use std::path::{Path, PathBuf};

use super::*;
use crate::timeline::{Recording, Timeline, recorded};

fn recording(name: &str) -> Recording {
    recorded()
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no recording {name}"))
        .1
}

fn derived(name: &str, outlook: Outlook) -> DerivedSeries {
    let r = recording(name);
    derive_series(
        &Timeline::from_recording(&r),
        &r.namespace,
        SeriesOptions::default(),
        outlook,
    )
    .expect("the recording has observations")
}

fn find<'a>(d: &'a DerivedSeries, metric: &str, reason: Option<&str>) -> &'a Series {
    d.series
        .iter()
        .find(|s| s.metric == metric && s.labels.get("reason").map(String::as_str) == reason)
        .unwrap_or_else(|| panic!("no {metric} {reason:?}"))
}

fn value(s: &Sample) -> Option<f64> {
    match s {
        Sample::Value(v) => Some(*v),
        _ => None,
    }
}

#[test]
fn oom_series_follow_kube_state_metrics() {
    // oom.json: ContainerCreating at +0.3s, OOMKilled at +1.0s and +2.0s, CrashLoopBackOff
    // at +12.3s (restartCount 1) and +27.3s (2), terminated again at +39.1s (3).
    let d = derived("oom", Outlook::LoopGoesOn);
    assert_eq!(d.scrape_interval_s, 15);
    assert_eq!(d.observed_scrapes, 3, "scrapes at +0s, +15s, +30s");
    assert_eq!(d.scrapes, 3 + 120, "plus 30 minutes held");
    assert_eq!(d.loop_offset_s().map(|s| s.round()), Some(12.0));

    let labels = &find(&d, "kube_pod_container_status_restarts_total", None).labels;
    assert_eq!(labels["job"], "kube-state-metrics");
    assert_eq!(labels["container"], "app");
    assert!(labels["namespace"].starts_with("crashlab-oom"));

    let restarts = &find(&d, "kube_pod_container_status_restarts_total", None).samples;
    let observed: Vec<_> = restarts[..3].iter().map(value).collect();
    // +0s: not observed yet (the first status arrives at +0.3s); +15s: terminated, count 2;
    // +30s: CrashLoopBackOff, count 2.
    assert_eq!(observed, [None, Some(2.0), Some(2.0)]);
    // The held extension invents no restarts: the last count seen (3, at +39.1s) stays.
    assert!(restarts[3..].iter().all(|s| *s == Sample::Value(3.0)));

    let clbo = &find(
        &d,
        "kube_pod_container_status_waiting_reason",
        Some("CrashLoopBackOff"),
    )
    .samples;
    assert_eq!(
        clbo[..3],
        [Sample::Absent, Sample::Absent, Sample::Value(1.0)]
    );
    // Last seen terminated after each earlier exit was followed by CrashLoopBackOff: held there.
    assert!(clbo[3..].iter().all(|s| *s == Sample::Value(1.0)));

    // ContainerCreating lasted from +0.1s to +0.8s, between two scrapes: never sampled, so
    // no series, as a real scrape would have missed it.
    assert!(
        !d.series
            .iter()
            .any(|s| s.labels.get("reason").map(String::as_str) == Some("ContainerCreating")),
        "{:?}",
        d.series
    );

    let reason = &find(
        &d,
        "kube_pod_container_status_last_terminated_reason",
        Some("OOMKilled"),
    )
    .samples;
    assert_eq!(value(&reason[1]), Some(1.0), "lastState holds instance 1");
    let exit = &find(
        &d,
        "kube_pod_container_status_last_terminated_exitcode",
        None,
    )
    .samples;
    assert_eq!(value(&exit[2]), Some(137.0));
}

#[test]
fn every_recording_gives_counters_that_never_drop_and_stale_markers_only_after_values() {
    let mut with_series = 0;
    for (name, r) in recorded() {
        let d = derive_series(
            &Timeline::from_recording(&r),
            &r.namespace,
            SeriesOptions::default(),
            Outlook::MayRecover,
        )
        .unwrap_or_else(|| panic!("{name}: nothing observed"));
        // `unschedulable` never gets a container status, so kube-state-metrics has no series.
        with_series += usize::from(!d.series.is_empty());
        for s in &d.series {
            assert_eq!(s.samples.len(), d.scrapes, "{name}");
            for pair in s.samples.windows(2) {
                if pair[1] == Sample::Stale {
                    assert!(matches!(pair[0], Sample::Value(_)), "{name}: {s:?}");
                }
                if s.metric.ends_with("_restarts_total")
                    && let (Some(a), Some(b)) = (value(&pair[0]), value(&pair[1]))
                {
                    assert!(b >= a, "{name}: counter dropped in {}", selector(s));
                }
            }
            if s.metric.ends_with("_reason") {
                assert!(
                    s.samples.iter().filter_map(value).all(|v| v == 1.0),
                    "{name}"
                );
            }
        }
    }
    assert!(
        with_series >= 30,
        "only {with_series} recordings gave series"
    );
}

#[test]
fn expanding_notation_is_run_length_encoded() {
    use Sample::*;
    assert_eq!(
        expanding(&[
            Absent,
            Absent,
            Value(1.0),
            Value(1.0),
            Value(1.0),
            Stale,
            Absent
        ]),
        "_x2 1x2 stale _"
    );
    assert_eq!(expanding(&[Value(2.0), Value(3.0)]), "2 3");
}

#[test]
fn promtool_test_file_for_oom() {
    let d = derived("oom", Outlook::LoopGoesOn);
    let alerts = ["KubePodCrashLooping".to_owned()];
    let mut text = test_file(
        "oom",
        &d,
        Path::new("/rules/kubernetes-mixin.yaml"),
        &alerts,
    );
    // Keep the snapshot short: the evaluations repeat every 15s.
    let cut = text.find("  - eval_time: 45s").expect("evaluations");
    text.truncate(cut);
    let ns = recording("oom").namespace;
    insta::assert_snapshot!(text.replace(&ns, "NAMESPACE"));
}

#[test]
fn rule_file_lists_alerting_rules_in_order() {
    let text = std::fs::read_to_string(mixin()).unwrap();
    let rules = alert_rules(&text).unwrap();
    let names: Vec<_> = rules
        .iter()
        .map(|r| (r.name.as_str(), r.for_.as_deref()))
        .collect();
    assert_eq!(
        names,
        [
            ("KubePodCrashLooping", Some("15m")),
            ("KubePodCrashLoopingFast", None)
        ]
    );
}

fn mixin() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/alert-rules/kubernetes-mixin.yaml")
}

/// The real promtool, through the same code the CLI uses (cached, else built with Go).
fn promtool() -> Promtool {
    ensure_promtool(None)
        .unwrap_or_else(|e| panic!("these tests run the real promtool and could not get one: {e}"))
}

fn judged(judge: &RuleJudge, name: &str, outlook: Outlook) -> Vec<RuleResult> {
    let r = recording(name);
    match judge
        .judge(name, &r.namespace, &Timeline::from_recording(&r), outlook)
        .unwrap()
    {
        AlertsOutcome::Evaluated { rules, .. } => rules,
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn mixin_rule_fires_15_minutes_after_the_loop_starts_and_the_fast_rule_within_a_minute() {
    let judge = RuleJudge::new(promtool(), &mixin(), SeriesOptions::default()).unwrap();
    let rules = judged(&judge, "oom", Outlook::LoopGoesOn);
    let mixin = &rules[0];
    assert_eq!(mixin.alert, "KubePodCrashLooping");
    // CrashLoopBackOff first sampled at +30s; pending from there, firing 15m later.
    assert_eq!(mixin.first_firing_s, Some(30 + 15 * 60));
    let after_loop = mixin.after_loop_started_s.unwrap();
    assert!(
        (15.0 * 60.0..16.0 * 60.0).contains(&after_loop),
        "{after_loop}"
    );
    assert!(mixin.in_extension);
    assert!(
        mixin.labels[0].contains("container=\"app\""),
        "{:?}",
        mixin.labels
    );

    let fast = &rules[1];
    assert_eq!(fast.alert, "KubePodCrashLoopingFast");
    // At the first evaluation that sees CrashLoopBackOff: the sample at +30s.
    assert_eq!(fast.first_firing_s, Some(30));
    assert!(fast.after_loop_started_s.unwrap() < 60.0);
    assert!(!fast.in_extension);
}

#[test]
fn no_crash_loop_no_alert() {
    let judge = RuleJudge::new(promtool(), &mixin(), SeriesOptions::default()).unwrap();
    let rules = judged(&judge, "readiness-only", Outlook::LoopGoesOn);
    assert!(rules.iter().all(|r| !r.fires), "{rules:?}");
}

#[test]
fn a_bad_rule_file_is_rejected_with_promtools_message() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "groups:\n  - name: g\n    rules:\n      - alert: Broken\n        expr: rate(x[5m]\n",
    )
    .unwrap();
    let err = RuleJudge::new(promtool(), &bad, SeriesOptions::default()).unwrap_err();
    assert!(err.is_usage());
    let text = err.to_string();
    assert!(text.starts_with("promtool check rules rejected"), "{text}");
    assert!(text.contains("unclosed left parenthesis"), "{text}");
}

/// Whether the held extension shows `CrashLoopBackOff` (its last sample).
fn held_in_crash_loop(name: &str, outlook: Outlook) -> bool {
    let d = derived(name, outlook);
    d.series.iter().any(|s| {
        s.metric == "kube_pod_container_status_waiting_reason"
            && s.labels["reason"] == "CrashLoopBackOff"
            && s.samples.last() == Some(&Sample::Value(1.0))
    })
}

/// The outlook the CLI gives a recorded run: the scenario's expectations evaluated on its
/// timeline, as the runner does at the end of the watch.
fn outlook_of(name: &str) -> Outlook {
    let r = recording(name);
    let scenario = crate::expect::fixtures::scenario_of(&r);
    let timeline = Timeline::from_recording(&r);
    let checks = crate::expect::evaluate(
        &scenario.spec.expect,
        &scenario.spec.target,
        &timeline,
        crate::expect::Watch::Finished,
    )
    .checks;
    Outlook::from_recovery(crate::expect::target_recovered(&checks))
}

#[test]
fn the_extension_holds_loops_in_back_off_and_recovered_containers_running() {
    // Loops the scenarios expect to go on: oom ends terminated; the others end with a fresh
    // instance running, some (abort, exit-1 on v1.36.3) longer than every instance before it.
    for name in [
        "oom",
        "exit-1",
        "go-panic",
        "segfault",
        "abort",
        "exit-1@v1.36.3",
    ] {
        assert_eq!(outlook_of(name), Outlook::LoopGoesOn, "{name}");
        assert!(held_in_crash_loop(name, Outlook::LoopGoesOn), "{name}");
    }
    // dependency-later's target recovered, as its scenario expects: its last instance
    // outlived every earlier one, so it is held running.
    assert_eq!(outlook_of("dependency-later"), Outlook::MayRecover);
    assert!(!held_in_crash_loop("dependency-later", Outlook::MayRecover));
    // No loop at all: nothing to hold.
    for name in ["readiness-only", "unschedulable"] {
        assert!(!held_in_crash_loop(name, outlook_of(name)), "{name}");
    }
}

#[test]
fn run_time_alone_would_take_two_recorded_loops_for_recoveries() {
    // Why the scenario's expectations decide, not run time: on these real runs the last
    // instance, still running when the watch ended, had outlived every earlier one, though
    // the loop went on.
    for name in ["abort", "exit-1@v1.36.3"] {
        assert!(!held_in_crash_loop(name, Outlook::MayRecover), "{name}");
    }
}

/// The report of the mixin rules on two recordings (a loop and no loop), judged by promtool.
fn report() -> AlertsReport {
    let judge = RuleJudge::new(promtool(), &mixin(), SeriesOptions::default()).unwrap();
    let scenarios = ["oom", "readiness-only"]
        .into_iter()
        .map(|name| {
            let r = recording(name);
            ScenarioAlerts {
                scenario: name.to_owned(),
                namespace: r.namespace.clone(),
                outcome: judge
                    .judge(
                        name,
                        &r.namespace,
                        &Timeline::from_recording(&r),
                        Outlook::LoopGoesOn,
                    )
                    .unwrap(),
            }
        })
        .chain(std::iter::once(ScenarioAlerts {
            scenario: "unschedulable".to_owned(),
            namespace: "crashlab-unschedulable-x".to_owned(),
            outcome: AlertsOutcome::NotEvaluated {
                reason: "the scenario did not reproduce (stand-in reason)".to_owned(),
            },
        }))
        .collect();
    AlertsReport {
        rule_file: "examples/alert-rules/kubernetes-mixin.yaml".to_owned(),
        promtool: judge.promtool.version.clone(),
        series: SeriesInfo {
            source: "derived",
            note: DERIVED_NOTE,
            scrape_interval_s: 15,
            extended_s: DEFAULT_EXTEND_S,
        },
        scenarios,
    }
}

#[test]
fn every_output_format_of_the_alerts_report() {
    let r = report();
    insta::assert_snapshot!("human", render_alerts_human(&r));
    insta::assert_json_snapshot!("json", r);
    let mut junit = quick_junit::Report::new("crashlab validate");
    junit.add_test_suite(alerts_junit_suite(&r));
    insta::assert_snapshot!("junit", junit.to_string().unwrap());
}
