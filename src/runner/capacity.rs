//! `--parallel auto`: how many scenarios the cluster can take at once. The room its
//! schedulable nodes have left (allocatable pods, CPU and memory, less what the pods already
//! there request, as the scheduler counts it) against what one scenario may need at most (its
//! pods, and their requests, a rollout's old and new pods together). Pure: the runner reads
//! the nodes and pods ([`super::cluster::Cluster::node_room`]) and sums them here
//! ([`room_of`]).

use std::collections::HashMap;

use k8s_openapi::api::core::v1::{Node, Pod};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::scenario::Scenario;

/// What `auto` picks when the nodes say nothing useful.
pub const FALLBACK: usize = 4;

/// The most `auto` picks: what `--parallel` accepts.
pub const MAX_PARALLEL: usize = 64;

/// What the schedulable nodes have left, summed over them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeRoom {
    pub nodes: usize,
    pub pods: u64,
    pub cpu_milli: u64,
    pub memory_bytes: u64,
    /// The largest node's allocatable CPU and memory: a pod asking for more is never
    /// scheduled (the `unschedulable` scenario asks for 64 CPUs on purpose) and takes no room.
    pub largest_cpu_milli: u64,
    pub largest_memory_bytes: u64,
    /// The allocatable CPU of the machines under the nodes, for [`SCENARIOS_PER_CORE`]:
    /// nodes that share a kernel (one `bootID`: kind's nodes are containers on one machine,
    /// each reporting all of its cores) count its cores once.
    pub allocatable_cpu_milli: u64,
}

/// Crash-looping scenarios one core keeps on time: containers are created, killed and
/// restarted all the while, which no request counts. Measured on a 2-core VM (v1.34.4, every
/// back-off check with 12 s of slack): 32 at once passed 32 of 32 in 12 of 13 runs on a
/// one-node kind cluster and in every run on the local provider, at 1.08 times the longest
/// scenario; 16 at once took 1.6 times. Under load a kubelet restarts late: in 1 of 2 CI runs
/// at 32 at once, `sidecar-crash` saw restarts after 4 s and 20 s where 0 s and 10 s were due,
/// within its curve's bounds, and its third came after its 60 s must-not window had ended the
/// watch. A window no longer cuts a curve short (`expect::Watch::PastWindow`), so 16 a core.
pub const SCENARIOS_PER_CORE: u64 = 16;

/// What one scenario may need at once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScenarioNeeds {
    pub pods: u64,
    pub cpu_milli: u64,
    pub memory_bytes: u64,
}

/// The choice and what decided it, for the run's first lines and its JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParallelChoice {
    pub parallel: usize,
    /// e.g. `every scenario at once: 32 fit in the node's room (104 pods, 1850m CPU, 7.4 GiB)`.
    pub because: String,
}

