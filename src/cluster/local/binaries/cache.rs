//! The cache directories: what a complete one holds, its stamp, and how a new one appears
//! (written under a temporary name, stamped, then renamed into place) under a lock.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};
use serde::{Deserialize, Serialize};

use super::error::{BinariesError, Result, io_err};
use super::options::Options;
use crate::cluster::local::versions::Release;
use crate::cluster::progress::Progress;

/// The commands every Kubernetes version directory holds. `kubeadm` is not run by the local
/// provider; it is built in the same `go build` (a few seconds more) so that a kind node image
/// can be assembled from this cache (`tests/kind/prepare-node-image`).
pub const KUBERNETES_COMMANDS: [&str; 7] = [
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kubelet",
    "kube-proxy",
    "kubectl",
    "kubeadm",
];

/// Written last into a cache directory; its absence means "not (completely) there".
pub const STAMP_FILE: &str = ".crashlab-stamp.json";

/// Prefix of the temporary directories a download or build writes into before the rename.
const PARTIAL_PREFIX: &str = ".partial-";

/// Where a cached directory came from; recorded in its stamp.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Source {
    /// Downloaded from an official release bucket or mirror, checksums verified.
    Release { url: String },
    /// Built from the Go module proxy.
    GoBuild { go: String },
    /// Found complete but unstamped (built by hand with the same recipe) and adopted after
    /// every binary reported the expected version.
    Adopted,
    /// Extracted from a Debian package.
    Debian { package: String },
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Release { url } => write!(f, "downloaded from {url}"),
            Source::GoBuild { go } => write!(f, "built from Go modules with {go}"),
            Source::Adopted => f.write_str("adopted from an earlier build"),
            Source::Debian { package } => write!(f, "extracted from {package}"),
        }
    }
}

/// The stamp file: written after everything else in a cache directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub version: String,
    pub source: Source,
    pub created: jiff::Timestamp,
}

/// What a cache directory holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheState {
    /// Every file and a stamp for the right version.
    Valid(Stamp),
    /// Every file but no stamp: unfinished, or built by hand.
    Unstamped,
    /// Files are missing (all of them when the directory does not exist).
    Incomplete { missing: Vec<String> },
    /// A stamp that cannot be read or is for another version.
    Invalid { reason: String },
}

/// Inspects a cache directory that should hold `files` for `version`.
pub fn cache_state(dir: &Path, version: &str, files: &[&str]) -> CacheState {
    let missing: Vec<String> = files
        .iter()
        .filter(|f| !dir.join(f).is_file())
        .map(|f| f.to_string())
        .collect();
    if !missing.is_empty() {
        return CacheState::Incomplete { missing };
    }
    let text = match fs::read_to_string(dir.join(STAMP_FILE)) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return CacheState::Unstamped,
        Err(e) => {
            return CacheState::Invalid {
                reason: format!("cannot read {STAMP_FILE}: {e}"),
            };
        }
    };
    match serde_json::from_str::<Stamp>(&text) {
        Ok(stamp) if stamp.version == version => CacheState::Valid(stamp),
        Ok(stamp) => CacheState::Invalid {
            reason: format!("stamped for {}, not {version}", stamp.version),
        },
        Err(e) => CacheState::Invalid {
            reason: format!("unreadable {STAMP_FILE}: {e}"),
        },
    }
}

pub(super) fn write_stamp(dir: &Path, version: &str, source: &Source) -> Result<Stamp> {
    let stamp = Stamp {
        version: version.to_string(),
        source: source.clone(),
        created: jiff::Timestamp::now(),
    };
    let text = serde_json::to_string_pretty(&stamp).expect("a stamp serializes") + "\n";
    let tmp = dir.join(format!("{STAMP_FILE}.tmp"));
    fs::write(&tmp, text).map_err(io_err("write", &tmp))?;
    let path = dir.join(STAMP_FILE);
    fs::rename(&tmp, &path).map_err(io_err("write", &path))?;
    Ok(stamp)
}

/// The cache directories of one Kubernetes version.
#[derive(Debug, Clone)]
pub struct KubeCache {
    /// `<cache>/kubernetes/<version>`
    pub root: PathBuf,
}

