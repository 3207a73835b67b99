//! crashlab's rendering of `kubectl get pod` and `kubectl describe pod` (the container's state
//! and the Events) against a real kubectl of the cluster's own version, on the same pod at
//! the same moment: a kept `oom` run on the local cluster, its Pod and Events read through
//! the API, `kubectl describe` run between two reads of the pod that must agree.
//!
//! Needs root and the local cluster (brought up here when it is not running); `#[ignore]`d
//! like every test that needs a cluster, and never skipped by `--include-ignored`.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use crashlab::kubectl_view::{
    PodRow, container_state_lines, container_status, events_table, pod_events,
};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use k8s_openapi::api::core::v1::{Event, Pod};
use kube::api::{Api, ListParams};

use crate::support::{self, LOCAL_CONTEXT as CONTEXT, crashlab};

/// The kubectl the local provider built for this server version, from the same Go modules.
fn kubectl_for(version: &str) -> PathBuf {
    let cache = std::env::var_os("CRASHLAB_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("crashlab")))
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/crashlab"));
    let path = cache.join("kubernetes").join(version).join("bin/kubectl");
    assert!(path.exists(), "no kubectl at {}", path.display());
    path
}

/// Lines with runs of spaces collapsed: kubectl aligns the container block with the fields
/// above it (Image, Port, ...) that crashlab leaves out.
fn squeeze(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Deletes the kept namespace however the test ends.
struct Namespace {
    name: String,
    kubectl: PathBuf,
}

impl Drop for Namespace {
    fn drop(&mut self) {
        let _ = Command::new(&self.kubectl)
            .args([
                "--context",
                CONTEXT,
                "delete",
                "namespace",
                &self.name,
                "--wait=false",
            ])
            .output();
    }
}

#[test]
#[ignore = "needs root and the local cluster"]
fn describe_and_get_render_as_kubectl_prints_them() {
    let _cluster = support::shared();
    let _slot = support::slot(58);
    support::ensure_local_cluster();
    let run = crashlab()
        .args(["run", "oom", "--keep", "-o", "json", "--context", CONTEXT])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let ns = doc["scenarios"][0]["namespace"]
        .as_str()
        .unwrap()
        .to_owned();

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = rt.block_on(async {
        let config = kube::Config::from_kubeconfig(&kube::config::KubeConfigOptions {
            context: Some(CONTEXT.to_owned()),
            ..Default::default()
        })
        .await
        .unwrap();
        kube::Client::try_from(config).unwrap()
    });
    let version = rt.block_on(client.apiserver_version()).unwrap().git_version;
    let kubectl = kubectl_for(&version);
    let _guard = Namespace {
        name: ns.clone(),
        kubectl: kubectl.clone(),
    };
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns);
    let events: Api<Event> = Api::namespaced(client, &ns);

    let mut compared = 0;
    for attempt in 0..20 {
        let before = rt.block_on(pods.get("app")).unwrap();
        let evs = rt
            .block_on(events.list(&ListParams::default()))
            .unwrap()
            .items;
        let now = Timestamp::now();
        let describe = Command::new(&kubectl)
            .args(["--context", CONTEXT, "-n", &ns, "describe", "pod", "app"])
            .env("TZ", "UTC")
            .output()
            .unwrap();
        let get = Command::new(&kubectl)
            .args(["--context", CONTEXT, "-n", &ns, "get", "pod", "app"])
            .output()
            .unwrap();
        let after = rt.block_on(pods.get("app")).unwrap();
        let evs_after = rt
            .block_on(events.list(&ListParams::default()))
            .unwrap()
            .items;
        if before.metadata.resource_version != after.metadata.resource_version
            || evs.len() != evs_after.len()
            || evs
                .iter()
                .zip(&evs_after)
                .any(|(a, b)| a.metadata.resource_version != b.metadata.resource_version)
        {
            // The pod moved on while kubectl looked: look again.
            std::thread::sleep(Duration::from_millis(300));
            continue;
        }
        let describe = String::from_utf8(describe.stdout).unwrap();
        let get = String::from_utf8(get.stdout).unwrap();

        // The container block: the same lines, in the same order, one after the other.
        let status = container_status(&before, "app").unwrap();
        let ours: Vec<String> = container_state_lines(status, &TimeZone::UTC)
            .into_iter()
            .map(|(_, label, value)| squeeze(&format!("{label}: {value}")))
            .collect();
        let theirs: Vec<String> = describe.lines().map(squeeze).collect();
        let start = theirs
            .iter()
            .position(|l| l == &ours[0])
            .unwrap_or_else(|| panic!("{:?} not in kubectl describe:\n{describe}", ours[0]));
        assert_eq!(theirs[start..start + ours.len()], ours[..], "{describe}");

        // Ages differ when a second boundary fell between kubectl and crashlab: accept the
        // rendering at now ± 1 s, and nothing else.
        let at =
            |delta_ms: i64| Timestamp::from_millisecond(now.as_millisecond() + delta_ms).unwrap();
        let event_rows = |t: Timestamp| {
            events_table(&pod_events(&evs, "app", before.metadata.uid.as_deref()), t)
        };
        let described_events: Vec<&str> = describe
            .lines()
            .skip_while(|l| !l.starts_with("Events:"))
            .collect();
        let events_match = [-1000, 0, 1000].into_iter().any(|d| {
            let ours = event_rows(at(d));
            ours.iter().map(String::as_str).collect::<Vec<_>>() == described_events
        });
        let get_lines: Vec<&str> = get.lines().collect();
        let get_match = [-1000, 0, 1000]
            .into_iter()
            .any(|d| PodRow::table(&[PodRow::of(&before, at(d))]) == get_lines);
        if !(events_match && get_match) && attempt < 19 {
            eprintln!(
                "attempt {attempt}: kubectl printed\n{get}\n{}\ncrashlab rendered\n{}\n{}",
                described_events.join("\n"),
                PodRow::table(&[PodRow::of(&before, now)]).join("\n"),
                event_rows(now).join("\n")
            );
            std::thread::sleep(Duration::from_millis(300));
            continue;
        }
        assert!(
            events_match,
            "Events differ:\n{}\nvs ours\n{}",
            described_events.join("\n"),
            event_rows(now).join("\n")
        );
        assert!(
            get_match,
            "get differs:\n{get}\nvs ours\n{}",
            PodRow::table(&[PodRow::of(&before, now)]).join("\n")
        );
        // A crash loop with history: the comparison covered a Last State and repeated events.
        assert!(
            ours.iter().any(|l| l == "Last State: Terminated"),
            "{ours:?}"
        );
        assert!(
            described_events.iter().any(|l| l.contains("(x")),
            "{described_events:?}"
        );
        compared += 1;
        if compared == 3 {
            break;
        }
        std::thread::sleep(Duration::from_secs(4));
    }
    assert_eq!(compared, 3, "the pod never held still for kubectl describe");
}
