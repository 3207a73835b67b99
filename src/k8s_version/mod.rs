//! Kubernetes versions, below every provider and every reader of results: [`Semver`], the
//! `--kubernetes-version` spellings, and the one kind of table each provider pins its releases
//! in ([`VersionTable`]), with one `resolve` and one list of what is supported.

mod semver;
mod version_error;
mod version_table;

pub use semver::Semver;
pub use version_error::{Result, VersionError};
pub use version_table::{
    DEFAULT_MINOR, Pinned, PinnedVersion, Requested, VersionTable, parse_requested, pre_release_of,
};
