//! The Kubernetes and etcd binaries of the local provider. Kubernetes comes from the cache,
//! else an official release download, else a build from the Go module proxy through a wrapper
//! module (docs/local-cluster.md §2b); etcd from the cache, else Debian sid's `etcd-server`.
//! A cache directory counts only once its stamp is written, and it appears by rename, so an
//! interrupted download or build never leaves half a cache behind.

use std::collections::VecDeque;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::os_deps::{self, output_retrying};
use super::progress::Progress;
use super::versions::{ETCD, ETCD_MINIMUM, Release, Semver};

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

/// The official release bucket: `<base>/<version>/bin/linux/<arch>/<command>` plus `.sha256`.
pub const DEFAULT_RELEASE_URL: &str = "https://dl.k8s.io/release";
/// Hosts without internet access must fall back to the Go build quickly.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Written last into a cache directory; its absence means "not (completely) there".
pub const STAMP_FILE: &str = ".crashlab-stamp.json";

const ENV_CACHE_DIR: &str = "CRASHLAB_CACHE_DIR";
const ENV_RELEASE_URL: &str = "CRASHLAB_K8S_RELEASE_URL";
const WRAPPER_MODULE: &str = "crashlab.dev/k8sbin";
/// Prefix of the temporary directories a download or build writes into before the rename.
const PARTIAL_PREFIX: &str = ".partial-";
/// Lines of build.log shown when the build fails.
const LOG_TAIL_LINES: usize = 25;

/// Errors of this module.
#[derive(Debug, Error)]
pub enum BinariesError {
    #[error("no cache directory: set {ENV_CACHE_DIR} or HOME")]
    NoCacheDir,
    #[error("cannot {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error("cannot run {program}: {source}")]
    Spawn { program: String, source: io::Error },
    #[error(
        "go not found {looked}{}: install Go ≥{required} (apt-get install golang-go is too old on bookworm) or set {ENV_RELEASE_URL} to a reachable mirror of {DEFAULT_RELEASE_URL}",
        no_download_suffix(.no_download)
    )]
    GoNotFound {
        looked: String,
        required: Semver,
        no_download: Option<String>,
    },
    #[error(
        "{found} is too old to build kubernetes {version}, which needs go ≥{required}: install a newer Go or set {ENV_RELEASE_URL} to a reachable mirror of {DEFAULT_RELEASE_URL}"
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
        "checksum mismatch for {url}: expected sha256 {expected}, got {actual}; refusing to use it (is the mirror corrupt?)"
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

fn no_download_suffix(reason: &Option<String>) -> String {
    reason
        .as_ref()
        .map(|r| format!(" and {r}"))
        .unwrap_or_default()
}

