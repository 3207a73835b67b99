//! What can go wrong while exporting fixtures.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "scenario {scenario} has no spec.groundTruth, so there is nothing to grade an answer against"
    )]
    NoGroundTruth { scenario: String },
    #[error(
        "--allow-context `{pattern}`: a context pattern must be non-empty, without spaces or single quotes"
    )]
    BadContextPattern { pattern: String },
    #[error("{} exists and is not empty", path.display())]
    NotEmpty { path: PathBuf },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

pub type Result<T> = std::result::Result<T, Error>;
