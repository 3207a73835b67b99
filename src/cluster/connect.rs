//! How every command finds its cluster, the same way: the context named with `--context` (it
//! must exist), else the kubeconfig's current context, else a cluster of crashlab's
//! providers: one brought up (commands that run scenarios) or one found running (commands
//! that only read or clean up, which never bring a cluster up). Where a cluster may be
//! brought up, a context must answer to be used; the others are used as they are, and the
//! command's first request says whether they answer. Commands that deploy crash-looping
//! workloads only accept contexts the providers own.

use kube::config::{Kubeconfig, KubeconfigError};

use super::connect_error::ConnectError;
use super::detect::detect;
use super::kube_client::{client_for, client_unchecked};
use super::local::ReleaseUrl;
use super::progress::Progress;
use super::{ClusterState, NodeCount, Provider, ProviderError, Registry, UpReport, UpRequest};

/// What a command asks of [`connect`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ConnectRequest<'a> {
    /// `--context`.
    pub context: Option<&'a str>,
    /// Refuse a context no provider owns (the command deploys crash-looping workloads).
    pub guarded: bool,
    /// What to bring up when no cluster answers; `None`: bring nothing up, use a provider's
    /// cluster that is running.
    pub bring_up: Option<&'a BringUp>,
}

/// `--provider`, `--kubernetes-version`, `--node-image`, `--k8s-release-url` of the commands
/// that run scenarios.
#[derive(Debug, Clone, Default)]
pub struct BringUp {
    pub provider: Option<String>,
    pub kubernetes_version: Option<String>,
    pub node_image: Option<String>,
    pub k8s_release_url: Option<ReleaseUrl>,
    /// `--nodes`: a provider that runs one node refuses more (bad usage).
    pub nodes: NodeCount,
}

/// A cluster that answered.
pub struct Connected<'r> {
    pub client: kube::Client,
    pub context: String,
    /// The provider whose own cluster this is (crashlab loads its images into it).
    pub provider: Option<&'r dyn Provider>,
}

/// What to do once the chosen context did not answer, where a cluster may be brought up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenUnreachable {
    /// Stop: `--context` was named, and nothing is brought up in its place.
    Fail,
    /// Bring a cluster up, saying that the context did not answer (a test cluster's).
    BringUpSaying,
    /// Bring a cluster up without a word (a context allowed with `--allow-context`).
    BringUp,
}

/// The decision of [`connect`] once the chosen context did not answer.
pub fn when_unreachable(explicit: bool, test_cluster: bool) -> WhenUnreachable {
    match (explicit, test_cluster) {
        (true, _) => WhenUnreachable::Fail,
        (false, true) => WhenUnreachable::BringUpSaying,
        (false, false) => WhenUnreachable::BringUp,
    }
}

/// `--context NAME` names a context of a kubeconfig that can be read.
pub fn check_named_context(
    context: &str,
    kubeconfig: Result<&Kubeconfig, &KubeconfigError>,
) -> Result<(), ConnectError> {
    let kubeconfig = kubeconfig.map_err(|e| ConnectError::KubeconfigUnreadable {
        context: context.to_owned(),
        error: e.to_string(),
    })?;
    let known: Vec<String> = kubeconfig.contexts.iter().map(|c| c.name.clone()).collect();
    if known.iter().any(|k| k == context) {
        return Ok(());
    }
    Err(ConnectError::NoSuchContext {
        context: context.to_owned(),
        known,
    })
}

/// The first provider whose cluster is up, and its context.
pub fn running_cluster(registry: &Registry) -> Option<(&dyn Provider, String)> {
    registry.providers().find_map(|p| match p.status() {
        ClusterState::Up { context } => Some((p, context)),
        _ => None,
    })
}

