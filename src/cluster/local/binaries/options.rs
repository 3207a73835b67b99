//! Where binaries are cached and fetched from, from the environment or given.

use std::path::PathBuf;
use std::time::Duration;

use super::error::{BinariesError, Result, io_err};
use super::settings::{
    DEFAULT_CONNECT_TIMEOUT, ENV_CACHE_DIR, ENV_RELEASE_URL, release_url_setting,
};

/// Where binaries are cached and fetched from.
#[derive(Debug, Clone)]
pub struct Options {
    /// Root of the cache: `kubernetes/<version>/bin/` and `etcd/<version>/etcd` live below it.
    pub cache_dir: PathBuf,
    /// Base URL of official releases (or a mirror); `None` skips the download.
    pub release_url: Option<String>,
    /// Connect (and name resolution) timeout of the download.
    pub connect_timeout: Duration,
    /// The `go` to build with; `None` looks it up on PATH.
    pub go: Option<PathBuf>,
}

impl Options {
    /// Defaults plus the environment: `CRASHLAB_CACHE_DIR` (else `$XDG_CACHE_HOME/crashlab`,
    /// else `~/.cache/crashlab`) and `CRASHLAB_K8S_RELEASE_URL` (a base URL enables downloads; unset or `off`, none).
    pub fn from_env() -> Result<Self> {
        let non_empty = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let cache_dir = match non_empty(ENV_CACHE_DIR) {
            Some(dir) => dir,
            None => non_empty("XDG_CACHE_HOME")
                .or_else(|| non_empty("HOME").map(|h| h.join(".cache")))
                .ok_or(BinariesError::NoCacheDir)?
                .join("crashlab"),
        };
        let cache_dir = if cache_dir.is_absolute() {
            cache_dir
        } else {
            std::env::current_dir()
                .map_err(io_err("resolve", &cache_dir))?
                .join(cache_dir)
        };
        let mut options = Self::with_cache_dir(cache_dir);
        if let Ok(url) = std::env::var(ENV_RELEASE_URL) {
            options.release_url = release_url_setting(&url);
        }
        Ok(options)
    }

    /// Defaults with the given cache root (no environment). Release downloads are opt-in
    /// (`CRASHLAB_K8S_RELEASE_URL=https://dl.k8s.io/release` or a mirror): the machines this
    /// project runs on may not contact anything but package registries.
    pub fn with_cache_dir(cache_dir: impl Into<PathBuf>) -> Self {
        Self {
            cache_dir: cache_dir.into(),
            release_url: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            go: None,
        }
    }
}

/// [`Options::from_env`]; without HOME (and no `CRASHLAB_CACHE_DIR`), the cache is
/// `/var/cache/crashlab`.
impl Default for Options {
    fn default() -> Self {
        Self::from_env().unwrap_or_else(|_| {
            let mut options = Self::with_cache_dir("/var/cache/crashlab");
            if let Ok(url) = std::env::var(ENV_RELEASE_URL) {
                options.release_url = release_url_setting(&url);
            }
            options
        })
    }
}
