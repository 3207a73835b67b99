//! Errors of the kind provider. A failed `kind` or `docker` command carries its captured
//! output, as kind itself does, because that output is the diagnosis.

use std::path::{Path, PathBuf};

use super::local::versions::VersionError;

#[derive(Debug, thiserror::Error)]
pub enum KindError {
    #[error("kind is not installed (no `kind` on PATH)")]
    KindMissing,
    #[error("kind needs a Docker engine, and `docker` is not installed (no `docker` on PATH)")]
    DockerMissing,
    #[error("kind needs a Docker engine, and `docker info` failed:\n{output}")]
    DockerDown { output: String },
    #[error(transparent)]
    Version(#[from] VersionError),
    #[error("`{command}` failed ({status}):\n{output}")]
    Command {
        command: String,
        status: String,
        output: String,
    },
    #[error("`{command}` could not be started: {source}")]
    Spawn {
        command: String,
        source: std::io::Error,
    },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("building the image {reference}: {source}")]
    Image {
        reference: String,
        source: crate::image::ImageError,
    },
    #[error("{0}")]
    Config(String),
    #[error("the node image `{reference}` is not in the Docker engine:\n{output}")]
    NodeImageMissing { reference: String, output: String },
    #[error(
        "--kubernetes-version {requested} does not match the node image `{reference}`, which holds Kubernetes {found}"
    )]
    NodeImageVersion {
        requested: String,
        reference: String,
        found: String,
    },
}

impl KindError {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        KindError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// kind or Docker is missing or not usable on this machine.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            KindError::KindMissing | KindError::DockerMissing | KindError::DockerDown { .. }
        )
    }
}
