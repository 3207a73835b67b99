//! The local provider behind the [`Provider`] interface: crashlab's own cluster on this host
//! (context `crashlab-local`), kept in the default state directory.

use super::{
    CONTEXT, LocalCluster, LocalError, NODE_NAME, UpOptions, os_deps, preflight, versions,
};
use crate::cluster::progress::Progress;
use crate::cluster::{
    ClusterState, DownReport, NodeAccess, NodeCount, Provider, ProviderError, UpReport, UpRequest,
};
use crate::k8s_version::{PinnedVersion, VersionError};

/// The local cluster at its default location.
#[derive(Debug, Clone)]
pub struct LocalProvider {
    cluster: LocalCluster,
}

impl Default for LocalProvider {
    fn default() -> Self {
        Self {
            cluster: LocalCluster::at_default_location(),
        }
    }
}

impl From<LocalError> for ProviderError {
    fn from(e: LocalError) -> Self {
        let hint = e.hint();
        ProviderError {
            hint,
            ..ProviderError::env(e)
        }
    }
}

impl Provider for LocalProvider {
    fn name(&self) -> &'static str {
        "local"
    }

    fn describe(&self) -> String {
        "the local cluster (real kubelet, containerd and etcd on this host)".to_owned()
    }

    fn availability(&self) -> Result<(), ProviderError> {
        Ok(preflight()?)
    }

    fn pinned_versions(&self) -> Vec<PinnedVersion> {
        versions::RELEASES.pinned()
    }

    fn resolve_version(&self, given: Option<&str>) -> Result<PinnedVersion, VersionError> {
        versions::RELEASES.resolve_pinned(given)
    }

    /// One node: this host.
    fn supports_nodes(&self, nodes: NodeCount) -> Result<(), ProviderError> {
        if nodes == NodeCount::ONE {
            return Ok(());
        }
        Err(ProviderError::usage(format!(
            "the local provider runs one node, this host (`{NODE_NAME}`); --nodes {nodes} needs a provider that runs nodes in containers"
        ))
        .with_hint(
            "`--provider kind --nodes N` brings up a kind cluster of one control plane and N-1 workers",
        ))
    }

    fn context(&self) -> Option<String> {
        Some(CONTEXT.to_owned())
    }

    fn owns_context(&self, context: &str) -> bool {
        context == CONTEXT
    }

    /// Installs missing host packages first (as `crashlab cluster deps` does, saying so on
    /// stderr), then brings the cluster up.
    fn owned_contexts_shown(&self) -> Option<String> {
        Some(format!("`{CONTEXT}`"))
    }

    fn up(
        &self,
        request: &UpRequest,
        progress: &mut dyn Progress,
    ) -> Result<UpReport, ProviderError> {
        self.supports_nodes(request.nodes)?;
        if request.node_image.is_some() {
            return Err(ProviderError::usage(
                "--node-image is a kind node image; it goes with --provider kind",
            ));
        }
        let missing = os_deps::check();
        if !missing.is_empty() {
            eprintln!(
                "crashlab: the local provider needs {}; installing them (same as `crashlab cluster deps`)",
                missing
                    .iter()
                    .map(|m| m.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            os_deps::install_to(false, &mut std::io::stderr().lock()).map_err(|e| {
                ProviderError::env(e)
                    .with_hint("run `crashlab cluster deps --dry-run` to see the commands")
            })?;
        }
        let report = self.cluster.up(
            &UpOptions {
                kubernetes_version: request.kubernetes_version.clone(),
                tuning: request.tuning.clone(),
                k8s_release_url: request.k8s_release_url.clone(),
                kubeconfig: request.kubeconfig.clone(),
            },
            progress,
        )?;
        Ok(UpReport {
            context: CONTEXT.to_owned(),
            kubernetes_version: Some(report.kubernetes_version),
            node_image: None,
            node_ready_after: Some(report.node_ready_after),
            kubeconfig: Some(report.kubeconfig),
            already_running: report.already_running,
            images_loaded: true,
            nodes: vec![NODE_NAME.to_owned()],
        })
    }

    fn down(&self, _progress: &mut dyn Progress) -> Result<DownReport, ProviderError> {
        let report = self.cluster.down()?;
        Ok(DownReport {
            existed: report.was_running,
            problems: report.problems,
        })
    }

    fn status(&self) -> ClusterState {
        match self.cluster.status() {
            Some(_) => ClusterState::Up {
                context: CONTEXT.to_owned(),
            },
            None => ClusterState::Down,
        }
    }

    fn load_images(&self, _progress: &mut dyn Progress) -> Result<(), ProviderError> {
        Ok(self.cluster.load_images()?)
    }

    /// Its one node is this host.
    fn node_access(&self, node: &str) -> NodeAccess {
        if node == NODE_NAME {
            NodeAccess::ThisHost
        } else {
            NodeAccess::NotReachable {
                why: format!(
                    "`{node}` is no node of the local cluster (its one node is `{NODE_NAME}`)"
                ),
            }
        }
    }

    fn unreachable_after_up(&self, _context: &str, error: &str) -> ProviderError {
        ProviderError::env(format!(
            "the local cluster came up but its API is not reachable: {error}"
        ))
    }

    fn ready_note(&self, report: &UpReport) -> String {
        format!(
            "local cluster ready (Kubernetes {}, node Ready after {:.1}s); `crashlab cluster down` removes it",
            report.kubernetes_version.as_deref().unwrap_or("?"),
            report.node_ready_after.unwrap_or_default().as_secs_f64()
        )
    }

    fn up_summary(&self, report: &UpReport) -> String {
        format!(
            "local cluster ready: Kubernetes {}, node Ready {:.1}s after start{}; context `{}` in {}",
            report.kubernetes_version.as_deref().unwrap_or("?"),
            report.node_ready_after.unwrap_or_default().as_secs_f64(),
            if report.already_running {
                " (it was already running)"
            } else {
                ""
            },
            report.context,
            report
                .kubeconfig
                .as_deref()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        )
    }

    fn down_summary(&self, report: &DownReport) -> String {
        if report.problems.is_empty() {
            format!(
                "local cluster {}; nothing of it is left on this host",
                if report.existed {
                    "stopped"
                } else {
                    "was not running"
                }
            )
        } else {
            format!(
                "the local cluster was stopped, but some of it remains:\n  - {}",
                report.problems.join("\n  - ")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::progress::Quiet;

    /// Refused before anything on the host is looked at or changed.
    #[test]
    fn more_than_one_node_is_bad_usage_with_a_hint() {
        let local = LocalProvider::default();
        assert!(local.supports_nodes(NodeCount::ONE).is_ok());
        let request = UpRequest {
            nodes: NodeCount::new(3).unwrap(),
            ..Default::default()
        };
        let err = local.up(&request, &mut Quiet).unwrap_err();
        assert!(err.bad_usage);
        assert_eq!(
            err.to_string(),
            "the local provider runs one node, this host (`crashlab-local`); --nodes 3 needs a provider that runs nodes in containers"
        );
        assert_eq!(
            err.hint.as_deref(),
            Some(
                "`--provider kind --nodes N` brings up a kind cluster of one control plane and N-1 workers"
            )
        );
    }

    #[test]
    fn its_one_node_is_this_host() {
        let local = LocalProvider::default();
        assert_eq!(local.node_access(NODE_NAME), NodeAccess::ThisHost);
        assert!(matches!(
            local.node_access("crashlab-worker"),
            NodeAccess::NotReachable { .. }
        ));
    }
}
