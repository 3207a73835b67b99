//! The one interface every cluster provider implements (as kind's node providers do): whether
//! it can run here and why not, what it pins, up / down / status, loading crashlab's images,
//! the kube contexts it owns, and how to reach its node. Commands only talk to providers
//! through it; the [`super::Registry`] lists them.

use std::fmt;
use std::num::NonZeroU8;
use std::path::PathBuf;
use std::time::Duration;

use super::KubeletTuning;
use super::ProviderError;
use super::local::ReleaseUrl;
use super::progress::Progress;
use crate::k8s_version::{PinnedVersion, VersionError};

/// A cluster provider.
pub trait Provider: Send + Sync {
    /// What `--provider` calls it: `local`, `kind`.
    fn name(&self) -> &'static str;

    /// Said when crashlab brings it up for a run: "the local cluster (real kubelet, …)".
    fn describe(&self) -> String;

    /// Whether it can bring a cluster up on this machine; the error says why not and what to
    /// install or change.
    fn availability(&self) -> Result<(), ProviderError>;

    /// Whether a cluster of `kubernetes_version` (the default one when `None`) comes up here
    /// without downloading anything; `Err` says what would be downloaded and how to avoid it.
    /// Detection prefers a provider that needs no download.
    fn offline(&self, kubernetes_version: Option<&str>) -> Result<(), Download> {
        let _ = kubernetes_version;
        Ok(())
    }

    /// The Kubernetes releases it pins, oldest first (empty for a cluster it does not make).
    fn pinned_versions(&self) -> Vec<PinnedVersion>;

    /// The pinned release a `--kubernetes-version` value (or the default) resolves to.
    fn resolve_version(&self, given: Option<&str>) -> Result<PinnedVersion, VersionError>;

    /// Whether it can bring up a cluster of `nodes` nodes; the error (bad usage) says why not.
    /// One node unless a provider says otherwise.
    fn supports_nodes(&self, nodes: NodeCount) -> Result<(), ProviderError> {
        if nodes == NodeCount::ONE {
            return Ok(());
        }
        Err(ProviderError::usage(format!(
            "{} has one node; --nodes {nodes} asks for {nodes}",
            self.describe()
        ))
        .with_hint("`--provider kind --nodes N` brings up one control plane and N-1 workers"))
    }

    /// Whether `--node-image` means something to it.
    fn takes_node_image(&self) -> bool {
        false
    }

    /// The Kubernetes version inside a `--node-image` reference, when it can tell.
    fn node_image_version(&self, reference: &str) -> Result<Option<String>, ProviderError> {
        Err(ProviderError::usage(format!(
            "--node-image {reference}: the {} provider takes no node image",
            self.name()
        )))
    }

    /// The kube context of the cluster crashlab makes with it (`crashlab-local`,
    /// `kind-crashlab`); `None` when it makes none.
    fn context(&self) -> Option<String>;

    /// Whether crashlab may deploy crash-looping workloads into `context`: the provider's
    /// own kind of test cluster.
    fn owns_context(&self, context: &str) -> bool;

    /// The contexts it owns, as the refusal of another context lists them (`kind-*`,
    /// `crashlab-local`); `None` to list none.
    fn owned_contexts_shown(&self) -> Option<String> {
        None
    }

    /// Brings its cluster up, or finds it up (the report says which).
    fn up(
        &self,
        request: &UpRequest,
        progress: &mut dyn Progress,
    ) -> Result<UpReport, ProviderError>;

    /// Takes its cluster down and removes what it made.
    fn down(&self, progress: &mut dyn Progress) -> Result<DownReport, ProviderError>;

    /// Whether its cluster is up, as far as it can tell without the API server.
    fn status(&self) -> ClusterState;

    /// Imports crashlab's images into every node of its cluster (they are never pulled).
    fn load_images(&self, progress: &mut dyn Progress) -> Result<(), ProviderError>;

    /// How to run a command on the node `node` of its cluster (as a pod's `spec.nodeName`
    /// names it), for probes of the node a pod ran on.
    fn node_access(&self, node: &str) -> NodeAccess;

    /// The error when its cluster came up but its API does not answer through `context`.
    fn unreachable_after_up(&self, context: &str, error: &str) -> ProviderError {
        ProviderError::env(format!(
            "{} came up but its API is not reachable through context `{context}`: {error}",
            self.describe()
        ))
    }

