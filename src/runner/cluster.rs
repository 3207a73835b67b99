//! What the runner asks of a cluster, as a trait: [`super::cluster_client::ClusterClient`]
//! answers through kube-rs, and tests answer from a recorded run (`ReplayCluster`, in
//! `replay_cluster.rs`), so the runner's whole life (deploy → observe → conclude → clean up)
//! can be driven without an API server.
//!
//! The methods are the runner's needs, not the Kubernetes API: "create the scenario's
//! namespace", "the Pod + Event watch of a namespace", "previous logs". Each is one call in
//! the runner; timeouts, retries and cancellation stay in the runner.

use std::future::Future;

use futures::Stream;
use serde_json::Value;

use crate::scenario::WorkloadKind;

use super::capacity::NodeRoom;
use super::error::Result;
use super::gc::NamespaceInfo;
use super::observe::{LogSource, WatchItem};
use crate::timeline::kubelet_backoff::KubeletBackoff;

/// A cluster the runner can deploy scenarios to. Cheap to clone: each scenario task gets a
/// clone.
pub trait Cluster: Clone + Send + Sync + 'static {
    /// Previous-container logs of one namespace.
    type Logs: LogSource + Send + 'static;

    /// `gitVersion` of the API server; the first call of a run, so failure means unreachable.
    fn server_version(&self) -> impl Future<Output = Result<String>> + Send;

    /// The restart back-off curve of the node's kubelet, and how it is known. Never fails:
    /// what cannot be read is assumed to be the kubelet's default, said in `because`.
    fn kubelet_backoff(&self) -> impl Future<Output = KubeletBackoff> + Send;

    /// `status.nodeInfo.kubeletVersion` of `node`.
    fn kubelet_version(
        &self,
        node: &str,
    ) -> impl Future<Output = std::result::Result<String, String>> + Send;

    /// Creates namespace `name` for `scenario`, labelled as crashlab's; `kept` marks it as
    /// kept on purpose (see [`super::owner::KEPT_ANNOTATION`]).
    fn create_namespace(
        &self,
        name: &str,
        scenario: &str,
        kept: bool,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Resolves once the namespace's `default` ServiceAccount exists (pods are refused
    /// before). Unbounded: the caller's deploy timeout bounds it.
    fn wait_default_service_account(
        &self,
        namespace: &str,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Applies manifest number `index` of a step (numbered from 0 in each step) into
    /// `namespace`.
    fn apply(
        &self,
        namespace: &str,
        index: usize,
        manifest: &Value,
    ) -> impl Future<Output = Result<()>> + Send;

    /// The workload `kind`/`name` of `namespace` as JSON, for its rollout status.
    fn get_workload(
        &self,
        namespace: &str,
        kind: WorkloadKind,
        name: &str,
    ) -> impl Future<Output = Result<Value>> + Send;

    /// Pods and Events of `namespace` as they change, stamped with their arrival time.
    /// Failures are items ([`WatchItem::Error`]), retried by the implementation; the stream
    /// never ends by itself.
    fn watch(&self, namespace: &str) -> impl Stream<Item = WatchItem> + Send + 'static;

    /// Previous-container logs of pods in `namespace`.
    fn logs(&self, namespace: &str) -> Self::Logs;

    /// Requests deletion of `namespace`. Returns the UID of the namespace being deleted, or
    /// `None` when it is already gone.
    fn delete_namespace(
        &self,
        namespace: &str,
    ) -> impl Future<Output = Result<Option<String>>> + Send;

    /// Resolves once the namespace with `uid` no longer exists. Unbounded: the caller's
    /// cleanup timeout bounds it.
    fn namespace_gone(&self, namespace: &str, uid: &str)
    -> impl Future<Output = Result<()>> + Send;

    /// Every namespace labelled as crashlab's, for collecting leftovers of dead runs.
    fn crashlab_namespaces(&self) -> impl Future<Output = Result<Vec<NamespaceInfo>>> + Send;

    /// What the schedulable nodes have left for new pods (`--parallel auto`); an error when
    /// the nodes or pods cannot be listed.
    fn node_room(&self) -> impl Future<Output = std::result::Result<NodeRoom, String>> + Send;
}
