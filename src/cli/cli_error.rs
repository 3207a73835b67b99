//! The one error type of the binary: a headline, an optional hint, and the documented exit code.

use std::fmt;
use std::process::ExitCode;

/// Documented exit codes (see `crashlab --help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Pass = 0,
    Fail = 1,
    Usage = 2,
    Environment = 3,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e as u8)
    }
}

#[derive(Debug)]
pub struct CliError {
    pub exit: Exit,
    pub message: String,
    pub hint: Option<String>,
}

impl CliError {
    pub fn usage(message: impl fmt::Display) -> Self {
        Self {
            exit: Exit::Usage,
            message: message.to_string(),
            hint: None,
        }
    }
    pub fn env(message: impl fmt::Display) -> Self {
        Self {
            exit: Exit::Environment,
            message: message.to_string(),
            hint: None,
        }
    }
    pub fn with_hint(mut self, hint: impl fmt::Display) -> Self {
        self.hint = Some(hint.to_string());
        self
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

impl From<crate::cluster::local::LocalError> for CliError {
    fn from(e: crate::cluster::local::LocalError) -> Self {
        CliError::env(e)
    }
}

/// What to do when kind or Docker is missing.
pub const KIND_INSTALL_HINT: &str = "install kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation) and a Docker engine (https://docs.docker.com/engine/install/), or use `--provider local` (Linux, as root)";

impl From<crate::cluster::KindError> for CliError {
    fn from(e: crate::cluster::KindError) -> Self {
        use crate::cluster::KindError;
        match &e {
            KindError::KindMissing | KindError::DockerMissing => {
                CliError::env(e).with_hint(KIND_INSTALL_HINT)
            }
            KindError::DockerDown { .. } => CliError::env(e).with_hint(
                "start the Docker engine (`docker info` must succeed), or use `--provider local` (Linux, as root)",
            ),
            KindError::Version(_) | KindError::NodeImageVersion { .. } => CliError::usage(e),
            KindError::NodeImageMissing { .. } => CliError::env(e).with_hint(
                "`docker images` lists the images there; on a machine without a container registry, build one with `tests/kind/prepare-node-image 1.34` from crashlab's repository (its last line is the reference), or leave out --node-image to use the pinned kindest/node image",
            ),
            KindError::Command { .. } => CliError::env(e).with_hint(format!(
                "the output above is kind's own; `kind export logs --name {}` collects the node's logs",
                crate::cluster::KIND_CLUSTER
            )),
            _ => CliError::env(e),
        }
    }
}

impl From<crate::cluster::NoProvider> for CliError {
    fn from(e: crate::cluster::NoProvider) -> Self {
        CliError::env(format!("no test cluster is reachable, and {e}")).with_hint(
            "pass --context for a cluster you run yourself, install kind and Docker \
             (https://kind.sigs.k8s.io/docs/user/quick-start/#installation), or run crashlab \
             as root on Linux for the local provider",
        )
    }
}
