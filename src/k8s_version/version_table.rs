//! One pinned-version table: the releases a provider pins, one per supported minor, and how a
//! `--kubernetes-version` value (`1.35`, `v1.35`, `1.35.4`, `v1.35.4`) resolves in it. Each
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
    /// The tag: `v1.35.4`.
    fn version(&self) -> &'static str;
    fn minor(&self) -> u64;
    fn patch(&self) -> u64;
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
    pub is_default: bool,
}

impl PinnedVersion {
    fn of(row: &impl Pinned) -> Self {
        Self {
            version: row.version(),
            minor: row.minor(),
            patch: row.patch(),
            is_default: row.minor() == DEFAULT_MINOR,
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
    /// resolves to its pinned patch; another patch of a pinned minor names the pinned one.
    pub fn resolve(&self, given: &str) -> Result<&'static T> {
        let unsupported = || VersionError::Unsupported {
            given: given.to_string(),
            supported: self.supported_list(),
        };
        let (major, minor, patch) = parse_requested(given).ok_or_else(unsupported)?;
        let row = self
            .rows
            .iter()
            .find(|r| major == 1 && r.minor() == minor)
            .ok_or_else(unsupported)?;
        match patch {
            Some(p) if p != row.patch() => Err(VersionError::OtherPatch {
                given: given.trim().to_string(),
                major,
                minor,
                pinned: row.version(),
            }),
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

    /// `1.34 (v1.34.4, default), 1.35 (v1.35.4), 1.36 (v1.36.3), 1.37 (v1.37.0)`.
    pub fn supported_list(&self) -> String {
        self.pinned()
            .iter()
            .map(|p| {
                let default = if p.is_default { ", default" } else { "" };
                format!("1.{} ({}{default})", p.minor, p.version)
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

/// Splits a `--kubernetes-version` value (`1.35`, `v1.35`, `1.35.4`, `v1.35.4`) into major,
/// minor and the patch when one is given; `None` for anything else.
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
