//! Where binaries are cached and fetched from, from the environment or given.

use std::path::PathBuf;
use std::time::Duration;

use super::error::{BinariesError, Result, io_err};
use super::settings::{DEFAULT_CONNECT_TIMEOUT, ENV_CACHE_DIR, FALLBACK_CACHE_DIR};
use crate::cluster::local::ReleaseUrl;

/// Where binaries are cached and fetched from.
#[derive(Debug, Clone)]
pub struct Options {
    /// Root of the cache: `kubernetes/<version>/bin/` and `etcd/<version>/etcd` live below it.
    pub cache_dir: PathBuf,
    /// Base URL of official releases (or a mirror), or `Off`: no download, the Go build only.
    pub release_url: ReleaseUrl,
    /// Connect (and name resolution) timeout of the download.
    pub connect_timeout: Duration,
    /// The `go` to build with; `None` looks it up on PATH.
    pub go: Option<PathBuf>,
}

impl Options {
    /// Defaults plus the environment: `CRASHLAB_CACHE_DIR` (else `$XDG_CACHE_HOME/crashlab`,
    /// else `~/.cache/crashlab`, else `/var/cache/crashlab`) and `CRASHLAB_K8S_RELEASE_URL`
    /// (a base URL or `off`; unset: the official host).
    pub fn from_env() -> Result<Self> {
        Self::from_env_with(None)
    }

    /// [`Options::from_env`], with `--k8s-release-url` in place of `CRASHLAB_K8S_RELEASE_URL`
    /// when it was given.
    pub fn from_env_with(release_url: Option<&ReleaseUrl>) -> Result<Self> {
        let non_empty = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let cache_dir = match non_empty(ENV_CACHE_DIR) {
            Some(dir) => dir,
            None => non_empty("XDG_CACHE_HOME")
                .or_else(|| non_empty("HOME").map(|h| h.join(".cache")))
                .map_or_else(|| PathBuf::from(FALLBACK_CACHE_DIR), |c| c.join("crashlab")),
        };
        let cache_dir = if cache_dir.is_absolute() {
            cache_dir
        } else {
            std::env::current_dir()
                .map_err(io_err("resolve", &cache_dir))?
                .join(cache_dir)
        };
        Ok(Self {
            release_url: ReleaseUrl::from_env_with(release_url).map_err(BinariesError::Setting)?,
            ..Self::with_cache_dir(cache_dir)
        })
    }

    /// Defaults with the given cache root (no environment): downloads from the official host.
    pub fn with_cache_dir(cache_dir: impl Into<PathBuf>) -> Self {
        Self {
            cache_dir: cache_dir.into(),
            release_url: ReleaseUrl::default(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            go: None,
        }
    }
}
