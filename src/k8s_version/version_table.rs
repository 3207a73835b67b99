//! One pinned-version table: the releases a provider pins, one per supported minor, and how a
//! `--kubernetes-version` value (`1.35`, `v1.35`, `1.35.4`, `v1.35.4`, and for a pre-release
//! row its full tag, `v1.38.0-beta.0`) resolves in it. Each
//! provider keeps its own rows (the local provider's releases, kind's node images: their
//! patch releases differ); the lookup, the default and the list of what is supported are
//! written once, here.

use super::version_error::{Result, VersionError};

/// The minor used when `--kubernetes-version` is not given, by every provider, so that they
/// measure the same kubelet unless told otherwise: 1.34 is the newest release whose kubelet
/// runs on cgroup v1 without extra configuration (1.35 made `failCgroupV1: true` its
/// default), and the API version crashlab is compiled against (k8s-openapi's `v1_34`
/// feature).
pub const DEFAULT_MINOR: u64 = 34;

/// A row of a provider's table: one pinned Kubernetes release.
pub trait Pinned: 'static {
    /// The tag: `v1.35.4`, or `v1.38.0-beta.0` for a pre-release.
    fn version(&self) -> &'static str;
    fn minor(&self) -> u64;
    fn patch(&self) -> u64;

    /// The pre-release part of the tag (`beta.0` of `v1.38.0-beta.0`), as semver writes it
    /// after the first `-`; `None` for a release.
    fn pre_release(&self) -> Option<&'static str> {
        self.version().split_once('-').map(|(_, pre)| pre)
    }
}

/// `impl Pinned for T` for a row type with the fields `version`, `minor` and `patch`.
#[macro_export]
macro_rules! pinned_row {
    ($row:ty) => {
        impl $crate::k8s_version::Pinned for $row {
            fn version(&self) -> &'static str {
                self.version
            }
            fn minor(&self) -> u64 {
                self.minor
            }
            fn patch(&self) -> u64 {
                self.patch
            }
        }
    };
}

/// What a provider pins for one minor, as a plain value (for listings and errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinnedVersion {
    pub version: &'static str,
    pub minor: u64,
    pub patch: u64,
    /// `beta.0` of `v1.38.0-beta.0`: a pre-release, listed as one.
    pub pre_release: Option<&'static str>,
    pub is_default: bool,
}

impl PinnedVersion {
    fn of(row: &impl Pinned) -> Self {
        Self {
            version: row.version(),
            minor: row.minor(),
            patch: row.patch(),
            pre_release: row.pre_release(),
            is_default: row.minor() == DEFAULT_MINOR,
        }
    }

    /// How listings describe it after its tag: `default`, `pre-release`, or nothing.
    pub fn remark(&self) -> Option<&'static str> {
        if self.is_default {
            Some("default")
        } else if self.pre_release.is_some() {
            Some("pre-release")
        } else {
            None
        }
    }
}

/// A provider's pinned releases, oldest first; one of them is of [`DEFAULT_MINOR`].
#[derive(Debug)]
pub struct VersionTable<T: 'static> {
    rows: &'static [T],
}

impl<T: Pinned> VersionTable<T> {
    pub const fn new(rows: &'static [T]) -> Self {
        Self { rows }
    }

