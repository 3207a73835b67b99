//! Why a pod could not be diagnosed at all (as opposed to evidence that was unavailable,
//! which the diagnosis reports step by step).

/// Errors of `crashlab diagnose`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("pod `{pod}` not found in namespace `{namespace}`")]
    PodNotFound { pod: String, namespace: String },
    #[error("pod `{pod}` has no container `{container}`; its containers: {}", known.join(", "))]
    NoSuchContainer {
        pod: String,
        container: String,
        known: Vec<String>,
    },
    #[error("pod `{pod}` has no containers")]
    NoContainers { pod: String },
    #[error("cannot reach the API server: {message}")]
    Unreachable { message: String },
    #[error("reading pod `{pod}`: {message}")]
    ReadPod { pod: String, message: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