fn io_err(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> BinariesError {
    let path = path.to_path_buf();
    move |source| BinariesError::Io {
        action,
        path,
        source,
    }
}

/// Where binaries are cached and fetched from.
#[derive(Debug, Clone)]
pub struct Options {
    /// Root of the cache: `kubernetes/<version>/bin/` and `etcd/<version>/etcd` live below it.
    pub cache_dir: PathBuf,
    /// Base URL of official releases (or a mirror); `None` skips the download.
    pub release_url: Option<String>,
    /// Connect (and name resolution) timeout of the download.
    pub connect_timeout: Duration,
    /// The `go` to build with; `None` looks it up on PATH.
    pub go: Option<PathBuf>,
}

impl Options {
    /// Defaults plus the environment: `CRASHLAB_CACHE_DIR` (else `$XDG_CACHE_HOME/crashlab`,
    /// else `~/.cache/crashlab`) and `CRASHLAB_K8S_RELEASE_URL` (a base URL enables downloads; unset or `off`, none).
    pub fn from_env() -> Result<Self> {
        let non_empty = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let cache_dir = match non_empty(ENV_CACHE_DIR) {
            Some(dir) => dir,
            None => non_empty("XDG_CACHE_HOME")
                .or_else(|| non_empty("HOME").map(|h| h.join(".cache")))
                .ok_or(BinariesError::NoCacheDir)?
                .join("crashlab"),
        };
        let cache_dir = if cache_dir.is_absolute() {
            cache_dir
        } else {
            std::env::current_dir()
                .map_err(io_err("resolve", &cache_dir))?
                .join(cache_dir)
        };
        let mut options = Self::with_cache_dir(cache_dir);
        if let Ok(url) = std::env::var(ENV_RELEASE_URL) {
            options.release_url = release_url_setting(&url);
        }
        Ok(options)
    }

    /// Defaults with the given cache root (no environment). Release downloads are opt-in
    /// (`CRASHLAB_K8S_RELEASE_URL=https://dl.k8s.io/release` or a mirror): the machines this
    /// project runs on may not contact anything but package registries.
    pub fn with_cache_dir(cache_dir: impl Into<PathBuf>) -> Self {
        Self {
            cache_dir: cache_dir.into(),
            release_url: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            go: None,
        }
    }
}

/// [`Options::from_env`]; without HOME (and no `CRASHLAB_CACHE_DIR`), the cache is
/// `/var/cache/crashlab`.
impl Default for Options {
    fn default() -> Self {
        Self::from_env().unwrap_or_else(|_| {
            let mut options = Self::with_cache_dir("/var/cache/crashlab");
            if let Ok(url) = std::env::var(ENV_RELEASE_URL) {
                options.release_url = release_url_setting(&url);
            }
            options
        })
    }
}

/// `off`, `none` or empty disable downloads; anything else is a base URL.
fn release_url_setting(value: &str) -> Option<String> {
    let value = value.trim();
    match value {
        "" | "off" | "none" => None,
        url => Some(url.trim_end_matches('/').to_string()),
    }
}

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

fn write_stamp(dir: &Path, version: &str, source: &Source) -> Result<Stamp> {
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

/// The six Kubernetes commands of one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeBinaries {
    pub version: &'static str,
    pub dir: PathBuf,
    pub source: Source,
    pub kube_apiserver: PathBuf,
    pub kube_controller_manager: PathBuf,
    pub kube_scheduler: PathBuf,
    pub kubelet: PathBuf,
    pub kube_proxy: PathBuf,
    pub kubectl: PathBuf,
}

impl KubeBinaries {
    fn new(release: &Release, dir: PathBuf, source: Source) -> Self {
        Self {
            version: release.version,
            source,
            kube_apiserver: dir.join("kube-apiserver"),
            kube_controller_manager: dir.join("kube-controller-manager"),
            kube_scheduler: dir.join("kube-scheduler"),
            kubelet: dir.join("kubelet"),
            kube_proxy: dir.join("kube-proxy"),
            kubectl: dir.join("kubectl"),
            dir,
        }
    }
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

/// Makes the six Kubernetes commands of `release` available: from the cache, else a release
/// download, else a Go build. Holds a lock on the version's cache directory meanwhile, so
/// concurrent crashlab runs wait for one another instead of building twice.
pub fn ensure_kubernetes(
    release: &'static Release,
    options: &Options,
    progress: &mut dyn Progress,
) -> Result<KubeBinaries> {
    let cache = KubeCache::new(options, release);
    fs::create_dir_all(&cache.root).map_err(io_err("create", &cache.root))?;
    let _lock = lock(
        &cache.root.join(".lock"),
        progress,
        &format!("Kubernetes {release}"),
    )?;
    remove_partials(&cache.root)?;

    let bin = cache.bin();
    match cache_state(&bin, release.version, &KUBERNETES_COMMANDS) {
        CacheState::Valid(stamp) => return Ok(KubeBinaries::new(release, bin, stamp.source)),
        CacheState::Unstamped => match verify_kubernetes_versions(&bin, release) {
            Ok(()) => {
                write_stamp(&bin, release.version, &Source::Adopted)?;
                progress.note(&format!(
                    "adopted Kubernetes {release} found in {}",
                    bin.display()
                ));
                return Ok(KubeBinaries::new(release, bin, Source::Adopted));
            }
            Err(e) => progress.note(&format!("not using {}: {e}", bin.display())),
        },
        CacheState::Invalid { reason } => {
            progress.note(&format!("not using {}: {reason}", bin.display()))
        }
        CacheState::Incomplete { .. } => {}
    }

    let no_download = match &options.release_url {
        Some(base) => {
            let partial = new_partial(&cache.root)?;
            match download_release(base, release, partial.path(), options, progress) {
                Ok(source) => {
                    verify_kubernetes_versions(partial.path(), release)?;
                    publish(partial, &bin, release.version, &source)?;
                    return Ok(KubeBinaries::new(release, bin, source));
                }
                Err(Fetch::Unavailable(reason)) => {
                    progress.note(&format!("{reason}; building from Go modules instead"));
                    reason
                }
                Err(Fetch::Failed(e)) => return Err(e),
            }
        }
        None => format!("release downloads are off ({ENV_RELEASE_URL}=off)"),
    };

    let partial = new_partial(&cache.root)?;
    let source = go_build(
        release,
        &cache,
        partial.path(),
        options,
        progress,
        Some(no_download),
    )?;
    verify_kubernetes_versions(partial.path(), release)?;
    publish(partial, &bin, release.version, &source)?;
    Ok(KubeBinaries::new(release, bin, source))
}

/// Stamps a finished temporary directory and renames it into place, replacing an unusable
/// directory that was there.
fn publish(partial: tempfile::TempDir, dest: &Path, version: &str, source: &Source) -> Result<()> {
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

fn new_partial(parent: &Path) -> Result<tempfile::TempDir> {
    fs::create_dir_all(parent).map_err(io_err("create", parent))?;
    tempfile::Builder::new()
        .prefix(PARTIAL_PREFIX)
        .tempdir_in(parent)
        .map_err(io_err("create a directory in", parent))
}

/// Removes temporary directories left by an interrupted run. Only called under the lock, so
/// none of them belongs to a live run.
fn remove_partials(dir: &Path) -> Result<()> {
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

fn lock(path: &Path, progress: &mut dyn Progress, what: &str) -> Result<Flock<File>> {
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

/// What each command prints about its version: `Kubernetes v1.34.4` for `--version`;
/// kubectl has no `--version`, and `version --client` prints `Client Version: v1.34.4`;
/// kubeadm's `version -o short` prints the bare `v1.34.4`.
fn version_probe(command: &str, release: &Release) -> (&'static [&'static str], String) {
    if command == "kubectl" {
        (
            &["version", "--client"],
            format!("Client Version: {}", release.version),
        )
    } else if command == "kubeadm" {
        (&["version", "-o", "short"], release.version.to_string())
    } else {
        (&["--version"], format!("Kubernetes {}", release.version))
    }
}

/// Runs each command's version flag and checks it names `release`, which catches binaries of
/// another version and builds without the version ldflags (`v0.0.0-master+$Format:%H$`).
pub fn verify_kubernetes_versions(dir: &Path, release: &Release) -> Result<()> {
    for command in KUBERNETES_COMMANDS {
        let (args, expected) = version_probe(command, release);
        let path = dir.join(command);
        let out = output_retrying(Command::new(&path).args(args).stdin(Stdio::null())).map_err(
            |source| BinariesError::Spawn {
                program: path.display().to_string(),
                source,
            },
        )?;
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        if !text.lines().any(|l| l.trim() == expected) {
            return Err(BinariesError::WrongVersion {
                path,
                expected,
                output: text.trim().to_string(),
            });
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Release download

/// Why the download did not produce binaries.
enum Fetch {
    /// The release is not reachable at that URL: fall back to the Go build.
    Unavailable(String),
    /// It was reachable but failed: stop.
    Failed(BinariesError),
}

impl From<BinariesError> for Fetch {
    fn from(e: BinariesError) -> Self {
        Fetch::Failed(e)
    }
}

/// The release bucket's name for this machine's architecture.
fn release_arch() -> Option<&'static str> {
    match std::env::consts::ARCH {
        "x86_64" => Some("amd64"),
        "aarch64" => Some("arm64"),
        _ => None,
    }
}

/// `<base>/<version>/bin/linux/<arch>/<command>`.
pub fn release_url(base: &str, release: &Release, arch: &str, command: &str) -> String {
    format!(
        "{}/{}/bin/linux/{arch}/{command}",
        base.trim_end_matches('/'),
        release.version
    )
}

fn download_release(
    base: &str,
    release: &Release,
    dest: &Path,
    options: &Options,
    progress: &mut dyn Progress,
) -> Result<Source, Fetch> {
    let Some(arch) = release_arch() else {
        return Err(Fetch::Unavailable(format!(
            "no release binaries for {}",
            std::env::consts::ARCH
        )));
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_resolve(Some(options.connect_timeout))
        .timeout_connect(Some(options.connect_timeout))
        .timeout_recv_response(Some(Duration::from_secs(30)))
        .timeout_per_read(Some(Duration::from_secs(60)))
        .user_agent(format!("crashlab/{}", env!("CARGO_PKG_VERSION")))
        .build()
        .into();

    // The first checksum doubles as the reachability probe: anything but an answer means
    // "not here", and the Go build takes over.
    let probe_url = release_url(base, release, arch, KUBERNETES_COMMANDS[0]) + ".sha256";
    let first_sum = match agent.get(&probe_url).call() {
        Ok(mut response) => read_checksum(&probe_url, &mut response)?,
        Err(ureq::Error::StatusCode(code)) => {
            return Err(Fetch::Unavailable(format!(
                "{probe_url} answered HTTP {code}"
            )));
        }
        Err(e) => return Err(Fetch::Unavailable(format!("{base} is unreachable ({e})"))),
    };

    progress.step(&format!("downloading Kubernetes {release} from {base}"));
    let started = Instant::now();
    let mut total_bytes = 0u64;
    for (i, command) in KUBERNETES_COMMANDS.into_iter().enumerate() {
        let url = release_url(base, release, arch, command);
        let expected = if i == 0 {
            first_sum.clone()
        } else {
            let sum_url = format!("{url}.sha256");
            let mut response = agent
                .get(&sum_url)
                .call()
                .map_err(|e| download_error(&sum_url, e))?;
            read_checksum(&sum_url, &mut response)?
        };
        let path = dest.join(command);
        let (actual, bytes) = fetch_to_file(&agent, &url, &path, command, started, progress)?;
        check_digest(&url, &expected, &actual)?;
        fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .map_err(io_err("make executable", &path))?;
        total_bytes += bytes;
    }
    progress.done(
        &format!(
            "{} binaries, {} MiB, checksums verified",
            KUBERNETES_COMMANDS.len(),
            total_bytes / (1 << 20)
        ),
        started.elapsed(),
    );
    Ok(Source::Release {
        url: base.to_string(),
    })
}

fn download_error(url: &str, e: ureq::Error) -> BinariesError {
    let message = match e {
        ureq::Error::StatusCode(code) => format!("HTTP {code}"),
        other => other.to_string(),
    };
    BinariesError::Download {
        url: url.to_string(),
        message,
    }
}

fn read_checksum(url: &str, response: &mut ureq::http::Response<ureq::Body>) -> Result<String> {
    let text = response
        .body_mut()
        .read_to_string()
        .map_err(|e| download_error(url, e))?;
    parse_sha256_file(&text).ok_or_else(|| BinariesError::BadChecksumFile {
        url: url.to_string(),
        got: text.chars().take(80).collect(),
    })
}

/// The digest in a `.sha256` file: the release bucket's hold just the hex digest, `sha256sum`
/// output adds the file name after it.
pub fn parse_sha256_file(text: &str) -> Option<String> {
    let digest = text.split_whitespace().next()?;
    (digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| digest.to_ascii_lowercase())
}

fn check_digest(url: &str, expected: &str, actual: &str) -> Result<()> {
    if expected.eq_ignore_ascii_case(actual) {
        Ok(())
    } else {
        Err(BinariesError::Checksum {
            url: url.to_string(),
            expected: expected.to_string(),
            actual: actual.to_string(),
        })
    }
}

/// The sha256 of a file, in lowercase hex.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut file = File::open(path).map_err(io_err("read", path))?;
    let mut hasher = Sha256::new();
    io::copy(&mut file, &mut hasher).map_err(io_err("read", path))?;
    Ok(hex::encode(hasher.finalize()))
}

/// Checks a file against an expected sha256 digest.
pub fn verify_sha256(path: &Path, expected: &str) -> Result<()> {
    check_digest(&path.display().to_string(), expected, &sha256_file(path)?)
}

/// Streams `url` into `path`, hashing on the way; returns the digest and the size.
fn fetch_to_file(
    agent: &ureq::Agent,
    url: &str,
    path: &Path,
    command: &str,
    started: Instant,
    progress: &mut dyn Progress,
) -> Result<(String, u64)> {
    let mut response = agent.get(url).call().map_err(|e| download_error(url, e))?;
    let total = response
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
        .map(|n| format!("/{} MiB", n / (1 << 20)))
        .unwrap_or_default();
    let mut reader = response.body_mut().as_reader();
    let mut file = File::create(path).map_err(io_err("create", path))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    let mut last_report = Instant::now();
    loop {
        let n = reader.read(&mut buf).map_err(|e| BinariesError::Download {
            url: url.to_string(),
            message: e.to_string(),
        })?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        file.write_all(&buf[..n]).map_err(io_err("write", path))?;
        bytes += n as u64;
        if last_report.elapsed() >= Duration::from_millis(250) {
            progress.running(
                started.elapsed(),
                &format!("{command} {}{total} MiB", bytes / (1 << 20)),
            );
            last_report = Instant::now();
        }
    }
    file.flush().map_err(io_err("write", path))?;
    Ok((hex::encode(hasher.finalize()), bytes))
}

// ---------------------------------------------------------------------------------------
// Go build (docs/local-cluster.md §2b)

/// What the wrapper module needs from upstream's go.mod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamGoMod {
    /// The `go` directive: `1.24.0`.
    pub go: String,
    /// `godebug` settings (`default=go1.24`); they only apply in the main module, so the
    /// wrapper repeats them to build with upstream's behaviour.
    pub godebug: Vec<String>,
    /// Modules that upstream replaces with `./staging/src/...` directories.
    pub staging: Vec<String>,
}

/// Reads the `go` directive, `godebug` lines and staging `replace`s of k8s.io/kubernetes'
/// go.mod, in single-line and block form.
pub fn parse_upstream_go_mod(text: &str) -> Result<UpstreamGoMod, String> {
    let mut go = None;
    let mut godebug = Vec::new();
    let mut staging = Vec::new();
    let mut block: Option<String> = None;
    for raw in text.lines() {
        let line = raw.split("//").next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let (keyword, rest) = match &block {
            Some(_) if line == ")" => {
                block = None;
                continue;
            }
            Some(keyword) => (keyword.clone(), line),
            None => {
                let (keyword, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
                if rest.trim() == "(" {
                    block = Some(keyword.to_string());
                    continue;
                }
                (keyword.to_string(), rest.trim())
            }
        };
        match keyword.as_str() {
            "go" => go = Some(rest.to_string()),
            "godebug" => godebug.push(rest.to_string()),
            "replace" => {
                let (from, to) = rest
                    .split_once("=>")
                    .ok_or_else(|| format!("malformed replace: {line:?}"))?;
                let module = from
                    .split_whitespace()
                    .next()
                    .ok_or_else(|| format!("malformed replace: {line:?}"))?;
                if to.trim().starts_with("./staging/") {
                    staging.push(module.to_string());
                }
            }
            _ => {}
        }
    }
    let go = go.ok_or("no go directive")?;
    if staging.is_empty() {
        return Err("no replace directives pointing at ./staging".to_string());
    }
    Ok(UpstreamGoMod {
        go,
        godebug,
        staging,
    })
}

/// The wrapper module's go.mod: requires k8s.io/kubernetes and pins every staging module to
/// its published `v0.<minor>.<patch>`, which `go install pkg@version` cannot do because it
/// rejects upstream's own `./staging` replaces.
pub fn wrapper_go_mod(release: &Release, upstream: &UpstreamGoMod) -> String {
    let staging_version = release.staging_version();
    let mut out = format!(
        "// Generated by crashlab: builds the commands of k8s.io/kubernetes {v} from the Go module\n\
         // proxy, with each ./staging module of upstream's go.mod pinned to its published release.\n\
         module {WRAPPER_MODULE}\n\ngo {go}\n\n",
        v = release.version,
        go = upstream.go,
    );
    for setting in &upstream.godebug {
        out += &format!("godebug {setting}\n");
    }
    if !upstream.godebug.is_empty() {
        out += "\n";
    }
    out += &format!(
        "require k8s.io/kubernetes {}\n\nreplace (\n",
        release.version
    );
    for module in &upstream.staging {
        out += &format!("\t{module} => {module} {staging_version}\n");
    }
    out += ")\n";
    out
}

/// `-ldflags` that stamp the version the way `hack/lib/version.sh` does, into both packages
/// that report it (kubectl reads client-go's, the servers component-base's). The commit is
/// unknown from a module zip, so it is left as zeros; the build date is the tag's time.
pub fn version_ldflags(release: &Release, build_date: &str) -> String {
    let minor = release.minor.to_string();
    let mut flags = vec!["-s".to_string(), "-w".to_string()];
    for package in [
        "k8s.io/component-base/version",
        "k8s.io/client-go/pkg/version",
    ] {
        for (key, value) in [
            ("gitVersion", release.version),
            ("gitMajor", "1"),
            ("gitMinor", minor.as_str()),
            ("gitTreeState", "clean"),
            ("gitCommit", "0000000000000000000000000000000000000000"),
            ("buildDate", build_date),
        ] {
            flags.push(format!("-X {package}.{key}={value}"));
        }
    }
    flags.join(" ")
}

/// The `go mod download -json` fields used here.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ModuleDownload {
    error: Option<String>,
    go_mod: Option<PathBuf>,
    /// The `.info` file, which holds the tag's `Time`.
    info: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ModuleInfo {
    time: Option<String>,
}

/// The tag's time from the module's `.info` file (`2026-02-10T12:53:36Z`), as a reproducible
/// build date; the epoch when it is unknown.
fn module_time(info: Option<&Path>) -> String {
    info.and_then(|p| fs::read_to_string(p).ok())
        .and_then(|text| serde_json::from_str::<ModuleInfo>(&text).ok())
        .and_then(|i| i.time)
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string())
}

fn go_command(go: &Path, dir: &Path) -> Command {
    let mut cmd = Command::new(go);
    // The Go found is the one checked; never let it switch toolchains or join a workspace.
    cmd.current_dir(dir)
        .env("GOTOOLCHAIN", "local")
        .env("GOWORK", "off")
        .env("CGO_ENABLED", "0");
    cmd
}

fn go_build(
    release: &'static Release,
    cache: &KubeCache,
    dest: &Path,
    options: &Options,
    progress: &mut dyn Progress,
    no_download: Option<String>,
) -> Result<Source> {
    let go = match &options.go {
        Some(go) if go.is_file() => go.clone(),
        Some(go) => {
            return Err(BinariesError::GoNotFound {
                looked: format!("at {}", go.display()),
                required: release.go_minimum,
                no_download,
            });
        }
        None => os_deps::find_program("go").ok_or(BinariesError::GoNotFound {
            looked: "on PATH".to_string(),
            required: release.go_minimum,
            no_download,
        })?,
    };
    let go_version = go_version(&go, &cache.root)?;
    let too_old = |required: Semver| BinariesError::GoTooOld {
        found: go_version.clone(),
        version: release.version,
        required,
    };
    let found = Semver::parse_lenient(&go_version).ok_or_else(|| too_old(release.go_minimum))?;
    if found < release.go_minimum {
        return Err(too_old(release.go_minimum));
    }

    let log_path = cache.build_log();
    let mut log = File::create(&log_path).map_err(io_err("create", &log_path))?;
    let _ = writeln!(
        log,
        "# crashlab: Kubernetes {release} with {go_version}, {}",
        jiff::Timestamp::now()
    );

    progress.step(&format!(
        "fetching k8s.io/kubernetes {release} from the Go module proxy"
    ));
    let started = Instant::now();
    let module = format!("k8s.io/kubernetes@{}", release.version);
    let mut cmd = go_command(&go, &cache.root);
    cmd.args(["mod", "download", "-json", &module]);
    let run = run_logged(&mut cmd, &log, true, progress, started)?;
    let info: Option<ModuleDownload> = serde_json::from_slice(&run.stdout).ok();
    let module_error = |message: String| BinariesError::ModuleDownload {
        version: release.version,
        message,
        log: log_path.clone(),
    };
    let info = match info {
        Some(ModuleDownload {
            error: Some(message),
            ..
        }) => return Err(module_error(message)),
        Some(info) if run.status.success() => info,
        _ => {
            return Err(module_error(format!(
                "go mod download exited with {}",
                run.status
            )));
        }
    };
    let go_mod_path = info
        .go_mod
        .ok_or_else(|| module_error("no GoMod in its answer".to_string()))?;
    let upstream = fs::read_to_string(&go_mod_path)
        .map_err(|e| e.to_string())
        .and_then(|text| parse_upstream_go_mod(&text))
        .map_err(|reason| BinariesError::UpstreamGoMod {
            version: release.version,
            path: go_mod_path.clone(),
            reason,
        })?;
    let required = Semver::parse_lenient(&upstream.go).unwrap_or(release.go_minimum);
    if found < required {
        return Err(too_old(required));
    }
    let src = cache.src();
    fs::create_dir_all(&src).map_err(io_err("create", &src))?;
    let wrapper = src.join("go.mod");
    fs::write(&wrapper, wrapper_go_mod(release, &upstream)).map_err(io_err("write", &wrapper))?;
    progress.done(
        &format!(
            "{} staging modules pinned to {}",
            upstream.staging.len(),
            release.staging_version()
        ),
        started.elapsed(),
    );

    progress.step(&format!(
        "building Kubernetes {release} from Go modules (takes minutes; log: {})",
        log_path.display()
    ));
    let started = Instant::now();
    let build_date = module_time(info.info.as_deref());
    let mut out_dir = dest.as_os_str().to_owned();
    out_dir.push("/");
    let mut cmd = go_command(&go, &src);
    cmd.args([
        "build",
        "-v",
        "-mod=mod",
        "-trimpath",
        "-ldflags",
        &version_ldflags(release, &build_date),
        "-o",
    ])
    .arg(&out_dir)
    .args(KUBERNETES_COMMANDS.map(|c| format!("k8s.io/kubernetes/cmd/{c}")));
    let run = run_logged(&mut cmd, &log, false, progress, started)?;
    if !run.status.success() {
        drop(log);
        return Err(BinariesError::BuildFailed {
            version: release.version,
            status: run.status.to_string(),
            tail: log_tail(&log_path, LOG_TAIL_LINES),
            log: log_path,
        });
    }
    if let Some(missing) = KUBERNETES_COMMANDS.iter().find(|c| !dest.join(c).is_file()) {
        return Err(BinariesError::BuildIncomplete {
            version: release.version,
            missing: missing.to_string(),
        });
    }
    progress.done(
        &format!("{} binaries", KUBERNETES_COMMANDS.len()),
        started.elapsed(),
    );
    Ok(Source::GoBuild { go: go_version })
}

/// `go1.26.8`, from `go env GOVERSION` (the local toolchain, as GOTOOLCHAIN=local is set).
fn go_version(go: &Path, dir: &Path) -> Result<String> {
    let out = go_command(go, dir)
        .args(["env", "GOVERSION"])
        .output()
        .map_err(|source| BinariesError::Spawn {
            program: go.display().to_string(),
            source,
        })?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

struct Finished {
    status: ExitStatus,
    stdout: Vec<u8>,
}

/// Runs a command with its output appended to `log` line by line, reporting the latest line
/// and the elapsed time to `progress` while it runs. With `capture_stdout`, stdout is kept
/// (and not logged) instead.
fn run_logged(
    cmd: &mut Command,
    log: &File,
    capture_stdout: bool,
    progress: &mut dyn Progress,
    started: Instant,
) -> Result<Finished> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let shown: Vec<String> = std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|a| {
            let a = a.to_string_lossy();
            if a.contains(char::is_whitespace) {
                format!("'{a}'")
            } else {
                a.into_owned()
            }
        })
        .collect();
    let log = Arc::new(Mutex::new(log.try_clone().map_err(|source| {
        BinariesError::Spawn {
            program: program.clone(),
            source,
        }
    })?));
    let _ = writeln!(log.lock().unwrap(), "$ {}", shown.join(" "));
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| BinariesError::Spawn {
            program: program.clone(),
            source,
        })?;
    let latest = Arc::new(Mutex::new(String::new()));

    let forward = |stream: Box<dyn Read + Send>| {
        let (log, latest) = (Arc::clone(&log), Arc::clone(&latest));
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stream);
            let mut line = Vec::new();
            while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
                let text = String::from_utf8_lossy(&line);
                let _ = log.lock().unwrap().write_all(text.as_bytes());
                *latest.lock().unwrap() = text.trim().to_string();
                line.clear();
            }
        })
    };
    let stderr_thread = forward(Box::new(child.stderr.take().expect("piped")));
    let stdout = child.stdout.take().expect("piped");
    let stdout_thread = if capture_stdout {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = BufReader::new(stdout).read_to_end(&mut buf);
            buf
        })
    } else {
        let handle = forward(Box::new(stdout));
        std::thread::spawn(move || {
            let _ = handle.join();
            Vec::new()
        })
    };

    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {
                let latest = latest.lock().unwrap().clone();
                progress.running(started.elapsed(), &latest);
                std::thread::sleep(Duration::from_millis(250));
            }
            Err(source) => return Err(BinariesError::Spawn { program, source }),
        }
    };
    let _ = stderr_thread.join();
    let stdout = stdout_thread.join().unwrap_or_default();
    let _ = writeln!(
        log.lock().unwrap(),
        "# {status} after {:?}",
        started.elapsed()
    );
    Ok(Finished { status, stdout })
}