/// Finds the cluster a command talks to (see the module's comment). `say` receives what the
/// user should know ("bringing up the local cluster …"); `progress` a bring-up's steps.
pub async fn connect<'r>(
    registry: &'r Registry,
    request: ConnectRequest<'_>,
    say: &mut dyn FnMut(&str),
    progress: &mut dyn Progress,
) -> Result<Connected<'r>, ConnectError> {
    let read = Kubeconfig::read();
    // An explicit --context must exist: say so before anything else, and never bring up a
    // cluster in its place.
    if let Some(ctx) = request.context {
        check_named_context(ctx, read.as_ref())?;
    }
    let no_context = match &read {
        Ok(_) => "the kubeconfig has no current context".to_owned(),
        Err(e) => format!("no kubeconfig could be read ({e})"),
    };
    let kubeconfig = read.ok();
    let current = kubeconfig
        .as_ref()
        .and_then(|k| k.current_context.clone())
        .filter(|c| !c.is_empty());
    let chosen = request.context.map(str::to_owned).or(current);
    if let Some(ctx) = &chosen
        && request.guarded
    {
        registry
            .check_allowed(ctx)
            .map_err(|refusal| ConnectError::NotAllowed {
                refusal,
                own: registry.get("local").ok().and_then(|p| p.context()),
            })?;
    }
    if let (Some(ctx), Some(_), None) = (&chosen, &kubeconfig, request.bring_up) {
        // Nothing may come up in its place, so the command's own first request says whether
        // it answers, in the command's words.
        let client = client_unchecked(ctx)
            .await
            .map_err(|error| ConnectError::BadContext {
                context: ctx.clone(),
                error,
            })?;
        return Ok(Connected {
            client,
            context: ctx.clone(),
            provider: registry.maker_of(ctx),
        });
    }
    if let (Some(ctx), Some(_)) = (&chosen, &kubeconfig) {
        match client_for(ctx).await {
            Ok((client, _version)) => {
                return Ok(Connected {
                    client,
                    context: ctx.clone(),
                    provider: registry.maker_of(ctx),
                });
            }
            Err(error) => {
                let test_cluster = registry
                    .providers()
                    .any(|p| p.context().is_some() && p.owns_context(ctx));
                match when_unreachable(request.context.is_some(), test_cluster) {
                    WhenUnreachable::Fail => {
                        return Err(ConnectError::Unreachable {
                            context: ctx.clone(),
                            error,
                            would_bring_up: true,
                        });
                    }
                    WhenUnreachable::BringUpSaying => say(&format!(
                        "context `{ctx}` is not reachable ({error}); bringing up a cluster instead"
                    )),
                    WhenUnreachable::BringUp => {}
                }
            }
        }
    }
    match request.bring_up {
        Some(bring_up) => bring_up_one(registry, bring_up, say, progress).await,
        None => find_running(registry, &no_context, say).await,
    }
}

/// No context to use, and nothing may be brought up: the cluster of a provider that is up.
async fn find_running<'r>(
    registry: &'r Registry,
    no_context: &str,
    say: &mut dyn FnMut(&str),
) -> Result<Connected<'r>, ConnectError> {
    let no_cluster = || ConnectError::NoCluster {
        why: no_context.to_owned(),
    };
    let (provider, context) = running_cluster(registry).ok_or_else(no_cluster)?;
    let (client, _version) =
        client_for(&context)
            .await
            .map_err(|error| ConnectError::Unreachable {
                context: context.clone(),
                error,
                would_bring_up: false,
            })?;
    say(&format!(
        "{no_context}; using context `{context}` of the running {} cluster",
        provider.name()
    ));
    Ok(Connected {
        client,
        context,
        provider: Some(provider),
    })
}