/// How many of `needs` run at once in `room`: every scenario when they all fit together, else
/// as many as fit whichever of them run together (the most demanding added up, resource by
/// resource); at least 1, at most [`MAX_PARALLEL`].
pub fn auto_parallelism(room: &NodeRoom, needs: &[ScenarioNeeds]) -> ParallelChoice {
    let count = needs.len().max(1);
    if room.nodes == 0 {
        return ParallelChoice {
            parallel: count.min(FALLBACK),
            because: format!("no node takes new pods (all cordoned?), so {FALLBACK}"),
        };
    }
    let schedulable = |n: &&ScenarioNeeds| {
        n.cpu_milli <= room.largest_cpu_milli.max(1) * n.pods.max(1)
            && n.memory_bytes <= room.largest_memory_bytes.max(1) * n.pods.max(1)
    };
    let counted: Vec<&ScenarioNeeds> = needs.iter().filter(schedulable).collect();
    let most = counted
        .iter()
        .fold(ScenarioNeeds::default(), |m, n| ScenarioNeeds {
            pods: m.pods.max(n.pods),
            cpu_milli: m.cpu_milli.max(n.cpu_milli),
            memory_bytes: m.memory_bytes.max(n.memory_bytes),
        });
    // How many fit of one resource whatever the mix: its largest needs first, added up.
    let fit = |have: u64, need: &dyn Fn(&ScenarioNeeds) -> u64| -> usize {
        let mut all: Vec<u64> = counted.iter().map(|n| need(n)).collect();
        all.sort_unstable_by(|a, b| b.cmp(a));
        // Scenarios that never schedule take a slot and no room.
        let unschedulable = needs.len() - counted.len();
        let mut used = 0u64;
        let fitting = all.iter().position(|&n| {
            used = used.saturating_add(n);
            used > have
        });
        fitting.map_or(usize::MAX, |k| unschedulable + k)
    };
    let cores = usize::try_from(room.allocatable_cpu_milli.div_ceil(1000) * SCENARIOS_PER_CORE)
        .unwrap_or(usize::MAX);
    let limits = [
        ("CPU cores", cores),
        ("pods", fit(room.pods, &|n| n.pods)),
        ("CPU requests", fit(room.cpu_milli, &|n| n.cpu_milli)),
        (
            "memory requests",
            fit(room.memory_bytes, &|n| n.memory_bytes),
        ),
    ];
    let (by, fits) = limits
        .iter()
        .copied()
        .min_by_key(|(_, n)| *n)
        .unwrap_or(("pods", usize::MAX));
    let room_text = format!(
        "{} pods, {}m CPU, {} free on {} node{}",
        room.pods,
        room.cpu_milli,
        gib(room.memory_bytes),
        room.nodes,
        if room.nodes == 1 { "" } else { "s" }
    );
    let parallel = count.min(fits).clamp(1, MAX_PARALLEL);
    let because = if parallel == count {
        format!("every scenario at once ({room_text})")
    } else if parallel == MAX_PARALLEL && fits >= MAX_PARALLEL {
        format!("at most {MAX_PARALLEL} at once ({room_text})")
    } else if by == "CPU cores" {
        format!(
            "{parallel} at once: {SCENARIOS_PER_CORE} a core keep their back-off on time ({room_text})"
        )
    } else {
        format!(
            "{parallel} at once: {by} run out beyond that ({room_text}; a scenario needs up to {} pods, {}m CPU, {})",
            most.pods,
            most.cpu_milli,
            gib(most.memory_bytes)
        )
    };
    ParallelChoice { parallel, because }
}

fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / f64::from(1u32 << 30))
}

/// The room the schedulable nodes have left: allocatable less what their pods request.
///
/// A node counts unless it is cordoned or carries a `NoSchedule` or `NoExecute` taint that
/// crashlab's pods do not tolerate: kind's control plane keeps
/// `node-role.kubernetes.io/control-plane:NoSchedule` when the cluster has workers. The
/// `node.kubernetes.io/…` taints the node lifecycle controller sets for conditions do not
/// exclude a node: a kind node can still carry a passing `node.kubernetes.io/not-ready` just
/// after `cluster up`, and a tainted node's pods wait Pending within their deploy time, as
/// anyone's would.
pub fn room_of(nodes: &[Node], pods: &[Pod]) -> NodeRoom {
    let mut room = NodeRoom::default();
    // The largest allocatable CPU per kernel (bootID), else per node.
    let mut machines: HashMap<String, u64> = HashMap::new();
    for node in nodes {
        let spec = node.spec.as_ref();
        if spec.and_then(|s| s.unschedulable) == Some(true) {
            continue;
        }
        let keeps_pods_off = spec
            .and_then(|s| s.taints.as_deref())
            .unwrap_or_default()
            .iter()
            .any(|t| {
                matches!(t.effect.as_str(), "NoSchedule" | "NoExecute")
                    && !t.key.starts_with("node.kubernetes.io/")
            });
        if keeps_pods_off {
            continue;
        }
        let name = node.metadata.name.as_deref().unwrap_or_default();
        let status = node.status.as_ref();
        let alloc = status
            .and_then(|s| s.allocatable.clone())
            .unwrap_or_default();
        let get = |k: &str| alloc.get(k).map(|q| q.0.clone()).unwrap_or_default();
        let on_node: Vec<&Pod> = pods
            .iter()
            .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(name))
            .collect();
        let (mut cpu, mut memory) = (0, 0);
        for p in &on_node {
            let spec = serde_json::to_value(&p.spec).unwrap_or_default();
            let (c, m) = pod_requests(&spec);
            cpu += c;
            memory += m;
        }
        room.nodes += 1;
        room.pods += get("pods")
            .parse::<u64>()
            .unwrap_or(0)
            .saturating_sub(on_node.len() as u64);
        let (node_cpu, node_memory) = (
            cpu_milli(&get("cpu")).unwrap_or(0),
            bytes(&get("memory")).unwrap_or(0),
        );
        room.cpu_milli += node_cpu.saturating_sub(cpu);
        room.memory_bytes += node_memory.saturating_sub(memory);
        room.largest_cpu_milli = room.largest_cpu_milli.max(node_cpu);
        room.largest_memory_bytes = room.largest_memory_bytes.max(node_memory);
        let boot_id = status
            .and_then(|s| s.node_info.as_ref())
            .map(|i| i.boot_id.clone())
            .filter(|id| !id.is_empty())
            .unwrap_or_else(|| format!("node {name}"));
        let machine = machines.entry(boot_id).or_default();
        *machine = (*machine).max(node_cpu);
    }
    room.allocatable_cpu_milli = machines.values().sum();
    room
}

