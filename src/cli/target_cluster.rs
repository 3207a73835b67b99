//! The cluster a command talks to: its arguments turned into a request to the cluster layer's
//! one [`connect`], and crashlab's images loaded where the command runs scenarios.

use super::args::{BringUpArgs, ProviderName};
use super::cli_error::CliError;
use crate::cluster::{BringUp, ConnectRequest, NodeAccess, Provider, Registry, connect};
use crate::conformance::{NodeAccessMap, node_names};

/// A connected cluster.
pub struct TargetCluster {
    pub client: kube::Client,
    pub context: String,
    /// The provider that made the cluster, when one did (`local`, `kind`).
    pub provider: Option<String>,
    /// How to run a command on each of its nodes; not reachable for a cluster no provider made.
    pub node_access: NodeAccessMap,
}

/// For commands that run scenarios: `--context` (or the current context) when it answers and
/// a provider owns it, else a cluster brought up, then crashlab's images loaded into it when
/// it is a cluster crashlab made.
pub async fn connect_with_images(
    context: Option<&str>,
    allowed: &[String],
    bring_up: &BringUpArgs,
) -> Result<TargetCluster, CliError> {
    let registry = Registry::new(allowed);
    let bring_up = BringUp {
        provider: bring_up.provider.map(ProviderName::name),
        kubernetes_version: bring_up.kubernetes_version.clone(),
        node_image: bring_up.node_image.clone(),
        k8s_release_url: bring_up.release.k8s_release_url.clone(),
        nodes: super::node_count(bring_up.nodes)?,
    };
    let request = ConnectRequest {
        context,
        guarded: true,
        bring_up: Some(&bring_up),
    };
    let mut progress = super::stderr_progress();
    let connected = connect(&registry, request, &mut say, progress.as_mut()).await?;
    if let Some(provider) = connected.provider {
        tokio::task::block_in_place(|| load_images(provider, &connected.context))?;
    }
    Ok(TargetCluster {
        provider: connected.provider.map(|p| p.name().to_owned()),
        node_access: node_access(connected.provider, &connected.context, &connected.client).await,
        client: connected.client,
        context: connected.context,
    })
}

/// For commands that read or clean up (`gc`, `diagnose`): any context, and never a cluster
/// brought up; without a current context, the cluster of crashlab's that is running.
pub async fn connect_existing(context: Option<&str>) -> Result<TargetCluster, CliError> {
    let registry = Registry::new(&[]);
    let request = ConnectRequest {
        context,
        guarded: false,
        bring_up: None,
    };
    let mut progress = super::stderr_progress();
    let connected = connect(&registry, request, &mut say, progress.as_mut()).await?;
    Ok(TargetCluster {
        provider: connected.provider.map(|p| p.name().to_owned()),
        node_access: node_access(connected.provider, &connected.context, &connected.client).await,
        client: connected.client,
        context: connected.context,
    })
}

/// Each node's access as the cluster's provider gives it (the nodes listed now).
async fn node_access(
    provider: Option<&dyn Provider>,
    context: &str,
    client: &kube::Client,
) -> NodeAccessMap {
    let Some(p) = provider else {
        return NodeAccessMap {
            by_node: Default::default(),
            otherwise: NodeAccess::NotReachable {
                why: format!(
                    "context `{context}` is not a cluster crashlab made, so its nodes are not reachable from here"
                ),
            },
        };
    };
    let names = node_names(client).await.unwrap_or_default();
    NodeAccessMap {
        by_node: names
            .iter()
            .map(|n| (n.clone(), p.node_access(n)))
            .collect(),
        otherwise: NodeAccess::NotReachable {
            why: format!("the node is not one {} listed", p.describe()),
        },
    }
}

fn say(message: &str) {
    eprintln!("crashlab: {message}");
}

/// Imports crashlab's images into a cluster crashlab made; when its provider's tools are not
/// usable here, the run goes on with whatever the node already has, and says so.
fn load_images(provider: &dyn Provider, context: &str) -> Result<(), CliError> {
    if let Err(e) = provider.availability() {
        eprintln!(
            "crashlab: warning: context `{context}`: crashlab's images cannot be loaded ({e}); pods fail with ErrImageNeverPull unless they were loaded before"
        );
        return Ok(());
    }
    let mut progress = super::stderr_progress();
    Ok(provider.load_images(progress.as_mut())?)
}
