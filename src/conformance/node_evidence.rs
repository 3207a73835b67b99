//! What the node itself recorded, independent of the pod status: the kernel's OOM kills, its
//! `oom_kill` count, the pods' memory cgroups' counters and the kubelet's termination counter.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeEvidence {
    /// How the node was reached (`this host`, `docker exec crashlab-control-plane`), or why it
    /// could not be.
    pub access: String,
    pub reachable: bool,
    /// The kernel's OOM kills (`oom-kill:` lines of its log) of the probes' containers.
    #[serde(default)]
    pub kernel_kills: Vec<KernelOomKill>,
    /// Why the kernel log could not be read.
    #[serde(default)]
    pub kernel_log_error: Option<String>,
    /// Over the run (node-wide): the kernel's `Killed process` lines, and the OOM reports it
    /// suppressed (`oom_kill_process: N callbacks suppressed`): the summary line that names the
    /// cgroup is rate-limited, the kill line is not.
    #[serde(default)]
    pub kernel_kill_lines: Option<u64>,
    #[serde(default)]
    pub kernel_reports_suppressed: Option<u64>,
    /// `oom_kill` of `/proc/vmstat` before the probes and after: node-wide, so it also counts
    /// kills of anything else running there.
    #[serde(default)]
    pub vmstat_oom_kill: Option<Counted>,
    /// The OOM probes' pod cgroups' `oom_kill` counters, read while the pods still existed.
    #[serde(default)]
    pub pod_cgroups: Vec<PodCgroupCount>,
    /// `kubelet_terminated_containers_total` by `exit_code/reason`, before and after (the kubelet
    /// has it from 1.36); node-wide.
    #[serde(default)]
    pub kubelet_terminations: Option<TerminationCounts>,
    /// Why the kubelet's counter is not there.
    #[serde(default)]
    pub kubelet_terminations_note: Option<String>,
}

/// One `oom-kill:` line of the kernel: the memory cgroup that hit its limit, the killed
/// task's cgroup (which names the container) and the task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KernelOomKill {
    /// The container the killed task belonged to, from `task_memcg`.
    pub container_id: String,
    pub task: String,
    pub pid: u32,
    pub oom_memcg: String,
    pub task_memcg: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counted {
    pub before: u64,
    pub after: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodCgroupCount {
    pub probe: String,
    /// The file read (`…/pod<uid>/memory.oom_control` on v1, `memory.events` on v2).
    pub file: String,
    #[serde(default)]
    pub oom_kill: Option<u64>,
    #[serde(default)]
    pub error: Option<String>,
}

/// Counts keyed `exit_code/reason`, e.g. `137/OOMKilled`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerminationCounts {
    pub before: BTreeMap<String, u64>,
    pub after: BTreeMap<String, u64>,
}

impl TerminationCounts {
    /// How much each key rose.
    pub fn deltas(&self) -> BTreeMap<String, u64> {
        self.after
            .iter()
            .filter_map(|(k, a)| {
                let d = a.saturating_sub(self.before.get(k).copied().unwrap_or(0));
                (d > 0).then(|| (k.clone(), d))
            })
            .collect()
    }
}

/// The `oom-kill:` lines of a kernel log (`dmesg`), parsed. The container id is the last
/// segment of `task_memcg` with the systemd driver's `cri-containerd-…scope` or the
/// cgroupfs driver's bare id.
pub fn parse_kernel_log(text: &str) -> Vec<KernelOomKill> {
    let mut kills = Vec::new();
    for line in text.lines() {
        let Some(at) = line.find("oom-kill:") else {
            continue;
        };
        let fields: BTreeMap<&str, &str> = line[at + "oom-kill:".len()..]
            .split(',')
            .filter_map(|kv| kv.trim().split_once('='))
            .collect();
        let (Some(task_memcg), Some(task), Some(pid)) = (
            fields.get("task_memcg"),
            fields.get("task"),
            fields.get("pid"),
        ) else {
            continue;
        };
        let last = task_memcg.rsplit('/').next().unwrap_or_default();
        let id = last
            .trim_end_matches(".scope")
            .rsplit('-')
            .next()
            .unwrap_or(last)
            .to_owned();
        kills.push(KernelOomKill {
            container_id: id,
            task: (*task).to_owned(),
            pid: pid.trim().parse().unwrap_or(0),
            oom_memcg: fields
                .get("oom_memcg")
                .copied()
                .unwrap_or_default()
                .to_owned(),
            task_memcg: (*task_memcg).to_owned(),
        });
    }
    kills
}

/// Lines of a kernel log (`dmesg`, `[seconds since boot] text`) from `since` (seconds since
/// boot) on: how many `Killed process` lines, and how many OOM reports were suppressed.
pub fn count_kernel_lines(text: &str, since: f64) -> (u64, u64) {
    let (mut killed, mut suppressed) = (0, 0);
    for line in text.lines() {
        let Some(rest) = line.trim_start().strip_prefix('[') else {
            continue;
        };
        let Some((ts, msg)) = rest.split_once(']') else {
            continue;
        };
        if ts.trim().parse::<f64>().map_or(true, |t| t < since) {
            continue;
        }
        if msg.contains("Killed process ") {
            killed += 1;
        }
        if let Some(n) = msg
            .split_once("oom_kill_process: ")
            .and_then(|(_, r)| r.split_once(" callbacks suppressed"))
            .and_then(|(n, _)| n.trim().parse::<u64>().ok())
        {
            suppressed += n;
        }
    }
    (killed, suppressed)
}

