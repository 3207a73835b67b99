//! Running the probes on a cluster and gathering everything the judges need: the cluster's
//! profile, each probe's recording through the runner (the same watch every scenario gets),
//! the changes made to the reset probes while they wait in back-off, and the node's own
//! evidence before and after.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::FutureExt as _;
use jiff::Timestamp;
use tokio::sync::mpsc;

use crate::cluster::NodeAccess;
use crate::expect::moment::Moment;
use crate::runner::{OnReproduced, Parallelism, Reproduced, RunEvent, RunOptions, Runner, Verdict};
use crate::scenario::Scenario;

use super::cluster_reads;
use super::instances::terminated_instances;
use super::judge_curve::restarts_to_show_cap;
use super::kernel_log_follow::KernelLogFollow;
use super::node_evidence::{
    Counted, NodeEvidence, PodCgroupCount, TerminationCounts, count_kernel_lines, parse_kernel_log,
};
use super::node_probe;
use super::observations::{Observations, ProbeRun};
use super::probe::{Probe, probes_for};
use super::property::Property;
use super::upstream;

/// The curve probe waits for the cap in the default run when it comes within this much
/// back-off (a tuned kubelet); else only with `--long`.
const CAP_BUDGET_S: u64 = 150;

/// How to reach each node of a cluster, as its provider says; a node it does not know (or a
/// cluster no provider made) is not reachable, and why.
#[derive(Debug, Clone)]
pub struct NodeAccessMap {
    pub by_node: BTreeMap<String, NodeAccess>,
    pub otherwise: NodeAccess,
}

impl NodeAccessMap {
    pub fn for_node(&self, node: &str) -> NodeAccess {
        self.by_node
            .get(node)
            .cloned()
            .unwrap_or_else(|| self.otherwise.clone())
    }
}

pub struct ConformanceOptions {
    pub context: String,
    pub provider: Option<String>,
    /// How the provider reaches each node (by name), for the node the probes run on.
    pub node_access: NodeAccessMap,
    pub properties: Vec<Property>,
    pub long: bool,
}

/// Progress, for the command to show.
#[derive(Debug, Clone)]
pub enum ConformanceEvent {
    NodeChosen {
        node: String,
        access: String,
    },
    ProbesStarted {
        probes: Vec<String>,
    },
    Acted {
        probe: String,
        what: String,
        error: Option<String>,
    },
    ProbeFinished {
        probe: String,
        elapsed_s: f64,
        error: Option<String>,
    },
}

#[derive(Default)]
struct Shared {
    cgroups: Vec<PodCgroupCount>,
}

/// How often the kernel log is read while the probes run ([`KernelLogFollow`]).
const KERNEL_LOG_EVERY: Duration = Duration::from_secs(3);

