//! The local provider's API where it cannot run (anything but Linux, e.g. macOS): the same
//! items the rest of crashlab uses, each failing with [`LocalError::NeedsLinux`], so that kind
//! and existing clusters work there and `--provider local` says why it does not.

use super::supervisor_status::SupervisorStatus;
use super::{ClusterRecord, DownReport, LocalCluster, LocalError, UpOptions, UpReport};
use crate::cluster::progress;

impl LocalCluster {
    pub fn up(
        &self,
        _opts: &UpOptions,
        _progress: &mut dyn progress::Progress,
    ) -> Result<UpReport, LocalError> {
        Err(LocalError::NeedsLinux)
    }

    pub fn supervise(&self) -> Result<(), LocalError> {
        Err(LocalError::NeedsLinux)
    }

    pub fn load_images(&self) -> Result<(), LocalError> {
        Err(LocalError::NeedsLinux)
    }

    pub fn down(&self) -> Result<DownReport, LocalError> {
        Err(LocalError::NeedsLinux)
    }

    /// No local cluster runs here.
    pub fn status(&self) -> Option<(SupervisorStatus, Option<ClusterRecord>)> {
        None
    }

    pub fn logs(&self, _component: &str, _tail: usize) -> Result<String, LocalError> {
        Err(LocalError::NeedsLinux)
    }

    /// No components run here.
    pub fn component_names() -> &'static [&'static str] {
        &[]
    }
}

/// Host packages: nothing to check or install where the provider cannot run.
pub mod os_deps {
    use std::fmt;

    use crate::cluster::local::LocalError;

    /// A missing host dependency; there are none to find here.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum MissingDep {}

    impl fmt::Display for MissingDep {
        fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
            match *self {}
        }
    }

    /// Nothing is missing: what is missing is Linux, which `LocalCluster::up` reports.
    pub fn check() -> Vec<MissingDep> {
        Vec::new()
    }

    pub fn install(_dry_run: bool) -> Result<(), LocalError> {
        Err(LocalError::NeedsLinux)
    }

    pub fn install_to(_dry_run: bool, _out: &mut dyn std::io::Write) -> Result<(), LocalError> {
        Err(LocalError::NeedsLinux)
    }
}

/// Kubernetes and etcd binaries: the local provider's, so never fetched here.
pub mod binaries {
    use std::path::PathBuf;

    use crate::cluster::local::versions::Release;
    use crate::cluster::local::{LocalError, ReleaseUrl};
    use crate::cluster::progress::Progress;

    /// Where binaries would be cached.
    #[derive(Debug, Clone, Default)]
    pub struct Options;

    impl Options {
        pub fn from_env_with(_release_url: Option<&ReleaseUrl>) -> Result<Self, LocalError> {
            Ok(Options)
        }
    }

    /// The Kubernetes commands of one version.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct KubeBinaries {
        pub dir: PathBuf,
    }

    pub fn ensure_kubernetes(
        _release: &'static Release,
        _options: &Options,
        _progress: &mut dyn Progress,
    ) -> Result<KubeBinaries, LocalError> {
        Err(LocalError::NeedsLinux)
    }

    pub fn ensure_etcd(
        _options: &Options,
        _progress: &mut dyn Progress,
    ) -> Result<PathBuf, LocalError> {
        Err(LocalError::NeedsLinux)
    }
}