    pub fn rows(&self) -> &'static [T] {
        self.rows
    }

    pub fn iter(&self) -> std::slice::Iter<'static, T> {
        self.rows.iter()
    }

    /// The release used when none is asked for.
    pub fn default_row(&self) -> &'static T {
        self.rows
            .iter()
            .find(|r| r.minor() == DEFAULT_MINOR)
            .expect("the default minor is in every table")
    }

    /// Resolves a `--kubernetes-version` value: `1.35`, `v1.35`, `1.35.4` or `v1.35.4`. A minor
    /// resolves to its pinned patch; another patch of a pinned minor names the pinned one. A
    /// full version must match the pinned tag's pre-release part too: `v1.38.0-beta.0` (or
    /// `1.38`) for a pinned beta, never `1.38.0`, which would be the release.
    pub fn resolve(&self, given: &str) -> Result<&'static T> {
        let unsupported = || VersionError::Unsupported {
            given: given.to_string(),
            supported: self.supported_list(),
        };
        let requested = parse_requested(given).ok_or_else(unsupported)?;
        let (major, minor) = (requested.major, requested.minor);
        let row = self
            .rows
            .iter()
            .find(|r| major == 1 && r.minor() == minor)
            .ok_or_else(unsupported)?;
        match requested.patch {
            Some(p)
                if p != row.patch() || requested.pre_release.as_deref() != row.pre_release() =>
            {
                Err(VersionError::OtherPatch {
                    given: given.trim().to_string(),
                    major,
                    minor,
                    pinned: row.version(),
                })
            }
            _ => Ok(row),
        }
    }

    /// [`Self::resolve`], or the default release when no version was given.
    pub fn resolve_or_default(&self, given: Option<&str>) -> Result<&'static T> {
        match given {
            Some(given) => self.resolve(given),
            None => Ok(self.default_row()),
        }
    }

    /// `1.34 (v1.34.4, default), 1.35 (v1.35.4), …, 1.38 (v1.38.0-beta.0, pre-release)`.
    pub fn supported_list(&self) -> String {
        self.pinned()
            .iter()
            .map(|p| match p.remark() {
                Some(remark) => format!("1.{} ({}, {remark})", p.minor, p.version),
                None => format!("1.{} ({})", p.minor, p.version),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The table as plain values.
    pub fn pinned(&self) -> Vec<PinnedVersion> {
        self.rows.iter().map(PinnedVersion::of).collect()
    }

    /// [`Self::resolve_or_default`], as a plain value.
    pub fn resolve_pinned(&self, given: Option<&str>) -> Result<PinnedVersion> {
        self.resolve_or_default(given).map(PinnedVersion::of)
    }
}

/// The pre-release part of a Kubernetes version as tags and servers print it: `beta.0` of
/// `v1.38.0-beta.0`, `rc.1` of `v1.36.0-rc.1+k3s1`; `None` for a release (`v1.34.4`,
/// `v1.34.4+k3s1`).
pub fn pre_release_of(version: &str) -> Option<&str> {
    let version = version.trim();
    let version = version.split_once('+').map_or(version, |(v, _build)| v);
    let (_, pre) = version.split_once('-')?;
    let (stage, n) = pre.split_once('.')?;
    (["alpha", "beta", "rc"].contains(&stage)
        && !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_digit()))
    .then_some(pre)
}

/// A `--kubernetes-version` value, taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requested {
    pub major: u64,
    pub minor: u64,
    /// When a full version was given.
    pub patch: Option<u64>,
    /// `beta.0` of `v1.38.0-beta.0` (only after a patch, as in a tag).
    pub pre_release: Option<String>,
}

