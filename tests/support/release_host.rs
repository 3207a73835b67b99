//! A Kubernetes release host on loopback, for the tests of the release download: a directory
//! in the official layout (`<version>/bin/linux/<arch>/<command>` and `<command>.sha256`)
//! served over HTTP/1.1 from 127.0.0.1, which records every path it is asked for. Nothing
//! reaches beyond this machine. The unit tests of `src/cluster/local/binaries` include this
//! file too (`#[path]`), so that both kinds of test serve releases the same way.

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

/// A release host serving a temporary directory; it lives as long as the test process.
pub struct ReleaseHost {
    /// `http://127.0.0.1:PORT/release`.
    pub base: String,
    root: tempfile::TempDir,
    asked: Arc<Mutex<Vec<String>>>,
}

impl ReleaseHost {
    /// An empty release host: every path answers 404 until files are published.
    pub fn start() -> ReleaseHost {
        let root = tempfile::tempdir().unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}/release", listener.local_addr().unwrap());
        let asked = Arc::new(Mutex::new(Vec::new()));
        let (dir, log) = (root.path().to_path_buf(), Arc::clone(&asked));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                // A client that hangs up early is its own business.
                let _ = answer(stream, &dir, &log);
            }
        });
        ReleaseHost { base, root, asked }
    }

    /// Publishes `body` as `<version>/bin/linux/<arch>/<command>`, with the `.sha256` of
    /// `checksum_of` (the same bytes, unless a test wants them to differ).
    pub fn publish(
        &self,
        version: &str,
        arch: &str,
        command: &str,
        body: &[u8],
        checksum_of: &[u8],
    ) {
        let path = self.path_of(version, arch, command);
        // Never through a link that `publish_file` made.
        let _ = fs::remove_file(&path);
        fs::write(&path, body).unwrap();
        write_sha256(&path, &hex::encode(Sha256::digest(checksum_of)));
    }

    /// Publishes the file at `source` (a symbolic link, so large binaries are not copied) with
    /// its checksum, as the release host publishes it.
    pub fn publish_file(&self, version: &str, arch: &str, command: &str, source: &Path) {
        let path = self.path_of(version, arch, command);
        std::os::unix::fs::symlink(source, &path).unwrap();
        let mut hasher = Sha256::new();
        io::copy(&mut File::open(source).unwrap(), &mut hasher).unwrap();
        write_sha256(&path, &hex::encode(hasher.finalize()));
    }

    /// The paths asked for so far (`/release/v1.34.4/…`), in order.
    pub fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }

    fn path_of(&self, version: &str, arch: &str, command: &str) -> PathBuf {
        let dir = self
            .root
            .path()
            .join(format!("release/{version}/bin/linux/{arch}"));
        fs::create_dir_all(&dir).unwrap();
        dir.join(command)
    }
}

/// The published checksum file holds the hex digest alone (no file name).
fn write_sha256(path: &Path, digest: &str) {
    let mut name = path.as_os_str().to_owned();
    name.push(".sha256");
    fs::write(name, digest).unwrap();
}

/// Answers one request (`Connection: close`): the file under `root`, else 404.
fn answer(stream: TcpStream, root: &Path, asked: &Mutex<Vec<String>>) -> io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    let mut header = String::new();
    while reader.read_line(&mut header)? > 2 {
        header.clear();
    }
    let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
    asked.lock().unwrap().push(path.clone());
    let file = Some(path.trim_start_matches('/'))
        .filter(|p| !p.split('/').any(|part| part == ".."))
        .and_then(|p| File::open(root.join(p)).ok())
        .filter(|f| f.metadata().is_ok_and(|m| m.is_file()));
    let mut out = io::BufWriter::new(stream);
    match file {
        Some(mut file) => {
            let len = file.metadata()?.len();
            write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
            )?;
            io::copy(&mut file, &mut out)?;
        }
        None => write!(
            out,
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )?,
    }
    out.flush()
}
