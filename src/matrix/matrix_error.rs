//! What can go wrong in the pure part of `crashlab matrix`: reading results to merge, and
//! placing the given node images. Every message names the file or image concerned.

use std::path::PathBuf;

use thiserror::Error;

pub type Result<T, E = MatrixError> = std::result::Result<T, E>;

#[derive(Debug, Error)]
pub enum MatrixError {
    #[error("cannot read matrix result {}: {source}", file.display())]
    Read {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}:{column}: not valid JSON: {message}", file.display())]
    Syntax {
        file: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// Valid JSON, but not what `crashlab matrix -o json` writes. `path` is the field
    /// (`runs[0].reports[2].verdict`), empty for the document itself.
    #[error(
        "{}:{line}:{column}: {}{message}",
        file.display(),
        if path.is_empty() { String::new() } else { format!("{path}: ") }
    )]
    Shape {
        file: PathBuf,
        line: usize,
        column: usize,
        path: String,
        message: String,
    },
    #[error(
        "cannot tell the Kubernetes version of node image `{reference}`: it has no crashlab version label and its tag does not start with a version such as v1.35.4"
    )]
    NodeImageVersionUnknown { reference: String },
    #[error("two node images for Kubernetes {minor}: `{first}` and `{second}`")]
    NodeImagesOfOneMinor {
        minor: String,
        first: String,
        second: String,
    },
}

impl MatrixError {
    /// What to do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            MatrixError::Read { .. } => {
                "give the JSON files written by `crashlab matrix -o json`, e.g. `crashlab matrix --merge matrix-*.json`"
            }
            MatrixError::Syntax { .. } => {
                "give the whole output of `crashlab matrix -o json`; an empty or cut-off file comes from a run that stopped before it printed its result"
            }
            MatrixError::Shape { .. } => {
                "--merge reads what `crashlab matrix -o json` writes: {\"comparison\": …, \"runs\": […]} (the output of `crashlab run -o json` is not a matrix result)"
            }
            MatrixError::NodeImageVersionUnknown { .. } => {
                "tag the image with its version (e.g. `docker tag IMAGE kind-node:v1.35.4`), or build it with `tests/kind/prepare-node-image`, which labels it"
            }
            MatrixError::NodeImagesOfOneMinor { .. } => {
                "give one --node-image per Kubernetes minor"
            }
        }
    }
}
