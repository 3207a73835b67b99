//! Errors of the kind provider. A failed `kind` or `docker` command carries its captured
//! output, as kind itself does, because that output is the diagnosis.

use std::path::{Path, PathBuf};

use crate::k8s_version::VersionError;

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
    /// A Kubernetes version kind has no pinned node image of (a pre-release, say): only a
    /// node image given with `--node-image` can run it.
    #[error(
        "kind pins no node image of Kubernetes {given} ({buildable}): crashlab pins kindest/node images of {pinned}; \
         another version needs --node-image REF, a node image of it already in the Docker engine"
    )]
    NoPinnedImage {
        given: String,
        /// The release the local provider pins for it, from which a node image can be built.
        buildable: &'static str,
        pinned: String,
    },
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
    #[error("the kind nodes were not ready to take pods after {waited}: {why}")]
    NodesNotReady { waited: String, why: String },
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

/// What to do when kind or Docker is missing.
pub const KIND_INSTALL_HINT: &str = "install kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation) and a Docker engine (https://docs.docker.com/engine/install/), or use `--provider local` (Linux, as root)";

/// How to get a node image of a version kind pins none of, where no registry is reachable.
fn no_pinned_image_hint(version: &str) -> String {
    format!(
        "`tests/kind/prepare-node-image {version}` (in crashlab's repository) builds one locally from crashlab's Kubernetes binaries; its last line is the reference to give with --node-image"
    )
}

/// Each failure with what to try next; a bad version or node image is bad usage.
impl From<KindError> for crate::cluster::ProviderError {
    fn from(e: KindError) -> Self {
        use crate::cluster::ProviderError;
        match &e {
            KindError::KindMissing | KindError::DockerMissing => {
                ProviderError::env(e).with_hint(KIND_INSTALL_HINT)
            }
            KindError::DockerDown { .. } => ProviderError::env(e).with_hint(
                "start the Docker engine (`docker info` must succeed), or use `--provider local` (Linux, as root)",
            ),
            KindError::Version(_) | KindError::NodeImageVersion { .. } => ProviderError::usage(e),
            KindError::NoPinnedImage { given, .. } => {
                let hint = no_pinned_image_hint(given);
                ProviderError::usage(e).with_hint(hint)
            }
            KindError::NodeImageMissing { .. } => ProviderError::env(e).with_hint(
                "`docker images` lists the images there; on a machine without a container registry, build one with `tests/kind/prepare-node-image 1.34` from crashlab's repository (its last line is the reference), or leave out --node-image to use the pinned kindest/node image",
            ),
            KindError::Command { .. } => ProviderError::env(e).with_hint(format!(
                "the output above is kind's own; `kind export logs --name {}` collects the node's logs",
                super::CLUSTER_NAME
            )),
            KindError::NodesNotReady { .. } => ProviderError::env(e).with_hint(format!(
                "`kubectl --context {} describe nodes` says why; `kind export logs --name {}` collects the nodes' logs",
                super::CONTEXT,
                super::CLUSTER_NAME
            )),
            _ => ProviderError::env(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::ProviderError;

    #[test]
    fn each_failure_keeps_its_hint_and_a_bad_version_is_bad_usage() {
        let missing = ProviderError::from(KindError::KindMissing);
        assert_eq!(missing.hint.as_deref(), Some(KIND_INSTALL_HINT));
        assert!(!missing.bad_usage);
        let version = ProviderError::from(KindError::Version(VersionError::Unsupported {
            given: "1.2".into(),
            supported: "1.34".into(),
        }));
        assert!(version.bad_usage);
        assert!(
            version
                .to_string()
                .starts_with("unsupported kubernetes version \"1.2\"")
        );
        let unpinned = ProviderError::from(KindError::NoPinnedImage {
            given: "1.38".into(),
            buildable: "v1.38.0-beta.0",
            pinned: "1.34 (v1.34.11, default)".into(),
        });
        assert!(unpinned.bad_usage);
        assert_eq!(
            unpinned.to_string(),
            "kind pins no node image of Kubernetes 1.38 (v1.38.0-beta.0): crashlab pins kindest/node images of \
             1.34 (v1.34.11, default); another version needs --node-image REF, a node image of \
             it already in the Docker engine"
        );
        assert_eq!(
            unpinned.hint.as_deref(),
            Some(
                "`tests/kind/prepare-node-image 1.38` (in crashlab's repository) builds one locally \
                 from crashlab's Kubernetes binaries; its last line is the reference to give with --node-image"
            )
        );
    }
}
