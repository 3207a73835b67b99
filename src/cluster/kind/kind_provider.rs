//! The `kind` provider: a kind cluster named `crashlab` (context `kind-crashlab`) of one
//! control plane and `--nodes`-1 workers, made from `kind-config.yaml` and a node image pinned
//! by digest, with crashlab's own images loaded from archives into every node. Everything goes through the `kind` and `docker` executables found on
//! `PATH`, so the tests drive it with stand-ins that record their arguments.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use super::KindError;
use super::given_node_image::{check_version_matches, given_image_version};
use super::kind_command::{capture, combined, on_path, stream};
use super::kind_config;
use super::node_images;
use super::node_readiness;
use crate::cluster::KubeletTuning;
use crate::cluster::progress::Progress;
use crate::cluster::{
    ClusterState, DownReport, Download, NodeAccess, NodeCount, Provider, ProviderError, UpReport,
    UpRequest,
};
use crate::image::{ImageArchive, builtin_images};
use crate::k8s_version::{PinnedVersion, VersionError};

/// The cluster crashlab creates (the `name` in `kind-config.yaml`).
pub const CLUSTER_NAME: &str = "crashlab";
/// Prefix kind gives every cluster's context (`kind create cluster --name x` → `kind-x`).
pub const KIND_PREFIX: &str = "kind-";
/// The kube context kind writes for it (`kind-` + the cluster name).
pub const CONTEXT: &str = "kind-crashlab";
/// The Docker network crashlab's kind cluster lives in (kind's `KIND_EXPERIMENTAL_DOCKER_NETWORK`,
/// which kind creates when missing), instead of the `kind` network that kind shares between
/// all its clusters: so that `down` can remove it and leave nothing of crashlab's behind.
pub const NETWORK: &str = "crashlab-kind";
/// How long `kind create cluster` waits for the control plane to be Ready, so that a run
/// started right after finds a node to schedule on.
const WAIT: &str = "2m";
/// How long every node gets to be Ready and untainted after that: kind's `--wait` only waits
/// for the control plane's Ready condition (its waitforready action selects
/// `node-role.kubernetes.io/control-plane`), and a run must find every node schedulable (a
/// DaemonSet's pods, `--parallel auto`).
const NODES_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

#[derive(Debug, Clone, Default)]
pub struct KindUpOptions {
    /// `1.35`, `v1.35.8`, ...; the default image when unset.
    pub kubernetes_version: Option<String>,
    /// A node image already in the Docker engine (`--node-image`), used instead of the pinned
    /// one: for machines without a registry, and images built with
    /// `tests/kind/prepare-node-image`.
    pub node_image: Option<String>,
    pub tuning: KubeletTuning,
    /// Kubeconfig kind writes the context into (kind's default: `$KUBECONFIG`, else
    /// `~/.kube/config`).
    pub kubeconfig: Option<PathBuf>,
    /// One control plane and the rest workers.
    pub nodes: NodeCount,
}

#[derive(Debug, Clone)]
pub struct KindUpReport {
    pub context: String,
    /// The image given to `kind create cluster --image`.
    pub node_image: String,
    /// The Kubernetes version of that image (`v1.35.8`), when known: the pinned image's, or
    /// read from a given image's label or tag.
    pub kubernetes_version: Option<String>,
    /// The cluster existed already and was left as it was.
    pub already_running: bool,
    /// Its nodes (the node containers, named as the Nodes are), sorted.
    pub nodes: Vec<String>,
}

/// A handle on the kind cluster `crashlab`.
#[derive(Debug, Clone)]
pub struct KindProvider {
    name: String,
}

