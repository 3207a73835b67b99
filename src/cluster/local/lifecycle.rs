//! What the local cluster does on a Linux host: `up` (binaries, certificates, configuration,
//! bridge and iptables guard, then the detached supervisor), `down`, `status` and `logs`.
//! Elsewhere `unsupported.rs` gives the methods the rest of crashlab calls, failing.

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::supervisor_status::{ComponentState, SupervisorStatus};
use super::{
    Binaries, ClusterRecord, DownReport, Layout, LocalCluster, LocalError, UpOptions, UpReport,
    binaries, component, config_files, default_kubeconfig_path, host, layout, merge_kubeconfig,
    os_deps, pki, preflight, supervisor, unmerge_kubeconfig, versions,
};
use crate::cluster::progress;

impl LocalCluster {
    fn record(&self) -> Option<ClusterRecord> {
        serde_json::from_str(&fs::read_to_string(self.layout.cluster_file()).ok()?).ok()
    }

    /// Pid of a live supervisor, if any.
    pub fn supervisor_pid(&self) -> Option<i32> {
        let pid: i32 = fs::read_to_string(self.layout.supervisor_pid())
            .ok()?
            .trim()
            .parse()
            .ok()?;
        let alive = process_alive(pid);
        let ours = fs::read(format!("/proc/{pid}/cmdline"))
            .map(|c| String::from_utf8_lossy(&c).contains("supervise"))
            .unwrap_or(false);
        (alive && ours).then_some(pid)
    }

