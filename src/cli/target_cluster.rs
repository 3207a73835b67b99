//! Which cluster `crashlab run` talks to: the named or current kube context when it is a
//! reachable test cluster, else a cluster crashlab brings up (and says so).

use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig};

use super::args::{BringUpArgs, ProviderName};
use super::cli_error::CliError;
use super::cluster_cmd;
use crate::cluster::local::{self, LocalCluster, UpOptions};
use crate::cluster::{KindProvider, KindUpOptions, ProviderKind};

/// `--context NAME` names a context of a kubeconfig that can be read.
pub fn check_named_context(
    ctx: &str,
    kubeconfig: Result<&Kubeconfig, &kube::config::KubeconfigError>,
) -> Result<(), CliError> {
    let kubeconfig = kubeconfig.map_err(|e| {
        CliError::env(format!("--context {ctx}: cannot read the kubeconfig: {e}")).with_hint(
            "set KUBECONFIG or create ~/.kube/config, or leave out --context to let crashlab bring up a cluster",
        )
    })?;
    let known: Vec<&str> = kubeconfig
        .contexts
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    if known.contains(&ctx) {
        return Ok(());
    }
    let list = if known.is_empty() {
        "it has none".to_owned()
    } else {
        format!("it has {}", known.join(", "))
    };
    Err(
        CliError::usage(format!("no context `{ctx}` in the kubeconfig ({list})")).with_hint(
            "`kubectl config get-contexts` lists them; leave out --context to let crashlab bring up a cluster",
        ),
    )
}

/// [`check_named_context`] against the kubeconfig in effect, when `--context` was given.
pub fn check_explicit_context(context: Option<&str>) -> Result<(), CliError> {
    match context {
        Some(ctx) => check_named_context(ctx, Kubeconfig::read().as_ref()),
        None => Ok(()),
    }
}

/// A connected cluster.
pub struct TargetCluster {
    pub client: kube::Client,
    pub context: String,
    /// Set when crashlab brought the local cluster up (or found it running) for this run.
    pub local: Option<LocalCluster>,
    /// Set for crashlab's kind cluster (`kind-crashlab`), brought up or found, when kind is
    /// usable: the run loads crashlab's images into it first.
    pub kind: Option<KindProvider>,
}

/// Connects to `context` (or the current one), or brings up a cluster when none is reachable
/// and no context was named explicitly.
pub async fn connect(
    context: Option<&str>,
    allowed: &[String],
    bring_up: &BringUpArgs,
) -> Result<TargetCluster, CliError> {
    let read = Kubeconfig::read();
    // An explicit --context must exist: say so before anything else, and never bring up a
    // cluster in its place.
    if let Some(ctx) = context {
        check_named_context(ctx, read.as_ref())?;
    }
    let kubeconfig = read.ok();
    let current = kubeconfig
        .as_ref()
        .and_then(|k| k.current_context.clone())
        .filter(|c| !c.is_empty());
    let chosen = context.map(str::to_string).or(current);
    if let Some(ctx) = &chosen
        && let Err(e) = crate::runner::check_context(ctx, allowed)
    {
        return Err(CliError::usage(e).with_hint(format!(
            "or use crashlab's own cluster: --context {}",
            local::CONTEXT
        )));
    }
    if let (Some(ctx), Some(_)) = (&chosen, &kubeconfig) {
        match client_for(ctx).await {
            Ok((client, _version)) => {
                let local = (ctx == local::CONTEXT).then(LocalCluster::at_default_location);
                let kind = if ctx == crate::cluster::KIND_CONTEXT {
                    tokio::task::block_in_place(kind_for_existing_cluster)
                } else {
                    None
                };
                return Ok(TargetCluster {
                    client,
                    context: ctx.clone(),
                    local,
                    kind,
                });
            }
            Err(e) if context.is_some() => {
                return Err(CliError::env(format!("kube context `{ctx}` is not reachable: {e}"))
                    .with_hint("is the cluster running? try `crashlab cluster status`, or leave out --context to let crashlab bring up a cluster"));
            }
            Err(e) if ctx != local::CONTEXT && is_test_context(ctx) => {
                eprintln!(
                    "crashlab: context `{ctx}` is not reachable ({e}); bringing up a cluster instead"
                );
            }
            Err(_) => {}
        }
    }
    let provider = match (bring_up.provider, &bring_up.node_image) {
        (Some(ProviderName::Local), Some(_)) => {
            return Err(CliError::usage(
                "--node-image is a kind node image; it does not go with --provider local",
            ));
        }
        (Some(p), _) => p,
        (None, Some(_)) => ProviderName::Kind,
        (None, None) => tokio::task::block_in_place(|| detect_provider(bring_up))?,
    };
    let kubernetes_version = bring_up.kubernetes_version.clone();
    match provider {
        ProviderName::Kind => {
            eprintln!(
                "crashlab: no test cluster is reachable; bringing up the kind cluster `{}`",
                crate::cluster::KIND_CLUSTER
            );
            let kind = KindProvider::new();
            let opts = KindUpOptions {
                kubernetes_version,
                node_image: bring_up.node_image.clone(),
                ..Default::default()
            };
            let report = tokio::task::block_in_place(|| cluster_cmd::bring_up_kind(&kind, &opts))?;
            eprintln!(
                "crashlab: kind cluster ready ({}, Kubernetes {}); `crashlab cluster down --provider kind` removes it",
                report.node_image,
                report
                    .kubernetes_version
                    .as_deref()
                    .unwrap_or("of the node image")
            );
            let (client, _version) = client_for(&report.context).await.map_err(|e| {
                CliError::env(format!(
                    "the kind cluster `{}` is there but its API is not reachable through context `{}`: {e}",
                    kind.name(),
                    report.context
                ))
                .with_hint("`crashlab cluster down --provider kind` deletes it; the next run creates it again")
            })?;
            Ok(TargetCluster {
                client,
                context: report.context,
                local: None,
                kind: Some(kind),
            })
        }
        ProviderName::Local => {
            local::ensure_supported().map_err(CliError::env)?;
            eprintln!(
                "crashlab: no test cluster is reachable; bringing up the local cluster (real kubelet, containerd and etcd on this host)"
            );
            let opts = UpOptions {
                kubernetes_version,
                ..Default::default()
            };
            let report = tokio::task::block_in_place(|| cluster_cmd::bring_up_local(&opts))?;
            eprintln!(
                "crashlab: local cluster ready (Kubernetes {}, node Ready after {:.1}s); `crashlab cluster down` removes it",
                report.kubernetes_version,
                report.node_ready_after.as_secs_f64()
            );
            let (client, _version) = client_for(local::CONTEXT).await.map_err(|e| {
                CliError::env(format!(
                    "the local cluster came up but its API is not reachable: {e}"
                ))
            })?;
            Ok(TargetCluster {
                client,
                context: local::CONTEXT.into(),
                local: Some(LocalCluster::at_default_location()),
                kind: None,
            })
        }
    }
}