/// `kubelet_terminated_containers_total{container_type="container",exit_code="137",reason="OOMKilled"} 3`
/// lines of the kubelet's `/metrics`, keyed `137/OOMKilled`; `None` when the metric is absent.
pub fn parse_terminations(metrics: &str) -> Option<BTreeMap<String, u64>> {
    let mut found = false;
    let mut counts = BTreeMap::new();
    for line in metrics.lines() {
        if line.starts_with("# HELP kubelet_terminated_containers_total") {
            found = true;
        }
        let Some(rest) = line.strip_prefix("kubelet_terminated_containers_total{") else {
            continue;
        };
        found = true;
        let Some((labels, value)) = rest.rsplit_once('}') else {
            continue;
        };
        if !labels.contains("container_type=\"container\"") {
            continue;
        }
        let label = |name: &str| {
            labels
                .split(',')
                .find_map(|kv| kv.strip_prefix(&format!("{name}=\"")))
                .map(|v| v.trim_end_matches('"').to_owned())
                .unwrap_or_default()
        };
        let n: f64 = value.trim().parse().unwrap_or(0.0);
        *counts
            .entry(format!("{}/{}", label("exit_code"), label("reason")))
            .or_insert(0) += n as u64;
    }
    found.then_some(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines as the kernel of this project's machine wrote them (6.18, cgroup v1, the local
    /// provider's cgroupfs driver), and as the systemd driver names the scope.
    #[test]
    fn kernel_oom_lines_name_the_container() {
        let log = "[32512.1] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=6b2119b40feb,mems_allowed=0,oom_memcg=/crashlab/kubepods/burstable/pod3fd703c8-31b4-4111-84f4-b50e2c6efd64,task_memcg=/crashlab/kubepods/burstable/pod3fd703c8-31b4-4111-84f4-b50e2c6efd64/6b2119b40febdf0a80592fdddc2c7f60ccb50f9f4b9efbf9dd0312535668d531,task=crashprobe,pid=14406,uid=0
[32512.1] Memory cgroup out of memory: Killed process 14406 (crashprobe) total-vm:67448kB
[1.0] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/kubelet-kubepods-burstable-pod1_2.slice/cri-containerd-abc123.scope,task_memcg=/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/kubelet-kubepods-burstable-pod1_2.slice/cri-containerd-abc123.scope,task=crashprobe,pid=7,uid=0";
        let kills = parse_kernel_log(log);
        assert_eq!(kills.len(), 2);
        assert_eq!(
            kills[0].container_id,
            "6b2119b40febdf0a80592fdddc2c7f60ccb50f9f4b9efbf9dd0312535668d531"
        );
        assert_eq!(kills[0].pid, 14406);
        assert!(
            kills[0]
                .oom_memcg
                .ends_with("pod3fd703c8-31b4-4111-84f4-b50e2c6efd64")
        );
        assert_eq!(kills[1].container_id, "abc123");
    }

    /// As this machine's kernel wrote them during a conformance run on kind (6.18).
    #[test]
    fn kill_lines_and_suppressed_reports_are_counted_from_a_time_on() {
        let log =
            "[100.5] Memory cgroup out of memory: Killed process 7 (crashprobe) total-vm:67448kB
[35828.257717] oom_kill_process: 2 callbacks suppressed
[35828.3] Memory cgroup out of memory: Killed process 9 (crashprobe) total-vm:67448kB
[35829.0] Memory cgroup out of memory: Killed process 10 (crashprobe) total-vm:67448kB";
        assert_eq!(count_kernel_lines(log, 200.0), (2, 2));
        assert_eq!(count_kernel_lines(log, 0.0), (3, 2));
    }

    #[test]
    fn the_kubelets_termination_counter_is_keyed_by_exit_code_and_reason() {
        let m = "# HELP kubelet_terminated_containers_total [ALPHA] Cumulative number of container terminations.
kubelet_terminated_containers_total{container_type=\"container\",exit_code=\"137\",reason=\"OOMKilled\"} 3
kubelet_terminated_containers_total{container_type=\"container\",exit_code=\"137\",reason=\"Error\"} 1
kubelet_terminated_containers_total{container_type=\"init_container\",exit_code=\"1\",reason=\"Error\"} 4
";
        let c = parse_terminations(m).unwrap();
        assert_eq!(c.get("137/OOMKilled"), Some(&3));
        assert_eq!(c.get("137/Error"), Some(&1));
        assert_eq!(c.len(), 2);
        assert_eq!(parse_terminations("kubelet_other 1\n"), None);
        let t = TerminationCounts {
            before: [("137/OOMKilled".to_owned(), 3)].into(),
            after: [("137/OOMKilled".to_owned(), 6), ("1/Error".to_owned(), 2)].into(),
        };
        assert_eq!(t.deltas().get("137/OOMKilled"), Some(&3));
        assert_eq!(t.deltas().get("1/Error"), Some(&2));
    }
}
