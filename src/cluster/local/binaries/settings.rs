//! The environment variables that configure the binaries and the defaults they fall back to:
//! read by [`Options`](super::Options) and named by the errors that tell a person what to set.

use std::time::Duration;

/// The official release bucket: `<base>/<version>/bin/linux/<arch>/<command>` plus `.sha256`.
pub const DEFAULT_RELEASE_URL: &str = "https://dl.k8s.io/release";
/// Hosts without internet access must fall back to the Go build quickly.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

pub(super) const ENV_CACHE_DIR: &str = "CRASHLAB_CACHE_DIR";
pub(super) const ENV_RELEASE_URL: &str = "CRASHLAB_K8S_RELEASE_URL";

/// `off`, `none` or empty disable downloads; anything else is a base URL.
pub(super) fn release_url_setting(value: &str) -> Option<String> {
    let value = value.trim();
    match value {
        "" | "off" | "none" => None,
        url => Some(url.trim_end_matches('/').to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_url_settings() {
        assert_eq!(release_url_setting("off"), None);
        assert_eq!(release_url_setting(" "), None);
        assert_eq!(
            release_url_setting("http://mirror/k8s/"),
            Some("http://mirror/k8s".to_string())
        );
    }
}
