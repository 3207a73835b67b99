//! The diagnoser on pods recorded from a real kubelet (every catalogue scenario), and on a few
//! hand-written pods for the rules the catalogue does not reach.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateWaiting, ContainerStatus, Event, Pod,
};

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

/// A value written in YAML, for the diagnoser's unit tests.
pub(super) fn yaml<T: serde::de::DeserializeOwned>(text: &str) -> T {
    serde_yaml::from_str(text).unwrap()
}

pub(super) fn pod(text: &str) -> Pod {
    yaml(text)
}

pub(super) fn event(reason: &str, message: &str) -> Event {
    yaml(&format!(
        "metadata: {{name: e-{reason}, uid: {reason}}}\ninvolvedObject: {{kind: Pod, name: web, fieldPath: 'spec.containers{{app}}'}}\nreason: {reason}\nmessage: '{message}'\ntype: Warning\ncount: 3\n"
    ))
}

pub(super) fn input(pod: Pod, events: Vec<Event>, logs: Logs) -> DiagnoseInput {
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

/// Container app of pod web exits 2 and is in CrashLoopBackOff.
pub(super) const CRASHING: &str = r#"
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

/// The status of the pod's first container.
fn first_status(p: &mut Pod) -> &mut ContainerStatus {
    let statuses = p
        .status
        .as_mut()
        .and_then(|s| s.container_statuses.as_mut());
    &mut statuses.unwrap()[0]
}

/// `p` with its first container never started: waiting in `reason` (with `message`, unless
/// empty), no restart, no instance that ended.
pub(super) fn never_started(mut p: Pod, reason: &str, message: &str) -> Pod {
    let status = first_status(&mut p);
    status.last_state = None;
    status.restart_count = 0;
    status.state = Some(ContainerState {
        waiting: Some(ContainerStateWaiting {
            reason: Some(reason.into()),
            message: (!message.is_empty()).then(|| message.into()),
        }),
        ..Default::default()
    });
    p
}

/// The last log lines of the previous instance.
pub(super) fn logs(text: &str) -> Logs {
    Logs::Text {
        previous: true,
        text: text.into(),
    }
}

/// Deployment web rolled out from shop/web:2.0 (revision 3) to shop/web:2.1 (revision 4).
pub(super) fn image_rollout() -> OwnerFacts {
    let revision = |rs: &str, n: i64, image: &str, current: bool| Revision {
        replica_set: rs.into(),
        revision: Some(n),
        created: current.then(|| "2026-01-02T03:04:05Z".parse().unwrap()),
        images: vec![image.into()],
        current,
        ready: Some(i32::from(!current)),
        template: None,
    };
    let owner = |kind: &str, name: &str| Owner {
        kind: kind.into(),
        name: name.into(),
    };
    OwnerFacts {
        chain: vec![owner("ReplicaSet", "web-7d9f"), owner("Deployment", "web")],
        revisions: vec![
            revision("web-7d9f", 4, "app=shop/web:2.1", true),
            revision("web-5c6b", 3, "app=shop/web:2.0", false),
        ],
        events: Vec::new(),
    }
}

/// `d` names `category` with `confidence`, and its summary says `says`.
#[track_caller]
fn assert_cause(d: &Diagnosis, category: Category, confidence: Confidence, says: &str) {
    assert_eq!(
        (d.category, d.confidence),
        (Some(category), confidence),
        "{}",
        d.summary
    );
    assert!(d.summary.contains(says), "{}", d.summary);
}

#[test]
fn a_panic_in_the_logs_is_a_code_bug() {
    let d = diagnose(&input(
        pod(CRASHING),
        vec![event("BackOff", "Back-off restarting failed container app")],
        logs("listening\nthread 'main' panicked at src/cart.rs:42:9:\nindex out of bounds\n"),
    ))
    .unwrap();
    assert_cause(
        &d,
        Category::CodeBug,
        Confidence::Medium,
        "panicked at src/cart.rs:42:9",
    );
}

#[test]
fn an_exit_with_nothing_around_it_is_a_low_confidence_code_bug() {
    let d = diagnose(&input(pod(CRASHING), Vec::new(), logs("starting\n"))).unwrap();
    assert_cause(
        &d,
        Category::CodeBug,
        Confidence::Low,
        "most likely in the app",
    );
}

#[test]
fn a_rollout_that_changed_the_image_is_shown_as_the_recent_change() {
    let mut i = input(pod(CRASHING), Vec::new(), Logs::NoInstance);
    i.owners = Fetched::Got(image_rollout());
    let d = diagnose(&i).unwrap();
    let changes = &d.evidence[3];
    assert_eq!(
        changes.found,
        "owned by ReplicaSet web-7d9f ← Deployment web, at revision 4, created 2026-01-02T03:04:05Z: a rollout replaced revision 3 (ReplicaSet web-5c6b) with the new ReplicaSet web-7d9f; no Secret or ConfigMap references"
    );
    assert_cause(
        &d,
        Category::CodeBug,
        Confidence::Low,
        "app=shop/web:2.0 to app=shop/web:2.1",
    );
    assert!(
        d.next_commands
            .iter()
            .any(|c| c.command == "kubectl rollout history deployment/web -n shop")
    );
}

#[test]
fn a_missing_configmap_key_and_an_image_pull_failure() {
    let p = pod(&CRASHING.replace(
        "      image: shop/web:2.1\nstatus",
        "      image: shop/web:2.1\n      env:\n        - name: MODE\n          valueFrom: {configMapKeyRef: {name: settings, key: mode}}\nstatus",
    ));
    let mut i = input(
        never_started(p, "CrashLoopBackOff", ""),
        Vec::new(),
        Logs::NoInstance,
    );
    i.lookups.insert(
        (RefKind::ConfigMap, "settings".into()),
        Presence::Present {
            keys: Some(vec!["other".into()]),
        },
    );
    let d = diagnose(&i).unwrap();
    assert_cause(
        &d,
        Category::MissingConfig,
        Confidence::High,
        "MODE reads key mode of ConfigMap settings",
    );

    let pulling = never_started(
        pod(CRASHING),
        "ImagePullBackOff",
        r#"Back-off pulling image "shop/web:2.1""#,
    );
    let d = diagnose(&input(pulling, Vec::new(), Logs::NoInstance)).unwrap();
    assert_cause(
        &d,
        Category::ImageProblem,
        Confidence::High,
        "shop/web:2.1 cannot be pulled",
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
    assert_cause(
        &d,
        Category::ProbeFailure,
        Confidence::High,
        "not a crash loop",
    );
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
        logs("listening on 0.0.0.0:8080\nreceived SIGTERM, shutting down\n"),
    ))
    .unwrap();
    assert_cause(
        &d,
        Category::ProbeFailure,
        Confidence::High,
        "timeoutSeconds (1s)",
    );
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
        logs("error: listen tcp 0.0.0.0:8080: bind: address already in use (os error 98)\n"),
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
        logs(
            "error: could not connect to postgres at 10.96.0.9:5432: connection refused (os error 111)\n",
        ),
    ))
    .unwrap();
    assert_cause(
        &d,
        Category::DependencyDown,
        Confidence::High,
        "came up later",
    );
}