    /// `crashlab run`'s line once its cluster is ready. A provider that brings clusters up
    /// says which; one that brings nothing up has nothing to say.
    fn ready_note(&self, _report: &UpReport) -> String {
        String::new()
    }

    /// `crashlab cluster up`'s line once its cluster is ready (empty: nothing came up).
    fn up_summary(&self, _report: &UpReport) -> String {
        String::new()
    }

    /// `crashlab cluster down`'s line (what remains, when something does).
    fn down_summary(&self, _report: &DownReport) -> String {
        String::new()
    }
}

/// What would be downloaded for a bring-up, and how to do without.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    /// "kind is usable, but its node image … is not in the Docker engine (kind would pull it)".
    pub what: String,
    /// "`--provider kind` pulls it, `--node-image REF` takes a local one".
    pub instead: String,
}

/// What to bring up.
#[derive(Debug, Clone, Default)]
pub struct UpRequest {
    /// `1.35`, `v1.35.4`, ...; the default version when unset.
    pub kubernetes_version: Option<String>,
    /// kind only: a node image already in the Docker engine.
    pub node_image: Option<String>,
    /// local only: `--k8s-release-url`, where Kubernetes binaries that are not cached are
    /// downloaded from; unset: `CRASHLAB_K8S_RELEASE_URL`, else the official host.
    pub k8s_release_url: Option<ReleaseUrl>,
    pub tuning: KubeletTuning,
    /// Kubeconfig the context goes into (default: `$KUBECONFIG`, else `~/.kube/config`).
    pub kubeconfig: Option<PathBuf>,
    /// Take down a cluster of crashlab's that is there already, so that the version asked for
    /// is the one that runs (`matrix` columns). The local provider replaces a cluster of
    /// another version or tuning in any case.
    pub replace: bool,
    /// `--nodes`: one control plane and the rest workers (kind); see
    /// [`Provider::supports_nodes`].
    pub nodes: NodeCount,
}

/// How many nodes a cluster has (`--nodes`, 1 by default): one control plane, the rest workers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeCount(NonZeroU8);

impl NodeCount {
    pub const ONE: Self = Self(NonZeroU8::MIN);

    /// `None` for zero.
    pub fn new(count: u8) -> Option<Self> {
        NonZeroU8::new(count).map(Self)
    }

    pub fn get(self) -> u8 {
        self.0.get()
    }

    /// The nodes besides the control plane.
    pub fn workers(self) -> u8 {
        self.get() - 1
    }
}

impl Default for NodeCount {
    fn default() -> Self {
        Self::ONE
    }
}

impl fmt::Display for NodeCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What `up` did.
#[derive(Debug, Clone, PartialEq)]
pub struct UpReport {
    pub context: String,
    /// The Kubernetes release running, when known (`v1.35.8`).
    pub kubernetes_version: Option<String>,
    /// The kind node image, for kind.
    pub node_image: Option<String>,
    /// From start to the node reporting Ready, when the provider measures it.
    pub node_ready_after: Option<Duration>,
    /// The kubeconfig the context was written to, when the provider knows it.
    pub kubeconfig: Option<PathBuf>,
    /// The cluster was up already and was left as it was.
    pub already_running: bool,
    /// crashlab's images are on the node already (the local provider imports them when its
    /// containerd starts); when false, [`Provider::load_images`] puts them there.
    pub images_loaded: bool,
    /// The cluster's nodes by name (kind's node containers), when the provider lists them.
    pub nodes: Vec<String>,
}

/// What `down` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DownReport {
    /// A cluster was there to take down.
    pub existed: bool,
    /// What could not be removed (empty when everything is gone).
    pub problems: Vec<String>,
}

/// Whether a provider's cluster is up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterState {
    /// Up, reached through this context.
    Up {
        context: String,
    },
    Down,
    /// It cannot tell (the provider's tools are missing, or it makes no cluster).
    Unknown {
        why: String,
    },
}

/// How to run a command on a node of a provider's cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeAccess {
    /// The node is this host: run the command as it is.
    ThisHost,
    /// Run `program` with `args` followed by the command (`docker exec NODE` for kind).
    Command { program: String, args: Vec<String> },
    /// No way to reach the node, and why.
    NotReachable { why: String },
}
