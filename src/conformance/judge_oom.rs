//! The OOM truth table: for an app alone as PID 1 and for a child under an entrypoint, each
//! terminated instance's reported reason and exit code against the kernel's own record of an
//! OOM kill of that container.

use super::conformance_report::{PropertyResult, Row};
use super::instances::{Instance, pod_uid, terminated_instances};
use super::node_evidence::KernelOomKill;
use super::observations::Observations;
use super::observations::minor;
use super::property::Property;
use super::upstream::oom_sources;
use super::verdict::Verdict;

pub const OOM_REPORTED: &str = "OOMKilled reported";
pub const OOM_AS_ERROR: &str = "OOM kill reported as Error";
pub const NO_OOM_KILL: &str = "no OOM kill";

const UPSTREAM: &str = "every kernel OOM kill of the container reported as OOMKilled, exit 137";

pub fn judge_oom(obs: &Observations) -> PropertyResult {
    let rows = [
        ("oom-pid1", "app alone as PID 1"),
        ("oom-child", "app as a child of an entrypoint"),
    ]
    .into_iter()
    .map(|(probe, case)| oom_row(obs, probe, case))
    .collect();
    PropertyResult::new(Property::Oom, rows, oom_sources(minor(obs).unwrap_or(34)))
}

fn oom_row(obs: &Observations, probe: &str, case: &str) -> Row {
    let row = Row::new(case, UPSTREAM).probe(probe);
    let Some(run) = obs.probe(probe) else {
        return row.not_measurable(format!("probe {probe} did not run"));
    };
    if let Some(e) = &run.error {
        return row.not_measurable(format!("probe {probe} could not run: {e}"));
    }
    let Some(rec) = &run.recording else {
        return row.not_measurable("it did not start");
    };
    let instances = terminated_instances(rec);
    if instances.is_empty() {
        return row.not_measurable("no instance of the container terminated within the watch");
    }
    let reported = tally(&instances);
    let mut row = row;
    if let Some(uid) = pod_uid(rec) {
        row = row.evidence(format!("pod app has UID {uid}"));
    }
    for pc in obs.node.pod_cgroups.iter().filter(|p| p.probe == probe) {
        row = row.evidence(match (pc.oom_kill, &pc.error) {
            (Some(n), _) => format!(
                "pod cgroup oom_kill counter {n} ({}){}",
                pc.file,
                if n == 0 && obs.cluster.cgroup_version.as_deref() == Some("v1") {
                    ": cgroup v1 counts a kill on the killed task's own cgroup, the container's, which is removed with the container"
                } else {
                    ""
                }
            ),
            (None, Some(e)) => format!("pod cgroup counter not read: {e}"),
            (None, None) => format!("pod cgroup counter not read ({})", pc.file),
        });
    }
    if !obs.node.reachable || obs.node.kernel_log_error.is_some() {
        let why = if obs.node.reachable {
            format!(
                "the kernel's log could not be read: {}",
                obs.node.kernel_log_error.as_deref().unwrap_or_default()
            )
        } else {
            format!("the node is not reachable: {}", obs.node.access)
        };
        return row
            .observed(format!("status only: {reported}"), Verdict::NotMeasurable)
            .why(format!(
                "{why}; without the kernel's record the status cannot be checked"
            ));
    }
    let mut confirmed = 0;
    let mut as_other: Vec<String> = Vec::new();
    let mut without_kill = 0;
    for i in &instances {
        match kernel_kill(&obs.node.kernel_kills, i) {
            Some(k) => {
                confirmed += 1;
                let misreported = i.reason.as_deref() != Some("OOMKilled") || i.exit_code != 137;
                if misreported {
                    as_other.push(format!(
                        "{} exit {}",
                        i.reason.as_deref().unwrap_or("no reason"),
                        i.exit_code
                    ));
                }
                // The kernel's line of the first kill, and of each one the status misreported.
                if confirmed == 1 || misreported {
                    row = row.evidence(format!(
                        "kernel: oom-kill of task {} (pid {}), oom_memcg={}, task_memcg={}{}",
                        k.task,
                        k.pid,
                        k.oom_memcg,
                        k.task_memcg,
                        if misreported {
                            format!(
                                "; the status of container {} says {} exit {}",
                                i.bare_id(),
                                i.reason.as_deref().unwrap_or("no reason"),
                                i.exit_code
                            )
                        } else {
                            String::new()
                        }
                    ));
                }
            }
            None => without_kill += 1,
        }
    }
    row = row.evidence(format!(
        "kernel OOM kills of the probe pods' containers: {confirmed} of {} terminated instances",
        instances.len()
    ));
    if let (Some(lines), Some(suppressed)) = (
        obs.node.kernel_kill_lines,
        obs.node.kernel_reports_suppressed,
    ) && suppressed > 0
    {
        row = row.evidence(format!(
            "the kernel printed {lines} `Killed process` lines during the run and suppressed {suppressed} OOM reports (rate-limited, mm/oom_kill.c): a kill whose report was suppressed has no line naming its cgroup"
        ));
    }
    if let Some(v) = obs.node.vmstat_oom_kill {
        row = row.evidence(format!(
            "/proc/vmstat oom_kill {} → {} over the run (node-wide)",
            v.before, v.after
        ));
    }
    if let Some(t) = &obs.node.kubelet_terminations {
        let d = t.deltas();
        let show = |k: &str| d.get(k).copied().unwrap_or(0);
        let counted = show("137/OOMKilled") + show("137/Error");
        let all_kills = obs.node.kernel_kills.len() as u64;
        row = row.evidence(format!(
            "kubelet_terminated_containers_total over the run (node-wide): 137/OOMKilled +{}, 137/Error +{}{}",
            show("137/OOMKilled"),
            show("137/Error"),
            if counted < all_kills {
                format!(
                    ", for {all_kills} kernel OOM kills of the probes: the kubelet counts a termination only when a status it writes shows the container in state terminated, which a crash loop's statuses often skip (pkg/kubelet/status/status_manager.go, checkAndRecordTerminations)"
                )
            } else {
                String::new()
            }
        ));
    } else if let Some(note) = &obs.node.kubelet_terminations_note {
        row = row.evidence(note.clone());
    }
    if confirmed == 0 {
        let rotated = obs.node.kernel_kill_lines.is_some_and(|n| n > 0)
            || obs.node.vmstat_oom_kill.is_some_and(|v| v.after > v.before);
        return row
            .observed(
                format!("{reported}; no kernel line names these containers"),
                Verdict::NotMeasurable,
            )
            .outcome(NO_OOM_KILL)
            .why(if rotated {
                "the kernel killed processes for memory during the run, but its log no longer holds a line naming these containers (the ring buffer turned over, or the reports were rate-limited), so the report cannot be checked"
            } else {
                "the probe did not make the kernel kill it, so the report cannot be checked"
            });
    }
    let observed = format!(
        "{confirmed} kernel OOM kills: {}{}",
        if as_other.is_empty() {
            format!("all {confirmed} reported OOMKilled, exit 137")
        } else {
            format!(
                "{} of {confirmed} reported as {}",
                as_other.len(),
                summarize(&as_other)
            )
        },
        if without_kill > 0 {
            format!("; {without_kill} terminations without a kernel line naming their cgroup")
        } else {
            String::new()
        }
    );
    if as_other.is_empty() {
        row.observed(observed, Verdict::Conforms)
            .outcome(OOM_REPORTED)
    } else {
        let driver = obs.cluster.cgroup_driver.as_deref().unwrap_or("unknown");
        let cg = obs.cluster.cgroup_version.as_deref().unwrap_or("unknown");
        row.observed(observed, Verdict::Differs)
            .outcome(OOM_AS_ERROR)
            .why(format!(
                "the kernel killed the container for memory but the status says otherwise: with the {driver} cgroup driver on cgroup {cg}, the container's cgroup can be gone before containerd reads its OOM event or counter (containerd internal/cri/server/events.go, note 3 of handleContainerExit); the runtime is {}",
                obs.cluster.container_runtime.as_deref().unwrap_or("unknown")
            ))
    }
}

fn kernel_kill<'a>(kills: &'a [KernelOomKill], i: &Instance) -> Option<&'a KernelOomKill> {
    let id = i.bare_id();
    kills.iter().find(|k| {
        !k.container_id.is_empty()
            && (id.starts_with(&k.container_id) || k.container_id.starts_with(id))
    })
}

/// `3 OOMKilled/137, 1 Error/137`: what the status said, per reason and exit code.
fn tally(instances: &[Instance]) -> String {
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for i in instances {
        *counts
            .entry(format!(
                "{} {}",
                i.reason.as_deref().unwrap_or("no reason"),
                i.exit_code
            ))
            .or_default() += 1;
    }
    counts
        .into_iter()
        .map(|(k, n)| format!("{n}× {k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn summarize(items: &[String]) -> String {
    let mut uniq: Vec<&String> = items.iter().collect();
    uniq.sort();
    uniq.dedup();
    uniq.into_iter().cloned().collect::<Vec<_>>().join(", ")
}