/// The last `lines` lines of a log file.
fn log_tail(path: &Path, lines: usize) -> String {
    let Ok(text) = fs::read_to_string(path) else {
        return String::new();
    };
    let mut tail: VecDeque<&str> = VecDeque::with_capacity(lines);
    for line in text.lines() {
        if tail.len() == lines {
            tail.pop_front();
        }
        tail.push_back(line);
    }
    tail.into_iter().collect::<Vec<_>>().join("\n")
}

// ---------------------------------------------------------------------------------------
// etcd

/// `etcd` of the pinned version (or a newer 3.5 that sid now ships): from the cache, else
/// `apt-get download etcd-server/sid` + `dpkg-deb -x`. Needs the sid apt source that
/// `crashlab cluster deps` adds; installing the package is not an option, its
/// postinst breaks on bookworm.
pub fn ensure_etcd(options: &Options, progress: &mut dyn Progress) -> Result<PathBuf> {
    let root = options.cache_dir.join("etcd");
    fs::create_dir_all(&root).map_err(io_err("create", &root))?;
    let _lock = lock(&root.join(".lock"), progress, "etcd")?;
    remove_partials(&root)?;

    let pinned = root.join(ETCD);
    match cache_state(&pinned, ETCD, &["etcd"]) {
        CacheState::Valid(_) => return Ok(pinned.join("etcd")),
        CacheState::Unstamped => match etcd_version(&pinned.join("etcd")) {
            Ok(v) if v == ETCD => {
                write_stamp(&pinned, ETCD, &Source::Adopted)?;
                progress.note(&format!(
                    "adopted etcd {ETCD} found in {}",
                    pinned.display()
                ));
                return Ok(pinned.join("etcd"));
            }
            Ok(v) => progress.note(&format!("not using {}: it is etcd {v}", pinned.display())),
            Err(e) => progress.note(&format!("not using {}: {e}", pinned.display())),
        },
        _ => {}
    }
    if let Some(dir) = newest_cached_etcd(&root) {
        return Ok(dir.join("etcd"));
    }

    progress.step("downloading etcd-server from Debian sid");
    let started = Instant::now();
    let partial = new_partial(&root)?;
    // apt-get download runs as the `_apt` user when it can, which must be able to write here.
    fs::set_permissions(
        partial.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .map_err(io_err("chmod", partial.path()))?;
    let out = Command::new("apt-get")
        .args(["download", "etcd-server/sid"])
        .current_dir(partial.path())
        .stdin(Stdio::null())
        .output()
        .map_err(|source| BinariesError::Spawn {
            program: "apt-get".into(),
            source,
        })?;
    let combined = || {
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
        .trim()
        .to_string()
    };
    let deb = fs::read_dir(partial.path())
        .map_err(io_err("read", partial.path()))?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "deb"));
    let deb = match deb {
        Some(deb) if out.status.success() => deb,
        _ => return Err(BinariesError::EtcdDownload { output: combined() }),
    };
    let package = deb
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let extracted = partial.path().join("x");
    let out = Command::new("dpkg-deb")
        .arg("-x")
        .arg(&deb)
        .arg(&extracted)
        .output()
        .map_err(|source| BinariesError::Spawn {
            program: "dpkg-deb".into(),
            source,
        })?;
    if !out.status.success() {
        return Err(BinariesError::EtcdExtract {
            package,
            output: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    let binary = extracted.join("usr/bin/etcd");
    if !binary.is_file() {
        return Err(BinariesError::EtcdNotInPackage { package });
    }
    let etcd = partial.path().join("etcd");
    fs::rename(&binary, &etcd).map_err(io_err("move", &binary))?;
    fs::remove_dir_all(&extracted).map_err(io_err("remove", &extracted))?;
    fs::remove_file(&deb).map_err(io_err("remove", &deb))?;

    let found = etcd_version(&etcd)?;
    if !etcd_supported(&found) {
        return Err(BinariesError::EtcdUnsupported { package, found });
    }
    if found != ETCD {
        progress.note(&format!(
            "Debian sid now ships etcd {found} (crashlab pins {ETCD}); using it"
        ));
    }
    let dest = root.join(&found);
    publish(
        partial,
        &dest,
        &found,
        &Source::Debian {
            package: package.clone(),
        },
    )?;
    progress.done(&format!("etcd {found} from {package}"), started.elapsed());
    Ok(dest.join("etcd"))
}

/// 3.5 at or above the floor the API server needs.
fn etcd_supported(version: &str) -> bool {
    Semver::parse_lenient(version)
        .is_some_and(|v| v.major == 3 && v.minor == 5 && v >= ETCD_MINIMUM)
}

/// The newest valid stamped etcd directory of a supported version other than the pinned one.
fn newest_cached_etcd(root: &Path) -> Option<PathBuf> {
    fs::read_dir(root)
        .ok()?
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let version = Semver::parse_lenient(&name)?;
            let valid = etcd_supported(&name)
                && matches!(
                    cache_state(&e.path(), &name, &["etcd"]),
                    CacheState::Valid(_)
                );
            valid.then(|| (version, e.path()))
        })
        .max_by_key(|(v, _)| *v)
        .map(|(_, p)| p)
}

