//! A stand-in provider for the tests of the registry, detection and connection decisions. It
//! makes no cluster and runs no kubelet: it only answers the questions the interface asks
//! (available or why not, would it download, is its cluster up) as it is told, so that those
//! decisions can be tested on any machine. Never use it to claim anything about a kubelet.

use super::progress::Progress;
use super::{
    ClusterState, DownReport, Download, NodeAccess, Provider, ProviderError, UpReport, UpRequest,
};
use crate::k8s_version::{PinnedVersion, VersionError};

/// A provider answering as told.
pub struct StandIn {
    name: &'static str,
    unavailable: Option<&'static str>,
    download: Option<Download>,
    makes_clusters: bool,
    state: ClusterState,
}

impl StandIn {
    /// Available, needs no download; its cluster would be reached through context `name`.
    pub fn available(name: &'static str) -> Self {
        Self {
            name,
            unavailable: None,
            download: None,
            makes_clusters: true,
            state: ClusterState::Down,
        }
    }

    pub fn unavailable(name: &'static str, why: &'static str) -> Self {
        Self {
            unavailable: Some(why),
            ..Self::available(name)
        }
    }

    pub fn downloading(mut self, what: &str, instead: &str) -> Self {
        self.download = Some(Download {
            what: what.to_owned(),
            instead: instead.to_owned(),
        });
        self
    }

    pub fn making_no_cluster(mut self) -> Self {
        self.makes_clusters = false;
        self
    }

    /// Its cluster is up.
    pub fn up(mut self) -> Self {
        self.state = ClusterState::Up {
            context: self.name.to_owned(),
        };
        self
    }
}

impl Provider for StandIn {
    fn name(&self) -> &'static str {
        self.name
    }

    fn describe(&self) -> String {
        format!("the {} stand-in", self.name)
    }

    fn availability(&self) -> Result<(), ProviderError> {
        match self.unavailable {
            Some(why) => Err(ProviderError::env(why)),
            None => Ok(()),
        }
    }

    fn offline(&self, _: Option<&str>) -> Result<(), Download> {
        match &self.download {
            Some(d) => Err(d.clone()),
            None => Ok(()),
        }
    }

    fn pinned_versions(&self) -> Vec<PinnedVersion> {
        Vec::new()
    }

    fn resolve_version(&self, given: Option<&str>) -> Result<PinnedVersion, VersionError> {
        Err(VersionError::Unsupported {
            given: given.unwrap_or_default().to_owned(),
            supported: "none".to_owned(),
        })
    }

    fn context(&self) -> Option<String> {
        self.makes_clusters.then(|| self.name.to_owned())
    }

    fn owns_context(&self, context: &str) -> bool {
        context == self.name
    }

    fn owned_contexts_shown(&self) -> Option<String> {
        Some(format!("`{}`", self.name))
    }

    fn up(&self, _: &UpRequest, _: &mut dyn Progress) -> Result<UpReport, ProviderError> {
        Err(ProviderError::env("a stand-in brings nothing up"))
    }

    fn down(&self, _: &mut dyn Progress) -> Result<DownReport, ProviderError> {
        Ok(DownReport::default())
    }

    fn status(&self) -> ClusterState {
        self.state.clone()
    }

    fn load_images(&self, _: &mut dyn Progress) -> Result<(), ProviderError> {
        Ok(())
    }

    fn node_access(&self, _node: &str) -> NodeAccess {
        NodeAccess::NotReachable {
            why: "a stand-in has no node".to_owned(),
        }
    }
}
