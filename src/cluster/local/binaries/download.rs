//! The release download: official binaries (or a mirror's), each checked against its sha256.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::cache::{KUBERNETES_COMMANDS, Source};
use super::error::{BinariesError, Result, io_err};
use super::options::Options;
use crate::cluster::local::versions::Release;
use crate::cluster::progress::Progress;

/// Why the download did not produce binaries.
pub(super) enum Fetch {
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
pub(super) fn release_arch() -> Option<&'static str> {
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

pub(super) fn download_release(
    base: &str,
    release: &Release,
    dest: &Path,
    options: &Options,
    progress: &mut dyn Progress,
) -> Result<Source, Fetch> {
    let Some(arch) = release_arch() else {
        return Err(Fetch::Unavailable(format!(
            "Kubernetes publishes no release binaries for {}",
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

    // The first checksum doubles as the reachability probe: no answer, or an answer without
    // this release, means "not here", and the Go build takes over.
    let probe_url = release_url(base, release, arch, KUBERNETES_COMMANDS[0]) + ".sha256";
    let first_sum = match agent.get(&probe_url).call() {
        Ok(mut response) => read_checksum(&probe_url, &mut response)?,
        Err(ureq::Error::StatusCode(code)) => {
            return Err(Fetch::Unavailable(format!(
                "release host {base} has no Kubernetes {release} ({probe_url} answered HTTP {code})"
            )));
        }
        Err(e) => {
            return Err(Fetch::Unavailable(format!(
                "release host {base} not reachable ({})",
                why_unreachable(&e, options.connect_timeout)
            )));
        }
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

/// Why a host did not answer, in a few words.
fn why_unreachable(e: &ureq::Error, connect_timeout: Duration) -> String {
    match e {
        ureq::Error::Io(io) if io.kind() == io::ErrorKind::ConnectionRefused => {
            "connection refused".to_owned()
        }
        ureq::Error::Io(io) => io.to_string(),
        ureq::Error::Timeout(ureq::Timeout::Resolve | ureq::Timeout::Connect) => {
            format!("no connection within {}s", connect_timeout.as_secs())
        }
        other => other.to_string(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::local::binaries::DEFAULT_RELEASE_URL;
    use crate::cluster::local::binaries::fixtures::v1_34;

    #[test]
    fn release_urls() {
        assert_eq!(
            release_url(DEFAULT_RELEASE_URL, v1_34(), "amd64", "kubelet"),
            "https://dl.k8s.io/release/v1.34.4/bin/linux/amd64/kubelet"
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
                "checksum mismatch for {}: expected sha256 {}, got {sum}; refusing to use it",
                file.display(),
                "0".repeat(64)
            )
        );
    }
}
