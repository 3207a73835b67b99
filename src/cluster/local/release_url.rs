//! Where the local provider downloads official Kubernetes release binaries from:
//! `--k8s-release-url URL|off`, else `CRASHLAB_K8S_RELEASE_URL`, else the official host. Built
//! on every platform, since the CLI parses the flag everywhere.

use std::fmt;
use std::str::FromStr;

/// The official release host, with the layout every mirror must have:
/// `<base>/<version>/bin/linux/<arch>/<command>` and `<command>.sha256` beside it (the URLs
/// of "Install and Set Up kubectl on Linux" in the Kubernetes documentation).
pub const DEFAULT_RELEASE_URL: &str = "https://dl.k8s.io/release";

/// The environment variable that stands for `--k8s-release-url`.
pub const ENV_RELEASE_URL: &str = "CRASHLAB_K8S_RELEASE_URL";

/// Where Kubernetes release binaries come from, when they are not in the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReleaseUrl {
    /// A base URL with the official layout (no trailing slash).
    Base(String),
    /// No download: the binaries are built from Go modules.
    Off,
}

impl ReleaseUrl {
    /// The base URL, unless downloads are off.
    pub fn base(&self) -> Option<&str> {
        match self {
            ReleaseUrl::Base(url) => Some(url),
            ReleaseUrl::Off => None,
        }
    }

    /// `--k8s-release-url` when given, else `CRASHLAB_K8S_RELEASE_URL`.
    pub fn from_env_with(flag: Option<&ReleaseUrl>) -> Result<Self, String> {
        Self::chosen(flag, std::env::var(ENV_RELEASE_URL).ok().as_deref())
    }

    /// The flag when given, else the variable's value when set and not empty, else the
    /// official host.
    pub fn chosen(flag: Option<&ReleaseUrl>, variable: Option<&str>) -> Result<Self, String> {
        match (flag, variable) {
            (Some(flag), _) => Ok(flag.clone()),
            (None, Some(value)) if !value.trim().is_empty() => value
                .parse()
                .map_err(|why| format!("{ENV_RELEASE_URL}={value}: {why}")),
            (None, _) => Ok(Self::default()),
        }
    }
}

impl Default for ReleaseUrl {
    fn default() -> Self {
        ReleaseUrl::Base(DEFAULT_RELEASE_URL.to_owned())
    }
}

impl FromStr for ReleaseUrl {
    type Err = String;

    /// `off`, or an `http://` or `https://` URL (a trailing slash is dropped).
    fn from_str(value: &str) -> Result<Self, String> {
        let value = value.trim();
        if value == "off" {
            return Ok(ReleaseUrl::Off);
        }
        let host = value
            .strip_prefix("https://")
            .or_else(|| value.strip_prefix("http://"));
        match host {
            Some(rest) if !rest.is_empty() && !rest.starts_with('/') => {
                Ok(ReleaseUrl::Base(value.trim_end_matches('/').to_owned()))
            }
            _ => Err(format!(
                "expected `off` or an http(s) URL with the layout of {DEFAULT_RELEASE_URL}, not {value:?}"
            )),
        }
    }
}

impl fmt::Display for ReleaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReleaseUrl::Base(url) => f.write_str(url),
            ReleaseUrl::Off => f.write_str("off"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_of_the_flag_and_the_variable() {
        assert_eq!("off".parse(), Ok(ReleaseUrl::Off));
        assert_eq!(
            "http://127.0.0.1:8080/k8s/".parse(),
            Ok(ReleaseUrl::Base("http://127.0.0.1:8080/k8s".into()))
        );
        assert_eq!(
            " https://mirror.example/release ".parse::<ReleaseUrl>(),
            Ok(ReleaseUrl::Base("https://mirror.example/release".into()))
        );
        assert_eq!(
            "dl.k8s.io/release".parse::<ReleaseUrl>(),
            Err(
                "expected `off` or an http(s) URL with the layout of https://dl.k8s.io/release, \
                 not \"dl.k8s.io/release\""
                    .into()
            )
        );
        assert!("https://".parse::<ReleaseUrl>().is_err());
        assert!("none".parse::<ReleaseUrl>().is_err());
        assert_eq!(ReleaseUrl::default().base(), Some(DEFAULT_RELEASE_URL));
        assert_eq!(ReleaseUrl::Off.base(), None);
        assert_eq!(ReleaseUrl::Off.to_string(), "off");
    }

    #[test]
    fn the_flag_wins_over_the_variable_which_wins_over_the_default() {
        let mirror = ReleaseUrl::Base("http://127.0.0.1:8080/release".into());
        assert_eq!(
            ReleaseUrl::chosen(
                Some(&ReleaseUrl::Off),
                Some("http://127.0.0.1:8080/release")
            ),
            Ok(ReleaseUrl::Off)
        );
        assert_eq!(
            ReleaseUrl::chosen(None, Some("http://127.0.0.1:8080/release/")),
            Ok(mirror.clone())
        );
        assert_eq!(
            ReleaseUrl::chosen(Some(&mirror), Some("off")),
            Ok(mirror.clone())
        );
        assert_eq!(ReleaseUrl::chosen(None, Some("off")), Ok(ReleaseUrl::Off));
        assert_eq!(
            ReleaseUrl::chosen(None, Some("")),
            Ok(ReleaseUrl::default())
        );
        assert_eq!(ReleaseUrl::chosen(None, None), Ok(ReleaseUrl::default()));
        assert_eq!(
            ReleaseUrl::chosen(None, Some("mirror.local")),
            Err(
                "CRASHLAB_K8S_RELEASE_URL=mirror.local: expected `off` or an http(s) URL with the \
                 layout of https://dl.k8s.io/release, not \"mirror.local\""
                    .into()
            )
        );
    }
}
