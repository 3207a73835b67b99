//! The `local` provider: a real single-node Kubernetes on this Linux host, run from upstream
//! components (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet,
//! kube-proxy) with containerd, runc and the CNI bridge plugin. Everything it creates lives
//! under one state directory, one bridge, two iptables chains and one cgroup parent, and
//! `down` removes all of it.
//!
//! Only Linux builds the provider itself. Elsewhere (macOS) its version table and the types
//! the CLI shows are built, and `unsupported.rs` gives the rest of the API, every operation
//! failing with [`LocalError::NeedsLinux`].

#[cfg(target_os = "linux")]
pub mod binaries;
#[cfg(target_os = "linux")]
mod component;
#[cfg(target_os = "linux")]
mod config_files;
#[cfg(target_os = "linux")]
mod host;
// Its network and cgroup settings are the Linux modules' business; elsewhere only paths are used.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
mod layout;
#[cfg(target_os = "linux")]
mod lifecycle;
mod local_error;
mod local_provider;
#[cfg(target_os = "linux")]
pub mod os_deps;
#[cfg(target_os = "linux")]
mod pki;
mod release_url;
#[cfg(target_os = "linux")]
mod supervisor;
mod supervisor_status;
#[cfg(not(target_os = "linux"))]
mod unsupported;
pub mod versions;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::KubeletTuning;
pub use layout::{CONTEXT, Layout, NODE_NAME};
pub use local_error::LocalError;
pub use local_provider::LocalProvider;
pub use release_url::{DEFAULT_RELEASE_URL, ENV_RELEASE_URL, ReleaseUrl};
pub use supervisor_status::{ComponentState, ComponentStatus, SupervisorStatus};
#[cfg(not(target_os = "linux"))]
pub use unsupported::{binaries, os_deps};

/// Paths of the binaries the components run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Binaries {
    pub kube_dir: PathBuf,
    pub etcd: PathBuf,
    pub containerd: PathBuf,
}

impl Binaries {
    pub fn kube(&self, name: &str) -> PathBuf {
        self.kube_dir.join(name)
    }
}

/// What `up` recorded about the cluster it made, read back by `status` and `down`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClusterRecord {
    pub kubernetes_version: String,
    pub binaries: Binaries,
    pub tuning: KubeletTuning,
    /// iptables chains on the host before `up`, so `down` removes only what came after.
    pub chains_before: Vec<String>,
    /// Kernel settings before the kubelet changed them.
    pub sysctls_before: BTreeMap<String, String>,
    /// Kubeconfig file the context was merged into.
    pub kubeconfig: PathBuf,
}

#[derive(Debug, Clone, Default)]
pub struct UpOptions {
    /// `1.35`, `v1.35.4`, ...; the default version when unset.
    pub kubernetes_version: Option<String>,
    pub tuning: KubeletTuning,
    /// `--k8s-release-url`; unset: `CRASHLAB_K8S_RELEASE_URL`, else the official host.
    pub k8s_release_url: Option<ReleaseUrl>,
    /// Kubeconfig to merge the `crashlab-local` context into (default: `$KUBECONFIG`'s first
    /// entry, else `~/.kube/config`).
    pub kubeconfig: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct UpReport {
    pub kubernetes_version: String,
    /// From starting the supervisor (binaries ready) to the node reporting Ready.
    pub node_ready_after: Duration,
    /// Per component, seconds from supervisor start to ready.
    pub components: Vec<(String, f64)>,
    pub kubeconfig: PathBuf,
    pub already_running: bool,
}

#[derive(Debug, Clone, Default)]
pub struct DownReport {
    /// Things that could not be removed (empty when everything is gone).
    pub problems: Vec<String>,
    pub was_running: bool,
}

/// A handle on the local cluster kept in one state directory.
#[derive(Debug, Clone)]
pub struct LocalCluster {
    layout: Layout,
}

impl LocalCluster {
    pub fn new(state_dir: impl Into<PathBuf>) -> Self {
        Self {
            layout: Layout::new(state_dir),
        }
    }

    pub fn at_default_location() -> Self {
        Self::new(Layout::default_root())
    }

    pub fn state_dir(&self) -> &Path {
        &self.layout.root
    }

    /// The admin kubeconfig (certificates embedded).
    pub fn admin_kubeconfig(&self) -> PathBuf {
        self.layout.admin_kubeconfig()
    }
}

/// The local provider runs on Linux, as root.
pub fn preflight() -> Result<(), LocalError> {
    ensure_supported()?;
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Err(LocalError::NotRoot);
    }
    Ok(())
}

/// Whether this platform has the local provider at all (Linux): commands that do not need
/// root, such as `cluster status`, ask this before anything else.
pub fn ensure_supported() -> Result<(), LocalError> {
    if cfg!(target_os = "linux") {
        Ok(())
    } else {
        Err(LocalError::NeedsLinux)
    }
}