    /// Brings the cluster up (or reports the one already running), merges the kubeconfig
    /// context and waits for the node to be Ready and untainted. `progress` receives one line per step.
    ///
    /// One bring-up or tear-down at a time on this host: a second crashlab (two `crashlab run`
    /// started together on a machine without a cluster) waits for the first, then finds the
    /// cluster running (measured without the lock: three runs at once broke each other's
    /// iptables chains and certificates).
    pub fn up(
        &self,
        opts: &UpOptions,
        progress: &mut dyn progress::Progress,
    ) -> Result<UpReport, LocalError> {
        preflight()?;
        let _lock = host_lock(progress)?;
        let release = match opts.kubernetes_version.as_deref() {
            Some(v) => versions::RELEASES
                .resolve(v)
                .map_err(|e| LocalError::Config(e.to_string()))?,
            None => versions::RELEASES.default_row(),
        };
        let version = release.version.to_string();
        if self.supervisor_pid().is_some() {
            let rec = self.record();
            if let Some(rec) = rec
                .as_ref()
                .filter(|r| r.kubernetes_version == version && r.tuning == opts.tuning)
            {
                progress.note(&format!(
                    "local cluster already running (Kubernetes {})",
                    rec.kubernetes_version
                ));
                let started = Instant::now();
                self.wait_node_ready(&rec.binaries, Duration::from_secs(60))?;
                return Ok(UpReport {
                    kubernetes_version: rec.kubernetes_version.clone(),
                    node_ready_after: started.elapsed(),
                    components: Vec::new(),
                    kubeconfig: rec.kubeconfig.clone(),
                    already_running: true,
                });
            }
            progress.note("a local cluster of another version or configuration is running; taking it down first");
            self.down_locked()?;
        }
        let missing = os_deps::check();
        if !missing.is_empty() {
            return Err(LocalError::MissingDeps {
                missing: missing
                    .iter()
                    .map(|m| m.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        let bin_opts = binaries::Options::from_env_with(opts.k8s_release_url.as_ref())?;
        let kube = binaries::ensure_kubernetes(release, &bin_opts, progress)?;
        let etcd = binaries::ensure_etcd(&bin_opts, progress)?;
        let bins = Binaries {
            kube_dir: kube.dir.clone(),
            etcd,
            containerd: which("containerd")?,
        };

        // A previous cluster that died without `down` may have left pieces behind.
        if self.layout.root.exists() {
            progress.note("cleaning up what a previous local cluster left behind");
            let report = self.down_locked()?;
            for p in report.problems {
                progress.note(&format!("warning: {p}"));
            }
        }
        fs::create_dir_all(&self.layout.root).map_err(|e| LocalError::io(&self.layout.root, e))?;
        let pki = pki::Pki::new(&self.layout.root);
        pki.ensure(
            layout::NODE_NAME,
            layout::NODE_IP.into(),
            layout::SERVICE_IP.into(),
        )?;
        config_files::write_all(&self.layout, &pki, &opts.tuning)?;
        self.write_images()?;

        let kubeconfig = opts
            .kubeconfig
            .clone()
            .unwrap_or_else(default_kubeconfig_path);
        let record = ClusterRecord {
            kubernetes_version: version.clone(),
            binaries: bins.clone(),
            tuning: opts.tuning.clone(),
            chains_before: host::iptables_chains(),
            sysctls_before: host::read_sysctls(),
            kubeconfig: kubeconfig.clone(),
        };
        let text = serde_json::to_string_pretty(&record).expect("record serializes");
        fs::write(self.layout.cluster_file(), text)
            .map_err(|e| LocalError::io(&self.layout.cluster_file(), e))?;

        stop_if_signalled()?;
        host::create_cgroups()?;
        host::create_bridge()?;
        host::install_guard()?;

        progress.step(&format!(
            "starting Kubernetes {version} (state in {})",
            self.layout.root.display()
        ));
        let started = Instant::now();
        self.spawn_supervisor()?;
        let components = self.follow_supervisor(progress)?;
        self.wait_node_ready(&bins, Duration::from_secs(90))?;
        let node_ready_after = started.elapsed();
        merge_kubeconfig(&kubeconfig, &self.layout.admin_kubeconfig())?;
        Ok(UpReport {
            kubernetes_version: version.clone(),
            node_ready_after,
            components,
            kubeconfig,
            already_running: false,
        })
    }

    fn spawn_supervisor(&self) -> Result<(), LocalError> {
        // The running binary itself, even if a rebuild or upgrade has replaced the file since.
        let exe = PathBuf::from("/proc/self/exe");
        fs::create_dir_all(self.layout.logs())
            .map_err(|e| LocalError::io(&self.layout.logs(), e))?;
        let log = fs::File::create(self.layout.log("supervisor"))
            .map_err(|e| LocalError::io(&self.layout.log("supervisor"), e))?;
        let _ = fs::remove_file(self.layout.status_file());
        let mut cmd = Command::new(exe);
        cmd.args(["cluster", "supervise", "--state-dir"])
            .arg(&self.layout.root)
            .stdin(Stdio::null())
            .stdout(
                log.try_clone()
                    .map_err(|e| LocalError::io(&self.layout.log("supervisor"), e))?,
            )
            .stderr(log);
        // SAFETY: setsid() in the child before exec detaches it from our session and terminal.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                Ok(())
            });
        }
        let mut child = cmd.spawn().map_err(|e| LocalError::Command {
            command: "crashlab cluster supervise".into(),
            output: e.to_string(),
        })?;
        // Reap it when it exits, so a long-lived caller (`crashlab matrix`) keeps no zombie
        // that would look alive to `down`.
        std::thread::spawn(move || child.wait());
        Ok(())
    }

    /// Prints each component as it becomes ready; fails with the component's log tail.
    fn follow_supervisor(
        &self,
        progress: &mut dyn progress::Progress,
    ) -> Result<Vec<(String, f64)>, LocalError> {
        let deadline = Instant::now() + Duration::from_secs(240);
        let mut reported = 0usize;
        loop {
            stop_if_signalled()?;
            if let Some(st) = SupervisorStatus::read(&self.layout) {
                let mut ready: Vec<(String, f64)> = st
                    .components
                    .iter()
                    .filter_map(|(n, c)| c.ready_after_s.map(|t| (n.clone(), t)))
                    .collect();
                ready.sort_by(|a, b| a.1.total_cmp(&b.1));
                for (n, t) in ready.iter().skip(reported) {
                    progress.note(&format!("{n:<24} ready after {t:.1}s"));
                }
                reported = ready.len();
                if let Some(why) = st.phase.strip_prefix("failed: ") {
                    let component = st
                        .components
                        .iter()
                        .find(|(_, c)| c.state == ComponentState::Failed)
                        .map(|(n, _)| n.clone())
                        .unwrap_or_else(|| "supervisor".into());
                    return Err(LocalError::ComponentFailed {
                        tail: self.logs(&component, 25).unwrap_or_default(),
                        log: self.layout.log(&component).display().to_string(),
                        component,
                        why: why.to_string(),
                    });
                }
                if st.phase == "running" {
                    return Ok(ready);
                }
            }
            if Instant::now() > deadline {
                return Err(LocalError::ComponentFailed {
                    component: "supervisor".into(),
                    why: "components were not ready after 240s".into(),
                    log: self.layout.log("supervisor").display().to_string(),
                    tail: self.logs("supervisor", 25).unwrap_or_default(),
                });
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn wait_node_ready(&self, bins: &Binaries, timeout: Duration) -> Result<(), LocalError> {
        let deadline = Instant::now() + timeout;
        loop {
            stop_if_signalled()?;
            let out = Command::new(bins.kube("kubectl"))
                .arg("--kubeconfig")
                .arg(self.layout.admin_kubeconfig())
                .args([
                    "get",
                    "node",
                    layout::NODE_NAME,
                    "-o",
                    r#"jsonpath={.status.conditions[?(@.type=="Ready")].status}|{.spec.taints}"#,
                ])
                .output();
            // Ready, and schedulable: the node lifecycle controller lifts the not-ready taint
            // a moment after Ready, and a pod created before that waits in FailedScheduling.
            if let Ok(o) = out
                && String::from_utf8_lossy(&o.stdout).trim() == "True|"
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(LocalError::NodeNotReady {
                    seconds: timeout.as_secs(),
                });
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// Entry point of the detached supervisor process.
    pub fn supervise(&self) -> Result<(), LocalError> {
        let record = self.record().ok_or_else(|| LocalError::NotRunning {
            state: self.layout.root.clone(),
        })?;
        let pki = pki::Pki::new(&self.layout.root);
        let comps = component::components(&self.layout, &pki, &record.binaries);
        let layout = self.layout.clone();
        supervisor::run(&self.layout, comps, &|name| match name {
            // The pause image must be in containerd before the kubelet creates a sandbox.
            "containerd" => import_images(&layout),
            // kube-proxy has inserted its jumps: put the service guard after them.
            "kube-proxy" => host::ensure_services_guard_last(),
            _ => Ok(()),
        })
    }

    fn write_images(&self) -> Result<(), LocalError> {
        let dir = self.layout.images();
        fs::create_dir_all(&dir).map_err(|e| LocalError::io(&dir, e))?;
        for spec in crate::image::builtin_images() {
            let archive = crate::image::ImageArchive::build(&spec).map_err(|e| {
                LocalError::Config(format!("building image {}: {e}", spec.reference))
            })?;
            let path = dir.join(archive.file_name());
            archive
                .write_to(&path)
                .map_err(|e| LocalError::Config(format!("{}: {e}", path.display())))?;
        }
        Ok(())
    }

    /// Re-imports crashlab's images into the running cluster's containerd (so a rebuilt
    /// crashlab always runs its own crash program).
    pub fn load_images(&self) -> Result<(), LocalError> {
        self.write_images()?;
        import_images(&self.layout)
    }

    /// Stops everything and removes all the provider created. Safe to run twice. Waits for a
    /// bring-up in progress on this host to finish first.
    pub fn down(&self) -> Result<DownReport, LocalError> {
        let _lock = host_lock(&mut progress::Quiet)?;
        self.down_locked()
    }

    /// [`Self::down`], the host lock already held.
    fn down_locked(&self) -> Result<DownReport, LocalError> {
        let mut report = DownReport::default();
        let record = self.record();
        if let Some(pid) = self.supervisor_pid() {
            report.was_running = true;
            // SAFETY: SIGTERM to our own supervisor; it stops the components in reverse order.
            unsafe { libc::kill(pid, libc::SIGTERM) };
            let deadline = Instant::now() + Duration::from_secs(60);
            while process_alive(pid) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        // Pods and the containerd shims outlive the kubelet and containerd by design.
        report.problems.extend(host::remove_cgroups());
        let root = self.layout.root.to_string_lossy().to_string();
        for _ in 0..3 {
            let pids = host::processes_mentioning(&root);
            if pids.is_empty() {
                break;
            }
            host::kill_all(&pids);
            std::thread::sleep(Duration::from_millis(300));
        }
        report.problems.extend(host::unmount_all(&self.layout.root));
        report.problems.extend(host::remove_bridge());
        host::remove_guard();
        if let Some(rec) = &record {
            // kube-proxy's own cleanup first, then any chain that appeared since `up`.
            let _ = Command::new(rec.binaries.kube("kube-proxy"))
                .arg("--cleanup")
                .env("PATH", host::component_path())
                .output();
            report
                .problems
                .extend(host::remove_chains_not_in(&rec.chains_before));
            report
                .problems
                .extend(host::restore_sysctls(&rec.sysctls_before));
            if let Err(e) = unmerge_kubeconfig(&rec.kubeconfig) {
                report.problems.push(e.to_string());
            }
        }
        report.problems.extend(host::remove_cgroups());
        if self.layout.root.exists()
            && let Err(e) = fs::remove_dir_all(&self.layout.root)
        {
            report
                .problems
                .push(format!("{}: {e}", self.layout.root.display()));
        }
        Ok(report)
    }

    pub fn status(&self) -> Option<(SupervisorStatus, Option<ClusterRecord>)> {
        self.supervisor_pid()?;
        Some((SupervisorStatus::read(&self.layout)?, self.record()))
    }

    /// The last `tail` lines of a component's log.
    pub fn logs(&self, component: &str, tail: usize) -> Result<String, LocalError> {
        if component != "supervisor" && !component::NAMES.contains(&component) {
            return Err(LocalError::UnknownComponent {
                name: component.into(),
                known: component::NAMES.join(", "),
            });
        }
        let path = self.layout.log(component);
        let text = fs::read_to_string(&path).map_err(|e| LocalError::io(&path, e))?;
        let lines: Vec<&str> = text.lines().collect();
        Ok(lines[lines.len().saturating_sub(tail)..].join("\n"))
    }

    pub fn component_names() -> &'static [&'static str] {
        component::NAMES
    }

    pub fn log_path(&self, component: &str) -> PathBuf {
        self.layout.log(component)
    }
}

/// Whether `pid` is a live process (a zombie has exited and only waits to be reaped).
fn process_alive(pid: i32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name in parentheses, which may itself hold spaces.
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| !rest.starts_with('Z') && !rest.starts_with('X')),
        Err(_) => false,
    }
}

/// Where the host lock lives: outside the state directory (`down` removes that), on a tmpfs
/// (a reboot forgets it).
const HOST_LOCK: &str = "/run/lock/crashlab-local.lock";

/// An exclusive lock on [`HOST_LOCK`], waiting (and saying so) while another crashlab holds
/// it. Released when dropped, or when the process dies.
fn host_lock(
    progress: &mut dyn progress::Progress,
) -> Result<nix::fcntl::Flock<fs::File>, LocalError> {
    use nix::errno::Errno;
    use nix::fcntl::{Flock, FlockArg};
    let path = Path::new(HOST_LOCK);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| LocalError::io(dir, e))?;
    }
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| LocalError::io(path, e))?;
    let failed = |e: Errno| LocalError::io(path, e.into());
    match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
        Ok(lock) => Ok(lock),
        Err((file, Errno::EWOULDBLOCK)) => {
            progress.note("waiting for another crashlab process that is bringing the local cluster up or down");
            Flock::lock(file, FlockArg::LockExclusive).map_err(|(_, e)| failed(e))
        }
        Err((_, e)) => Err(failed(e)),
    }
}

/// Ctrl-C or SIGTERM arrived ([`crate::shutdown`]): stop at this step.
fn stop_if_signalled() -> Result<(), LocalError> {
    if crate::shutdown::stopping() {
        Err(LocalError::Cancelled)
    } else {
        Ok(())
    }
}

fn import_images(layout: &Layout) -> Result<(), LocalError> {
    let sock = layout.containerd_socket();
    let dir = layout.images();
    let mut entries: Vec<PathBuf> = fs::read_dir(&dir)
        .map_err(|e| LocalError::io(&dir, e))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "tar"))
        .collect();
    entries.sort();
    for p in entries {
        host::run(
            "ctr",
            &[
                "-a",
                &sock.to_string_lossy(),
                "-n",
                "k8s.io",
                "images",
                "import",
                &p.to_string_lossy(),
            ],
        )?;
    }
    Ok(())
}

fn which(name: &str) -> Result<PathBuf, LocalError> {
    for dir in host::component_path().split(':') {
        let p = Path::new(dir).join(name);
        if p.is_file() {
            return Ok(p);
        }
    }
    Err(LocalError::MissingDeps {
        missing: name.into(),
    })
}
