//! The diagnoser on pods recorded from a real kubelet (every catalogue scenario), and on a few
//! hand-written pods for the rules the catalogue does not reach.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Event, Pod};

use crate::expect::fixtures::scenario_of;
use crate::scenario::Category;
use crate::timeline::recorded;
use crate::validate::{GradeOptions, ToolOutput, grade};

use super::recorded_input::input_from_recording;
use super::*;

#[test]
fn every_recorded_scenario_is_diagnosed_right_with_every_key_fact() {
    for (name, rec) in recorded() {
        let scenario = scenario_of(&rec);
        let truth = scenario.spec.ground_truth.unwrap();
        let d = diagnose(&input_from_recording(&rec)).unwrap();
        assert_eq!(
            d.container, scenario.spec.target.container,
            "{name}: the container in trouble"
        );
        assert_eq!(d.category, Some(truth.category), "{name}: {}", d.summary);
        assert_full_score(&truth, &d, &rec.namespace, &name);
        assert_eq!(
            d.evidence.iter().map(|s| s.step).collect::<Vec<_>>(),
            StepKind::ALL,
            "{name}"
        );
    }
}

/// Grades `d`'s JSON against `truth` as `crashlab validate` would, and wants every key fact
/// and no wrong answer.
#[track_caller]
pub(super) fn assert_full_score(
    truth: &crate::scenario::GroundTruth,
    d: &Diagnosis,
    namespace: &str,
    what: &str,
) {
    let json = serde_json::to_string(d).unwrap();
    let g = grade(
        truth,
        &ToolOutput::ok(json),
        &GradeOptions::default(),
        &[namespace],
    );
    let missed: Vec<_> = g.missed().map(|f| &f.name).collect();
    let wrong: Vec<_> = g.wrong_given().map(|f| (&f.name, &f.matched)).collect();
    assert_eq!(
        g.score,
        1.0,
        "{what}: missed {missed:?}, wrong {wrong:?}\n{}",
        render_human(d)
    );
}

#[test]
fn human_output_of_recorded_scenarios() {
    for (name, rec) in recorded() {
        let d = diagnose(&input_from_recording(&rec)).unwrap();
        insta::assert_snapshot!(format!("human__{name}"), render_human(&d));
    }
}

#[test]
fn json_output_of_a_recorded_scenario() {
    let (_, rec) = recorded()
        .into_iter()
        .find(|(n, _)| n == "postgres-down")
        .unwrap();
    let d = diagnose(&input_from_recording(&rec)).unwrap();
    insta::assert_json_snapshot!("json__postgres-down", d);
}

fn pod(yaml: &str) -> Pod {
    serde_yaml::from_str(yaml).unwrap()
}

fn event(reason: &str, message: &str) -> Event {
    serde_yaml::from_str(&format!(
        "metadata: {{name: e-{reason}, uid: {reason}}}\ninvolvedObject: {{kind: Pod, name: web, fieldPath: 'spec.containers{{app}}'}}\nreason: {reason}\nmessage: '{message}'\ntype: Warning\ncount: 3\n"
    ))
    .unwrap()
}

fn input(pod: Pod, events: Vec<Event>, logs: Logs) -> DiagnoseInput {
    DiagnoseInput {
        pod,
        container: None,
        events: Fetched::Got(events),
        logs,
        owners: Fetched::Got(OwnerFacts::default()),
        lookups: BTreeMap::new(),
        services: Fetched::Got(Vec::new()),
    }
}

const CRASHING: &str = r#"
metadata: {name: web, namespace: shop}
spec:
  containers:
    - name: app
      image: shop/web:2.1
status:
  phase: Running
  containerStatuses:
    - name: app
      ready: false
      restartCount: 5
      image: shop/web:2.1
      imageID: x
      state: {waiting: {reason: CrashLoopBackOff}}
      lastState: {terminated: {exitCode: 2, reason: Error}}
"#;

#[test]
fn a_panic_in_the_logs_is_a_code_bug() {
    let d = diagnose(&input(
        pod(CRASHING),
        vec![event("BackOff", "Back-off restarting failed container app")],
        Logs::Text {
            previous: true,
            text: "listening\nthread 'main' panicked at src/cart.rs:42:9:\nindex out of bounds\n"
                .into(),
        },
    ))
    .unwrap();
    assert_eq!(d.category, Some(Category::CodeBug));
    assert_eq!(d.confidence, Confidence::Medium);
    assert!(
        d.summary.contains("panicked at src/cart.rs:42:9"),
        "{}",
        d.summary
    );
}