/// Runs the probes the properties need and returns what was observed, and how long it took.
pub async fn observe(
    client: kube::Client,
    opts: &ConformanceOptions,
    events: Arc<dyn Fn(ConformanceEvent) + Send + Sync>,
) -> Result<(Observations, f64), String> {
    let started = Instant::now();
    // Without the right to read nodes (a read-only or namespaced account), the probes run
    // unpinned and the node's evidence is not measurable, and says why.
    let (node, access) = match cluster_reads::pick_node(&client).await {
        Ok(node) => {
            let name = node.metadata.name.clone().unwrap_or_default();
            let access = opts.node_access.for_node(&name);
            (Some(node), access)
        }
        Err(e) => (
            None,
            NodeAccess::NotReachable {
                why: format!("no node to probe: {e}"),
            },
        ),
    };
    let node_name = node
        .as_ref()
        .and_then(|n| n.metadata.name.clone())
        .unwrap_or_default();
    let mut profile = cluster_reads::profile(
        &client,
        &opts.context,
        opts.provider.as_deref(),
        node.as_ref(),
    )
    .await?;
    events(ConformanceEvent::NodeChosen {
        node: node_name.clone(),
        access: node_probe::describe(&access),
    });
    let blocking = |f: Box<dyn FnOnce() -> Result<String, String> + Send>| async move {
        tokio::task::spawn_blocking(f)
            .await
            .map_err(|e| e.to_string())?
    };
    let reachable = !matches!(access, NodeAccess::NotReachable { .. });
    let cgroup_version = {
        let a = access.clone();
        blocking(Box::new(move || node_probe::cgroup_version(&a)))
            .await
            .ok()
    };
    profile.cgroup_version = cgroup_version.clone();
    let vmstat = |a: NodeAccess| {
        blocking(Box::new(move || {
            node_probe::vmstat_oom_kill(&a).map(|n| n.to_string())
        }))
    };
    let since = {
        let a = access.clone();
        blocking(Box::new(move || {
            node_probe::uptime(&a).map(|u| u.to_string())
        }))
        .await
        .ok()
        .and_then(|u| u.parse::<f64>().ok())
    };
    let vm_before = vmstat(access.clone())
        .await
        .ok()
        .and_then(|s| s.parse::<u64>().ok());
    let term_before = cluster_reads::kubelet_terminations(&client, &node_name).await;

    let (initial, max) = (
        profile.kubelet_backoff.initial_s,
        profile.kubelet_backoff.max_s,
    );
    // A run past the kubelet's fixed 10 minutes drops the back-off entry: --long only. It needs
    // the node, to kill the container from there.
    let long_run = Duration::from_secs(upstream::RESET_AFTER_S + 15);
    let long_run_fits = opts.long && reachable;
    let probes = probes_for(&opts.properties, long_run_fits);
    let scenarios: Vec<Scenario> = probes
        .iter()
        .map(|p| prepared(p, &node_name, initial, max, opts.long, long_run))
        .collect();
    events(ConformanceEvent::ProbesStarted {
        probes: probes.iter().map(|p| p.name.to_owned()).collect(),
    });

    let shared = Arc::new(Mutex::new(Shared::default()));
    let callback = {
        let shared = shared.clone();
        let client = client.clone();
        let access = access.clone();
        let cgroup_version = cgroup_version.clone().unwrap_or_else(|| "v1".to_owned());
        OnReproduced(Arc::new(move |r: Reproduced| {
            let shared = shared.clone();
            let client = client.clone();
            let access = access.clone();
            let cgroup_version = cgroup_version.clone();
            async move {
                let Some(probe) = Probe::by_name(&r.scenario) else {
                    return;
                };
                if probe.oom && r.asked == Moment::Settled {
                    let count = match cluster_reads::pod_uid(&client, &r.namespace, &r.pod).await {
                        Ok(uid) => {
                            let name = probe.name;
                            let access = access.clone();
                            tokio::task::spawn_blocking(move || {
                                node_probe::pod_cgroup_count(&access, name, &uid, &cgroup_version)
                            })
                            .await
                            .ok()
                        }
                        Err(e) => Some(PodCgroupCount {
                            probe: probe.name.to_owned(),
                            file: String::new(),
                            oom_kill: None,
                            error: Some(format!("reading the pod: {e}")),
                        }),
                    };
                    if let Some(c) = count {
                        shared.lock().unwrap().cgroups.push(c);
                    }
                }
            }
            .boxed()
        }))
    };
    let runner = Runner::new(
        client.clone(),
        RunOptions {
            context: opts.context.clone(),
            parallelism: Parallelism::Fixed(scenarios.len().max(1)),
            on_reproduced: Some(callback),
            moments: vec![Moment::Settled],
            ..Default::default()
        },
    );
    let namespaces: Arc<Mutex<BTreeMap<String, String>>> = Arc::default();
    let changes: Vec<_> = probes
        .iter()
        .filter_map(|p| p.action.map(|a| (p.name, a)))
        .map(|(name, action)| {
            let change = super::change_driver::drive_change(
                client.clone(),
                namespaces.clone(),
                name,
                action,
                (initial, max),
                Duration::from_secs(240),
            );
            let events = events.clone();
            let task = tokio::spawn(async move {
                let taken = change.await;
                if let Some(a) = &taken {
                    events(ConformanceEvent::Acted {
                        probe: name.to_owned(),
                        what: a.what.clone(),
                        error: a.error.clone(),
                    });
                }
                taken
            });
            (name, task)
        })
        .collect();
    let kills = Arc::new(Mutex::new(Vec::new()));
    let driver = probes.iter().any(|p| p.killed_from_node).then(|| {
        tokio::spawn(super::kill_driver::drive(
            client.clone(),
            access.clone(),
            Timestamp::now(),
            long_run,
            long_run + Duration::from_secs(300),
            kills.clone(),
        ))
    });
    // The kernel log, followed from now until the probes end: its ring buffer drops old lines.
    let follow = Arc::new(Mutex::new(KernelLogFollow::default()));
    let follower = reachable.then(|| {
        let (follow, access) = (follow.clone(), access.clone());
        tokio::spawn(async move {
            loop {
                let a = access.clone();
                if let Ok(Ok(log)) =
                    tokio::task::spawn_blocking(move || node_probe::kernel_log(&a)).await
                {
                    follow.lock().unwrap().take(&log);
                }
                tokio::time::sleep(KERNEL_LOG_EVERY).await;
            }
        })
    });
    let (tx, mut rx) = mpsc::unbounded_channel::<RunEvent>();
    let forward = {
        let events = events.clone();
        let namespaces = namespaces.clone();
        tokio::spawn(async move {
            while let Some(e) = rx.recv().await {
                if let RunEvent::ScenarioStarted {
                    scenario,
                    namespace,
                    ..
                } = &e
                {
                    namespaces
                        .lock()
                        .unwrap()
                        .insert(scenario.clone(), namespace.clone());
                }
                if let RunEvent::ScenarioFinished { report } = e {
                    events(ConformanceEvent::ProbeFinished {
                        probe: report.name.clone(),
                        elapsed_s: report.elapsed_s,
                        error: (report.verdict == Verdict::Error)
                            .then(|| report.error.clone().unwrap_or_default()),
                    });
                }
            }
        })
    };
    let runs = runner
        .run_scenarios(&scenarios, tx)
        .await
        .map_err(|e| e.to_string())?;
    let _ = forward.await;
    if let Some(d) = driver {
        d.abort();
    }
    let mut actions = Vec::new();
    for (name, task) in changes {
        let taken = if task.is_finished() {
            task.await.ok().flatten()
        } else {
            task.abort();
            None
        };
        if let Some(a) = taken {
            actions.push((name.to_owned(), a));
        }
    }
    let kills = std::mem::take(&mut *kills.lock().unwrap());

    let vm_after = vmstat(access.clone())
        .await
        .ok()
        .and_then(|s| s.parse::<u64>().ok());
    let term_after = cluster_reads::kubelet_terminations(&client, &node_name).await;
    if let Some(f) = follower {
        f.abort();
    }
    // One last read: its error, if any, is the one reported.
    let kernel = {
        let a = access.clone();
        let last = tokio::task::spawn_blocking(move || node_probe::kernel_log(&a))
            .await
            .map_err(|e| e.to_string())?;
        last.map(|log| {
            let mut follow = follow.lock().unwrap();
            follow.take(&log);
            (
                parse_kernel_log(follow.text()),
                since.map(|t| count_kernel_lines(follow.text(), t)),
            )
        })
    };
    let shared = std::mem::take(&mut *shared.lock().unwrap());
    let probe_runs: Vec<ProbeRun> = probes
        .iter()
        .zip(runs)
        .map(|(p, run)| ProbeRun {
            probe: p.name.to_owned(),
            // The runner's word, without its list of checks still pending (all of them).
            error: (run.report.verdict == Verdict::Error).then(|| {
                let e = run.report.error.clone().unwrap_or_default();
                e.split_once("; pending checks:")
                    .map_or(e.clone(), |(head, _)| head.to_owned())
            }),
            recording: run.recording,
            action: actions
                .iter()
                .find(|(name, _)| name == p.name)
                .map(|(_, a)| a.clone()),
            kills: if p.killed_from_node {
                kills.clone()
            } else {
                Vec::new()
            },
        })
        .collect();
    // Keep the kernel's kills of the OOM probes' containers only.
    let ids: Vec<String> = probe_runs
        .iter()
        .filter_map(|r| r.recording.as_ref())
        .flat_map(terminated_instances)
        .map(|i| i.bare_id().to_owned())
        .collect();
    let mut counted = None;
    let (kernel_kills, kernel_log_error) = match kernel {
        Ok((k, lines)) => (
            {
                counted = lines;
                k
            }
            .into_iter()
            .filter(|k| {
                ids.iter()
                    .any(|id| id.starts_with(&k.container_id) && !k.container_id.is_empty())
            })
            .collect(),
            None,
        ),
        Err(e) => (Vec::new(), Some(e)),
    };
    let (kubelet_terminations, kubelet_terminations_note) = match (term_before, term_after) {
        (Ok(before), Ok(Some(after))) => (
            Some(TerminationCounts {
                before: before.unwrap_or_default(),
                after,
            }),
            None,
        ),
        (Ok(_), Ok(None)) => (
            None,
            Some(
                "the kubelet shows no kubelet_terminated_containers_total (added in 1.36, pkg/kubelet/metrics/metrics.go)"
                    .to_owned(),
            ),
        ),
        (Err(e), _) | (_, Err(e)) => (None, Some(format!("the kubelet's metrics could not be read: {e}"))),
    };
    let node = NodeEvidence {
        access: node_probe::describe(&access),
        reachable,
        kernel_kills,
        kernel_log_error,
        kernel_kill_lines: counted.map(|c| c.0),
        kernel_reports_suppressed: counted.map(|c| c.1),
        vmstat_oom_kill: vm_before
            .zip(vm_after)
            .map(|(before, after)| Counted { before, after }),
        pod_cgroups: shared.cgroups,
        kubelet_terminations,
        kubelet_terminations_note,
    };
    Ok((
        Observations {
            cluster: profile,
            probes: probe_runs,
            node,
            long: opts.long,
        },
        started.elapsed().as_secs_f64(),
    ))
}