/// `3.5.30`, from the first line of `etcd --version` (`etcd Version: 3.5.30`).
fn etcd_version(etcd: &Path) -> Result<String> {
    let out = output_retrying(Command::new(etcd).arg("--version").stdin(Stdio::null())).map_err(
        |source| BinariesError::Spawn {
            program: etcd.display().to_string(),
            source,
        },
    )?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("etcd Version:"))
        .map(|v| v.trim().to_string())
        .ok_or_else(|| BinariesError::WrongVersion {
            path: etcd.to_path_buf(),
            expected: format!("etcd Version: {ETCD}"),
            output: text.trim().to_string(),
        })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::os::unix::fs::PermissionsExt;

    use super::*;
    use crate::cluster::local::progress::{Lines, Quiet};
    use crate::cluster::local::versions;

    /// An excerpt of k8s.io/kubernetes v1.34.4's go.mod (the head, a few requires and the
    /// whole replace block), as the Go module proxy serves it.
    const UPSTREAM_V1_34_4: &str = "\
module k8s.io/kubernetes

go 1.24.0

godebug default=go1.24

require (
\tbitbucket.org/bertimus9/systemstat v0.5.0
\tgithub.com/JeffAshton/win_pdh v0.0.0-20161109143554-76bb4ee9f0ab
\tk8s.io/api v0.0.0
\tsigs.k8s.io/kustomize/kyaml v0.20.1 // indirect
)

