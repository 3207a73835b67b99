//! What can be wrong with a `--kubernetes-version` value.

use thiserror::Error;

/// A version no provider table pins.
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
