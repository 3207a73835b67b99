//! Prometheus's own `promtool`: given (`--promtool PATH`, `CRASHLAB_PROMTOOL`), else from the
//! cache (`<cache>/promtool/<version>/promtool`), else built there from the Go module proxy
//! (`go install github.com/prometheus/prometheus/cmd/promtool@<version>`), like the Kubernetes
//! binaries. A promtool on PATH is not picked up: results must not depend on whichever
//! version happens to be installed. The directory appears by rename once the build is done,
//! so an interrupted build leaves no half cache behind.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use super::alerts_error::{AlertsError, Result};

pub use super::promtool_version::PROMTOOL_VERSION;
const PACKAGE: &str = "github.com/prometheus/prometheus/cmd/promtool";
/// A promtool to use instead of the cached one.
pub const ENV_PROMTOOL: &str = "CRASHLAB_PROMTOOL";

/// A promtool that answered `--version`.
#[derive(Debug, Clone)]
pub struct Promtool {
    pub path: PathBuf,
    /// The first line of `promtool --version`.
    pub version: String,
}

/// The cache root, as for the Kubernetes binaries: `CRASHLAB_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/crashlab`, else `~/.cache/crashlab`.
pub fn cache_root() -> PathBuf {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var("CRASHLAB_CACHE_DIR")
        .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("crashlab")))
        .or_else(|| var("HOME").map(|h| h.join(".cache").join("crashlab")))
        .unwrap_or_else(|| PathBuf::from("/var/cache/crashlab"))
}

/// Where the pinned promtool is cached below `root`.
pub fn cached_promtool(root: &Path) -> PathBuf {
    root.join("promtool")
        .join(PROMTOOL_VERSION)
        .join("promtool")
}

/// The promtool to use: `explicit` (or `CRASHLAB_PROMTOOL`), else the cached one, else one
/// built now (minutes; progress lines go to stderr).
pub fn ensure_promtool(explicit: Option<&Path>) -> Result<Promtool> {
    let explicit = explicit.map(Path::to_path_buf).or_else(|| {
        std::env::var_os(ENV_PROMTOOL)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    });
    if let Some(path) = explicit {
        return probe(&path);
    }
    let root = cache_root();
    let cached = cached_promtool(&root);
    if cached.is_file() {
        return probe(&cached);
    }
    build(&root, &cached)?;
    probe(&cached)
}

fn probe(path: &Path) -> Result<Promtool> {
    let not_runnable = |message: String| AlertsError::NotRunnable {
        path: path.to_path_buf(),
        message,
    };
    let out = Command::new(path)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| not_runnable(e.to_string()))?;
    if !out.status.success() {
        return Err(not_runnable(format!(
            "--version exited with {}",
            out.status
        )));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(Promtool {
        path: path.to_path_buf(),
        version: text.lines().next().unwrap_or_default().trim().to_owned(),
    })
}

/// `3.16.0` for `v0.316.0`.
fn prometheus_version(module: &str) -> Option<String> {
    let rest = module.strip_prefix("v0.")?;
    let (minor, patch) = rest.split_once('.')?;
    let minor: u32 = minor.parse().ok()?;
    Some(format!("{}.{}.{patch}", minor / 100, minor % 100))
}

fn find_go() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("go"))
        .find(|p| p.is_file())
}