/// What `scenario` may need at once: the pods its manifests make (a Deployment's replicas
/// twice over, for a rollout's old and new pods; a CronJob's job twice, as one may start
/// while the last still runs) and their requests (a limit without a request is requested).
pub fn needs_of(scenario: &Scenario) -> ScenarioNeeds {
    let mut needs = ScenarioNeeds::default();
    for m in scenario.spec.all_manifests() {
        let (pods, spec) = match m["kind"].as_str().unwrap_or_default() {
            "Pod" => (1, &m["spec"]),
            "Deployment" | "ReplicaSet" | "StatefulSet" => {
                (2 * replicas(&m["spec"]), &m["spec"]["template"]["spec"])
            }
            "DaemonSet" => (2, &m["spec"]["template"]["spec"]),
            "Job" => (
                m["spec"]["parallelism"].as_u64().unwrap_or(1),
                &m["spec"]["template"]["spec"],
            ),
            "CronJob" => (2, &m["spec"]["jobTemplate"]["spec"]["template"]["spec"]),
            _ => continue,
        };
        let (cpu, memory) = pod_requests(spec);
        needs.pods += pods;
        needs.cpu_milli += pods * cpu;
        needs.memory_bytes += pods * memory;
    }
    needs
}

fn replicas(spec: &Value) -> u64 {
    spec["replicas"].as_u64().unwrap_or(1)
}

