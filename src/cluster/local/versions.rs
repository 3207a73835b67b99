//! The pinned component versions of the local provider: which Kubernetes release each
//! supported minor resolves to, and what that release needs from etcd, containerd, Go and
//! the kubelet configuration (docs/local-cluster.md §2d).

use std::cmp::Ordering;
use std::fmt;

use thiserror::Error;

/// Errors of this module.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum VersionError {
    #[error(
        "unsupported kubernetes version {given:?}: supported are {supported} (give a minor such as `1.35`, or the full pinned version)"
    )]
    Unsupported { given: String, supported: String },
    #[error(
        "kubernetes {given} is not the pinned patch release of {major}.{minor}: crashlab pins {pinned} (give `{major}.{minor}` or `{pinned}`)"
    )]
    OtherPatch {
        given: String,
        major: u64,
        minor: u64,
        pinned: &'static str,
    },
}

pub type Result<T, E = VersionError> = std::result::Result<T, E>;

/// A `major.minor.patch` version, compared numerically. Missing parts count as zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Semver {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
}

impl Semver {
    pub const fn new(major: u64, minor: u64, patch: u64) -> Self {
        Self {
            major,
            minor,
            patch,
        }
    }

    /// Parses the leading numeric part of a version as tools print it: `v1.34.4`,
    /// `2.1.9+unknown`, `1.6.20~ds1`, `go1.26.8`, `1.25rc1`, `1.24`. Returns `None` when the
    /// string does not start (after an optional `v` or `go`) with a number.
    pub fn parse_lenient(s: &str) -> Option<Self> {
        let s = s.trim();
        let s = s.strip_prefix("go").unwrap_or(s);
        let s = s.strip_prefix('v').unwrap_or(s);
        let mut parts = [0u64; 3];
        let mut rest = s;
        for (i, part) in parts.iter_mut().enumerate() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                if i == 0 {
                    return None;
                }
                break;
            }
            *part = rest[..digits].parse().ok()?;
            rest = &rest[digits..];
            match rest.strip_prefix('.') {
                Some(r) if r.starts_with(|c: char| c.is_ascii_digit()) => rest = r,
                _ => break,
            }
        }
        Some(Self {
            major: parts[0],
            minor: parts[1],
            patch: parts[2],
        })
    }
}

impl Ord for Semver {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch).cmp(&(other.major, other.minor, other.patch))
    }
}

impl PartialOrd for Semver {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Semver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// etcd for every supported release: Debian sid's `etcd-server`, verified running on these
/// hosts (docs/local-cluster.md §1). Since 1.31 the API server needs ≥3.5.13 for
/// `RequestWatchProgress`, otherwise consistent watch streams fail (§2d).
pub const ETCD: &str = "3.5.30";
/// The oldest etcd 3.5 the API server is happy with (§2d); a newer sid build is accepted.
pub const ETCD_MINIMUM: Semver = Semver::new(3, 5, 13);

/// containerd 2.1 is the floor containerd's RELEASES.md gives for Kubernetes 1.32+, and 1.35
/// is the last Kubernetes release that still supports containerd 1.x (§2d).
pub const CONTAINERD_MINIMUM: Semver = Semver::new(2, 1, 0);

/// One pinned Kubernetes release and the facts the provider needs about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Release {
    /// The tag, as `--version` prints it and the release bucket names it: `v1.34.4`.
    pub version: &'static str,
    pub minor: u64,
    pub patch: u64,
    /// The `go` directive of upstream's go.mod: the oldest Go that builds it.
    pub go_minimum: Semver,
    /// 1.35 made `failCgroupV1: true` the kubelet default (KEP-5573); these hosts run cgroup v1
    /// hybrid, so the kubelet config must set `failCgroupV1: false`.
    pub kubelet_needs_fail_cgroup_v1_false: bool,
    /// The etcd version to run with it.
    pub etcd: &'static str,
    /// The oldest containerd supported with it.
    pub containerd_minimum: Semver,
}

impl Release {
    /// The full version as a [`Semver`].
    pub fn semver(&self) -> Semver {
        Semver::new(1, self.minor, self.patch)
    }