/// The provider asked for (kind when only `--node-image` was given), else the one detection
/// picks; brought up and connected to.
async fn bring_up_one<'r>(
    registry: &'r Registry,
    bring_up: &BringUp,
    say: &mut dyn FnMut(&str),
    progress: &mut dyn Progress,
) -> Result<Connected<'r>, ConnectError> {
    let provider = match (&bring_up.provider, &bring_up.node_image) {
        (Some(name), _) => registry.get(name)?,
        (None, Some(_)) => registry
            .providers()
            .find(|p| p.takes_node_image())
            .ok_or_else(|| ProviderError::usage("no provider takes --node-image"))?,
        (None, None) => {
            let detected = tokio::task::block_in_place(|| {
                detect(registry, bring_up.kubernetes_version.as_deref())
            })
            .map_err(ConnectError::NoProvider)?;
            if let Some(note) = &detected.note {
                say(note);
            }
            detected.provider
        }
    };
    if bring_up.node_image.is_some() && !provider.takes_node_image() {
        return Err(ConnectError::Provider(ProviderError::usage(format!(
            "--node-image is a kind node image; it does not go with --provider {}",
            provider.name()
        ))));
    }
    provider.supports_nodes(bring_up.nodes)?;
    // A version the provider does not pin is bad usage, said before anything happens (a
    // given node image brings its own version).
    if bring_up.node_image.is_none() {
        provider
            .resolve_version(bring_up.kubernetes_version.as_deref())
            .map_err(|e| {
                let error = ProviderError::usage(e);
                if provider.takes_node_image() {
                    error.with_hint(
                        "another version runs on a node image of it given with --node-image REF (`tests/kind/prepare-node-image VERSION` builds one for the versions the local provider pins)",
                    )
                } else {
                    error
                }
            })?;
    }
    say(&format!(
        "no test cluster is reachable; bringing up {}",
        provider.describe()
    ));
    let request = UpRequest {
        kubernetes_version: bring_up.kubernetes_version.clone(),
        node_image: bring_up.node_image.clone(),
        k8s_release_url: bring_up.k8s_release_url.clone(),
        nodes: bring_up.nodes,
        ..Default::default()
    };
    let report: UpReport = tokio::task::block_in_place(|| provider.up(&request, progress))?;
    say(&provider.ready_note(&report));
    let (client, _version) = client_for(&report.context)
        .await
        .map_err(|e| provider.unreachable_after_up(&report.context, &e))?;
    Ok(Connected {
        client,
        context: report.context,
        provider: Some(provider),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::stand_in::StandIn;

    #[test]
    fn an_unreachable_named_context_stops() {
        assert_eq!(when_unreachable(true, true), WhenUnreachable::Fail);
        assert_eq!(when_unreachable(true, false), WhenUnreachable::Fail);
    }

    #[test]
    fn an_unreachable_current_context_gives_way_to_a_bring_up() {
        assert_eq!(
            when_unreachable(false, true),
            WhenUnreachable::BringUpSaying
        );
        assert_eq!(when_unreachable(false, false), WhenUnreachable::BringUp);
    }

    #[test]
    fn the_running_cluster_is_the_first_provider_whose_cluster_is_up() {
        let registry = Registry::with(vec![
            Box::new(StandIn::available("first")),
            Box::new(StandIn::available("second").up()),
            Box::new(StandIn::available("third").up()),
        ]);
        let (provider, context) = running_cluster(&registry).unwrap();
        assert_eq!((provider.name(), context.as_str()), ("second", "second"));
        let none = Registry::with(vec![Box::new(StandIn::available("first"))]);
        assert!(running_cluster(&none).is_none());
    }

    #[test]
    fn no_cluster_says_why_and_what_to_do() {
        let e = ConnectError::NoCluster {
            why: "the kubeconfig has no current context".to_owned(),
        };
        assert_eq!(
            e.to_string(),
            "no cluster to talk to: the kubeconfig has no current context, and no cluster of crashlab's providers is running"
        );
        assert_eq!(
            e.hint().unwrap(),
            "pass --context, or start the cluster (`crashlab cluster up`)"
        );
    }

    #[test]
    fn a_named_context_must_be_in_the_kubeconfig() {
        let kubeconfig: Kubeconfig =
            serde_yaml::from_str("contexts: [{name: prod, context: {cluster: prod, user: prod}}]")
                .unwrap();
        assert!(check_named_context("prod", Ok(&kubeconfig)).is_ok());
        let e = check_named_context("dev", Ok(&kubeconfig)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "no context `dev` in the kubeconfig (it has prod)"
        );
        assert!(e.is_usage());
    }
}
