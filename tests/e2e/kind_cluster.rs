//! crashlab on a real kind cluster: a kind node (systemd, containerd, a kubelet started by
//! kubeadm) in a Docker container, made by the real `kind` from a node image that
//! `tests/kind/prepare-node-image` builds on machines without a container registry.
//!
//! The catalogue runs on three nodes (`--nodes 3`: one control plane, two workers), which
//! covers what one node does and the multi-node paths (images on every node, pods on several
//! nodes, a DaemonSet judged on each pod); one node, the default, gets a short test of its own.
//! Its kubelets run `--profile ci` (the 2 s back-off cap, through kind's kubeadm patch), and
//! every verdict must be the one the default kubelet gives: pass, as the local cluster's
//! whole-catalogue test holds on a default kubelet.
//!
//! The tests get what they need from the harness (`support::kind::node_image`), whichever
//! runs first: Docker engine, kind and the node image, from `CRASHLAB_KIND_NODE_IMAGE` when
//! set, else prepared by `tests/kind/prepare-node-image` (minutes on a fresh machine, cached
//! after). That needs root, Debian's packages and the Go module proxy; nothing is skipped.

use std::collections::BTreeSet;
use std::sync::Mutex;

use crate::support::kind::node_image;
use std::process::Command;

use crate::support::{self, Run, crashlab, sh_stdout};

use serde_json::Value;

const KIND_CONTEXT: &str = "kind-crashlab";
/// The tests of this file share Docker's view of crashlab's kind cluster: one at a time.
static KIND: Mutex<()> = Mutex::new(());

/// The kubeconfig of crashlab's kind cluster in these tests: a file of its own, so that `kind
/// create cluster`, which makes its context the file's current one, leaves the local
/// cluster's tests that run beside these on theirs. Every command below is given it.
fn kubeconfig() -> String {
    format!("{}/kind-kubeconfig", env!("CARGO_TARGET_TMPDIR"))
}

/// `crashlab` with the kind tests' kubeconfig.
fn kind_crashlab() -> Command {
    let mut c = crashlab();
    c.env("KUBECONFIG", kubeconfig());
    c
}

/// `crashlab ARGS` with the kind tests' kubeconfig, run to completion.
fn kind_run(args: &[&str]) -> Run {
    let mut c = kind_crashlab();
    c.args(args);
    Run::new(c)
}

/// The stdout of `bash -c CMD` with the kind tests' kubeconfig.
fn sh(cmd: &str) -> String {
    sh_stdout(&format!("export KUBECONFIG='{}'; {cmd}", kubeconfig()))
}

/// What of crashlab's kind cluster Docker and the kubeconfig could hold.
#[derive(Debug, PartialEq)]
struct KindLeftovers {
    containers: BTreeSet<String>,
    networks: BTreeSet<String>,
    kube_entries: BTreeSet<String>,
}

fn leftovers() -> KindLeftovers {
    let set = |s: String| -> BTreeSet<String> {
        s.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    };
    KindLeftovers {
        containers: set(sh(
            "docker ps -a --filter label=io.x-k8s.kind.cluster=crashlab --format '{{.Names}}'",
        )),
        networks: set(sh(
            "docker network ls --filter name=crashlab --format '{{.Name}}'",
        )),
        kube_entries: set(sh(
            "grep -o 'kind-crashlab' ${KUBECONFIG:-$HOME/.kube/config} 2>/dev/null || true",
        )),
    }
}

fn nothing() -> KindLeftovers {
    KindLeftovers {
        containers: BTreeSet::new(),
        networks: BTreeSet::new(),
        kube_entries: BTreeSet::new(),
    }
}

/// The nodes of crashlab's kind cluster with `--nodes 3`, as kind names them.
const THREE_NODES: [&str; 3] = [
    "crashlab-control-plane",
    "crashlab-worker",
    "crashlab-worker2",
];

