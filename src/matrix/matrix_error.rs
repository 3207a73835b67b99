//! What can go wrong placing the node images given to `crashlab matrix` (reading results to
//! merge is [`crate::results`]'s). Every message names the image concerned.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum MatrixError {
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
            MatrixError::NodeImageVersionUnknown { .. } => {
                "tag the image with its version (e.g. `docker tag IMAGE kind-node:v1.35.4`), or build it with `tests/kind/prepare-node-image`, which labels it"
            }
            MatrixError::NodeImagesOfOneMinor { .. } => {
                "give one --node-image per Kubernetes minor"
            }
        }
    }
}