/// `$KUBECONFIG`'s first entry, else `~/.kube/config`.
pub fn default_kubeconfig_path() -> PathBuf {
    if let Some(first) =
        std::env::var_os("KUBECONFIG").and_then(|v| std::env::split_paths(&v).next())
        && !first.as_os_str().is_empty()
    {
        return first;
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/root"));
    home.join(".kube/config")
}

/// Puts the cluster, user and context named `crashlab-local` from `ours` into `target`
/// (replacing same-named entries) and makes it the current context.
pub fn merge_kubeconfig(target: &Path, ours: &Path) -> Result<(), LocalError> {
    let ours: serde_yaml::Value =
        serde_yaml::from_str(&fs::read_to_string(ours).map_err(|e| LocalError::io(ours, e))?)
            .map_err(|e| LocalError::Config(e.to_string()))?;
    let mut doc = read_kubeconfig(target)?;
    for key in ["clusters", "users", "contexts"] {
        let list = doc[key].as_sequence().cloned().unwrap_or_default();
        let mut list: Vec<serde_yaml::Value> = list
            .into_iter()
            .filter(|e| e["name"].as_str() != Some(layout::CONTEXT))
            .collect();
        list.extend(ours[key].as_sequence().cloned().unwrap_or_default());
        doc[key] = serde_yaml::Value::Sequence(list);
    }
    doc["current-context"] = layout::CONTEXT.into();
    write_kubeconfig(target, &doc)
}

/// Removes the `crashlab-local` entries from `target` again.
pub fn unmerge_kubeconfig(target: &Path) -> Result<(), LocalError> {
    if !target.exists() {
        return Ok(());
    }
    let mut doc = read_kubeconfig(target)?;
    for key in ["clusters", "users", "contexts"] {
        if let Some(list) = doc[key].as_sequence_mut() {
            list.retain(|e| e["name"].as_str() != Some(layout::CONTEXT));
        }
    }
    if doc["current-context"].as_str() == Some(layout::CONTEXT) {
        doc["current-context"] = "".into();
    }
    write_kubeconfig(target, &doc)
}

fn read_kubeconfig(path: &Path) -> Result<serde_yaml::Value, LocalError> {
    if !path.exists() {
        return serde_yaml::from_str("apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\npreferences: {}\n")
            .map_err(|e| LocalError::Config(e.to_string()));
    }
    let text = fs::read_to_string(path).map_err(|e| LocalError::io(path, e))?;
    if text.trim().is_empty() {
        return read_kubeconfig(Path::new("/nonexistent"));
    }
    serde_yaml::from_str(&text).map_err(|e| LocalError::Config(format!("{}: {e}", path.display())))
}

/// Writes the kubeconfig as kubectl does: readable by its owner only (it holds the
/// cluster-admin key), and atomically, through a temporary file in the same directory renamed
/// over the old one, so that a kubectl reading it meanwhile sees the old or the new file whole.
fn write_kubeconfig(path: &Path, doc: &serde_yaml::Value) -> Result<(), LocalError> {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir).map_err(|e| LocalError::io(dir, e))?;
    let text = serde_yaml::to_string(doc).map_err(|e| LocalError::Config(e.to_string()))?;
    let mut file = tempfile::Builder::new()
        .prefix(".crashlab-kubeconfig-")
        .permissions(fs::Permissions::from_mode(0o600))
        .tempfile_in(dir)
        .map_err(|e| LocalError::io(dir, e))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.as_file().sync_all())
        .map_err(|e| LocalError::io(file.path(), e))?;
    file.persist(path)
        .map_err(|e| LocalError::io(path, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_linux_says_what_to_use_instead() {
        assert_eq!(
            LocalError::NeedsLinux.to_string(),
            "the local provider needs Linux (it runs the kubelet on this host); use --provider kind or an existing cluster"
        );
    }

    #[test]
    fn kubeconfig_merge_replaces_and_unmerge_restores_others() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("config");
        fs::write(
            &target,
            "apiVersion: v1\nkind: Config\nclusters: [{name: other, cluster: {server: https://x}}]\nusers: [{name: other, user: {}}]\ncontexts: [{name: other, context: {cluster: other, user: other}}]\ncurrent-context: other\n",
        )
        .unwrap();
        let ours = dir.path().join("ours");
        fs::write(
            &ours,
            "clusters: [{name: crashlab-local, cluster: {server: https://127.0.0.1:6443}}]\nusers: [{name: crashlab-local, user: {}}]\ncontexts: [{name: crashlab-local, context: {cluster: crashlab-local, user: crashlab-local}}]\n",
        )
        .unwrap();
        merge_kubeconfig(&target, &ours).unwrap();
        merge_kubeconfig(&target, &ours).unwrap();
        let doc: serde_yaml::Value =
            serde_yaml::from_str(&fs::read_to_string(&target).unwrap()).unwrap();
        assert_eq!(doc["contexts"].as_sequence().unwrap().len(), 2);
        assert_eq!(doc["current-context"].as_str(), Some("crashlab-local"));
        unmerge_kubeconfig(&target).unwrap();
        let doc: serde_yaml::Value =
            serde_yaml::from_str(&fs::read_to_string(&target).unwrap()).unwrap();
        assert_eq!(doc["contexts"].as_sequence().unwrap().len(), 1);
        assert_eq!(doc["clusters"][0]["name"].as_str(), Some("other"));
    }

    #[test]
    fn the_kubeconfig_is_written_for_its_owner_only_and_leaves_no_temporary_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("config");
        // An existing world-readable kubeconfig becomes 0600, as kubectl writes it.
        fs::write(&target, "apiVersion: v1\nkind: Config\n").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o644)).unwrap();
        let ours = dir.path().join("ours");
        fs::write(&ours, "clusters: []\nusers: []\ncontexts: []\n").unwrap();
        merge_kubeconfig(&target, &ours).unwrap();
        let mode = fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{mode:o}");
        let names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }
}
