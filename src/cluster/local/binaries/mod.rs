//! The Kubernetes and etcd binaries of the local provider. Kubernetes comes from the cache,
//! else an official release download, else a build from the Go module proxy through a wrapper
//! module (docs/local-cluster.md, "Building Kubernetes"); etcd from the cache, else Debian
//! sid's `etcd-server`.
//! A cache directory counts only once its stamp is written, and it appears by rename, so an
//! interrupted download or build never leaves half a cache behind.

mod cache;
mod download;
mod error;
mod etcd;
#[cfg(test)]
mod fixtures;
mod go_build;
mod kubernetes;
mod options;
#[cfg(test)]
mod release_download_tests;
mod settings;

pub use cache::{
    CacheState, KUBERNETES_COMMANDS, KubeCache, STAMP_FILE, Source, Stamp, cache_state,
};
pub use download::{parse_sha256_file, release_url, sha256_file, verify_sha256};
pub use error::{BinariesError, Result};
pub use etcd::ensure_etcd;
pub use go_build::{UpstreamGoMod, parse_upstream_go_mod, version_ldflags, wrapper_go_mod};
pub use kubernetes::{KubeBinaries, ensure_kubernetes, verify_kubernetes_versions};
pub use options::Options;
pub use settings::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_RELEASE_URL};
