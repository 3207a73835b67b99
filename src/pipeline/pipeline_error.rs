//! What can stop a pipeline: a provider failing to bring its cluster up or down, a cluster
//! that cannot be reached, the runner failing.

use thiserror::Error;

use crate::cluster::ProviderError;

#[derive(Debug, Error)]
pub enum PipelineError {
    #[error("{0}")]
    Provider(#[from] ProviderError),
    #[error("context `{context}` is not reachable: {message}")]
    Unreachable { context: String, message: String },
    #[error("{0}")]
    Run(String),
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
}