impl KubeCache {
    pub fn new(options: &Options, release: &Release) -> Self {
        Self {
            root: options.cache_dir.join("kubernetes").join(release.version),
        }
    }
    /// The binaries and the stamp.
    pub fn bin(&self) -> PathBuf {
        self.root.join("bin")
    }
    /// The wrapper module of the Go build.
    pub fn src(&self) -> PathBuf {
        self.root.join("src")
    }
    /// Output of the last Go build.
    pub fn build_log(&self) -> PathBuf {
        self.root.join("build.log")
    }
}

/// Stamps a finished temporary directory and renames it into place, replacing an unusable
/// directory that was there.
pub(super) fn publish(
    partial: tempfile::TempDir,
    dest: &Path,
    version: &str,
    source: &Source,
) -> Result<()> {
    write_stamp(partial.path(), version, source)?;
    if dest.exists() {
        let parent = dest.parent().expect("cache directories have a parent");
        let old = new_partial(parent)?;
        let old_dest = old.path().join("old");
        fs::rename(dest, &old_dest).map_err(io_err("move away", dest))?;
        // `old` is removed with its content when dropped.
    }
    let partial = partial.keep();
    fs::rename(&partial, dest).map_err(|e| {
        let _ = fs::remove_dir_all(&partial);
        BinariesError::Io {
            action: "rename into",
            path: dest.to_path_buf(),
            source: e,
        }
    })
}

pub(super) fn new_partial(parent: &Path) -> Result<tempfile::TempDir> {
    fs::create_dir_all(parent).map_err(io_err("create", parent))?;
    tempfile::Builder::new()
        .prefix(PARTIAL_PREFIX)
        .tempdir_in(parent)
        .map_err(io_err("create a directory in", parent))
}

/// Removes temporary directories left by an interrupted run. Only called under the lock, so
/// none of them belongs to a live run.
pub(super) fn remove_partials(dir: &Path) -> Result<()> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with(PARTIAL_PREFIX)
        {
            let path = entry.path();
            fs::remove_dir_all(&path).map_err(io_err("remove", &path))?;
        }
    }
    Ok(())
}

pub(super) fn lock(path: &Path, progress: &mut dyn Progress, what: &str) -> Result<Flock<File>> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(io_err("open", path))?;
    let flock_err = |e: Errno| BinariesError::Io {
        action: "lock",
        path: path.to_path_buf(),
        source: e.into(),
    };
    match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
        Ok(lock) => Ok(lock),
        Err((file, Errno::EWOULDBLOCK)) => {
            progress.note(&format!(
                "waiting for another crashlab process that is preparing {what}"
            ));
            Flock::lock(file, FlockArg::LockExclusive).map_err(|(_, e)| flock_err(e))
        }
        Err((_, e)) => Err(flock_err(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_needs_every_file_and_a_stamp() {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        let files = ["kubelet", "kubectl"];
        assert_eq!(
            cache_state(&bin, "v1.34.4", &files),
            CacheState::Incomplete {
                missing: vec!["kubelet".into(), "kubectl".into()]
            }
        );
        fs::create_dir_all(&bin).unwrap();
        fs::write(bin.join("kubelet"), "").unwrap();
        assert_eq!(
            cache_state(&bin, "v1.34.4", &files),
            CacheState::Incomplete {
                missing: vec!["kubectl".into()]
            }
        );
        fs::write(bin.join("kubectl"), "").unwrap();
        assert_eq!(cache_state(&bin, "v1.34.4", &files), CacheState::Unstamped);
        let stamp = write_stamp(&bin, "v1.34.4", &Source::Adopted).unwrap();
        assert_eq!(
            cache_state(&bin, "v1.34.4", &files),
            CacheState::Valid(stamp)
        );
        assert_eq!(
            cache_state(&bin, "v1.35.4", &files),
            CacheState::Invalid {
                reason: "stamped for v1.34.4, not v1.35.4".into()
            }
        );
        fs::write(bin.join(STAMP_FILE), "{").unwrap();
        assert!(matches!(
            cache_state(&bin, "v1.34.4", &files),
            CacheState::Invalid { .. }
        ));
    }
}