/// `name (verdict): [failed checks] error` for each scenario that did not pass.
fn not_passing(scenarios: &[&Value]) -> Vec<String> {
    scenarios
        .iter()
        .map(|s| {
            let checks: Vec<String> = s["checks"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|c| c["passed"] != true)
                .map(|c| {
                    format!(
                        "{}: expected {}, observed {}",
                        c["name"], c["expected"], c["observed"]
                    )
                })
                .collect();
            format!(
                "{} ({}): {checks:?} {}",
                s["name"], s["verdict"], s["error"]
            )
        })
        .collect()
}

/// Every node of the cluster, by `docker exec` into its container: crashlab's images are there
/// (`kind load image-archive` loads into every node) and, on a host without
/// `CAP_SYS_RESOURCE`, containerd runs the capability wrapper (otherwise no pod sandbox starts).
fn assert_every_node_is_ready_for_crashlab(nodes: &[&str]) {
    let bounding = sh("awk '/^CapBnd:/ {print $2}' /proc/self/status");
    let has_sys_resource = (u64::from_str_radix(bounding.trim(), 16).unwrap() >> 24) & 1 == 1;
    for node in nodes {
        let images = sh(&format!(
            "docker exec {node} ctr --namespace k8s.io images ls -q 2>/dev/null | grep '^crashlab.dev/' | sort"
        ));
        assert_eq!(
            images.lines().collect::<Vec<_>>(),
            ["crashlab.dev/crashprobe:v1", "crashlab.dev/pause:v1"],
            "images on {node}"
        );
        let runc = sh(&format!(
            "docker exec {node} grep -c runc-without-sys-resource /etc/containerd/config.toml || true"
        ));
        assert_eq!(
            runc.trim() != "0",
            !has_sys_resource,
            "{node}: the runc wrapper is in containerd's configuration exactly when the host lacks CAP_SYS_RESOURCE"
        );
    }
}