    /// `1.34`.
    pub fn minor_version(&self) -> String {
        format!("1.{}", self.minor)
    }

    /// The version of the published staging modules (`k8s.io/api` and friends) that belong
    /// to this release: `v0.34.4` for `v1.34.4`.
    pub fn staging_version(&self) -> String {
        format!("v0.{}.{}", self.minor, self.patch)
    }

    /// Whether this is the release `--kubernetes-version` defaults to.
    pub fn is_default(&self) -> bool {
        self.minor == DEFAULT_MINOR
    }
}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.version)
    }
}

/// The minor used when `--kubernetes-version` is not given: 1.34 is the newest release whose
/// kubelet runs on cgroup v1 without extra configuration (§2d), and the API version crashlab
/// is compiled against (k8s-openapi's `v1_34` feature).
pub const DEFAULT_MINOR: u64 = 34;

/// The pinned releases, oldest first. Of the recent patch releases of k8s.io/kubernetes, the
/// Go module proxy reachable from CI machines serves these (others answer 403).
pub const RELEASES: &[Release] = &[
    Release {
        version: "v1.34.4",
        minor: 34,
        patch: 4,
        go_minimum: Semver::new(1, 24, 0),
        kubelet_needs_fail_cgroup_v1_false: false,
        etcd: ETCD,
        containerd_minimum: CONTAINERD_MINIMUM,
    },
    Release {
        version: "v1.35.4",
        minor: 35,
        patch: 4,
        go_minimum: Semver::new(1, 25, 0),
        kubelet_needs_fail_cgroup_v1_false: true,
        etcd: ETCD,
        containerd_minimum: CONTAINERD_MINIMUM,
    },
    Release {
        version: "v1.36.3",
        minor: 36,
        patch: 3,
        go_minimum: Semver::new(1, 26, 0),
        kubelet_needs_fail_cgroup_v1_false: true,
        etcd: ETCD,
        containerd_minimum: CONTAINERD_MINIMUM,
    },
    // 1.37 still accepts cgroup v1 when told to (`failCgroupV1` defaults to true and is
    // checked in pkg/kubelet/apis/config/validation/validation_linux.go, as in 1.35).
    Release {
        version: "v1.37.0",
        minor: 37,
        patch: 0,
        go_minimum: Semver::new(1, 26, 0),
        kubelet_needs_fail_cgroup_v1_false: true,
        etcd: ETCD,
        containerd_minimum: CONTAINERD_MINIMUM,
    },
];

/// The release used when none is asked for.
pub fn default_release() -> &'static Release {
    RELEASES
        .iter()
        .find(|r| r.is_default())
        .expect("the default minor is in the table")
}

/// Resolves a `--kubernetes-version` value: `1.35`, `v1.35`, `1.35.4` or `v1.35.4`.
pub fn resolve(given: &str) -> Result<&'static Release> {
    let trimmed = given.trim();
    let unsupported = || VersionError::Unsupported {
        given: given.to_string(),
        supported: supported_list(),
    };
    let (major, minor, patch) = parse_requested(given).ok_or_else(unsupported)?;
    let release = RELEASES
        .iter()
        .find(|r| major == 1 && r.minor == minor)
        .ok_or_else(unsupported)?;
    if let Some(patch) = patch
        && patch != release.patch
    {
        return Err(VersionError::OtherPatch {
            given: trimmed.to_string(),
            major,
            minor,
            pinned: release.version,
        });
    }
    Ok(release)
}

/// Splits a `--kubernetes-version` value (`1.35`, `v1.35`, `1.35.4`, `v1.35.4`) into major,
/// minor and the patch when one is given; `None` for anything else. Shared by the providers,
/// which each pin their own patch releases.
pub fn parse_requested(given: &str) -> Option<(u64, u64, Option<u64>)> {
    let trimmed = given.trim();
    let bare = trimmed.strip_prefix('v').unwrap_or(trimmed);
    let parts: Vec<&str> = bare.split('.').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let num = |s: &str| s.parse::<u64>().ok();
    Some((
        num(parts[0])?,
        num(parts[1])?,
        match parts.get(2) {
            Some(p) => Some(num(p)?),
            None => None,
        },
    ))
}

