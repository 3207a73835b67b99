//! What conformance reads from and does to the cluster through its API server (the one kube-rs
//! file of this module): the node's profile, the kubelet's counters through the node proxy, and
//! the changes made to a crash-looping probe.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Node, Pod};
use kube::Api;
use kube::api::{Patch, PatchParams};

use crate::image::PAUSE_IMAGE;
use crate::runner::api_message::api_message;
use crate::timeline::kubelet_backoff::{derive, gate_enabled};

use super::node_evidence::parse_terminations;
use super::observations::ClusterProfile;
use super::probe::ProbeAction;

/// The gates that change what the properties show.
pub const GATES: &[&str] = &[
    "KubeletCrashLoopBackOffMax",
    "ReduceDefaultCrashLoopBackOffDecay",
    "InPlacePodVerticalScaling",
];

/// The names of the cluster's nodes.
pub async fn node_names(client: &kube::Client) -> Result<Vec<String>, String> {
    Ok(Api::<Node>::all(client.clone())
        .list(&Default::default())
        .await
        .map_err(|e| format!("listing nodes: {}", api_message(&e)))?
        .items
        .into_iter()
        .filter_map(|n| n.metadata.name)
        .collect())
}

/// The node the probes run on: Ready and schedulable, a worker before a control plane.
pub async fn pick_node(client: &kube::Client) -> Result<Node, String> {
    let nodes = Api::<Node>::all(client.clone())
        .list(&Default::default())
        .await
        .map_err(|e| format!("listing nodes: {}", api_message(&e)))?
        .items;
    let ready = |n: &Node| {
        n.status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
            && !n
                .spec
                .as_ref()
                .and_then(|s| s.unschedulable)
                .unwrap_or(false)
    };
    let control_plane = |n: &Node| {
        n.metadata
            .labels
            .as_ref()
            .is_some_and(|l| l.contains_key("node-role.kubernetes.io/control-plane"))
    };
    let mut candidates: Vec<Node> = nodes.into_iter().filter(ready).collect();
    candidates.sort_by_key(|n| (control_plane(n), n.metadata.name.clone()));
    candidates
        .into_iter()
        .next()
        .ok_or_else(|| "no Ready, schedulable node".to_owned())
}

async fn node_get(client: &kube::Client, node: &str, path: &str) -> Result<String, String> {
    let req = http::Request::get(format!("/api/v1/nodes/{node}/proxy/{path}"))
        .body(Vec::new())
        .map_err(|e| e.to_string())?;
    client
        .request_text(req)
        .await
        .map_err(|e| format!("GET /api/v1/nodes/{node}/proxy/{path}: {}", api_message(&e)))
}

/// The cluster's profile, read from the API server and the chosen node's kubelet.
pub async fn profile(
    client: &kube::Client,
    context: &str,
    provider: Option<&str>,
    node: Option<&Node>,
) -> Result<ClusterProfile, String> {
    let version = client
        .apiserver_version()
        .await
        .map_err(|e| format!("reading the server version: {}", api_message(&e)))?;
    let name = node
        .and_then(|n| n.metadata.name.clone())
        .unwrap_or_default();
    let info = node
        .and_then(|n| n.status.as_ref())
        .and_then(|s| s.node_info.as_ref());
    let configz = node_get(client, &name, "configz")
        .await
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok());
    let metrics = node_get(client, &name, "metrics").await.ok();
    let gates = GATES
        .iter()
        .filter_map(|g| {
            metrics
                .as_deref()
                .and_then(|m| gate_enabled(m, g))
                .map(|on| ((*g).to_owned(), on))
        })
        .collect();
    Ok(ClusterProfile {
        context: context.to_owned(),
        provider: provider.map(str::to_owned),
        server_version: version.git_version,
        node: (!name.is_empty()).then_some(name),
        kubelet_version: info.map(|i| i.kubelet_version.clone()),
        container_runtime: info.map(|i| i.container_runtime_version.clone()),
        kernel: info.map(|i| i.kernel_version.clone()),
        cgroup_driver: configz
            .as_ref()
            .and_then(|c| c.pointer("/kubeletconfig/cgroupDriver"))
            .and_then(|d| d.as_str())
            .map(str::to_owned),
        cgroup_version: None,
        kubelet_backoff: derive(configz.as_ref(), metrics.as_deref()),
        gates,
    })
}

/// `kubelet_terminated_containers_total` of `node`: `None` when the kubelet shows no such
/// series (a kubelet before 1.36, or one that has counted nothing yet: a counter vector shows
/// nothing until its first increment).
pub async fn kubelet_terminations(
    client: &kube::Client,
    node: &str,
) -> Result<Option<BTreeMap<String, u64>>, String> {
    let metrics = node_get(client, node, "metrics").await?;
    Ok(parse_terminations(&metrics))
}

/// A pod's UID.
pub async fn pod_uid(client: &kube::Client, namespace: &str, pod: &str) -> Result<String, String> {
    Api::<Pod>::namespaced(client.clone(), namespace)
        .get(pod)
        .await
        .map_err(|e| api_message(&e))?
        .metadata
        .uid
        .ok_or_else(|| "the pod has no UID".to_owned())
}

/// Makes `action`'s change to the probe's pod.
pub async fn act(
    client: &kube::Client,
    namespace: &str,
    pod: &str,
    container: &str,
    action: ProbeAction,
) -> Result<(), String> {
    let pods = Api::<Pod>::namespaced(client.clone(), namespace);
    let params = PatchParams::default();
    match action {
        ProbeAction::ChangeImage => {
            let patch = serde_json::json!({"spec": {"containers": [{"name": container, "image": PAUSE_IMAGE}]}});
            pods.patch(pod, &params, &Patch::Strategic(patch))
                .await
                .map(|_| ())
                .map_err(|e| api_message(&e))
        }
        ProbeAction::ChangeResources => {
            let patch = serde_json::json!({"spec": {"containers": [{"name": container, "resources": {"requests": {"cpu": "20m"}}}]}});
            pods.patch_subresource("resize", pod, &params, &Patch::Strategic(patch))
                .await
                .map(|_| ())
                .map_err(|e| api_message(&e))
        }
    }
}

/// The probe container's status in `pod`.
pub fn app_status(pod: Pod) -> Option<k8s_openapi::api::core::v1::ContainerStatus> {
    pod.status.and_then(|s| s.container_statuses).and_then(|c| {
        c.into_iter()
            .find(|c| c.name == super::instances::CONTAINER)
    })
}