/// The whole catalogue on three kind nodes (one control plane, two workers): every scenario
/// passes, pods ran on more than one node, and the DaemonSet of `go-panic` was judged on each
/// of its pods, one per worker (the control plane keeps its NoSchedule taint).
#[test]
#[ignore = "needs root, Docker and kind; run with --include-ignored"]
fn the_catalogue_passes_on_three_kind_nodes_and_down_leaves_nothing() {
    // Prepared (or found) before the kind cluster is held; the preparation itself waits for
    // the shared tests (`support::kind`).
    let image = node_image();
    let _one = KIND.lock().unwrap_or_else(|e| e.into_inner());
    // After the shared tests: tried beside them on a 2-core machine (a kubeconfig of their
    // own, one heavy slot), 10 of the local cluster's tests failed, its kubelet restarting a
    // container 61 s into a back-off of 20 s, and the kind tests took 510 s instead of 233 s.
    // Beside the exclusive tests, which run one scenario at a time on the local cluster.
    let _beside = support::beside_the_tail();
    // Where this test's time goes, on stderr (shown with --nocapture or when it fails).
    let test_started = std::time::Instant::now();
    let phase = |what: &str| eprintln!("kind, three nodes: {what} at {:?}", test_started.elapsed());
    kind_run(&["cluster", "down", "--provider", "kind"]).expect_code(0);
    assert_eq!(leftovers(), nothing(), "leftovers before the test");

    let up = kind_run(&[
        "cluster",
        "up",
        "--provider",
        "kind",
        "--nodes",
        "3",
        "--node-image",
        image,
        "--profile",
        "ci",
    ]);
    up.expect_code(0);
    assert!(
        up.stdout()
            .contains("kubelet profile ci: crash-loop back-off capped at 2s"),
        "{}",
        up.stdout()
    );
    assert!(
        up.stdout().contains(&format!(
            "kind cluster ready: Kubernetes v1.34.4 ({image}), 3 nodes: {}; context `kind-crashlab`",
            THREE_NODES.join(", ")
        )),
        "{}",
        up.stdout()
    );
    let during = leftovers();
    assert_eq!(
        during.containers,
        THREE_NODES.iter().map(|n| n.to_string()).collect()
    );
    assert_eq!(
        during.networks,
        BTreeSet::from(["crashlab-kind".to_string()])
    );

    // Each node is a kind node: kind's provider ID, and the kubelet kubeadm configured; all
    // Ready (crashlab waited for the workers, which kind's --wait does not).
    for name in THREE_NODES {
        let node = sh(&format!(
            "kubectl --context {KIND_CONTEXT} get node {name} -o jsonpath='{{.spec.providerID}} {{.status.nodeInfo.kubeletVersion}} {{.status.nodeInfo.containerRuntimeVersion}} {{.status.conditions[?(@.type==\"Ready\")].status}}'"
        ));
        assert!(
            node.starts_with(&format!("kind://docker/crashlab/{name} v1.34.")),
            "{node}"
        );
        assert!(
            node.contains("containerd://") && node.ends_with(" True"),
            "{node}"
        );
    }
    assert_every_node_is_ready_for_crashlab(&THREE_NODES);
    phase("up, every node ready");

    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("junit.xml");
    // Conformance's OOM probes (checked below) run beside the catalogue, as on the local
    // cluster, where the catalogue's own OOM kills share the kernel with them: each kill is
    // matched to its instance by container id. One after the other took 85 s and 45 s.
    let (run, conformance) = std::thread::scope(|threads| {
        let conformance = threads.spawn(|| {
            kind_run(&[
                "conformance",
                "--context",
                KIND_CONTEXT,
                "--only",
                "oom",
                "-o",
                "json",
            ])
        });
        let run = Run::new({
            let mut c = kind_crashlab();
            c.args([
                "run",
                "--all",
                "--context",
                KIND_CONTEXT,
                "--output",
                "json",
            ])
            .arg("--junit")
            .arg(&junit);
            c
        });
        phase("the catalogue ran");
        (run, conformance.join().expect("the conformance thread"))
    });
    phase("conformance --only oom ran beside it");
    let json: Value = serde_json::from_slice(&run.out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON on stdout ({e}); exit {}\n--- stderr\n{}",
            run.code(),
            run.stderr()
        )
    });
    // Every kubelet took the profile: the run read the curve from a node's /configz.
    assert_eq!(
        json["summary"]["kubelet_profile"], "ci",
        "{:#}",
        json["summary"]
    );
    assert_eq!(json["summary"]["kubelet_backoff"]["max_s"], 2);
    for name in ["crashlab-worker", "crashlab-worker2"] {
        let configz = sh(&format!(
            "kubectl --context {KIND_CONTEXT} get --raw /api/v1/nodes/{name}/proxy/configz"
        ));
        assert!(
            configz.contains("\"maxContainerRestartPeriod\":\"2s\""),
            "{name}: {configz}"
        );
    }
    let scenarios = json["scenarios"].as_array().expect("a scenarios array");
    let mut failing: Vec<&Value> = scenarios
        .iter()
        .filter(|s| s["verdict"] != "pass")
        .collect();
    // One known race, and only it, gets one more run: on cgroup v1 with the systemd cgroup
    // driver (kind's), systemd can remove an OOM-killed container's cgroup before containerd's
    // shim reads the OOM notification, and the kill is then reported as exit 137 `Error`
    // (containerd pkg/oom/v1 drops events of deleted cgroups; containerd #8893). The `oom`
    // scenario runs its app under an entrypoint that keeps the cgroup alive for a second, which
    // made it pass 5 runs of 5 alone and 2 catalogue runs of 2 here (without it: 2 of 5 alone).
    if let [only] = failing[..]
        && only["name"] == "oom"
        && only["observed"]["exit_code"] == 137
        && only["observed"]["reason"] == "Error"
    {
        eprintln!(
            "kind: `oom` lost its OOMKilled reason to the systemd-scope race (exit 137 Error); running it once more, alone"
        );
        let again = kind_run(&["run", "oom", "--context", KIND_CONTEXT, "--output", "json"]);
        let doc: Value = serde_json::from_slice(&again.out.stdout)
            .unwrap_or_else(|e| panic!("no JSON on stdout ({e})\n--- stderr\n{}", again.stderr()));
        assert_eq!(doc["scenarios"][0]["verdict"], "pass", "oom again: {doc:#}");
        failing.clear();
    } else {
        run.expect_code(0);
    }
    let failing = not_passing(&failing);
    assert!(
        failing.is_empty(),
        "on kind: {failing:#?}\n{}",
        run.stderr()
    );
    let listed = kind_run(&["list"]);
    let catalogue = listed
        .stdout()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count();
    assert_eq!(scenarios.len(), catalogue, "{}", listed.stdout());
    let junit = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(junit.matches("<testcase").count(), catalogue, "{junit}");

    // Where the pods ran, from the run's JSON: on the workers only (the control plane keeps
    // its taint), and on both of them.
    let nodes_used: BTreeSet<&str> = scenarios
        .iter()
        .flat_map(|s| s["observed"]["nodes"].as_object().into_iter().flatten())
        .filter_map(|(_, node)| node.as_str())
        .collect();
    assert_eq!(
        nodes_used,
        BTreeSet::from(["crashlab-worker", "crashlab-worker2"]),
        "nodes the target pods ran on"
    );
    // go-panic's DaemonSet: one pod per worker, each judged.
    let go_panic = scenarios
        .iter()
        .find(|s| s["name"] == "go-panic")
        .expect("go-panic ran");
    let pods = &go_panic["observed"]["pods"];
    assert_eq!(pods.as_array().map(Vec::len), Some(2), "{go_panic:#}");
    let daemon_nodes: BTreeSet<&str> = go_panic["observed"]["nodes"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(_, n)| n.as_str())
        .collect();
    assert_eq!(daemon_nodes.len(), 2, "{go_panic:#}");
    let backoff = go_panic["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["name"] == "backoff")
        .expect("a backoff check");
    let observed = backoff["observed"].as_str().unwrap_or_default();
    for pod in pods.as_array().into_iter().flatten() {
        let pod = pod.as_str().unwrap();
        assert!(
            observed.contains(&format!("pod {pod}: ")) || observed.ends_with("(each of 2 pods)"),
            "the back-off of {pod} is judged on its own: {observed}"
        );
    }

    // Conformance's OOM truth table on a worker, with the kernel's record read through
    // `docker exec` into that worker (the same kernel as this host). Whether an OOM kill of
    // PID 1 loses its reason is a race (tests/kind/README.md), so either verdict may come; the
    // test holds that the verdict rests on the kernel's word and names the outcome.
    assert!(
        [0, 1].contains(&conformance.code()),
        "{}",
        conformance.describe("conformance --only oom on kind")
    );
    let report: Value = serde_json::from_str(&conformance.stdout()).unwrap();
    assert_eq!(report["cluster"]["cgroup_driver"], "systemd", "{report:#}");
    let access = report["nodeAccess"].as_str().unwrap_or_default();
    assert!(
        access == "docker exec crashlab-worker" || access == "docker exec crashlab-worker2",
        "{access}"
    );
    for case in report["properties"][0]["rows"].as_array().unwrap() {
        let outcome = case["outcome"].as_str().unwrap_or_default();
        match case["verdict"].as_str().unwrap() {
            "conforms" => assert_eq!(outcome, "OOMKilled reported", "{case:#}"),
            "differs" => assert_eq!(outcome, "OOM kill reported as Error", "{case:#}"),
            other => panic!("{other}: {case:#}"),
        }
        assert!(
            case["evidence"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e.as_str().unwrap().contains("cri-containerd-")),
            "the kernel's line, naming the systemd scope of the container: {case:#}"
        );
    }

    // The runs did their own cleanup: no crashlab namespace is left in the cluster.
    let namespaces = sh(&format!(
        "kubectl --context {KIND_CONTEXT} get ns -l app.kubernetes.io/managed-by=crashlab -o name"
    ));
    assert_eq!(namespaces.trim(), "", "namespaces left behind");

    let down = kind_run(&["cluster", "down", "--provider", "kind"]);
    down.expect_code(0);
    assert_eq!(
        leftovers(),
        nothing(),
        "left after `cluster down --provider kind`"
    );
    phase("down, nothing left");
}

