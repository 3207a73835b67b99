//! Faults on a real cluster, caused on purpose through the local provider (its processes run
//! on this host): the API server killed in the middle of a run, containerd frozen for a few
//! seconds, the scenario's namespace flooded with unrelated events. Nothing may be lost: the
//! run passes with every termination accounted for, or it ends with exit 3 and the evidence
//! so far. A fault hits the whole cluster: the API server and containerd tests hold it
//! exclusively (`support::exclusive`), the flood of events (in the run's own namespace) shares
//! it.
//!
//! Needs root and the local cluster (brought up here when it is not running); `#[ignore]`d
//! like every test that needs a cluster, and never skipped by `--include-ignored`.

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{Event, Namespace, ObjectReference};
use kube::api::{Api, ListParams, ObjectMeta, PostParams};
use serde_json::Value;

use crate::support::{
    self, LOCAL_CONTEXT as CONTEXT, bring_local_cluster_up, crashlab, ensure_local_cluster, sh,
};

/// Where the local provider keeps its state (its containerd's configuration among it).
const LOCAL_STATE: &str = "/var/lib/crashlab/local";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn client() -> kube::Client {
    let options = kube::config::KubeConfigOptions {
        context: Some(CONTEXT.to_owned()),
        ..Default::default()
    };
    let config = kube::Config::from_kubeconfig(&options).await.unwrap();
    kube::Client::try_from(config).unwrap()
}

/// Starts `crashlab run SCENARIO -o json` and returns it with its namespace, once that exists
/// (found by the owner PID crashlab writes into its annotations).
// The child goes back to the caller, who waits for it in `finish`.
#[allow(clippy::zombie_processes)]
fn start(scenario: &str) -> (Child, String) {
    let mut child = crashlab()
        .args(["run", scenario, "-o", "json", "--context", CONTEXT])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id().to_string();
    let deadline = Instant::now() + Duration::from_secs(120);
    let rt = runtime();
    loop {
        let found = rt.block_on(async {
            let api: Api<Namespace> = Api::all(client().await);
            let list = api
                .list(&ListParams::default().labels("app.kubernetes.io/managed-by=crashlab"))
                .await
                .ok()?;
            list.items.into_iter().find_map(|ns| {
                let owner = ns
                    .metadata
                    .annotations
                    .as_ref()?
                    .get("crashlab.dev/owner-pid")?;
                (*owner == pid).then(|| ns.metadata.name.clone().unwrap_or_default())
            })
        });
        if let Some(ns) = found {
            return (child, ns);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("no namespace of pid {pid}");
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// Waits for the run; returns its exit code and its JSON document.
fn finish(child: Child) -> (i32, Value) {
    let out = child.wait_with_output().unwrap();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}); exit {:?}\n--- stderr\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), doc)
}

/// Passed with its signals complete, or an error (exit 3) that says what and keeps the
/// evidence: never a false failure, never a silent loss.
fn passed_or_explained(code: i32, doc: &Value) -> &'static str {
    let s = &doc["scenarios"][0];
    match code {
        0 => {
            assert_eq!(s["verdict"], "pass", "{s:#}");
            // Every termination seen is one exit code; the restart count agrees with them.
            let exits = s["observed"]["exit_codes"].as_array().unwrap().len();
            let restarts = s["observed"]["restart_count"].as_i64().unwrap() as usize;
            assert!(
                exits >= restarts,
                "{exits} exits for {restarts} restarts: {s:#}"
            );
            "passed"
        }
        3 => {
            assert_eq!(s["verdict"], "error", "{s:#}");
            assert!(s["error"].as_str().is_some_and(|e| !e.is_empty()), "{s:#}");
            assert!(
                !s["timeline"]["entries"].as_array().unwrap().is_empty(),
                "{s:#}"
            );
            "error with evidence"
        }
        _ => panic!("exit {code}: {doc:#}"),
    }
}

#[test]
#[ignore = "needs root and the local cluster; run with --include-ignored"]
fn killing_the_api_server_mid_run_loses_nothing() {
    let _alone = support::exclusive();
    ensure_local_cluster();
    let (child, _ns) = start("exit-1");
    std::thread::sleep(Duration::from_secs(4));
    // The local cluster's only: a kind node's API server is a process of this host too, in
    // its container's PID namespace (the kind tests may run beside this one).
    let killed = sh("pkill --ns $$ --nslist pid -KILL -x kube-apiserver");
    assert!(killed.status.success(), "no kube-apiserver to kill");
    let (code, doc) = finish(child);
    let outcome = passed_or_explained(code, &doc);
    eprintln!("API server killed 4 s in: {outcome}");
    // The supervisor restarts it; the local cluster serves the next test.
    bring_local_cluster_up();
}

#[test]
#[ignore = "needs root and the local cluster; run with --include-ignored"]
fn freezing_containerd_for_five_seconds_loses_nothing() {
    let _alone = support::exclusive();
    ensure_local_cluster();
    let (child, _ns) = start("exit-1");
    std::thread::sleep(Duration::from_secs(3));
    // The local cluster's containerd only: kind nodes and the Docker engine run their own.
    let local = format!("^[^ ]*containerd --config {LOCAL_STATE}/");
    assert!(sh(&format!("pkill -STOP -f '{local}'")).status.success());
    std::thread::sleep(Duration::from_secs(5));
    assert!(sh(&format!("pkill -CONT -f '{local}'")).status.success());
    let (code, doc) = finish(child);
    let outcome = passed_or_explained(code, &doc);
    eprintln!("containerd frozen 5 s: {outcome}");
}

#[test]
#[ignore = "needs root and the local cluster; run with --include-ignored"]
fn a_flood_of_unrelated_events_changes_nothing() {
    let _cluster = support::shared();
    let _slot = support::slot(50);
    ensure_local_cluster();
    let (child, ns) = start("exit-1");
    let rt = runtime();
    let created = rt.block_on(async {
        let api: Api<Event> = Api::namespaced(client().await, &ns);
        let mut created = 0;
        for i in 0..300 {
            let ev = Event {
                metadata: ObjectMeta {
                    name: Some(format!("noise-{i}")),
                    ..Default::default()
                },
                involved_object: ObjectReference {
                    kind: Some("ConfigMap".into()),
                    name: Some("noise".into()),
                    namespace: Some(ns.clone()),
                    ..Default::default()
                },
                reason: Some("Noise".into()),
                message: Some(format!("unrelated event {i}")),
                type_: Some("Normal".into()),
                ..Default::default()
            };
            if api.create(&PostParams::default(), &ev).await.is_ok() {
                created += 1;
            }
        }
        created
    });
    assert!(created > 250, "only {created} events created");
    let (code, doc) = finish(child);
    assert_eq!(passed_or_explained(code, &doc), "passed", "{doc:#}");
    // The noise is in the timeline, but no check and no summary took it for the target's.
    let s = &doc["scenarios"][0];
    let noise_seen = s["timeline"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["reason"] == "Noise")
        .count();
    assert!(noise_seen > 0, "the flood never reached the watch");
    let summary_events = s["observed"]["events"].as_array().unwrap();
    assert!(
        summary_events.iter().all(|e| e["reason"] != "Noise"),
        "{summary_events:#?}"
    );
}