/// A pod's requests as the scheduler counts them: its containers' sum, or its largest init
/// container when that is more.
pub fn pod_requests(spec: &Value) -> (u64, u64) {
    let sum = |key: &str| -> (u64, u64) {
        spec[key]
            .as_array()
            .into_iter()
            .flatten()
            .map(container_requests)
            .fold((0, 0), |(c, m), (dc, dm)| (c + dc, m + dm))
    };
    let max_init = spec["initContainers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(container_requests)
        .fold((0, 0), |(c, m), (dc, dm)| (c.max(dc), m.max(dm)));
    let (cpu, memory) = sum("containers");
    (cpu.max(max_init.0), memory.max(max_init.1))
}

fn container_requests(c: &Value) -> (u64, u64) {
    let get = |name: &str| {
        let r = &c["resources"];
        r["requests"][name]
            .as_str()
            .or_else(|| r["limits"][name].as_str())
            .map(str::to_owned)
            .or_else(|| r["requests"][name].as_u64().map(|n| n.to_string()))
    };
    (
        get("cpu").and_then(|q| cpu_milli(&q)).unwrap_or(0),
        get("memory").and_then(|q| bytes(&q)).unwrap_or(0),
    )
}

/// A CPU quantity in millicores: `250m`, `0.5`, `2`.
pub fn cpu_milli(q: &str) -> Option<u64> {
    let q = q.trim();
    match q.strip_suffix('m') {
        Some(m) => m.parse().ok(),
        None => q
            .parse::<f64>()
            .ok()
            .filter(|v| *v >= 0.0)
            .map(|v| (v * 1000.0).ceil() as u64),
    }
}

/// A memory quantity in bytes: `64Mi`, `1Gi`, `128M`, `1000`, `1e3`.
pub fn bytes(q: &str) -> Option<u64> {
    let q = q.trim();
    const SUFFIXES: [(&str, f64); 12] = [
        ("Ki", 1024.0),
        ("Mi", 1048576.0),
        ("Gi", 1073741824.0),
        ("Ti", 1099511627776.0),
        ("Pi", 1125899906842624.0),
        ("Ei", 1152921504606846976.0),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
        ("P", 1e15),
        ("E", 1e18),
    ];
    for (suffix, factor) in SUFFIXES {
        if let Some(n) = q.strip_suffix(suffix) {
            return n.parse::<f64>().ok().map(|v| (v * factor).ceil() as u64);
        }
    }
    q.parse::<f64>().ok().map(|v| v.ceil() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Catalogue;

    /// A node as the API serves it: allocatable pods, CPU and memory, its bootID and taints.
    fn node(name: &str, cpu: &str, boot_id: &str, taints: &str) -> Node {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": name},
            "spec": {"taints": serde_json::from_str::<Value>(taints).unwrap()},
            "status": {
                "allocatable": {"pods": "110", "cpu": cpu, "memory": "8Gi"},
                "nodeInfo": {
                    "bootID": boot_id, "machineID": name, "systemUUID": name,
                    "architecture": "amd64", "containerRuntimeVersion": "containerd://2.3.4",
                    "kernelVersion": "6.18", "kubeProxyVersion": "", "kubeletVersion": "v1.34.4",
                    "operatingSystem": "linux", "osImage": "Debian GNU/Linux 12 (bookworm)"
                }
            }
        }))
        .unwrap()
    }

    fn pod_on(node: &str, cpu: &str) -> Pod {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": format!("p-{node}")},
            "spec": {"nodeName": node, "containers": [
                {"name": "c", "resources": {"requests": {"cpu": cpu, "memory": "1Gi"}}}
            ]}
        }))
        .unwrap()
    }

    /// Three kind nodes on one 2-core machine (one bootID), as `cluster up --provider kind
    /// --nodes 3` makes them: the control plane keeps its NoSchedule taint and counts for
    /// nothing; the two workers' room adds up; the cores are the machine's two, once.
    #[test]
    fn kind_nodes_on_one_machine_share_its_cores_and_the_control_plane_takes_no_pods() {
        let control_plane =
            r#"[{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]"#;
        let nodes = [
            node("crashlab-control-plane", "2", "b00t", control_plane),
            node("crashlab-worker", "2", "b00t", "[]"),
            node("crashlab-worker2", "2", "b00t", "[]"),
        ];
        let pods = [
            pod_on("crashlab-control-plane", "650m"),
            pod_on("crashlab-worker", "100m"),
        ];
        let room = room_of(&nodes, &pods);
        assert_eq!(
            room,
            NodeRoom {
                nodes: 2,
                pods: 219,
                cpu_milli: 3900,
                memory_bytes: 15 << 30,
                largest_cpu_milli: 2000,
                largest_memory_bytes: 8 << 30,
                allocatable_cpu_milli: 2000,
            }
        );
        // Condition taints (a node just after `cluster up`) leave a node counted; two
        // machines count their cores each.
        let not_ready = r#"[{"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"}]"#;
        let room = room_of(
            &[
                node("a", "2", "boot-a", not_ready),
                node("b", "4", "boot-b", "[]"),
            ],
            &[],
        );
        assert_eq!((room.nodes, room.allocatable_cpu_milli), (2, 6000));
        // A PreferNoSchedule taint keeps no pod off.
        let prefer = r#"[{"key": "x", "effect": "PreferNoSchedule"}]"#;
        assert_eq!(room_of(&[node("a", "2", "", prefer)], &[]).nodes, 1);
    }

    #[test]
    fn quantities_read_as_the_api_writes_them() {
        assert_eq!(cpu_milli("250m"), Some(250));
        assert_eq!(cpu_milli("0.5"), Some(500));
        assert_eq!(cpu_milli("2"), Some(2000));
        assert_eq!(bytes("64Mi"), Some(64 << 20));
        assert_eq!(bytes("1Gi"), Some(1 << 30));
        assert_eq!(bytes("128M"), Some(128_000_000));
        assert_eq!(bytes("1000"), Some(1000));
        assert_eq!(bytes("lots"), None);
    }

    /// The built-in catalogue: what each scenario may need, from its own manifests.
    #[test]
    fn the_catalogue_needs_few_pods_and_requests_little() {
        let cat = Catalogue::builtin();
        let needs: Vec<(String, ScenarioNeeds)> = cat
            .entries()
            .iter()
            .map(|e| (e.scenario.metadata.name.clone(), needs_of(&e.scenario)))
            .collect();
        let of = |name: &str| needs.iter().find(|(n, _)| n == name).unwrap().1;
        // One bare pod requesting 10m CPU and 32Mi (its limit, 64Mi, is not what is counted).
        assert_eq!(
            of("oom"),
            ScenarioNeeds {
                pods: 1,
                cpu_milli: 10,
                memory_bytes: 32 << 20
            }
        );
        // Deployments count a rollout's old and new pods: bad-rollout has two of one replica.
        assert_eq!(of("bad-rollout").pods, 4);
        // unschedulable asks for more CPU than any node of this catalogue's clusters has.
        assert_eq!(of("unschedulable").cpu_milli, 128_000);
        assert!(needs.iter().all(|(_, n)| n.pods >= 1), "{needs:?}");
        assert!(needs.iter().all(|(_, n)| n.pods <= 6), "{needs:?}");
    }

    /// The local cluster as measured on this 2-core, 24 GiB machine (v1.34.4, kubelet
    /// maxPods 110, with its DNS-less system pods): the whole catalogue fits at once.
    #[test]
    fn the_catalogue_runs_all_at_once_where_it_fits_and_less_where_it_does_not() {
        let cat = Catalogue::builtin();
        let needs: Vec<ScenarioNeeds> = cat
            .entries()
            .iter()
            .map(|e| needs_of(&e.scenario))
            .collect();
        let roomy = NodeRoom {
            nodes: 1,
            pods: 108,
            cpu_milli: 2000,
            memory_bytes: 24 << 30,
            largest_cpu_milli: 2000,
            largest_memory_bytes: 24 << 30,
            allocatable_cpu_milli: 8000,
        };
        let choice = auto_parallelism(&roomy, &needs);
        assert_eq!(choice.parallel, needs.len(), "{}", choice.because);
        // The same room on a 1-core node: 16 a core.
        let one_core = NodeRoom {
            allocatable_cpu_milli: 1000,
            ..roomy
        };
        let choice = auto_parallelism(&one_core, &needs);
        assert_eq!(choice.parallel, 16, "{}", choice.because);
        assert!(choice.because.contains("16 a core"), "{}", choice.because);
        // No node takes pods: the fallback, said.
        let none = NodeRoom::default();
        assert_eq!(auto_parallelism(&none, &needs).parallel, FALLBACK);
        let all = auto_parallelism(&roomy, &needs).because;
        assert!(all.starts_with("every scenario at once (108 pods"), "{all}");
        // A node with 20 pods of room left: the pod count decides. The two scenarios of 4
        // pods and six of 2 fill 20; unschedulable, which never gets a pod, takes a slot.
        let tight = NodeRoom { pods: 20, ..roomy };
        let choice = auto_parallelism(&tight, &needs);
        assert_eq!(choice.parallel, 2 + 6 + 1, "{}", choice.because);
        assert!(
            choice.because.contains("pods run out beyond that"),
            "{}",
            choice.because
        );
        // Memory requests can decide too; never fewer than one.
        let small = NodeRoom {
            memory_bytes: 10 << 20,
            ..roomy
        };
        assert_eq!(auto_parallelism(&small, &needs).parallel, 1);
        // A node with 8 CPUs, 100m of them free: CPU requests decide (40m the most a
        // scenario asks for; unschedulable's 64 CPUs never schedule and count for nothing).
        let busy = NodeRoom {
            cpu_milli: 100,
            largest_cpu_milli: 8000,
            ..roomy
        };
        let choice = auto_parallelism(&busy, &needs);
        // 40 + 40 + 20 = 100m, and unschedulable's slot.
        assert_eq!(choice.parallel, 3 + 1, "{}", choice.because);
        assert!(
            choice.because.contains("CPU requests run out"),
            "{}",
            choice.because
        );
        // A hundred small scenarios on a roomy cluster: capped at what --parallel accepts.
        let many = vec![
            ScenarioNeeds {
                pods: 1,
                cpu_milli: 0,
                memory_bytes: 0
            };
            100
        ];
        let huge = NodeRoom {
            pods: 1000,
            ..roomy
        };
        assert_eq!(auto_parallelism(&huge, &many).parallel, MAX_PARALLEL);
    }
}
