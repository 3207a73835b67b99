//! The local provider on this host, end to end, in one sequential test (it takes the cluster
//! down and up, so it holds the cluster exclusively: `support::exclusive`): bring-up, the network rules that keep pod
//! traffic on the machine, and a `down` that leaves the host exactly as it found it.
//!
//! Needs root and the host packages (`crashlab cluster deps`); `#[ignore]`d so a plain
//! `cargo test` stays fast; `cargo test -- --include-ignored` runs it, and it fails (never
//! skips) when the cluster cannot be had.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::support::{self, sh};

const STATE: &str = "/var/lib/crashlab/local";

/// `crashlab ARGS`, which must succeed.
fn crashlab(args: &[&str]) -> Output {
    let out = support::crashlab().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "crashlab {args:?} failed ({})\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Everything on the host that the provider could create.
#[derive(Debug, PartialEq)]
struct HostSnapshot {
    links: BTreeSet<String>,
    addresses: BTreeSet<String>,
    routes: BTreeSet<String>,
    iptables: Vec<String>,
    mounts: BTreeSet<String>,
    cgroups: BTreeSet<String>,
    processes: BTreeSet<String>,
    state_dir: bool,
    sysctls: Vec<String>,
    kube_contexts: BTreeSet<String>,
}

fn lines(cmd: &str) -> BTreeSet<String> {
    String::from_utf8_lossy(&sh(cmd).stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

fn snapshot() -> HostSnapshot {
    HostSnapshot {
        links: lines("ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1"),
        addresses: lines("ip -o addr show | awk '{print $2, $4}'"),
        routes: lines("ip route show table all | grep -v '^local fe80\\|^fe80\\|^multicast'"),
        // Rules and chains without packet counters.
        iptables: String::from_utf8_lossy(&sh("iptables-save").stdout)
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| l.split(" [").next().unwrap_or(l).to_string())
            .collect(),
        mounts: lines("awk '{print $5}' /proc/self/mountinfo"),
        cgroups: lines(
            "find /sys/fs/cgroup -maxdepth 3 -type d -name 'crashlab*' -o -maxdepth 3 -type d -name kubepods",
        ),
        // Live processes only: a shim that has exited may wait a moment for init to reap it.
        processes: lines(
            "ps -eo stat=,args= | grep -v '^Z' | grep -E 'containerd|etcd|kube-|kubelet|crashprobe|cluster supervise' | grep -v -E 'grep|cargo|crashlab-[0-9a-f]{16}' || true",
        ),
        state_dir: Path::new(STATE).exists(),
        sysctls: [
            "vm/overcommit_memory",
            "vm/panic_on_oom",
            "kernel/panic",
            "kernel/panic_on_oops",
        ]
        .iter()
        .map(|k| {
            format!(
                "{k}={}",
                std::fs::read_to_string(format!("/proc/sys/{k}"))
                    .unwrap_or_default()
                    .trim()
            )
        })
        .collect(),
        kube_contexts: lines(
            "grep -o 'crashlab-local' ${KUBECONFIG:-$HOME/.kube/config} 2>/dev/null || true",
        ),
    }
}

struct Cluster {
    kubectl: PathBuf,
    sock: String,
}

impl Cluster {
    fn kubectl(&self, args: &[&str]) -> Output {
        Command::new(&self.kubectl)
            .args(["--context", "crashlab-local"])
            .args(args)
            .output()
            .unwrap()
    }

    /// Retries while the namespace's default ServiceAccount is being created.
    fn apply(&self, yaml: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mut child = Command::new(&self.kubectl)
                .args(["--context", "crashlab-local", "apply", "-f", "-"])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(yaml.as_bytes())
                .unwrap();
            let out = child.wait_with_output().unwrap();
            if out.status.success() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "kubectl apply failed: {}",
                text(&out)
            );
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    /// Host pid of a running pod's container.
    fn container_pid(&self, ns: &str, pod: &str) -> u32 {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let id = text(&self.kubectl(&["-n", ns, "get", "pod", pod, "-o", "jsonpath={.status.containerStatuses[0].state.running}{'|'}{.status.containerStatuses[0].containerID}"]));
            if let Some((running, id)) = id.split_once('|')
                && !running.is_empty()
                && let Some(id) = id.strip_prefix("containerd://")
            {
                let tasks = text(&sh(&format!("ctr -a {} -n k8s.io tasks ls", self.sock)));
                if let Some(line) = tasks.lines().find(|l| l.starts_with(id)) {
                    return line.split_whitespace().nth(1).unwrap().parse().unwrap();
                }
            }
            assert!(
                Instant::now() < deadline,
                "pod {ns}/{pod} never ran:\n{}",
                text(&self.kubectl(&["-n", ns, "describe", "pod", pod]))
            );
            std::thread::sleep(Duration::from_millis(500));
        }
    }
}

/// Packet count of the first rule in `chain` (filter table) whose line contains `needle`.
fn counter(chain: &str, needle: &str) -> u64 {
    let out = text(&sh(&format!("iptables -w -L {chain} -v -x -n")));
    out.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no rule with {needle:?} in {chain}:\n{out}"))
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// A TCP connect from inside the pod's network namespace; returns bash's error text.
fn connect_from_pod(pid: u32, ip: &str, port: u16) -> String {
    text(&sh(&format!(
        "nsenter --net=/proc/{pid}/ns/net timeout 3 bash -c 'echo > /dev/tcp/{ip}/{port}' 2>&1; echo \"rc=$?\""
    )))
}

/// A stand-in for "off this machine": a veth pair into a network namespace this test makes,
/// with a route for a documentation range (203.0.113.0/24) through it. A pod packet that got
/// past the guard would land in that namespace, never leave the machine, and show in the host
/// side's tx counter (IPv6 is off on the pair, so nothing else is sent on it).
///
/// `ip netns add` makes `/run/netns` a mount point the first time (iproute2 binds it onto
/// itself, shared) and `ip netns del` leaves that mount, so the fixture puts `/run/netns` back
/// as it found it; otherwise the host snapshot after `cluster down` shows a mount the test
/// made, on every machine where no network namespace had been added before.
struct OffMachine {
    netns_dir_existed: bool,
    netns_dir_was_mounted: bool,
}

const NETNS_DIR: &str = "/run/netns";

fn is_mount_point(path: &str) -> bool {
    std::fs::read_to_string("/proc/self/mountinfo")
        .unwrap_or_default()
        .lines()
        .any(|l| l.split(' ').nth(4) == Some(path))
}

impl OffMachine {
    fn new() -> Self {
        Self::remove();
        let off = OffMachine {
            netns_dir_existed: Path::new(NETNS_DIR).exists(),
            netns_dir_was_mounted: is_mount_point(NETNS_DIR),
        };
        for cmd in [
            "ip netns add crashlab-offnet",
            "ip link add crashlab-t0 type veth peer name crashlab-t1",
            "sysctl -qw net.ipv6.conf.crashlab-t0.disable_ipv6=1",
            "ip link set crashlab-t1 netns crashlab-offnet",
            "ip netns exec crashlab-offnet sysctl -qw net.ipv6.conf.all.disable_ipv6=1",
            "ip addr add 198.51.100.1/30 dev crashlab-t0",
            "ip link set crashlab-t0 up",
            "ip netns exec crashlab-offnet ip addr add 198.51.100.2/30 dev crashlab-t1",
            "ip netns exec crashlab-offnet ip link set crashlab-t1 up",
            "ip route add 203.0.113.0/24 via 198.51.100.2 dev crashlab-t0",
        ] {
            let out = sh(cmd);
            assert!(out.status.success(), "{cmd}: {}", text(&out));
        }
        off
    }
    fn tx_packets(&self) -> u64 {
        std::fs::read_to_string("/sys/class/net/crashlab-t0/statistics/tx_packets")
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    }
    fn remove() {
        let _ = sh("ip link del crashlab-t0 2>/dev/null; ip netns del crashlab-offnet 2>/dev/null");
    }
}

impl Drop for OffMachine {
    fn drop(&mut self) {
        Self::remove();
        if !self.netns_dir_was_mounted {
            while is_mount_point(NETNS_DIR) {
                if !sh(&format!("umount {NETNS_DIR}")).status.success() {
                    break;
                }
            }
        }
        if !self.netns_dir_existed {
            let _ = std::fs::remove_dir(NETNS_DIR);
        }
    }
}

#[test]
#[ignore = "needs root; run with --include-ignored"]
fn the_off_machine_fixture_puts_run_netns_back_as_it_found_it() {
    // Alone: every pod sandbox another test starts adds a mount to the table compared here,
    // and so does every kind node.
    let _alone = support::alone();
    let before = lines("awk '{print $5}' /proc/self/mountinfo");
    let existed = Path::new(NETNS_DIR).exists();
    let off = OffMachine::new();
    assert!(Path::new(NETNS_DIR).join("crashlab-offnet").exists());
    drop(off);
    assert_eq!(lines("awk '{print $5}' /proc/self/mountinfo"), before);
    assert_eq!(Path::new(NETNS_DIR).exists(), existed);
}

#[test]
#[ignore = "needs root and the host packages; run with --include-ignored"]
fn local_cluster_keeps_pod_traffic_on_the_machine_and_down_leaves_nothing() {
    // Alone: it takes the cluster down and up, and leaves it up as it found it; and it
    // compares the host's mounts, iptables and processes, which kind nodes would change.
    let _alone = support::alone();
    let _up_again = support::cluster::UpAgainAfter;
    crashlab(&["cluster", "down"]);
    let before = snapshot();
    assert!(!before.state_dir, "state dir still there after down");

    let up = text(&crashlab(&["cluster", "up"]));
    assert!(up.contains("local cluster ready"), "{up}");
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{STATE}/cluster.json")).unwrap())
            .unwrap();
    let cluster = Cluster {
        kubectl: Path::new(record["binaries"]["kube_dir"].as_str().unwrap()).join("kubectl"),
        sock: format!("{STATE}/containerd/containerd.sock"),
    };
    let status = text(&crashlab(&["cluster", "status"]));
    assert!(
        status.contains("node crashlab-local") && status.contains("Ready"),
        "{status}"
    );

    cluster.apply(
        r#"
apiVersion: v1
kind: Namespace
metadata: {name: crashlab-guard-test}
---
apiVersion: v1
kind: Service
metadata: {name: postgres, namespace: crashlab-guard-test}
spec:
  selector: {app: nothing-matches}
  ports: [{port: 5432}]
---
apiVersion: v1
kind: Pod
metadata: {name: probe, namespace: crashlab-guard-test}
spec:
  automountServiceAccountToken: false
  containers:
  - name: probe
    image: crashlab.dev/crashprobe:v1
    imagePullPolicy: Never
    args: ["sleep"]
"#,
    );
    let pid = cluster.container_pid("crashlab-guard-test", "probe");

    // The pod has its own network namespace with an address from the pod range.
    let addr = text(&sh(&format!(
        "nsenter --net=/proc/{pid}/ns/net ip -4 -o addr show eth0"
    )));
    assert!(addr.contains("inet 10.244.0."), "{addr}");

    // DNS: only the cluster DNS address, which has no Service; never the machine's resolver.
    let resolv = std::fs::read_to_string(format!("/proc/{pid}/root/etc/resolv.conf")).unwrap();
    let servers: Vec<&str> = resolv
        .lines()
        .filter(|l| l.starts_with("nameserver"))
        .collect();
    assert_eq!(servers, ["nameserver 10.96.0.10"], "{resolv}");
    let before_dns = counter("CRASHLAB-SERVICES", "did not handle");
    let _ = sh(&format!(
        "nsenter --net=/proc/{pid}/ns/net bash -c 'echo x > /dev/udp/10.96.0.10/53'"
    ));
    assert!(
        counter("CRASHLAB-SERVICES", "did not handle") > before_dns,
        "a DNS query was not refused by the service guard"
    );

    // A Service without endpoints: refused by kube-proxy's own rule, as on kind.
    let ip = text(&cluster.kubectl(&[
        "-n",
        "crashlab-guard-test",
        "get",
        "svc",
        "postgres",
        "-o",
        "jsonpath={.spec.clusterIP}",
    ]));
    let deadline = Instant::now() + Duration::from_secs(30);
    while !text(&sh("iptables -w -L KUBE-SERVICES -n")).contains("crashlab-guard-test/postgres") {
        assert!(
            Instant::now() < deadline,
            "kube-proxy never wrote a rule for the Service"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    let before_kp = counter("KUBE-SERVICES", "crashlab-guard-test/postgres");
    let out = connect_from_pod(pid, &ip, 5432);
    assert!(out.contains("Connection refused"), "{out}");
    assert!(
        counter("KUBE-SERVICES", "crashlab-guard-test/postgres") > before_kp,
        "the refusal did not come from kube-proxy"
    );

    // An address in the service range that no Service owns: refused by crashlab's guard.
    let before_guard = counter("CRASHLAB-SERVICES", "did not handle");
    let out = connect_from_pod(pid, "10.96.250.250", 80);
    assert!(out.contains("Connection refused"), "{out}");
    assert!(counter("CRASHLAB-SERVICES", "did not handle") > before_guard);

    // Off the machine: dropped in FORWARD before any interface sees it.
    let off = OffMachine::new();
    let before_drop = counter("CRASHLAB-EGRESS", "may not leave");
    let out = connect_from_pod(pid, "203.0.113.7", 80);
    assert!(out.contains("rc=124") || out.contains("rc=1"), "{out}");
    assert!(
        counter("CRASHLAB-EGRESS", "may not leave") > before_drop,
        "the egress guard did not drop the packet"
    );
    assert_eq!(off.tx_packets(), 0, "a pod packet got past the guard");
    drop(off);

    let down = text(&crashlab(&["cluster", "down"]));
    assert!(down.contains("nothing of it is left"), "{down}");
    let after = snapshot();
    assert_eq!(before, after, "the host differs after `cluster down`");
}
