//! The environment variables that configure the binaries and the defaults they fall back to:
//! read by [`Options`](super::Options) and named by the errors that tell a person what to set.

use std::time::Duration;

pub use crate::cluster::local::{DEFAULT_RELEASE_URL, ENV_RELEASE_URL};

/// How long the release host may take to accept a connection (and to resolve its name) before
/// it counts as unreachable and the Go build takes over: long enough for a slow link, short
/// enough that a machine whose firewall drops the packets does not wait long.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

pub(super) const ENV_CACHE_DIR: &str = "CRASHLAB_CACHE_DIR";

/// The cache of a machine without HOME (and no `CRASHLAB_CACHE_DIR`, `XDG_CACHE_HOME`).
pub(super) const FALLBACK_CACHE_DIR: &str = "/var/cache/crashlab";