fn build(root: &Path, dest: &Path) -> Result<()> {
    let go = find_go().ok_or_else(|| AlertsError::GoNotFound {
        cached: dest.to_path_buf(),
    })?;
    let parent = root.join("promtool");
    let io = |action: &'static str, path: &Path| {
        let path = path.to_path_buf();
        move |source| AlertsError::Io {
            action,
            path,
            source,
        }
    };
    fs::create_dir_all(&parent).map_err(io("create", &parent))?;
    // One build at a time on this machine; whoever waited finds the finished one.
    let lock_path = parent.join(".lock");
    let lock_file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(io("open", &lock_path))?;
    let _lock = nix::fcntl::Flock::lock(lock_file, nix::fcntl::FlockArg::LockExclusive).map_err(
        |(_, e)| AlertsError::Io {
            action: "lock",
            path: lock_path.clone(),
            source: e.into(),
        },
    )?;
    if dest.is_file() {
        return Ok(());
    }
    let partial = tempfile::Builder::new()
        .prefix(".partial-")
        .tempdir_in(&parent)
        .map_err(io("create a directory in", &parent))?;
    let log_path = parent.join(format!("{PROMTOOL_VERSION}.build.log"));
    let log = File::create(&log_path).map_err(io("create", &log_path))?;
    let log_err = log.try_clone().map_err(io("open", &log_path))?;
    let mut ldflags = "-s -w".to_owned();
    if let Some(v) = prometheus_version(PROMTOOL_VERSION) {
        ldflags += &format!(" -X github.com/prometheus/common/version.Version={v}");
    }
    eprintln!(
        "crashlab: building promtool from {PACKAGE}@{PROMTOOL_VERSION} (Go module proxy; takes minutes; log: {})",
        log_path.display()
    );
    let started = Instant::now();
    let status = Command::new(&go)
        // `remove_all_sd` leaves out the service discovery plugins (cloud SDKs), which rule
        // tests never use: upstream's build tag, and a far shorter build.
        .args([
            "install",
            "-trimpath",
            "-tags",
            "remove_all_sd",
            "-ldflags",
            &ldflags,
        ])
        .arg(format!("{PACKAGE}@{PROMTOOL_VERSION}"))
        .env("GOBIN", partial.path())
        .env("GOTOOLCHAIN", "local")
        .env("GOWORK", "off")
        .env("CGO_ENABLED", "0")
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err)
        .status()
        .map_err(io("run", &go))?;
    if !status.success() || !partial.path().join("promtool").is_file() {
        let text = fs::read_to_string(&log_path).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        return Err(AlertsError::BuildFailed {
            status: status.to_string(),
            tail: lines[lines.len().saturating_sub(20)..].join("\n"),
            log: log_path,
        });
    }
    let dir = dest.parent().expect("the cached promtool has a directory");
    let built = partial.keep();
    if let Err(e) = fs::rename(&built, dir) {
        let _ = fs::remove_dir_all(&built);
        // Another crashlab finished the same build first.
        if !dest.is_file() {
            return Err(AlertsError::Io {
                action: "rename into",
                path: dir.to_path_buf(),
                source: e,
            });
        }
    }
    eprintln!(
        "crashlab: promtool built in {:.0}s: {}",
        started.elapsed().as_secs_f64(),
        dest.display()
    );
    Ok(())
}

impl Promtool {
    /// `promtool check rules FILE`: promtool's own message when it rejects the file.
    pub fn check_rules(&self, rules: &Path) -> Result<()> {
        let out = self.run(&["check", "rules"], rules)?;
        if out.status.success() {
            return Ok(());
        }
        Err(AlertsError::RulesRejected {
            path: rules.to_path_buf(),
            output: combined(&out),
        })
    }

    /// `promtool test rules FILE`.
    pub fn test_rules(&self, test_file: &Path) -> Result<Output> {
        self.run(&["test", "rules"], test_file)
    }

    fn run(&self, args: &[&str], file: &Path) -> Result<Output> {
        Command::new(&self.path)
            .args(args)
            .arg(file)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| AlertsError::NotRunnable {
                path: self.path.clone(),
                message: e.to_string(),
            })
    }
}

/// stdout then stderr, trimmed.
pub fn combined(out: &Output) -> String {
    let mut text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let err = String::from_utf8_lossy(&out.stderr);
    if !err.trim().is_empty() {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(err.trim());
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_version_maps_to_the_prometheus_release() {
        assert_eq!(prometheus_version("v0.316.0").as_deref(), Some("3.16.0"));
        assert_eq!(prometheus_version("v0.300.1").as_deref(), Some("3.0.1"));
        assert_eq!(prometheus_version("v3.1.0"), None);
    }
}