#[test]
fn an_exit_with_nothing_around_it_is_a_low_confidence_code_bug() {
    let d = diagnose(&input(
        pod(CRASHING),
        Vec::new(),
        Logs::Text {
            previous: true,
            text: "starting\n".into(),
        },
    ))
    .unwrap();
    assert_eq!(
        (d.category, d.confidence),
        (Some(Category::CodeBug), Confidence::Low)
    );
    assert!(
        d.summary.contains("most likely in the app"),
        "{}",
        d.summary
    );
}

#[test]
fn a_rollout_that_changed_the_image_is_shown_as_the_recent_change() {
    let mut i = input(pod(CRASHING), Vec::new(), Logs::NoInstance);
    i.owners = Fetched::Got(OwnerFacts {
        chain: vec![
            Owner {
                kind: "ReplicaSet".into(),
                name: "web-7d9f".into(),
            },
            Owner {
                kind: "Deployment".into(),
                name: "web".into(),
            },
        ],
        revisions: vec![
            Revision {
                replica_set: "web-7d9f".into(),
                revision: Some(4),
                created: Some("2026-01-02T03:04:05Z".parse().unwrap()),
                images: vec!["app=shop/web:2.1".into()],
                current: true,
                ready: Some(0),
                template: None,
            },
            Revision {
                replica_set: "web-5c6b".into(),
                revision: Some(3),
                created: None,
                images: vec!["app=shop/web:2.0".into()],
                current: false,
                ready: Some(1),
                template: None,
            },
        ],
        events: Vec::new(),
    });
    let d = diagnose(&i).unwrap();
    let changes = &d.evidence[3];
    assert_eq!(
        changes.found,
        "owned by ReplicaSet web-7d9f ← Deployment web, at revision 4, created 2026-01-02T03:04:05Z: a rollout replaced revision 3 (ReplicaSet web-5c6b) with the new ReplicaSet web-7d9f; no Secret or ConfigMap references"
    );
    assert!(
        d.summary.contains("app=shop/web:2.0 to app=shop/web:2.1"),
        "{}",
        d.summary
    );
    assert!(
        d.next_commands
            .iter()
            .any(|c| c.command == "kubectl rollout history deployment/web -n shop")
    );
}

#[test]
fn a_missing_configmap_key_and_an_image_pull_failure() {
    let mut p = pod(&CRASHING.replace(
        "      image: shop/web:2.1\nstatus",
        "      image: shop/web:2.1\n      env:\n        - name: MODE\n          valueFrom: {configMapKeyRef: {name: settings, key: mode}}\nstatus",
    ));
    p.status
        .as_mut()
        .unwrap()
        .container_statuses
        .as_mut()
        .unwrap()[0]
        .last_state = None;
    p.status
        .as_mut()
        .unwrap()
        .container_statuses
        .as_mut()
        .unwrap()[0]
        .restart_count = 0;
    let mut i = input(p.clone(), Vec::new(), Logs::NoInstance);
    i.lookups.insert(
        (RefKind::ConfigMap, "settings".into()),
        Presence::Present {
            keys: Some(vec!["other".into()]),
        },
    );
    let d = diagnose(&i).unwrap();
    assert_eq!(d.category, Some(Category::MissingConfig));
    assert!(
        d.summary
            .contains("MODE reads key mode of ConfigMap settings"),
        "{}",
        d.summary
    );

    let mut pulling = p;
    pulling
        .status
        .as_mut()
        .unwrap()
        .container_statuses
        .as_mut()
        .unwrap()[0]
        .state = serde_yaml::from_str(
        "{waiting: {reason: ImagePullBackOff, message: 'Back-off pulling image \"shop/web:2.1\"'}}",
    )
    .unwrap();
    let d = diagnose(&input(pulling, Vec::new(), Logs::NoInstance)).unwrap();
    assert_eq!(
        (d.category, d.confidence),
        (Some(Category::ImageProblem), Confidence::High)
    );
    assert!(
        d.summary.contains("shop/web:2.1 cannot be pulled"),
        "{}",
        d.summary
    );
}