impl Default for KindProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl KindProvider {
    pub fn new() -> Self {
        Self {
            name: CLUSTER_NAME.to_string(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn context(&self) -> String {
        format!("{KIND_PREFIX}{}", self.name)
    }

    /// kind is usable when `kind` is on `PATH` and `docker info` succeeds (a Docker engine
    /// answers). Returns the `kind` executable.
    pub fn is_available() -> Result<PathBuf, KindError> {
        let kind = on_path("kind").ok_or(KindError::KindMissing)?;
        let docker = on_path("docker").ok_or(KindError::DockerMissing)?;
        let out = Command::new(&docker)
            .arg("info")
            .stdin(Stdio::null())
            .output()
            .map_err(|source| KindError::Spawn {
                command: "docker info".into(),
                source,
            })?;
        if !out.status.success() {
            return Err(KindError::DockerDown {
                output: combined(&out.stdout, &out.stderr),
            });
        }
        Ok(kind)
    }

    /// Whether the Docker engine has this image (no pull is attempted).
    pub fn image_present(reference: &str) -> bool {
        on_path("docker").is_some_and(|docker| {
            Command::new(docker)
                .args(["image", "inspect", "--format", "{{.Id}}", reference])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
    }

    /// Whether `kind get clusters` lists this cluster.
    pub fn exists(&self) -> Result<bool, KindError> {
        let kind = Self::is_available()?;
        self.exists_with(&kind)
    }

    pub(super) fn exists_with(&self, kind: &Path) -> Result<bool, KindError> {
        let out = capture(kind, &["get", "clusters"])?;
        Ok(out.lines().any(|l| l.trim() == self.name))
    }

    /// The cluster's node containers (`crashlab-control-plane`, `crashlab-worker`, ...), sorted.
    fn nodes_with(&self, kind: &Path) -> Result<Vec<String>, KindError> {
        let out = capture(kind, &["get", "nodes", "--name", &self.name])?;
        let mut nodes: Vec<String> = out
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        nodes.sort();
        Ok(nodes)
    }

    /// Whether `node` is the container of a node of this cluster: kind names them
    /// `NAME-control-plane`, `NAME-worker`, `NAME-worker2`, ...
    fn is_own_node(&self, node: &str) -> bool {
        node.strip_prefix(self.name.as_str())
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|role| {
                role == "control-plane"
                    || role
                        .strip_prefix("worker")
                        .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
            })
    }

    /// Waits until every node can take pods (Ready, and the not-ready taint lifted:
    /// [`super::node_readiness`]), asking the control plane's own kubectl (as kind's `--wait`
    /// does for the control plane's Ready condition alone).
    fn wait_for_nodes(&self, progress: &mut dyn Progress) -> Result<(), KindError> {
        let docker = on_path("docker").ok_or(KindError::DockerMissing)?;
        let control_plane = format!("{}-control-plane", self.name);
        progress.step(&format!(
            "waiting ≤ {}s for every node to be Ready and untainted",
            NODES_WAIT.as_secs()
        ));
        let started = Instant::now();
        loop {
            let listing = capture(
                &docker,
                &[
                    "exec",
                    &control_plane,
                    "kubectl",
                    "--kubeconfig=/etc/kubernetes/admin.conf",
                    "get",
                    "nodes",
                    "-o",
                    node_readiness::NODES_JSONPATH,
                ],
            );
            let why = match &listing {
                Ok(text) => node_readiness::nodes_not_ready(text),
                Err(e) => vec![e.to_string()],
            };
            if why.is_empty() {
                progress.done("Ready", started.elapsed());
                return Ok(());
            }
            if started.elapsed() > NODES_WAIT {
                return Err(KindError::NodesNotReady {
                    waited: format!("{}s", NODES_WAIT.as_secs()),
                    why: why.join("; "),
                });
            }
            std::thread::sleep(std::time::Duration::from_millis(500));
        }
    }

    /// Creates the cluster, unless it exists already (then it is used as it is, and
    /// `progress` says so). kind's output is the step's progress, line by line.
    pub fn up(
        &self,
        opts: &KindUpOptions,
        progress: &mut dyn Progress,
    ) -> Result<KindUpReport, KindError> {
        // A bad version is bad usage whatever the machine has, so it is reported first.
        let pinned = match &opts.node_image {
            Some(_) => None,
            None => Some(node_images::pinned_image(
                opts.kubernetes_version.as_deref(),
            )?),
        };
        let config = kind_config::render(&opts.tuning, opts.nodes)?;
        let kind = Self::is_available()?;
        let (reference, version) = match (&opts.node_image, pinned) {
            (_, Some(image)) => (image.reference(), Some(image.version.to_string())),
            (Some(given), None) => {
                let version = given_image_version(given)?;
                check_version_matches(
                    given,
                    version.as_deref(),
                    opts.kubernetes_version.as_deref(),
                )?;
                (given.clone(), version)
            }
            (None, None) => unreachable!("either an image is given or one is pinned"),
        };
        let shown_version = version.as_deref().unwrap_or("of the given image");
        if self.exists_with(&kind)? {
            let nodes = self.nodes_with(&kind)?;
            progress.note(&format!(
                "kind cluster `{}` already exists ({} node{}); using it as it is (`crashlab cluster down --provider kind` removes it, to recreate it with another version, node count or kubelet settings)",
                self.name,
                nodes.len(),
                if nodes.len() == 1 { "" } else { "s" },
            ));
            if nodes.len() != usize::from(opts.nodes.get()) {
                progress.note(&format!(
                    "warning: --nodes {} asked for, but the cluster that is there has {}",
                    opts.nodes,
                    nodes.len()
                ));
            }
            return Ok(KindUpReport {
                context: self.context(),
                node_image: reference,
                kubernetes_version: version,
                already_running: true,
                nodes,
            });
        }
        let dir = tempfile::Builder::new()
            .prefix("crashlab-kind-")
            .tempdir()
            .map_err(|e| KindError::io(&std::env::temp_dir(), e))?;
        let config_path = dir.path().join("kind-config.yaml");
        std::fs::write(&config_path, config).map_err(|e| KindError::io(&config_path, e))?;
        let mut args: Vec<&OsStr> = vec![
            "create".as_ref(),
            "cluster".as_ref(),
            "--name".as_ref(),
            self.name.as_ref(),
            "--config".as_ref(),
            config_path.as_os_str(),
            "--image".as_ref(),
            reference.as_ref(),
            "--wait".as_ref(),
            WAIT.as_ref(),
        ];
        if let Some(k) = &opts.kubeconfig {
            args.extend(["--kubeconfig".as_ref(), k.as_os_str()]);
        }
        let shape = match opts.nodes.workers() {
            0 => String::new(),
            1 => ", a control plane and 1 worker".to_string(),
            n => format!(", a control plane and {n} workers"),
        };
        progress.step(&format!(
            "creating kind cluster `{}` (Kubernetes {shown_version}, {reference}{shape})",
            self.name
        ));
        let started = Instant::now();
        stream(
            &kind,
            &args,
            &[("KIND_EXPERIMENTAL_DOCKER_NETWORK", NETWORK)],
            progress,
        )?;
        progress.done(&format!("context `{}`", self.context()), started.elapsed());
        self.wait_for_nodes(progress)?;
        let nodes = if opts.nodes.workers() > 0 {
            self.nodes_with(&kind)?
        } else {
            vec![format!("{}-control-plane", self.name)]
        };
        Ok(KindUpReport {
            context: self.context(),
            node_image: reference,
            kubernetes_version: version,
            already_running: false,
            nodes,
        })
    }

    /// Loads every built-in image into every node of the cluster with `kind load
    /// image-archive` (which loads into all of a cluster's nodes unless told `--nodes`), from
    /// archives written to a temporary directory. Returns the references loaded.
    pub fn load_images(&self, progress: &mut dyn Progress) -> Result<Vec<String>, KindError> {
        let kind = Self::is_available()?;
        let dir = tempfile::Builder::new()
            .prefix("crashlab-images-")
            .tempdir()
            .map_err(|e| KindError::io(&std::env::temp_dir(), e))?;
        progress.step(&format!(
            "loading crashlab's images into kind cluster `{}`",
            self.name
        ));
        let started = Instant::now();
        let mut loaded = Vec::new();
        for spec in builtin_images() {
            let archive = ImageArchive::build(&spec).map_err(|source| KindError::Image {
                reference: spec.reference.clone(),
                source,
            })?;
            let path = dir.path().join(archive.file_name());
            archive.write_to(&path).map_err(|source| KindError::Image {
                reference: spec.reference.clone(),
                source,
            })?;
            capture(
                &kind,
                &[
                    OsStr::new("load"),
                    OsStr::new("image-archive"),
                    path.as_os_str(),
                    OsStr::new("--name"),
                    OsStr::new(&self.name),
                ],
            )?;
            progress.note(archive.reference());
            loaded.push(archive.reference().to_string());
        }
        progress.done(&format!("{} images", loaded.len()), started.elapsed());
        Ok(loaded)
    }

    /// Deletes the cluster (kind removes its context from the kubeconfig too). Deleting a
    /// cluster that does not exist succeeds; the result says whether it existed.
    pub fn down(&self, progress: &mut dyn Progress) -> Result<bool, KindError> {
        let kind = Self::is_available()?;
        let existed = self.exists_with(&kind)?;
        progress.step(&format!("deleting kind cluster `{}`", self.name));
        let started = Instant::now();
        capture(&kind, &["delete", "cluster", "--name", &self.name])?;
        let network = self.remove_network()?;
        progress.done(
            &format!(
                "{}{network}",
                if existed {
                    "deleted"
                } else {
                    "it did not exist"
                }
            ),
            started.elapsed(),
        );
        Ok(existed)
    }

    /// Removes crashlab's Docker network once its cluster is gone; says what it did, for the
    /// progress line. A network that still has containers (somebody else's) stays.
    fn remove_network(&self) -> Result<&'static str, KindError> {
        let docker = on_path("docker").ok_or(KindError::DockerMissing)?;
        let filter = format!("name=^{NETWORK}$");
        let listed = capture(
            &docker,
            &[
                "network",
                "ls",
                "--filter",
                &filter,
                "--format",
                "{{.Name}}",
            ],
        )?;
        if !listed.lines().any(|l| l.trim() == NETWORK) {
            return Ok("");
        }
        match capture(&docker, &["network", "rm", NETWORK]) {
            Ok(_) => Ok(", Docker network removed"),
            Err(KindError::Command { .. }) => {
                Ok(", Docker network kept (other containers are attached to it)")
            }
            Err(e) => Err(e),
        }
    }
}

/// The kind provider behind the [`Provider`] interface.
impl Provider for KindProvider {
    fn name(&self) -> &'static str {
        "kind"
    }

    fn describe(&self) -> String {
        format!("the kind cluster `{}`", self.name)
    }

    fn availability(&self) -> Result<(), ProviderError> {
        Self::is_available()?;
        Ok(())
    }

    /// Offline when crashlab's cluster exists or Docker has the pinned node image.
    fn offline(&self, kubernetes_version: Option<&str>) -> Result<(), Download> {
        // A version kind does not pin is reported by `up`, with kind's list.
        let Ok(pinned) = node_images::NODE_IMAGES.resolve_or_default(kubernetes_version) else {
            return Ok(());
        };
        let reference = pinned.reference();
        let has_cluster = Self::is_available()
            .and_then(|kind| self.exists_with(&kind))
            .unwrap_or(false);
        if has_cluster || Self::image_present(&reference) {
            return Ok(());
        }
        Err(Download {
            what: format!(
                "kind is usable, but its node image {reference} is not in the Docker engine (kind would pull it)"
            ),
            instead: "`--provider kind` pulls it, `--node-image REF` takes a local one".to_owned(),
        })
    }

    fn pinned_versions(&self) -> Vec<PinnedVersion> {
        node_images::NODE_IMAGES.pinned()
    }

    fn resolve_version(&self, given: Option<&str>) -> Result<PinnedVersion, VersionError> {
        node_images::NODE_IMAGES.resolve_pinned(given)
    }

    /// One control plane and `nodes - 1` workers, each a container.
    fn supports_nodes(&self, _nodes: NodeCount) -> Result<(), ProviderError> {
        Ok(())
    }

    fn takes_node_image(&self) -> bool {
        true
    }

    /// Read from crashlab's label on the image, else from its `vX.Y.Z` tag.
    fn node_image_version(&self, reference: &str) -> Result<Option<String>, ProviderError> {
        Ok(given_image_version(reference)?)
    }

    fn context(&self) -> Option<String> {
        Some(KindProvider::context(self))
    }

    /// Every kind cluster's context (`kind-` and its name): kind clusters are disposable.
    fn owns_context(&self, context: &str) -> bool {
        context.len() > KIND_PREFIX.len() && context.starts_with(KIND_PREFIX)
    }

    fn owned_contexts_shown(&self) -> Option<String> {
        Some(format!("`{KIND_PREFIX}*`"))
    }

    fn up(
        &self,
        request: &UpRequest,
        progress: &mut dyn Progress,
    ) -> Result<UpReport, ProviderError> {
        if request.replace {
            KindProvider::down(self, progress)?;
        }
        let report = KindProvider::up(
            self,
            &KindUpOptions {
                kubernetes_version: request.kubernetes_version.clone(),
                node_image: request.node_image.clone(),
                tuning: request.tuning.clone(),
                kubeconfig: request.kubeconfig.clone(),
                nodes: request.nodes,
            },
            progress,
        )?;
        Ok(UpReport {
            context: report.context,
            kubernetes_version: report.kubernetes_version,
            node_image: Some(report.node_image),
            node_ready_after: None,
            kubeconfig: request.kubeconfig.clone(),
            already_running: report.already_running,
            images_loaded: false,
            nodes: report.nodes,
        })
    }

    fn down(&self, progress: &mut dyn Progress) -> Result<DownReport, ProviderError> {
        Ok(DownReport {
            existed: KindProvider::down(self, progress)?,
            problems: Vec::new(),
        })
    }

    fn status(&self) -> ClusterState {
        match Self::is_available().and_then(|kind| self.exists_with(&kind)) {
            Ok(true) => ClusterState::Up {
                context: KindProvider::context(self),
            },
            Ok(false) => ClusterState::Down,
            Err(e) => ClusterState::Unknown { why: e.to_string() },
        }
    }

    fn load_images(&self, progress: &mut dyn Progress) -> Result<(), ProviderError> {
        KindProvider::load_images(self, progress)?;
        Ok(())
    }

    /// Each node is a container of the node's name (`NAME-control-plane`, `NAME-worker2`).
    fn node_access(&self, node: &str) -> NodeAccess {
        if !self.is_own_node(node) {
            return NodeAccess::NotReachable {
                why: format!("`{node}` is no node of {}", Provider::describe(self)),
            };
        }
        match on_path("docker") {
            Some(_) => NodeAccess::Command {
                program: "docker".to_owned(),
                args: vec!["exec".to_owned(), node.to_owned()],
            },
            None => NodeAccess::NotReachable {
                why: KindError::DockerMissing.to_string(),
            },
        }
    }

    fn unreachable_after_up(&self, context: &str, error: &str) -> ProviderError {
        ProviderError::env(format!(
            "the kind cluster `{}` is there but its API is not reachable through context `{context}`: {error}",
            self.name
        ))
        .with_hint("`crashlab cluster down --provider kind` deletes it; the next run creates it again")
    }

    fn ready_note(&self, report: &UpReport) -> String {
        format!(
            "kind cluster ready ({}, Kubernetes {}{}); `crashlab cluster down --provider kind` removes it",
            report.node_image.as_deref().unwrap_or_default(),
            report
                .kubernetes_version
                .as_deref()
                .unwrap_or("of the node image"),
            match report.nodes.len() {
                0 | 1 => String::new(),
                n => format!(", {n} nodes"),
            },
        )
    }

    fn up_summary(&self, report: &UpReport) -> String {
        format!(
            "kind cluster ready: Kubernetes {} ({}){}{}; context `{}`",
            report
                .kubernetes_version
                .as_deref()
                .unwrap_or("of the node image"),
            report.node_image.as_deref().unwrap_or_default(),
            match report.nodes.len() {
                0 | 1 => String::new(),
                n => format!(", {n} nodes: {}", report.nodes.join(", ")),
            },
            if report.already_running {
                " (it was already there)"
            } else {
                ""
            },
            report.context
        )
    }

    fn down_summary(&self, report: &DownReport) -> String {
        format!(
            "kind cluster `{}` {}",
            self.name,
            if report.existed {
                "deleted"
            } else {
                "did not exist; nothing to delete"
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_context_is_kind_and_the_cluster_name() {
        assert_eq!(KindProvider::new().context(), CONTEXT);
    }

    #[test]
    fn each_node_is_reached_through_its_own_container() {
        let kind = KindProvider::new();
        for node in [
            "crashlab-control-plane",
            "crashlab-worker",
            "crashlab-worker2",
            "crashlab-worker10",
        ] {
            assert!(kind.is_own_node(node), "{node}");
            if on_path("docker").is_some() {
                assert_eq!(
                    Provider::node_access(&kind, node),
                    NodeAccess::Command {
                        program: "docker".into(),
                        args: vec!["exec".into(), node.into()]
                    }
                );
            }
        }
        for node in [
            "crashlab-local",
            "kind-control-plane",
            "crashlab-worker-x",
            "crashlab-",
            "crashlab",
        ] {
            assert!(!kind.is_own_node(node), "{node}");
            assert!(matches!(
                Provider::node_access(&kind, node),
                NodeAccess::NotReachable { .. }
            ));
        }
    }

    #[test]
    fn it_owns_every_kind_context_and_no_other() {
        let kind = KindProvider::new();
        for ctx in ["kind-kind", "kind-crashlab"] {
            assert!(kind.owns_context(ctx), "{ctx}");
        }
        for ctx in ["kind-", "my-kind-cluster", "crashlab-local"] {
            assert!(!kind.owns_context(ctx), "{ctx}");
        }
    }
}