/// Splits a `--kubernetes-version` value (`1.35`, `v1.35`, `1.35.4`, `v1.35.4`,
/// `v1.38.0-beta.0`) into major, minor, the patch when one is given and the pre-release part
/// of a full tag (`alpha.N`, `beta.N` or `rc.N`, as Kubernetes tags them); `None` for anything
/// else.
pub fn parse_requested(given: &str) -> Option<Requested> {
    let trimmed = given.trim();
    let bare = trimmed.strip_prefix('v').unwrap_or(trimmed);
    let (numbers, pre_release) = match bare.split_once('-') {
        Some((numbers, pre)) => (numbers, Some(pre)),
        None => (bare, None),
    };
    let parts: Vec<&str> = numbers.split('.').collect();
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !(2..=3).contains(&parts.len()) || !parts.iter().all(|p| digits(p)) {
        return None;
    }
    if let Some(pre) = pre_release {
        let well_formed = parts.len() == 3
            && pre
                .split_once('.')
                .is_some_and(|(stage, n)| ["alpha", "beta", "rc"].contains(&stage) && digits(n));
        if !well_formed {
            return None;
        }
    }
    let num = |s: &str| s.parse::<u64>().ok();
    Some(Requested {
        major: num(parts[0])?,
        minor: num(parts[1])?,
        patch: match parts.get(2) {
            Some(p) => Some(num(p)?),
            None => None,
        },
        pre_release: pre_release.map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in table (not any provider's pins): two minors.
    struct Row {
        version: &'static str,
        minor: u64,
        patch: u64,
    }
    crate::pinned_row!(Row);

    const fn row(version: &'static str, minor: u64, patch: u64) -> Row {
        Row {
            version,
            minor,
            patch,
        }
    }

    const TABLE: VersionTable<Row> =
        VersionTable::new(&[row("v1.34.2", 34, 2), row("v1.35.7", 35, 7)]);

    /// With a pre-release row on top.
    const WITH_BETA: VersionTable<Row> = VersionTable::new(&[
        row("v1.34.2", 34, 2),
        row("v1.35.7", 35, 7),
        row("v1.38.0-beta.0", 38, 0),
    ]);

    #[test]
    fn a_pre_release_row_resolves_by_minor_and_by_its_full_tag() {
        for given in [
            "1.38",
            "v1.38",
            "v1.38.0-beta.0",
            "1.38.0-beta.0",
            " v1.38.0-beta.0 ",
        ] {
            assert_eq!(
                WITH_BETA.resolve(given).unwrap().version(),
                "v1.38.0-beta.0",
                "{given}"
            );
        }
        // The release of that patch, or another pre-release, is not what is pinned.
        for given in [
            "1.38.0",
            "v1.38.0-beta.1",
            "v1.38.0-rc.0",
            "v1.38.0-alpha.3",
        ] {
            assert_eq!(
                WITH_BETA.resolve(given).err().unwrap().to_string(),
                format!(
                    "kubernetes {given} is not the pinned patch release of 1.38: crashlab pins \
                     v1.38.0-beta.0 (give `1.38` or `v1.38.0-beta.0`)"
                ),
                "{given}"
            );
        }
        // A pre-release part on a release row is not the pinned release either.
        assert!(matches!(
            WITH_BETA.resolve("v1.35.7-rc.1"),
            Err(VersionError::OtherPatch { .. })
        ));
        assert_eq!(
            WITH_BETA.resolve_or_default(None).unwrap().version(),
            "v1.34.2"
        );
        assert_eq!(
            WITH_BETA.supported_list(),
            "1.34 (v1.34.2, default), 1.35 (v1.35.7), 1.38 (v1.38.0-beta.0, pre-release)"
        );
        let pinned = WITH_BETA.pinned();
        assert_eq!(pinned[2].pre_release, Some("beta.0"));
        assert_eq!(pinned[2].remark(), Some("pre-release"));
        assert_eq!(pinned[1].pre_release, None);
        assert_eq!(pinned[1].remark(), None);
        assert_eq!(pinned[0].remark(), Some("default"));
    }

    #[test]
    fn requested_versions_with_a_pre_release_part() {
        assert_eq!(
            parse_requested("v1.38.0-beta.0"),
            Some(Requested {
                major: 1,
                minor: 38,
                patch: Some(0),
                pre_release: Some("beta.0".into()),
            })
        );
        assert_eq!(
            parse_requested("1.38"),
            Some(Requested {
                major: 1,
                minor: 38,
                patch: None,
                pre_release: None,
            })
        );
        // Only after a full version, and only Kubernetes' own stages with a number.
        for nonsense in [
            "1.38-beta.0",
            "v1.38.0-beta",
            "v1.38.0-beta.x",
            "v1.38.0-dev.1",
            "v1.38.0-",
            "v1.38.0-beta.0.1",
        ] {
            assert_eq!(parse_requested(nonsense), None, "{nonsense}");
        }
    }

    #[test]
    fn pre_release_parts_of_server_versions() {
        assert_eq!(pre_release_of("v1.38.0-beta.0"), Some("beta.0"));
        assert_eq!(pre_release_of("v1.36.0-rc.1+k3s1"), Some("rc.1"));
        assert_eq!(pre_release_of("v1.37.0-alpha.2"), Some("alpha.2"));
        for release in ["v1.34.4", "v1.34.4+k3s1", "1.35", "v1.34.4-eks-1234", ""] {
            assert_eq!(pre_release_of(release), None, "{release}");
        }
    }

    #[test]
    fn spellings_resolve_and_the_default_is_the_default_minor() {
        for given in ["1.35", "v1.35", "1.35.7", " v1.35.7 "] {
            assert_eq!(
                TABLE.resolve(given).unwrap().version(),
                "v1.35.7",
                "{given}"
            );
        }
        assert_eq!(TABLE.resolve_or_default(None).unwrap().version(), "v1.34.2");
        assert_eq!(
            TABLE.supported_list(),
            "1.34 (v1.34.2, default), 1.35 (v1.35.7)"
        );
    }

    #[test]
    fn other_versions_say_what_is_pinned() {
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
            assert!(
                matches!(TABLE.resolve(given), Err(VersionError::Unsupported { .. })),
                "{given}"
            );
        }
        assert_eq!(
            TABLE.resolve("1.35.4").err().unwrap().to_string(),
            "kubernetes 1.35.4 is not the pinned patch release of 1.35: crashlab pins v1.35.7 \
             (give `1.35` or `v1.35.7`)"
        );
    }
}