/// [`connect`], then crashlab's images loaded into the cluster, as every command that runs
/// scenarios needs.
pub async fn connect_with_images(
    context: Option<&str>,
    allowed: &[String],
    bring_up: &BringUpArgs,
) -> Result<TargetCluster, CliError> {
    let cluster = connect(context, allowed, bring_up).await?;
    load_images(&cluster).await?;
    Ok(cluster)
}

/// Imports crashlab's images into a cluster crashlab manages (local or kind); other clusters
/// must have them already.
async fn load_images(cluster: &TargetCluster) -> Result<(), CliError> {
    if let Some(local) = &cluster.local {
        let local = local.clone();
        tokio::task::spawn_blocking(move || local.load_images())
            .await
            .map_err(|e| CliError::env(e.to_string()))??;
    }
    if let Some(kind) = &cluster.kind {
        let kind = kind.clone();
        tokio::task::spawn_blocking(move || {
            let mut progress = crate::cluster::local::progress::stderr();
            kind.load_images(progress.as_mut())
        })
        .await
        .map_err(|e| CliError::env(e.to_string()))??;
    }
    Ok(())
}

/// kind when kind and a Docker engine are usable, else local on Linux as root, else an
/// error saying why neither can run (see `crate::cluster::detect`, which also says when it
/// prefers local because kind would have to pull its node image).
fn detect_provider(bring_up: &BringUpArgs) -> Result<ProviderName, CliError> {
    let pinned = crate::cluster::kind_images::resolve(bring_up.kubernetes_version.as_deref())
        .map_err(CliError::usage)?
        .reference();
    let detected = crate::cluster::detect(&pinned)?;
    if let Some(note) = detected.note {
        eprintln!("crashlab: {note}");
    }
    Ok(match detected.kind {
        ProviderKind::Kind => ProviderName::Kind,
        ProviderKind::Local => ProviderName::Local,
    })
}

/// crashlab's kind cluster found reachable: its images are loaded before the run when kind is
/// usable here; otherwise the run goes on with whatever the node already has, and says so.
fn kind_for_existing_cluster() -> Option<KindProvider> {
    match KindProvider::is_available() {
        Ok(_) => Some(KindProvider::new()),
        Err(e) => {
            eprintln!(
                "crashlab: warning: context `{}`: crashlab's images cannot be loaded ({e}); pods fail with ErrImageNeverPull unless they were loaded before",
                crate::cluster::KIND_CONTEXT
            );
            None
        }
    }
}

fn is_test_context(ctx: &str) -> bool {
    ctx.starts_with("kind-") || ctx == local::CONTEXT
}

/// A client for a context, checked by asking the server's version (5 s at most).
pub async fn client_for(context: &str) -> Result<(kube::Client, String), String> {
    let options = KubeConfigOptions {
        context: Some(context.to_string()),
        ..Default::default()
    };
    let config = kube::Config::from_kubeconfig(&options)
        .await
        .map_err(|e| e.to_string())?;
    let client = kube::Client::try_from(config).map_err(|e| e.to_string())?;
    let version = tokio::time::timeout(Duration::from_secs(5), client.apiserver_version())
        .await
        .map_err(|_| "no answer within 5s".to_string())?
        .map_err(|e| e.to_string())?;
    Ok((client, version.git_version))
}