replace (
\tk8s.io/api => ./staging/src/k8s.io/api
\tk8s.io/apiextensions-apiserver => ./staging/src/k8s.io/apiextensions-apiserver
\tk8s.io/apimachinery => ./staging/src/k8s.io/apimachinery
\tk8s.io/apiserver => ./staging/src/k8s.io/apiserver
\tk8s.io/cli-runtime => ./staging/src/k8s.io/cli-runtime
\tk8s.io/client-go => ./staging/src/k8s.io/client-go
\tk8s.io/cloud-provider => ./staging/src/k8s.io/cloud-provider
\tk8s.io/cluster-bootstrap => ./staging/src/k8s.io/cluster-bootstrap
\tk8s.io/code-generator => ./staging/src/k8s.io/code-generator
\tk8s.io/component-base => ./staging/src/k8s.io/component-base
\tk8s.io/component-helpers => ./staging/src/k8s.io/component-helpers
\tk8s.io/controller-manager => ./staging/src/k8s.io/controller-manager
\tk8s.io/cri-api => ./staging/src/k8s.io/cri-api
\tk8s.io/cri-client => ./staging/src/k8s.io/cri-client
\tk8s.io/csi-translation-lib => ./staging/src/k8s.io/csi-translation-lib
\tk8s.io/dynamic-resource-allocation => ./staging/src/k8s.io/dynamic-resource-allocation
\tk8s.io/endpointslice => ./staging/src/k8s.io/endpointslice
\tk8s.io/externaljwt => ./staging/src/k8s.io/externaljwt
\tk8s.io/kms => ./staging/src/k8s.io/kms
\tk8s.io/kube-aggregator => ./staging/src/k8s.io/kube-aggregator
\tk8s.io/kube-controller-manager => ./staging/src/k8s.io/kube-controller-manager
\tk8s.io/kube-proxy => ./staging/src/k8s.io/kube-proxy
\tk8s.io/kube-scheduler => ./staging/src/k8s.io/kube-scheduler
\tk8s.io/kubectl => ./staging/src/k8s.io/kubectl
\tk8s.io/kubelet => ./staging/src/k8s.io/kubelet
\tk8s.io/metrics => ./staging/src/k8s.io/metrics
\tk8s.io/mount-utils => ./staging/src/k8s.io/mount-utils
\tk8s.io/pod-security-admission => ./staging/src/k8s.io/pod-security-admission
\tk8s.io/sample-apiserver => ./staging/src/k8s.io/sample-apiserver
\tk8s.io/sample-cli-plugin => ./staging/src/k8s.io/sample-cli-plugin
\tk8s.io/sample-controller => ./staging/src/k8s.io/sample-controller
)
";

    fn v1_34() -> &'static Release {
        versions::resolve("1.34").unwrap()
    }

    #[test]
    fn reads_upstream_go_mod() {
        let up = parse_upstream_go_mod(UPSTREAM_V1_34_4).unwrap();
        assert_eq!(up.go, "1.24.0");
        assert_eq!(up.godebug, ["default=go1.24"]);
        assert_eq!(up.staging.len(), 31);
        assert_eq!(up.staging.first().unwrap(), "k8s.io/api");
        assert_eq!(up.staging.last().unwrap(), "k8s.io/sample-controller");
    }

    #[test]
    fn wrapper_go_mod_pins_every_staging_module() {
        let up = parse_upstream_go_mod(UPSTREAM_V1_34_4).unwrap();
        let expected = String::from(
            "// Generated by crashlab: builds the commands of k8s.io/kubernetes v1.34.4 from the Go module\n\
             // proxy, with each ./staging module of upstream's go.mod pinned to its published release.\n\
             module crashlab.dev/k8sbin\n\
             \n\
             go 1.24.0\n\
             \n\
             godebug default=go1.24\n\
             \n\
             require k8s.io/kubernetes v1.34.4\n\
             \n\
             replace (\n",
        ) + "\tk8s.io/api => k8s.io/api v0.34.4\n\
             \tk8s.io/apiextensions-apiserver => k8s.io/apiextensions-apiserver v0.34.4\n\
             \tk8s.io/apimachinery => k8s.io/apimachinery v0.34.4\n\
             \tk8s.io/apiserver => k8s.io/apiserver v0.34.4\n\
             \tk8s.io/cli-runtime => k8s.io/cli-runtime v0.34.4\n\
             \tk8s.io/client-go => k8s.io/client-go v0.34.4\n\
             \tk8s.io/cloud-provider => k8s.io/cloud-provider v0.34.4\n\
             \tk8s.io/cluster-bootstrap => k8s.io/cluster-bootstrap v0.34.4\n\
             \tk8s.io/code-generator => k8s.io/code-generator v0.34.4\n\
             \tk8s.io/component-base => k8s.io/component-base v0.34.4\n\
             \tk8s.io/component-helpers => k8s.io/component-helpers v0.34.4\n\
             \tk8s.io/controller-manager => k8s.io/controller-manager v0.34.4\n\
             \tk8s.io/cri-api => k8s.io/cri-api v0.34.4\n\
             \tk8s.io/cri-client => k8s.io/cri-client v0.34.4\n\
             \tk8s.io/csi-translation-lib => k8s.io/csi-translation-lib v0.34.4\n\
             \tk8s.io/dynamic-resource-allocation => k8s.io/dynamic-resource-allocation v0.34.4\n\
             \tk8s.io/endpointslice => k8s.io/endpointslice v0.34.4\n\
             \tk8s.io/externaljwt => k8s.io/externaljwt v0.34.4\n\
             \tk8s.io/kms => k8s.io/kms v0.34.4\n\
             \tk8s.io/kube-aggregator => k8s.io/kube-aggregator v0.34.4\n\
             \tk8s.io/kube-controller-manager => k8s.io/kube-controller-manager v0.34.4\n\
             \tk8s.io/kube-proxy => k8s.io/kube-proxy v0.34.4\n\
             \tk8s.io/kube-scheduler => k8s.io/kube-scheduler v0.34.4\n\
             \tk8s.io/kubectl => k8s.io/kubectl v0.34.4\n\
             \tk8s.io/kubelet => k8s.io/kubelet v0.34.4\n\
             \tk8s.io/metrics => k8s.io/metrics v0.34.4\n\
             \tk8s.io/mount-utils => k8s.io/mount-utils v0.34.4\n\
             \tk8s.io/pod-security-admission => k8s.io/pod-security-admission v0.34.4\n\
             \tk8s.io/sample-apiserver => k8s.io/sample-apiserver v0.34.4\n\
             \tk8s.io/sample-cli-plugin => k8s.io/sample-cli-plugin v0.34.4\n\
             \tk8s.io/sample-controller => k8s.io/sample-controller v0.34.4\n\
             "
            + ")\n";
        assert_eq!(wrapper_go_mod(v1_34(), &up), expected);
    }

    #[test]
    fn upstream_go_mod_variants() {
        let single = "module k8s.io/kubernetes\ngo 1.25.0 // comment\n\
                      godebug (\n\tdefault=go1.25\n\twinsymlink=0\n)\n\
                      replace k8s.io/api v0.0.0 => ./staging/src/k8s.io/api\n\
                      replace github.com/x/y => github.com/x/y v1.0.0\n";
        let up = parse_upstream_go_mod(single).unwrap();
        assert_eq!(up.go, "1.25.0");
        assert_eq!(up.godebug, ["default=go1.25", "winsymlink=0"]);
        assert_eq!(up.staging, ["k8s.io/api"]);
        assert_eq!(
            parse_upstream_go_mod("module x\n").unwrap_err(),
            "no go directive"
        );
        assert_eq!(
            parse_upstream_go_mod("module x\ngo 1.24\n").unwrap_err(),
            "no replace directives pointing at ./staging"
        );
    }

    #[test]
    fn ldflags_stamp_both_version_packages() {
        let flags = version_ldflags(v1_34(), "2026-02-10T12:53:36Z");
        assert!(flags.starts_with("-s -w -X k8s.io/component-base/version.gitVersion=v1.34.4 "));
        assert!(flags.contains(" -X k8s.io/client-go/pkg/version.gitVersion=v1.34.4 "));
        assert!(flags.contains(" -X k8s.io/component-base/version.gitMinor=34 "));
        assert!(flags.ends_with(" -X k8s.io/client-go/pkg/version.buildDate=2026-02-10T12:53:36Z"));
        assert_eq!(flags.matches("-X ").count(), 12);
    }

    #[test]
    fn release_url_settings() {
        assert_eq!(release_url_setting("off"), None);
        assert_eq!(release_url_setting(" "), None);
        assert_eq!(
            release_url_setting("http://mirror/k8s/"),
            Some("http://mirror/k8s".to_string())
        );
        assert_eq!(
            release_url(DEFAULT_RELEASE_URL, v1_34(), "amd64", "kubelet"),
            "https://dl.k8s.io/release/v1.34.4/bin/linux/amd64/kubelet"
        );
    }

    fn write_exe(path: &Path, script: &str) {
        fs::write(path, script).unwrap();
        fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// Shell scripts that answer the version probes like the real commands.
    fn fake_command(command: &str, version: &str) -> String {
        if command == "kubectl" {
            format!(
                "#!/bin/sh\necho 'Client Version: {version}'\necho 'Kustomize Version: v5.7.1'\n"
            )
        } else if command == "kubeadm" {
            format!("#!/bin/sh\necho '{version}'\n")
        } else {
            format!("#!/bin/sh\necho 'Kubernetes {version}'\n")
        }
    }

    fn fake_bin_dir(dir: &Path, version: &str) {
        fs::create_dir_all(dir).unwrap();
        for c in KUBERNETES_COMMANDS {
            write_exe(&dir.join(c), &fake_command(c, version));
        }
    }

    /// Options that can neither download nor build.
    fn offline(cache: &Path) -> Options {
        Options {
            release_url: None,
            go: Some(cache.join("no-go")),
            ..Options::with_cache_dir(cache)
        }
    }

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

    #[test]
    fn unstamped_binaries_are_adopted_when_their_version_matches() {
        let cache = tempfile::tempdir().unwrap();
        let bin = cache.path().join("kubernetes/v1.34.4/bin");
        fake_bin_dir(&bin, "v1.34.4");
        let mut progress = Lines::new(Vec::new());
        let found = ensure_kubernetes(v1_34(), &offline(cache.path()), &mut progress).unwrap();
        assert_eq!(found.source, Source::Adopted);
        assert_eq!(found.kubelet, bin.join("kubelet"));
        assert!(matches!(
            cache_state(&bin, "v1.34.4", &KUBERNETES_COMMANDS),
            CacheState::Valid(_)
        ));
        let said = String::from_utf8(progress.into_inner()).unwrap();
        assert_eq!(
            said,
            format!(
                "    adopted Kubernetes v1.34.4 found in {}\n",
                bin.display()
            )
        );
    }

    #[test]
    fn unstamped_binaries_of_another_version_are_not_used() {
        let cache = tempfile::tempdir().unwrap();
        let bin = cache.path().join("kubernetes/v1.34.4/bin");
        fake_bin_dir(&bin, "v0.0.0-master+$Format:%H$");
        let err = ensure_kubernetes(v1_34(), &offline(cache.path()), &mut Quiet).unwrap_err();
        assert!(
            matches!(&err, BinariesError::GoNotFound { no_download: Some(r), .. } if r.contains("=off")),
            "{err}"
        );
        assert!(matches!(
            cache_state(&bin, "v1.34.4", &KUBERNETES_COMMANDS),
            CacheState::Unstamped
        ));
    }

    /// A one-thread HTTP/1.1 server on loopback serving `files` by path.
    fn serve(files: HashMap<String, Vec<u8>>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                let _ = reader.read_line(&mut request);
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                        break;
                    }
                }
                let path = request.split_whitespace().nth(1).unwrap_or("/");
                let (status, body) = match files.get(path) {
                    Some(body) => ("200 OK", body.as_slice()),
                    None => ("404 Not Found", &b""[..]),
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(body);
            }
        });
        format!("http://{addr}/release")
    }

    fn release_files(version: &str, tamper: Option<&str>) -> HashMap<String, Vec<u8>> {
        let arch = release_arch().unwrap();
        let mut files = HashMap::new();
        for c in KUBERNETES_COMMANDS {
            let body = fake_command(c, version).into_bytes();
            let mut sum = hex::encode(Sha256::digest(&body));
            if tamper == Some(c) {
                sum = hex::encode(Sha256::digest(b"something else"));
            }
            let path = format!("/release/{version}/bin/linux/{arch}/{c}");
            files.insert(format!("{path}.sha256"), sum.into_bytes());
            files.insert(path, body);
        }
        files
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn downloads_verify_checksums_then_hit_the_cache() {
        let base = serve(release_files("v1.34.4", None));
        let cache = tempfile::tempdir().unwrap();
        let options = Options {
            release_url: Some(base.clone()),
            ..offline(cache.path())
        };
        let got = ensure_kubernetes(v1_34(), &options, &mut Quiet).unwrap();
        assert_eq!(got.source, Source::Release { url: base.clone() });
        assert_eq!(
            fs::read_to_string(&got.kubelet).unwrap(),
            fake_command("kubelet", "v1.34.4")
        );
        assert_eq!(
            leftovers(&cache.path().join("kubernetes/v1.34.4")),
            [".lock", "bin"]
        );

        // Second time: from the cache, without asking the server.
        let offline_again = offline(cache.path());
        let again = ensure_kubernetes(v1_34(), &offline_again, &mut Quiet).unwrap();
        assert_eq!(again, got);
    }

    #[test]
    fn a_checksum_mismatch_stops_and_leaves_no_cache() {
        let base = serve(release_files("v1.34.4", Some("kube-scheduler")));
        let cache = tempfile::tempdir().unwrap();
        let options = Options {
            release_url: Some(base.clone()),
            ..offline(cache.path())
        };
        let err = ensure_kubernetes(v1_34(), &options, &mut Quiet).unwrap_err();
        let arch = release_arch().unwrap();
        match &err {
            BinariesError::Checksum {
                url,
                expected,
                actual,
            } => {
                assert_eq!(
                    url,
                    &format!("{base}/v1.34.4/bin/linux/{arch}/kube-scheduler")
                );
                assert_eq!(expected, &hex::encode(Sha256::digest(b"something else")));
                assert_eq!(
                    actual,
                    &hex::encode(Sha256::digest(fake_command("kube-scheduler", "v1.34.4")))
                );
            }
            other => panic!("expected a checksum error, got {other}"),
        }
        assert!(
            err.to_string()
                .starts_with("checksum mismatch for http://127.0.0.1:")
        );
        assert_eq!(
            leftovers(&cache.path().join("kubernetes/v1.34.4")),
            [".lock"]
        );
    }

    #[test]
    fn an_unreachable_mirror_falls_back_to_the_go_build() {
        // Port 1 on loopback refuses at once: the same path as a host without internet.
        let cache = tempfile::tempdir().unwrap();
        let options = Options {
            release_url: Some("http://127.0.0.1:1/release".into()),
            ..offline(cache.path())
        };
        let mut progress = Lines::new(Vec::new());
        let err = ensure_kubernetes(v1_34(), &options, &mut progress).unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with(&format!(
                "go not found at {} and http://127.0.0.1:1/release is unreachable (",
                cache.path().join("no-go").display()
            )),
            "{message}"
        );
        assert!(message.ends_with(
            "): install Go ≥1.24.0 (apt-get install golang-go is too old on bookworm) or set \
             CRASHLAB_K8S_RELEASE_URL to a reachable mirror of https://dl.k8s.io/release"
        ));
        let said = String::from_utf8(progress.into_inner()).unwrap();
        assert!(
            said.ends_with("; building from Go modules instead\n"),
            "{said}"
        );
    }

    #[test]
    fn a_release_missing_from_the_mirror_falls_back_too() {
        let base = serve(HashMap::new());
        let cache = tempfile::tempdir().unwrap();
        let options = Options {
            release_url: Some(base.clone()),
            ..offline(cache.path())
        };
        let err = ensure_kubernetes(v1_34(), &options, &mut Quiet).unwrap_err();
        assert!(
            err.to_string()
                .contains("kube-apiserver.sha256 answered HTTP 404: install Go"),
            "{err}"
        );
    }

    /// A stand-in for `go`: `env GOVERSION` prints `version`, `mod download` answers with
    /// `mod_json`, `build` runs `build` (a shell snippet; `$out` is the `-o` directory) after
    /// saving its arguments to `<dir>/build-args`.
    fn fake_go(dir: &Path, version: &str, mod_json: &str, build: &str) -> PathBuf {
        let go = dir.join("go");
        write_exe(
            &go,
            &format!(
                "#!/bin/sh
                 case \"$1\" in
                 env) echo {version} ;;
                 mod) echo '{mod_json}'; case '{mod_json}' in *Error*) exit 1 ;; esac ;;
                 build) printf '%s\\n' \"$@\" > {dir}/build-args
                   while [ \"$1\" != -o ]; do shift; done; out=$2
                   {build} ;;
                 esac
",
                dir = dir.display()
            ),
        );
        go
    }

    /// Upstream's go.mod and .info where `go mod download` would leave them.
    fn module_files(dir: &Path) -> String {
        fs::write(dir.join("v1.34.4.mod"), UPSTREAM_V1_34_4).unwrap();
        fs::write(
            dir.join("v1.34.4.info"),
            r#"{"Version":"v1.34.4","Time":"2026-02-10T12:53:36Z"}"#,
        )
        .unwrap();
        format!(
            r#"{{"Path":"k8s.io/kubernetes","Version":"v1.34.4","GoMod":"{0}/v1.34.4.mod","Info":"{0}/v1.34.4.info"}}"#,
            dir.display()
        )
    }

    #[test]
    fn go_build_writes_the_wrapper_module_and_publishes_its_output() {
        let cache = tempfile::tempdir().unwrap();
        let json = module_files(cache.path());
        let mut build = String::from("echo k8s.io/kubernetes/cmd/kubelet >&2\n");
        for c in KUBERNETES_COMMANDS {
            let script = fake_command(c, "v1.34.4").replace('\'', "'\\''");
            build +=
                &format!("printf '%s' '{script}' > \"${{out}}{c}\"; chmod 755 \"${{out}}{c}\"\n");
        }
        let go = fake_go(cache.path(), "go1.26.8", &json, &build);
        let options = Options {
            go: Some(go),
            ..offline(cache.path())
        };
        let got = ensure_kubernetes(v1_34(), &options, &mut Quiet).unwrap();
        assert_eq!(
            got.source,
            Source::GoBuild {
                go: "go1.26.8".into()
            }
        );

        let root = cache.path().join("kubernetes/v1.34.4");
        assert_eq!(leftovers(&root), [".lock", "bin", "build.log", "src"]);
        let up = parse_upstream_go_mod(UPSTREAM_V1_34_4).unwrap();
        assert_eq!(
            fs::read_to_string(root.join("src/go.mod")).unwrap(),
            wrapper_go_mod(v1_34(), &up)
        );
        let args = fs::read_to_string(cache.path().join("build-args")).unwrap();
        let args: Vec<&str> = args.lines().collect();
        assert_eq!(
            args[..5],
            ["build", "-v", "-mod=mod", "-trimpath", "-ldflags"]
        );
        assert_eq!(args[5], version_ldflags(v1_34(), "2026-02-10T12:53:36Z"));
        assert_eq!(args[8], "k8s.io/kubernetes/cmd/kube-apiserver");
        let log = fs::read_to_string(root.join("build.log")).unwrap();
        assert!(
            log.contains("\nk8s.io/kubernetes/cmd/kubelet\n# exit status: 0 after "),
            "{log}"
        );
    }

    #[test]
    fn a_failed_go_build_shows_the_log_tail_and_leaves_no_cache() {
        let cache = tempfile::tempdir().unwrap();
        let json = module_files(cache.path());
        let build = "echo 'k8s.io/kubernetes/pkg/kubelet' >&2; echo 'pkg/kubelet/kubelet.go:1:1: expected package' >&2; exit 1";
        let go = fake_go(cache.path(), "go1.26.8", &json, build);
        let options = Options {
            go: Some(go),
            ..offline(cache.path())
        };
        let err = ensure_kubernetes(v1_34(), &options, &mut Quiet).unwrap_err();
        let root = cache.path().join("kubernetes/v1.34.4");
        let message = err.to_string();
        assert!(
            message.starts_with(&format!(
                "go build of kubernetes v1.34.4 failed (exit status: 1); full log: {}\nlast lines:\n",
                root.join("build.log").display()
            )),
            "{message}"
        );
        assert!(
            message.contains("\nk8s.io/kubernetes/pkg/kubelet\npkg/kubelet/kubelet.go:1:1: expected package\n# exit status: 1 after "),
            "{message}"
        );
        assert_eq!(leftovers(&root), [".lock", "build.log", "src"]);
    }

    #[test]
    fn go_older_than_the_go_directive_is_refused() {
        let cache = tempfile::tempdir().unwrap();
        let go = fake_go(cache.path(), "go1.22.1", "{}", "exit 1");
        let options = Options {
            go: Some(go),
            ..offline(cache.path())
        };
        let err = ensure_kubernetes(v1_34(), &options, &mut Quiet).unwrap_err();
        assert_eq!(
            err.to_string(),
            "go1.22.1 is too old to build kubernetes v1.34.4, which needs go ≥1.24.0: install a newer Go or set \
             CRASHLAB_K8S_RELEASE_URL to a reachable mirror of https://dl.k8s.io/release"
        );
    }

    #[test]
    fn a_module_the_proxy_refuses_is_reported() {
        let cache = tempfile::tempdir().unwrap();
        let refusal = r#"{"Path":"k8s.io/kubernetes","Version":"v1.34.4","Error":"k8s.io/kubernetes@v1.34.4: reading https://proxy.golang.org/k8s.io/kubernetes/@v/v1.34.4.info: 403 Forbidden"}"#;
        let go = fake_go(cache.path(), "go1.26.8", refusal, "exit 1");
        let options = Options {
            go: Some(go),
            ..offline(cache.path())
        };
        let err = ensure_kubernetes(v1_34(), &options, &mut Quiet).unwrap_err();
        assert!(
            err.to_string().starts_with(
                "cannot fetch k8s.io/kubernetes@v1.34.4 from the Go module proxy: k8s.io/kubernetes@v1.34.4: \
                 reading https://proxy.golang.org/k8s.io/kubernetes/@v/v1.34.4.info: 403 Forbidden (is the proxy"
            ),
            "{err}"
        );
    }

    #[test]
    fn checksum_files_and_verification() {
        let sum = "6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b";
        assert_eq!(parse_sha256_file(sum).as_deref(), Some(sum));
        assert_eq!(
            parse_sha256_file(&format!("{}  kubelet\n", sum.to_uppercase())).as_deref(),
            Some(sum)
        );
        assert_eq!(parse_sha256_file("<html>not found</html>"), None);
        assert_eq!(parse_sha256_file(""), None);

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("one");
        fs::write(&file, "1").unwrap();
        verify_sha256(&file, sum).unwrap();
        let err = verify_sha256(&file, &"0".repeat(64)).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "checksum mismatch for {}: expected sha256 {}, got {sum}; refusing to use it (is the mirror corrupt?)",
                file.display(),
                "0".repeat(64)
            )
        );
    }

    #[test]
    fn etcd_versions() {
        assert!(etcd_supported("3.5.30"));
        assert!(etcd_supported("3.5.13"));
        assert!(!etcd_supported("3.5.12"));
        assert!(!etcd_supported("3.4.23"));
        assert!(!etcd_supported("3.6.5"));

        let cache = tempfile::tempdir().unwrap();
        let dir = cache.path().join("etcd").join(ETCD);
        fs::create_dir_all(&dir).unwrap();
        write_exe(
            &dir.join("etcd"),
            &format!("#!/bin/sh\necho 'etcd Version: {ETCD}'\necho 'Git SHA: Not provided'\n"),
        );
        let etcd = ensure_etcd(&offline(cache.path()), &mut Quiet).unwrap();
        assert_eq!(etcd, dir.join("etcd"));
        assert!(matches!(
            cache_state(&dir, ETCD, &["etcd"]),
            CacheState::Valid(Stamp {
                source: Source::Adopted,
                ..
            })
        ));
    }

    #[test]
    fn a_newer_stamped_etcd_is_used_when_the_pinned_one_is_absent() {
        let cache = tempfile::tempdir().unwrap();
        let dir = cache.path().join("etcd/3.5.31");
        fs::create_dir_all(&dir).unwrap();
        write_exe(
            &dir.join("etcd"),
            "#!/bin/sh\necho 'etcd Version: 3.5.31'\n",
        );
        write_stamp(
            &dir,
            "3.5.31",
            &Source::Debian {
                package: "etcd-server_3.5.31-1_amd64.deb".into(),
            },
        )
        .unwrap();
        assert_eq!(
            ensure_etcd(&offline(cache.path()), &mut Quiet).unwrap(),
            dir.join("etcd")
        );
    }

    /// On a prepared machine: `cargo test -- --ignored real_machine`. Uses the real cache.
    #[test]
    #[ignore = "needs the real cache under ~/.cache/crashlab"]
    fn real_machine_kubernetes_v1_34_from_cache() {
        let options = Options {
            release_url: None,
            ..Options::from_env().unwrap()
        };
        let started = Instant::now();
        let mut progress = Lines::new(std::io::stderr());
        let got = ensure_kubernetes(v1_34(), &options, &mut progress).unwrap();
        eprintln!("{got:#?}\nin {:?}", started.elapsed());
        verify_kubernetes_versions(&got.dir, v1_34()).unwrap();
    }

    #[test]
    #[ignore = "needs the real cache under ~/.cache/crashlab"]
    fn real_machine_etcd_from_cache() {
        let options = Options::from_env().unwrap();
        let etcd = ensure_etcd(&options, &mut Lines::new(std::io::stderr())).unwrap();
        eprintln!(
            "{} reports {}",
            etcd.display(),
            etcd_version(&etcd).unwrap()
        );
        assert_eq!(etcd_version(&etcd).unwrap(), ETCD);
    }
}
