//! A cluster crashlab did not make, reached through a kubeconfig context the user names with
//! `--context` and allows with `--allow-context`: behind the same [`Provider`] interface,
//! owning exactly the allowed contexts, and refusing to bring anything up or down.

use super::progress::Progress;
use super::{ClusterState, DownReport, NodeAccess, Provider, ProviderError, UpReport, UpRequest};
use crate::k8s_version::{PinnedVersion, VersionError};

/// The contexts named with `--allow-context`.
#[derive(Debug, Clone, Default)]
pub struct ExistingContext {
    allowed: Vec<String>,
}

impl ExistingContext {
    pub fn new(allowed: &[String]) -> Self {
        Self {
            allowed: allowed.to_vec(),
        }
    }

    fn not_ours(&self, what: &str) -> ProviderError {
        ProviderError::usage(format!(
            "crashlab does not {what} a cluster it did not make; it only runs scenarios on it"
        ))
        .with_hint("use --provider local or --provider kind for a cluster crashlab manages")
    }
}

impl Provider for ExistingContext {
    fn name(&self) -> &'static str {
        "context"
    }

    fn describe(&self) -> String {
        "an existing cluster".to_owned()
    }

    fn availability(&self) -> Result<(), ProviderError> {
        Err(ProviderError::env(
            "it brings up no cluster; pass --context for a cluster you run yourself",
        ))
    }

    fn pinned_versions(&self) -> Vec<PinnedVersion> {
        Vec::new()
    }

    fn resolve_version(&self, given: Option<&str>) -> Result<PinnedVersion, VersionError> {
        Err(VersionError::Unsupported {
            given: given.unwrap_or_default().to_owned(),
            supported: "none (the cluster's own version is what runs)".to_owned(),
        })
    }

    fn context(&self) -> Option<String> {
        None
    }

    /// The `--allow-context` names, matched exactly.
    fn owns_context(&self, context: &str) -> bool {
        self.allowed.iter().any(|a| a == context)
    }

    fn up(&self, _: &UpRequest, _: &mut dyn Progress) -> Result<UpReport, ProviderError> {
        Err(self.not_ours("bring up"))
    }

    fn down(&self, _: &mut dyn Progress) -> Result<DownReport, ProviderError> {
        Err(self.not_ours("take down"))
    }

    fn status(&self) -> ClusterState {
        ClusterState::Unknown {
            why: "crashlab does not manage it; ask its API server".to_owned(),
        }
    }

    /// Nothing to do: such a cluster must have crashlab's images already.
    fn load_images(&self, _: &mut dyn Progress) -> Result<(), ProviderError> {
        Ok(())
    }

    fn node_access(&self, _node: &str) -> NodeAccess {
        NodeAccess::NotReachable {
            why: "crashlab knows no way onto the nodes of a cluster it did not make".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::progress::Quiet;

    #[test]
    fn it_owns_exactly_the_allowed_contexts_and_makes_no_cluster() {
        let existing = ExistingContext::new(&["minikube".to_owned()]);
        assert!(existing.owns_context("minikube"));
        assert!(!existing.owns_context("minikube2"));
        assert_eq!(existing.context(), None);
        assert!(existing.pinned_versions().is_empty());
        assert!(existing.availability().is_err());
    }

    #[test]
    fn it_refuses_to_bring_up_or_take_down_and_says_what_to_use() {
        let existing = ExistingContext::new(&[]);
        let e = existing.down(&mut Quiet).unwrap_err();
        assert!(e.bad_usage);
        assert_eq!(
            e.to_string(),
            "crashlab does not take down a cluster it did not make; it only runs scenarios on it"
        );
        assert!(e.hint.unwrap().contains("--provider local"));
        assert!(existing.up(&UpRequest::default(), &mut Quiet).is_err());
        assert!(matches!(
            existing.node_access("node-1"),
            NodeAccess::NotReachable { .. }
        ));
    }
}
