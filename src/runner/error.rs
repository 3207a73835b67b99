//! What can go wrong while deploying, observing and cleaning up a scenario.
//!
//! Messages quote the object or name involved and, where there is one, say what to try next.
//! The CLI maps these to exit codes; inside a run most of them become a scenario's `error`
//! verdict rather than aborting the whole run.

use std::path::PathBuf;
use std::time::Duration;

use crate::scenario::humantime_secs;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "cannot reach the Kubernetes API server: {message}; is the cluster running? try `crashlab cluster status`"
    )]
    Unreachable { message: String },

    #[error("could not create namespace `{namespace}`: {message}")]
    CreateNamespace { namespace: String, message: String },

    #[error("manifest #{index} is not a Kubernetes object: {reason}")]
    InvalidManifest { index: usize, reason: String },

    #[error(
        "the API server does not serve kind `{kind}` in `{api_version}` (needed by `{name}`): {message}"
    )]
    UnknownKind {
        api_version: String,
        kind: String,
        name: String,
        message: String,
    },

    #[error(
        "`{kind}/{name}` is cluster-scoped; crashlab only applies namespaced objects, because cleanup \
         deletes the scenario's namespace and a cluster-scoped object would outlive it"
    )]
    ClusterScoped { kind: String, name: String },

    #[error("could not apply `{kind}/{name}`: {message}")]
    Apply {
        kind: String,
        name: String,
        message: String,
    },

    #[error(
        "step {step} (`{name}`) never finished: {message}; the step's `waitFor` needs the target \
         to roll out within timeouts.deploy"
    )]
    StepWait {
        step: usize,
        name: String,
        message: String,
    },

    #[error(
        "could not delete namespace `{namespace}`: {message}; delete it with `kubectl delete namespace {namespace}`"
    )]
    DeleteNamespace { namespace: String, message: String },

    #[error(
        "stopped waiting for namespace `{namespace}` to disappear after a second cancel request; \
         its deletion is under way (check with `kubectl get namespace {namespace}`)"
    )]
    CleanupAbandoned { namespace: String },

    #[error(
        "namespace `{namespace}` still exists {} after deletion was requested; check it with `kubectl get namespace {namespace}`",
        humantime_secs::format(*.waited)
    )]
    CleanupTimedOut { namespace: String, waited: Duration },

    #[error("could not write recording `{}`: {source}", path.display())]
    WriteRecording {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
