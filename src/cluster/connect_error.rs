//! Why no cluster could be reached, each with what to try next.

use super::registry::{ContextNotAllowed, UnknownProvider};
use super::{NoProvider, ProviderError};

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("--context {context}: cannot read the kubeconfig: {error}")]
    KubeconfigUnreadable { context: String, error: String },
    #[error("no context `{context}` in the kubeconfig ({})", list(.known))]
    NoSuchContext { context: String, known: Vec<String> },
    #[error("{refusal}")]
    NotAllowed {
        refusal: ContextNotAllowed,
        /// crashlab's own cluster's context, suggested instead.
        own: Option<String>,
    },
    #[error("cannot load kube context `{context}`: {error}")]
    BadContext { context: String, error: String },
    #[error("kube context `{context}` is not reachable: {error}")]
    Unreachable {
        context: String,
        error: String,
        /// Whether leaving out `--context` would let crashlab bring up a cluster.
        would_bring_up: bool,
    },
    #[error("no cluster to talk to: {why}, and no cluster of crashlab's providers is running")]
    NoCluster { why: String },
    #[error("no test cluster is reachable, and {0}")]
    NoProvider(NoProvider),
    #[error(transparent)]
    UnknownProvider(#[from] UnknownProvider),
    #[error(transparent)]
    Provider(#[from] ProviderError),
}

fn list(known: &[String]) -> String {
    if known.is_empty() {
        "it has none".to_owned()
    } else {
        format!("it has {}", known.join(", "))
    }
}

impl ConnectError {
    /// The user asked for something that cannot be (as opposed to a machine or cluster that
    /// is not ready).
    pub fn is_usage(&self) -> bool {
        match self {
            ConnectError::NoSuchContext { .. }
            | ConnectError::NotAllowed { .. }
            | ConnectError::UnknownProvider(_) => true,
            ConnectError::Provider(e) => e.bad_usage,
            _ => false,
        }
    }

    /// What to try next.
    pub fn hint(&self) -> Option<String> {
        match self {
            ConnectError::KubeconfigUnreadable { .. } => Some(
                "set KUBECONFIG or create ~/.kube/config, or leave out --context to let crashlab bring up a cluster".to_owned(),
            ),
            ConnectError::NoSuchContext { .. } => Some(
                "`kubectl config get-contexts` lists them; leave out --context to let crashlab bring up a cluster".to_owned(),
            ),
            ConnectError::NotAllowed { own, .. } => own
                .as_ref()
                .map(|own| format!("or use crashlab's own cluster: --context {own}")),
            ConnectError::Unreachable {
                would_bring_up: true,
                ..
            } => Some(
                "is the cluster running? try `crashlab cluster status`, or leave out --context to let crashlab bring up a cluster".to_owned(),
            ),
            ConnectError::Unreachable { .. } => {
                Some("is the cluster running? try `crashlab cluster status`".to_owned())
            }
            ConnectError::BadContext { .. } | ConnectError::NoCluster { .. } => Some(
                "pass --context, or start the cluster (`crashlab cluster up`)".to_owned(),
            ),
            ConnectError::NoProvider(_) => Some(
                "pass --context for a cluster you run yourself, install kind and Docker \
                 (https://kind.sigs.k8s.io/docs/user/quick-start/#installation), or run crashlab \
                 as root on Linux for the local provider"
                    .to_owned(),
            ),
            ConnectError::UnknownProvider(_) => None,
            ConnectError::Provider(e) => e.hint.clone(),
        }
    }
}
