//! What the local cluster changes on the host, and how each change is undone: the cgroup
//! parent, the bridge, the iptables guard chains, the kernel settings the kubelet writes,
//! mounts and leftover processes.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::LocalError;
use super::layout;

/// PATH for the components: the CNI plugins (Debian installs them in /usr/lib/cni), iptables
/// and the containerd shim.
pub fn component_path() -> String {
    let base = std::env::var("PATH").unwrap_or_default();
    format!("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:{base}")
}

/// Runs a host command, returning its stdout; the error carries its stderr.
pub fn run(program: &str, args: &[&str]) -> Result<String, LocalError> {
    let out = Command::new(program)
        .args(args)
        .env("PATH", component_path())
        .output()
        .map_err(|e| LocalError::Command {
            command: format!("{program} {}", args.join(" ")),
            output: e.to_string(),
        })?;
    if !out.status.success() {
        return Err(LocalError::Command {
            command: format!("{program} {}", args.join(" ")),
            output: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn ok(program: &str, args: &[&str]) -> bool {
    run(program, args).is_ok()
}

// ---------------------------------------------------------------- cgroups

/// Mount points of every cgroup hierarchy: the v1 ones (`/sys/fs/cgroup/memory`, ...) and any
/// cgroup2 mount (the hybrid layout's `unified`, where runc creates the same paths).
pub fn cgroup_mounts() -> Vec<PathBuf> {
    let mounts = fs::read_to_string("/proc/self/mounts").unwrap_or_default();
    mounts
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() > 2 && (f[2] == "cgroup" || f[2] == "cgroup2")).then(|| PathBuf::from(f[1]))
        })
        .collect()
}

/// Creates `/<cgroupRoot>` in every hierarchy (the kubelet refuses a missing one).
pub fn create_cgroups() -> Result<(), LocalError> {
    for m in cgroup_mounts() {
        let dir = m.join(layout::CGROUP_ROOT);
        fs::create_dir_all(&dir).map_err(|e| LocalError::io(&dir, e))?;
        // cpuset (v1) needs cpus and mems before any task may join a child.
        for f in ["cpuset.cpus", "cpuset.mems"] {
            let (parent, child) = (m.join(f), dir.join(f));
            if child.exists()
                && fs::read_to_string(&child)
                    .map(|s| s.trim().is_empty())
                    .unwrap_or(false)
            {
                let v = fs::read_to_string(&parent).map_err(|e| LocalError::io(&parent, e))?;
                fs::write(&child, v.trim()).map_err(|e| LocalError::io(&child, e))?;
            }
        }
    }
    Ok(())
}

/// Kills every process left in our cgroups and removes them, deepest first.
pub fn remove_cgroups() -> Vec<String> {
    let mut problems = Vec::new();
    for m in cgroup_mounts() {
        let root = m.join(layout::CGROUP_ROOT);
        if !root.exists() {
            continue;
        }
        let mut dirs = Vec::new();
        collect_dirs(&root, &mut dirs);
        dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
        for _ in 0..50 {
            let mut alive = false;
            for d in &dirs {
                for pid in fs::read_to_string(d.join("cgroup.procs"))
                    .unwrap_or_default()
                    .lines()
                {
                    if let Ok(pid) = pid.trim().parse::<i32>() {
                        alive = true;
                        // SAFETY: kill(2) on a pid read from our own cgroup.
                        unsafe { libc::kill(pid, libc::SIGKILL) };
                    }
                }
            }
            if !alive {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        for d in &dirs {
            for _ in 0..20 {
                match fs::remove_dir(d) {
                    Ok(()) => break,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => break,
                    Err(_) => std::thread::sleep(std::time::Duration::from_millis(100)),
                }
            }
            if d.exists() {
                problems.push(format!("cgroup {} could not be removed", d.display()));
            }
        }
    }
    problems
}

fn collect_dirs(dir: &Path, out: &mut Vec<PathBuf>) {
    out.push(dir.to_path_buf());
    if let Ok(rd) = fs::read_dir(dir) {
        for e in rd.flatten() {
            if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                collect_dirs(&e.path(), out);
            }
        }
    }
}

// ---------------------------------------------------------------- bridge

/// Creates the bridge with the node address, so the kubelet can bind it before any pod exists.
pub fn create_bridge() -> Result<(), LocalError> {
    if !ok("ip", &["link", "show", layout::BRIDGE]) {
        run("ip", &["link", "add", layout::BRIDGE, "type", "bridge"])?;
    }
    let addr = format!("{}/24", layout::NODE_IP);
    let shown = run("ip", &["-4", "addr", "show", "dev", layout::BRIDGE])?;
    if !shown.contains(&addr) {
        run("ip", &["addr", "add", &addr, "dev", layout::BRIDGE])?;
    }
    run("ip", &["link", "set", layout::BRIDGE, "up"])?;
    Ok(())
}

fn link_exists(name: &str) -> bool {
    Path::new("/sys/class/net").join(name).exists()
}

/// Deletes the bridge and any veth still attached to it.
pub fn remove_bridge() -> Vec<String> {
    let mut problems = Vec::new();
    if let Ok(out) = run("ip", &["-o", "link", "show", "master", layout::BRIDGE]) {
        for line in out.lines() {
            if let Some(name) = line.split(':').nth(1) {
                let name = name.trim().split('@').next().unwrap_or("").to_string();
                // A veth also disappears by itself once its pod's network namespace is gone.
                if !name.is_empty()
                    && run("ip", &["link", "del", &name]).is_err()
                    && link_exists(&name)
                {
                    problems.push(format!("veth {name} could not be removed"));
                }
            }
        }
    }
    if ok("ip", &["link", "show", layout::BRIDGE])
        && let Err(e) = run("ip", &["link", "del", layout::BRIDGE])
    {
        problems.push(e.to_string());
    }
    problems
}

// ---------------------------------------------------------------- iptables guard

/// First in FORWARD: pod traffic may go to pods or to the service range (for kube-proxy to
/// handle), and nowhere else.
pub const EGRESS_CHAIN: &str = "CRASHLAB-EGRESS";
/// Last in FORWARD and OUTPUT: whatever still targets the service range was not handled by
/// kube-proxy, and is refused (ICMP port unreachable, seen by clients as "connection refused").
pub const SERVICES_CHAIN: &str = "CRASHLAB-SERVICES";

pub fn install_guard() -> Result<(), LocalError> {
    remove_guard();
    let pods = layout::CLUSTER_CIDR;
    let egress: [&[&str]; 3] = [
        &["-s", pods, "-d", pods, "-j", "RETURN"],
        &["-s", pods, "-d", layout::SERVICE_CIDR, "-j", "RETURN"],
        &[
            "-s",
            pods,
            "-m",
            "comment",
            "--comment",
            "crashlab: pod traffic may not leave this machine",
            "-j",
            "DROP",
        ],
    ];
    iptables(&["-N", EGRESS_CHAIN])?;
    for rule in egress {
        iptables(&[&["-A", EGRESS_CHAIN][..], rule].concat())?;
    }
    iptables(&["-I", "FORWARD", "1", "-j", EGRESS_CHAIN])?;
    iptables(&["-N", SERVICES_CHAIN])?;
    iptables(&[
        "-A",
        SERVICES_CHAIN,
        "-d",
        layout::SERVICE_CIDR,
        "-m",
        "comment",
        "--comment",
        "crashlab: service traffic kube-proxy did not handle",
        "-j",
        "REJECT",
        "--reject-with",
        "icmp-port-unreachable",
    ])?;
    ensure_services_guard_last()?;
    Ok(())
}

/// `iptables -w ARGS` (waiting for the xtables lock).
fn iptables(args: &[&str]) -> Result<String, LocalError> {
    run("iptables", &[&["-w"][..], args].concat())
}

/// kube-proxy inserts its own jumps; the service guard must come after them, so that a
/// Service without endpoints is refused by kube-proxy's rule and only the rest by ours.
pub fn ensure_services_guard_last() -> Result<(), LocalError> {
    for chain in ["FORWARD", "OUTPUT"] {
        while ok("iptables", &["-w", "-D", chain, "-j", SERVICES_CHAIN]) {}
        run("iptables", &["-w", "-A", chain, "-j", SERVICES_CHAIN])?;
    }
    // The egress guard goes first, ahead of kube-proxy's accept rules.
    while ok("iptables", &["-w", "-D", "FORWARD", "-j", EGRESS_CHAIN]) {}
    run(
        "iptables",
        &["-w", "-I", "FORWARD", "1", "-j", EGRESS_CHAIN],
    )?;
    Ok(())
}

pub fn remove_guard() {
    for (chain, parents) in [
        (EGRESS_CHAIN, &["FORWARD"][..]),
        (SERVICES_CHAIN, &["FORWARD", "OUTPUT"][..]),
    ] {
        for p in parents {
            while ok("iptables", &["-w", "-D", p, "-j", chain]) {}
        }
        let _ = run("iptables", &["-w", "-F", chain]);
        let _ = run("iptables", &["-w", "-X", chain]);
    }
}

/// Names of all iptables chains (`table/CHAIN`) on the host.
pub fn iptables_chains() -> Vec<String> {
    let mut out = Vec::new();
    for table in ["filter", "nat", "mangle", "raw"] {
        if let Ok(text) = run("iptables", &["-w", "-t", table, "-S"]) {
            for l in text.lines() {
                if let Some(rest) = l.strip_prefix("-N ") {
                    out.push(format!("{table}/{rest}"));
                }
            }
        }
    }
    out
}

/// Removes chains that were not on the host before `up` (kube-proxy's and the kubelet's),
/// after unlinking every rule that jumps to them.
pub fn remove_chains_not_in(before: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    let now = iptables_chains();
    let ours: Vec<&String> = now
        .iter()
        .filter(|c| !before.contains(c) && c.contains("/KUBE-"))
        .collect();
    for table in ["filter", "nat", "mangle", "raw"] {
        let names: Vec<&str> = ours
            .iter()
            .filter_map(|c| c.strip_prefix(&format!("{table}/")))
            .collect();
        if names.is_empty() {
            continue;
        }
        // Unlink jumps from any chain, then flush, then delete.
        if let Ok(rules) = run("iptables", &["-w", "-t", table, "-S"]) {
            for rule in rules.lines().filter(|r| r.starts_with("-A ")) {
                if names.iter().any(|n| rule.contains(&format!("-j {n}"))) {
                    let del = rule.replacen("-A ", "-D ", 1);
                    let args = shell_words(&del);
                    let mut all = vec!["-w", "-t", table];
                    all.extend(args.iter().map(String::as_str));
                    let _ = run("iptables", &all);
                }
            }
        }
        for n in &names {
            let _ = run("iptables", &["-w", "-t", table, "-F", n]);
        }
        for n in &names {
            if let Err(e) = run("iptables", &["-w", "-t", table, "-X", n]) {
                problems.push(e.to_string());
            }
        }
    }
    problems
}

/// Splits an `iptables -S` rule into arguments (quotes only around comments).
fn shell_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

// ---------------------------------------------------------------- sysctls

/// Kernel settings the kubelet writes at start (`protectKernelDefaults: false`,
/// pkg/kubelet/cm/container_manager_linux.go `setupKernelTunables`), restored by `down`.
pub const KUBELET_SYSCTLS: &[&str] = &[
    "vm/overcommit_memory",
    "vm/panic_on_oom",
    "kernel/panic",
    "kernel/panic_on_oops",
    "kernel/keys/root_maxkeys",
    "kernel/keys/root_maxbytes",
];

pub fn read_sysctls() -> BTreeMap<String, String> {
    KUBELET_SYSCTLS
        .iter()
        .filter_map(|k| {
            fs::read_to_string(format!("/proc/sys/{k}"))
                .ok()
                .map(|v| (k.to_string(), v.trim().to_string()))
        })
        .collect()
}

pub fn restore_sysctls(saved: &BTreeMap<String, String>) -> Vec<String> {
    let mut problems = Vec::new();
    for (k, v) in saved {
        let path = format!("/proc/sys/{k}");
        if fs::read_to_string(&path)
            .map(|cur| cur.trim() != v)
            .unwrap_or(false)
            && let Err(e) = fs::write(&path, v)
        {
            problems.push(format!("{path}: {e}"));
        }
    }
    problems
}

// ---------------------------------------------------------------- mounts and processes

/// Mount points under `root`, deepest first.
pub fn mounts_under(root: &Path) -> Vec<PathBuf> {
    let text = fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let mut out: Vec<PathBuf> = text
        .lines()
        .filter_map(|l| l.split_whitespace().nth(4))
        .map(|p| PathBuf::from(p.replace("\\040", " ")))
        .filter(|p| p.starts_with(root))
        .collect();
    out.sort_by_key(|p| std::cmp::Reverse(p.components().count()));
    out.dedup();
    out
}

pub fn unmount_all(root: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for _ in 0..3 {
        for m in mounts_under(root) {
            let _ = nix::mount::umount2(&m, nix::mount::MntFlags::MNT_DETACH);
        }
    }
    for m in mounts_under(root) {
        problems.push(format!("mount {} is still there", m.display()));
    }
    problems
}

/// Pids of processes whose command line mentions `needle` (our state directory or socket).
pub fn processes_mentioning(needle: &str) -> Vec<i32> {
    let me = std::process::id() as i32;
    let mut out = Vec::new();
    if let Ok(rd) = fs::read_dir("/proc") {
        for e in rd.flatten() {
            let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else {
                continue;
            };
            if pid == me {
                continue;
            }
            if let Ok(cmd) = fs::read(e.path().join("cmdline"))
                && String::from_utf8_lossy(&cmd)
                    .replace('\0', " ")
                    .contains(needle)
            {
                out.push(pid);
            }
        }
    }
    out
}

pub fn kill_all(pids: &[i32]) {
    for &p in pids {
        // SAFETY: kill(2); the pids belong to processes that name our state directory.
        unsafe { libc::kill(p, libc::SIGKILL) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_iptables_rules_with_quoted_comments() {
        let w = shell_words(
            r#"-D FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD"#,
        );
        assert_eq!(
            w,
            [
                "-D",
                "FORWARD",
                "-m",
                "comment",
                "--comment",
                "kubernetes forwarding rules",
                "-j",
                "KUBE-FORWARD"
            ]
        );
    }
}