/// The probe's scenario, pinned to `node`; the curve probe watches until the cap shows twice
/// when that fits the run.
fn prepared(
    probe: &Probe,
    node: &str,
    initial: u32,
    max: u32,
    long: bool,
    long_run: Duration,
) -> Scenario {
    let mut s = probe.scenario();
    for m in s.spec.manifests.iter_mut().filter(|_| !node.is_empty()) {
        if let Some(spec) = m.get_mut("spec").and_then(|v| v.as_object_mut()) {
            spec.insert(
                "nodeName".to_owned(),
                serde_json::Value::String(node.to_owned()),
            );
        }
    }
    if probe.action.is_some() {
        // The change comes in the back-off before this restart; two more show the curve after.
        let change = super::change_driver::restart_to_change(initial, max);
        if let Some(r) = s.spec.expect.restarts.as_mut() {
            r.min = Some(r.min.unwrap_or(0).max(change + 2));
        }
    }
    if probe.killed_from_node {
        s.spec.timeouts.observe = long_run + Duration::from_secs(240);
    }
    if probe.property == Property::BackoffCurve {
        let (n, total) = restarts_to_show_cap(initial, max);
        if long || total <= CAP_BUDGET_S {
            if let Some(r) = s.spec.expect.restarts.as_mut() {
                r.min = Some(r.min.unwrap_or(0).max(n));
            }
            s.spec.timeouts.observe = s
                .spec
                .timeouts
                .observe
                .max(Duration::from_secs(total * 3 / 2 + 60));
        }
    }
    s
}