#[test]
fn a_healthy_pod_has_no_cause() {
    let p = pod(r#"
metadata: {name: web, namespace: shop}
spec:
  containers: [{name: app, image: x}]
status:
  containerStatuses:
    - {name: app, ready: true, restartCount: 0, image: x, imageID: x, state: {running: {startedAt: '2026-01-01T00:00:00Z'}}}
"#);
    let d = diagnose(&input(p, Vec::new(), Logs::NoInstance)).unwrap();
    assert_eq!((d.category, d.confidence), (None, Confidence::None));
    assert_eq!(
        d.summary,
        "Container app of pod web is running and has never restarted."
    );
}

#[test]
fn unreadable_evidence_is_reported_not_fatal() {
    let mut i = input(pod(CRASHING), Vec::new(), Logs::Failed("forbidden".into()));
    i.events = Fetched::Failed("events is forbidden".into());
    i.owners = Fetched::Failed("replicasets is forbidden".into());
    i.services = Fetched::Failed("services is forbidden".into());
    let d = diagnose(&i).unwrap();
    assert_eq!(d.evidence[1].found, "could not be read: forbidden");
    assert_eq!(
        d.evidence[2].found,
        "could not be listed: events is forbidden"
    );
    assert!(d.evidence[3].found.starts_with("owners could not be read"));
}

const SERVING: &str = r#"
metadata: {name: web, namespace: shop}
spec:
  containers:
    - name: app
      image: shop/web:2.1
      readinessProbe:
        httpGet: {path: /ready, port: 8080}
        periodSeconds: 2
        failureThreshold: 2
status:
  phase: Running
  containerStatuses:
    - name: app
      ready: false
      restartCount: 0
      image: shop/web:2.1
      imageID: x
      state: {running: {startedAt: '2026-01-01T00:00:00Z'}}
"#;

#[test]
fn a_failing_readiness_probe_alone_is_not_a_crash_loop() {
    let d = diagnose(&input(
        pod(SERVING),
        vec![event(
            "Unhealthy",
            "Readiness probe failed: HTTP probe failed with statuscode: 503",
        )],
        Logs::NoInstance,
    ))
    .unwrap();
    assert_eq!(
        (d.category, d.confidence),
        (Some(Category::ProbeFailure), Confidence::High)
    );
    assert!(d.summary.contains("not a crash loop"), "{}", d.summary);
    let text = render_human(&d);
    assert!(!text.contains("restart the pod"), "{text}");
}

#[test]
fn a_liveness_probe_that_times_out_says_so() {
    let p = pod(&CRASHING.replace(
        "      image: shop/web:2.1\nstatus",
        "      image: shop/web:2.1\n      livenessProbe: {httpGet: {path: /healthz, port: 8080}, timeoutSeconds: 1}\nstatus",
    )
    .replace("exitCode: 2, reason: Error", "exitCode: 143, reason: Error"));
    let d = diagnose(&input(
        p,
        vec![
            event(
                "Unhealthy",
                r#"Liveness probe failed: Get "http://10.244.0.7:8080/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"#,
            ),
            event("Killing", "Container app failed liveness probe, will be restarted"),
        ],
        Logs::Text {
            previous: true,
            text: "listening on 0.0.0.0:8080\nreceived SIGTERM, shutting down\n".into(),
        },
    ))
    .unwrap();
    assert_eq!(d.category, Some(Category::ProbeFailure));
    assert!(d.summary.contains("timeoutSeconds (1s)"), "{}", d.summary);
    assert!(!d.fix.unwrap().contains("initialDelaySeconds"));
}

#[test]
fn two_containers_on_one_port() {
    let p = pod(r#"
metadata: {name: web, namespace: shop}
spec:
  containers:
    - {name: app, image: x, args: [serve, "8080"], ports: [{containerPort: 8080}]}
    - {name: metrics, image: x, args: [serve, "8080"]}
status:
  containerStatuses:
    - {name: app, ready: true, restartCount: 0, image: x, imageID: x, state: {running: {}}}
    - name: metrics
      ready: false
      restartCount: 3
      image: x
      imageID: x
      state: {waiting: {reason: CrashLoopBackOff}}
      lastState: {terminated: {exitCode: 1, reason: Error}}
"#);
    let d = diagnose(&input(
        p,
        Vec::new(),
        Logs::Text {
            previous: true,
            text: "error: listen tcp 0.0.0.0:8080: bind: address already in use (os error 98)\n"
                .into(),
        },
    ))
    .unwrap();
    assert_eq!(d.container, "metrics");
    assert_eq!(d.category, Some(Category::MissingConfig));
    assert!(
        d.summary
            .contains("container app of this pod already listens on port 8080")
            && d.summary.contains("share one network namespace"),
        "{}",
        d.summary
    );
}

#[test]
fn a_dependency_that_came_up_later() {
    let p = pod(r#"
metadata: {name: web, namespace: shop}
spec:
  containers:
    - name: app
      image: x
      readinessProbe: {exec: {command: ["true"]}}
status:
  containerStatuses:
    - name: app
      ready: true
      restartCount: 3
      image: x
      imageID: x
      state: {running: {startedAt: '2026-01-01T00:01:00Z'}}
      lastState: {terminated: {exitCode: 1, reason: Error}}
"#);
    let d = diagnose(&input(
        p,
        Vec::new(),
        Logs::Text {
            previous: true,
            text: "error: could not connect to postgres at 10.96.0.9:5432: connection refused (os error 111)\n".into(),
        },
    ))
    .unwrap();
    assert_eq!(
        (d.category, d.confidence),
        (Some(Category::DependencyDown), Confidence::High)
    );
    assert!(d.summary.contains("came up later"), "{}", d.summary);
}