/// One node, crashlab's default: kind removes the control plane's taint when it has no
/// workers, so the control plane takes the pods itself: `liveness` runs its pod there, and
/// kind's own kubelet (no profile) kills and restarts it. (The catalogue, back-off curves
/// included, runs on three nodes above; this keeps the one-node shape, which `cluster up
/// --provider kind` makes by default, proved on a real cluster in under a minute. It ran
/// `go-panic` before, whose curve on the default kubelet took 47 of the test's 68 s;
/// `liveness` takes about 18 s.)
#[test]
#[ignore = "needs root, Docker and kind; run with --include-ignored"]
fn one_kind_node_runs_the_pods_on_its_control_plane() {
    let image = node_image();
    let _one = KIND.lock().unwrap_or_else(|e| e.into_inner());
    let _beside = support::beside_the_tail();
    let test_started = std::time::Instant::now();
    let phase = |what: &str| eprintln!("kind, one node: {what} at {:?}", test_started.elapsed());
    kind_run(&["cluster", "down", "--provider", "kind"]).expect_code(0);
    assert_eq!(leftovers(), nothing(), "leftovers before the test");

    let up = kind_run(&["cluster", "up", "--provider", "kind", "--node-image", image]);
    up.expect_code(0);
    assert!(
        up.stdout().contains(&format!(
            "kind cluster ready: Kubernetes v1.34.4 ({image}); context `kind-crashlab`"
        )),
        "{}",
        up.stdout()
    );
    assert_eq!(
        leftovers().containers,
        BTreeSet::from(["crashlab-control-plane".to_string()])
    );
    assert_every_node_is_ready_for_crashlab(&["crashlab-control-plane"]);
    let taints = sh(&format!(
        "kubectl --context {KIND_CONTEXT} get node crashlab-control-plane -o jsonpath='{{.spec.taints}}'"
    ));
    assert_eq!(
        taints.trim(),
        "",
        "the control plane of one node takes pods"
    );

    phase("up, the node ready");
    let run = kind_run(&[
        "run",
        "liveness",
        "--context",
        KIND_CONTEXT,
        "--output",
        "json",
    ]);
    let doc: Value = serde_json::from_slice(&run.out.stdout)
        .unwrap_or_else(|e| panic!("no JSON on stdout ({e})\n--- stderr\n{}", run.stderr()));
    let liveness = &doc["scenarios"][0];
    let failing = not_passing(
        &[liveness]
            .into_iter()
            .filter(|s| s["verdict"] != "pass")
            .collect::<Vec<_>>(),
    );
    assert!(failing.is_empty(), "{failing:#?}\n{}", run.stderr());
    run.expect_code(0);
    let nodes: Vec<&str> = liveness["observed"]["nodes"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(_, n)| n.as_str())
        .collect();
    assert_eq!(nodes, ["crashlab-control-plane"], "{liveness:#}");
    // Kind's kubelet as kubeadm configured it: the run read its curve and found no profile.
    assert_eq!(
        doc["summary"]["kubelet_profile"], "default",
        "{:#}",
        doc["summary"]
    );
    phase("liveness ran");

    kind_run(&["cluster", "down", "--provider", "kind"]).expect_code(0);
    assert_eq!(
        leftovers(),
        nothing(),
        "left after `cluster down --provider kind`"
    );
    phase("down, nothing left");
}

#[test]
#[ignore = "needs root, Docker and kind (the harness prepares them); run with --include-ignored"]
fn a_node_image_that_is_not_there_is_exit_3_naming_it_and_how_to_build_one() {
    // A Docker engine and kind, whichever kind test comes first (on a fresh machine neither
    // is installed before the harness prepares them).
    node_image();
    let _one = KIND.lock().unwrap_or_else(|e| e.into_inner());
    let before = leftovers();
    let run = kind_run(&[
        "cluster",
        "up",
        "--provider",
        "kind",
        "--node-image",
        "crashlab.dev/kind-node:v1.34.0-no-such-image",
    ]);
    run.expect_code(3)
        .stderr_has("the node image `crashlab.dev/kind-node:v1.34.0-no-such-image` is not in the Docker engine")
        .stderr_has("tests/kind/prepare-node-image 1.34");
    assert_eq!(
        leftovers(),
        before,
        "the failed `cluster up` changed something"
    );
}