/// `1.34 (v1.34.4, default), 1.35 (v1.35.4), 1.36 (v1.36.3), 1.37 (v1.37.0)`.
pub fn supported_list() -> String {
    RELEASES
        .iter()
        .map(|r| {
            let default = if r.is_default() { ", default" } else { "" };
            format!("{} ({}{default})", r.minor_version(), r.version)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_accepted_spelling_resolves_to_the_pinned_release() {
        for given in ["1.35", "v1.35", "1.35.4", "v1.35.4", " v1.35 "] {
            assert_eq!(resolve(given).unwrap().version, "v1.35.4", "{given}");
        }
        assert_eq!(resolve("1.34").unwrap().version, "v1.34.4");
        assert_eq!(resolve("v1.36.3").unwrap().version, "v1.36.3");
    }

    #[test]
    fn unknown_versions_list_the_supported_ones() {
        for given in [
            "1.33",
            "2.34",
            "1",
            "latest",
            "1.34.x",
            "v1.34.4.1",
            "",
            "1..4",
        ] {
            let err = resolve(given).unwrap_err();
            assert!(
                matches!(err, VersionError::Unsupported { .. }),
                "{given}: {err}"
            );
        }
        assert_eq!(
            resolve("1.33").unwrap_err().to_string(),
            "unsupported kubernetes version \"1.33\": supported are 1.34 (v1.34.4, default), \
             1.35 (v1.35.4), 1.36 (v1.36.3), 1.37 (v1.37.0) (give a minor such as `1.35`, or the full pinned version)"
        );
    }

    #[test]
    fn another_patch_of_a_supported_minor_names_the_pinned_one() {
        assert_eq!(
            resolve("v1.35.3").unwrap_err().to_string(),
            "kubernetes v1.35.3 is not the pinned patch release of 1.35: crashlab pins v1.35.4 \
             (give `1.35` or `v1.35.4`)"
        );
    }

    #[test]
    fn table_facts() {
        assert_eq!(default_release().version, "v1.34.4");
        let needs: Vec<_> = RELEASES
            .iter()
            .map(|r| (r.minor, r.kubelet_needs_fail_cgroup_v1_false))
            .collect();
        assert_eq!(needs, [(34, false), (35, true), (36, true), (37, true)]);
        for r in RELEASES {
            assert_eq!(r.etcd, "3.5.30");
            assert_eq!(r.containerd_minimum, Semver::new(2, 1, 0));
            assert_eq!(r.version, format!("v1.{}.{}", r.minor, r.patch));
            assert!(Semver::parse_lenient(r.etcd).unwrap() >= ETCD_MINIMUM);
        }
        assert_eq!(resolve("1.34").unwrap().staging_version(), "v0.34.4");
        assert_eq!(resolve("1.36").unwrap().go_minimum, Semver::new(1, 26, 0));
    }

    #[test]
    fn lenient_parsing_of_tool_versions() {
        let p = |s| Semver::parse_lenient(s);
        assert_eq!(p("2.1.9+unknown"), Some(Semver::new(2, 1, 9)));
        assert_eq!(p("1.6.20~ds1"), Some(Semver::new(1, 6, 20)));
        assert_eq!(p("go1.26.8"), Some(Semver::new(1, 26, 8)));
        assert_eq!(p("go1.25rc1"), Some(Semver::new(1, 25, 0)));
        assert_eq!(p("1.24"), Some(Semver::new(1, 24, 0)));
        assert_eq!(p("v1.34.4"), Some(Semver::new(1, 34, 4)));
        assert_eq!(p("1.2."), Some(Semver::new(1, 2, 0)));
        assert_eq!(p("unknown"), None);
        assert!(Semver::new(1, 26, 8) > Semver::new(1, 26, 0));
        assert!(Semver::new(1, 6, 20) < CONTAINERD_MINIMUM);
    }
}
