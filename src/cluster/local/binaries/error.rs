//! The errors of fetching, building and checking binaries.

use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::settings::{DEFAULT_RELEASE_URL, ENV_RELEASE_URL};
use crate::cluster::local::versions::{ETCD, ETCD_MINIMUM};
use crate::k8s_version::Semver;

/// Errors of this module.
#[derive(Debug, Error)]
pub enum BinariesError {
    /// A setting from the environment that cannot be used, with what is expected.
    #[error("{0}")]
    Setting(String),
    #[error("cannot {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error("cannot run {program}: {source}")]
    Spawn { program: String, source: io::Error },
    #[error(
        "go not found {looked}{}: install Go ≥{required} (apt-get install golang-go is too old on bookworm) or point --k8s-release-url ({ENV_RELEASE_URL}) at a reachable mirror of {DEFAULT_RELEASE_URL}",
        no_download_suffix(.no_download)
    )]
    GoNotFound {
        looked: String,
        required: Semver,
        no_download: Option<String>,
    },
    #[error(
        "{found} is too old to build kubernetes {version}, which needs go ≥{required}: install a newer Go, name one for the go command to fetch from the Go module proxy (`export GOTOOLCHAIN=go{}.{}.N`), or point --k8s-release-url ({ENV_RELEASE_URL}) at a reachable mirror of {DEFAULT_RELEASE_URL}", .required.major, .required.minor
    )]
    GoTooOld {
        found: String,
        version: &'static str,
        required: Semver,
    },
    #[error(
        "cannot fetch k8s.io/kubernetes@{version} from the Go module proxy: {message} (is the proxy in `go env GOPROXY` reachable? full log: {log})"
    )]
    ModuleDownload {
        version: &'static str,
        message: String,
        log: PathBuf,
    },
    #[error("unexpected go.mod of k8s.io/kubernetes {version} ({path}): {reason}")]
    UpstreamGoMod {
        version: &'static str,
        path: PathBuf,
        reason: String,
    },
    #[error(
        "go build of kubernetes {version} failed ({status}); full log: {log}\nlast lines:\n{tail}"
    )]
    BuildFailed {
        version: &'static str,
        status: String,
        log: PathBuf,
        tail: String,
    },
    /// The build needs a module the proxy answers with an HTTP error (403 on machines whose
    /// proxy serves only some modules): no Go build of this release is possible through it.
    #[error(
        "go build of kubernetes {version} failed: the Go module proxy refuses {module}, which it needs ({status}); full log: {log}"
    )]
    ModuleRefused {
        version: &'static str,
        module: String,
        status: String,
        log: PathBuf,
    },
    #[error("go build of kubernetes {version} succeeded but {missing} is missing from its output")]
    BuildIncomplete {
        version: &'static str,
        missing: String,
    },
    #[error("download of {url} failed: {message}")]
    Download { url: String, message: String },
    #[error("{url} is not a sha256 checksum file (it starts with {got:?})")]
    BadChecksumFile { url: String, got: String },
    #[error(
        "checksum mismatch for {url}: expected sha256 {expected}, got {actual}; refusing to use it"
    )]
    Checksum {
        url: String,
        expected: String,
        actual: String,
    },
    #[error("{path} does not report {expected:?} (it printed {output:?})")]
    WrongVersion {
        path: PathBuf,
        expected: String,
        output: String,
    },
    #[error(
        "`apt-get download etcd-server/sid` failed: {output}\nhint: it needs the pinned Debian sid apt source; `crashlab cluster deps` (as root) adds it and runs apt-get update"
    )]
    EtcdDownload { output: String },
    #[error("`dpkg-deb -x {package}` failed: {output}")]
    EtcdExtract { package: String, output: String },
    #[error("{package} holds no usr/bin/etcd")]
    EtcdNotInPackage { package: String },
    #[error(
        "etcd from {package} is {found}; kubernetes needs etcd 3.5 ≥{ETCD_MINIMUM} (crashlab pins {ETCD})"
    )]
    EtcdUnsupported { package: String, found: String },
}

pub type Result<T, E = BinariesError> = std::result::Result<T, E>;

impl BinariesError {
    /// What to try next, for the errors of a release host that answered but served something
    /// unusable (nothing of it is kept).
    pub fn hint(&self) -> Option<String> {
        let what = match self {
            BinariesError::Checksum { .. } => {
                "the release host serves a file that does not match its published checksum (a corrupt mirror, or a proxy that alters downloads)"
            }
            BinariesError::BadChecksumFile { .. } => {
                "the release host answers, but not with the release layout (a captive portal or a proxy's error page?)"
            }
            BinariesError::Download { .. } => {
                "the release host answered, then the download broke off (trying again may do)"
            }
            BinariesError::ModuleRefused { module, .. } => {
                return Some(format!(
                    "this release cannot be built through this proxy: set GOPROXY to one that serves {module}, or point --k8s-release-url ({ENV_RELEASE_URL}) at a reachable mirror of {DEFAULT_RELEASE_URL}"
                ));
            }
            _ => return None,
        };
        Some(format!(
            "{what}: point --k8s-release-url ({ENV_RELEASE_URL}) at a good mirror of {DEFAULT_RELEASE_URL}, or set it to `off` to build Kubernetes from Go modules"
        ))
    }
}

fn no_download_suffix(reason: &Option<String>) -> String {
    reason
        .as_ref()
        .map(|r| format!(" and {r}"))
        .unwrap_or_default()
}

pub(super) fn spawn_err(program: impl Into<String>) -> impl FnOnce(io::Error) -> BinariesError {
    let program = program.into();
    move |source| BinariesError::Spawn { program, source }
}

pub(super) fn io_err(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> BinariesError {
    let path = path.to_path_buf();
    move |source| BinariesError::Io {
        action,
        path,
        source,
    }
}
