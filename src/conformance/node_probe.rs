//! Reading the node itself: commands run where the provider says the node is (this host, or
//! `docker exec` into a kind node, which shares this host's kernel).

use std::process::{Command, Stdio};

use crate::cluster::NodeAccess;

use super::node_evidence::PodCgroupCount;

/// How `access` reaches the node, in words.
pub fn describe(access: &NodeAccess) -> String {
    match access {
        NodeAccess::ThisHost => "this host".to_owned(),
        NodeAccess::Command { program, args } => format!("{program} {}", args.join(" ")),
        NodeAccess::NotReachable { why } => format!("not reachable: {why}"),
    }
}

/// Runs `script` with `sh -c` on the node; its stdout, or what went wrong.
pub fn run(access: &NodeAccess, script: &str) -> Result<String, String> {
    let mut cmd = match access {
        NodeAccess::ThisHost => Command::new("sh"),
        NodeAccess::Command { program, args } => {
            let mut c = Command::new(program);
            c.args(args).arg("sh");
            c
        }
        NodeAccess::NotReachable { why } => return Err(why.clone()),
    };
    let out = cmd
        .arg("-c")
        .arg(script)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("running {}: {e}", describe(access)))?;
    if !out.status.success() {
        return Err(format!(
            "`{script}` on the node failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `oom_kill` of `/proc/vmstat`.
pub fn vmstat_oom_kill(access: &NodeAccess) -> Result<u64, String> {
    let text = run(access, "cat /proc/vmstat")?;
    text.lines()
        .find_map(|l| l.strip_prefix("oom_kill "))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| "/proc/vmstat has no oom_kill line".to_owned())
}

/// `v1` or `v2`: the file system type of `/sys/fs/cgroup`.
pub fn cgroup_version(access: &NodeAccess) -> Result<String, String> {
    let fs = run(access, "stat -fc %T /sys/fs/cgroup")?;
    Ok(if fs.trim() == "cgroup2fs" { "v2" } else { "v1" }.to_owned())
}

/// The node's uptime in seconds: the clock of the kernel log's timestamps.
pub fn uptime(access: &NodeAccess) -> Result<f64, String> {
    run(access, "cat /proc/uptime")?
        .split_whitespace()
        .next()
        .and_then(|u| u.parse().ok())
        .ok_or_else(|| "/proc/uptime unreadable".to_owned())
}

/// The kernel's log as `dmesg` prints it now: whatever its ring buffer still holds.
pub fn kernel_log(access: &NodeAccess) -> Result<String, String> {
    run(access, "dmesg")
}

/// The pod's memory cgroup's `oom_kill` counter (cgroupfs names the directory `pod<uid>`, the
/// systemd driver `…-pod<uid with underscores>.slice`).
pub fn pod_cgroup_count(
    access: &NodeAccess,
    probe: &str,
    uid: &str,
    cgroup_version: &str,
) -> PodCgroupCount {
    let (root, file, key) = if cgroup_version == "v2" {
        ("/sys/fs/cgroup", "memory.events", "oom_kill ")
    } else {
        ("/sys/fs/cgroup/memory", "memory.oom_control", "oom_kill ")
    };
    let underscored = uid.replace('-', "_");
    let script = format!(
        "d=$(find {root} -maxdepth 8 -type d \\( -name 'pod{uid}' -o -name '*pod{underscored}.slice' \\) 2>/dev/null | head -n 1); [ -n \"$d\" ] || {{ echo 'no cgroup directory for pod {uid}' >&2; exit 1; }}; echo \"$d/{file}\"; cat \"$d/{file}\""
    );
    match run(access, &script) {
        Ok(out) => {
            let mut lines = out.lines();
            let path = lines.next().unwrap_or_default().to_owned();
            let count = lines
                .find_map(|l| l.strip_prefix(key))
                .and_then(|v| v.trim().parse().ok());
            PodCgroupCount {
                probe: probe.to_owned(),
                file: path,
                oom_kill: count,
                error: count.is_none().then(|| format!("no `{}` line", key.trim())),
            }
        }
        Err(e) => PodCgroupCount {
            probe: probe.to_owned(),
            file: format!("{root}/…pod{uid}…/{file}"),
            oom_kill: None,
            error: Some(e),
        },
    }
}
