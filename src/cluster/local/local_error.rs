//! Errors of the local provider. Each says what failed and what to try next.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    #[error(
        "the local provider needs root (it runs a kubelet, containerd and iptables rules); run crashlab as root, or use a kind cluster"
    )]
    NotRoot,
    #[error(
        "the local provider needs Linux (it runs the kubelet on this host); use --provider kind or an existing cluster"
    )]
    NeedsLinux,
    #[error(
        "stopped by a signal while bringing the local cluster up; `crashlab cluster down` removes what was started"
    )]
    Cancelled,
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("certificate generation failed: {0}")]
    Pki(String),
    #[error("`{command}` failed: {output}")]
    Command { command: String, output: String },
    #[error("{0}")]
    Config(String),
    #[error(
        "missing host dependencies: {missing}\n  hint: run `crashlab cluster deps` (as root) to install them"
    )]
    MissingDeps { missing: String },
    #[error("{component} failed to start: {why}\n--- last lines of {log} ---\n{tail}")]
    ComponentFailed {
        component: String,
        why: String,
        log: String,
        tail: String,
    },
    #[error(
        "the node did not become Ready within {seconds}s\n  hint: `crashlab cluster logs kubelet` shows why"
    )]
    NodeNotReady { seconds: u64 },
    #[error("no local cluster is running (no supervisor at {})\n  hint: `crashlab cluster up --provider local`", state.display())]
    NotRunning { state: PathBuf },
    #[error("unknown component {name:?}; components: {known}")]
    UnknownComponent { name: String, known: String },
    #[cfg(target_os = "linux")]
    #[error(transparent)]
    Binaries(#[from] super::binaries::BinariesError),
    #[error("kubernetes API: {0}")]
    Api(String),
}

impl LocalError {
    /// What to try next, where the message itself does not say it.
    pub fn hint(&self) -> Option<String> {
        #[cfg(target_os = "linux")]
        if let LocalError::Binaries(e) = self {
            return e.hint();
        }
        None
    }

    pub fn io(path: &Path, source: std::io::Error) -> Self {
        LocalError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
    pub fn pki(e: rcgen::Error) -> Self {
        LocalError::Pki(e.to_string())
    }
}
