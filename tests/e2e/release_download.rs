//! The Kubernetes release download with the real binaries: the v1.34.4 binaries every test
//! uses (`crashlab cluster fetch` with downloads off: from the cache, else built from Go
//! modules) are served by a release host on loopback in the official layout, with checksum
//! files made here, and `crashlab cluster fetch --k8s-release-url` downloads them into an
//! empty cache. No cluster is involved and nothing leaves the machine. Every other case (a
//! corrupted file, an unreachable host, `off`) is a unit test with stand-ins
//! (`src/cluster/local/binaries/release_download_tests.rs`).

use std::fs::{self, File};
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use crashlab::cluster::local::binaries::KUBERNETES_COMMANDS;

use crate::support::release_host::ReleaseHost;
use crate::support::{Run, crashlab};

/// `crashlab ARGS`, expected to succeed.
fn crashlab_ok(args: &[&str], cache: Option<&Path>) -> Run {
    let mut c = crashlab();
    c.args(args);
    if let Some(cache) = cache {
        c.env("CRASHLAB_CACHE_DIR", cache);
    }
    let run = Run::new(c);
    run.expect_code(0);
    run
}

/// The path `crashlab cluster fetch` printed after `label`.
fn printed(run: &Run, label: &str) -> PathBuf {
    let stdout = run.stdout();
    let path = stdout
        .lines()
        .find_map(|l| l.strip_prefix(label))
        .unwrap_or_else(|| panic!("no {label:?} line in:\n{stdout}"));
    PathBuf::from(path)
}

#[track_caller]
fn assert_same_bytes(a: &Path, b: &Path) {
    let (mut a_file, mut b_file) = (
        BufReader::new(File::open(a).unwrap()),
        BufReader::new(File::open(b).unwrap()),
    );
    let (mut a_buf, mut b_buf) = (vec![0; 1 << 16], vec![0; 1 << 16]);
    let mut offset = 0;
    loop {
        let n = a_file.read(&mut a_buf).unwrap();
        b_file
            .read_exact(&mut b_buf[..n])
            .unwrap_or_else(|e| panic!("{} ends before {} ({e})", b.display(), a.display()));
        assert!(
            a_buf[..n] == b_buf[..n],
            "{} and {} differ within bytes {offset}..{}",
            a.display(),
            b.display(),
            offset + n
        );
        if n == 0 {
            assert_eq!(
                b_file.read(&mut b_buf).unwrap(),
                0,
                "{} is longer",
                b.display()
            );
            return;
        }
        offset += n;
    }
}

#[test]
#[ignore = "needs the real Kubernetes v1.34.4 binaries (in the cache, else built from Go modules: minutes)"]
fn the_real_binaries_download_byte_for_byte_from_a_release_host_on_loopback() {
    // The binaries and etcd every test uses (the host packages first: etcd comes from Debian
    // sid's apt source, which `cluster deps` adds).
    crashlab_ok(&["cluster", "deps"], None);
    let real = crashlab_ok(&["cluster", "fetch", "--kubernetes-version", "1.34"], None);
    let real_bin = printed(&real, "Kubernetes v1.34.4: ");
    let real_etcd = printed(&real, "etcd: ");

    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => panic!("Kubernetes publishes no release binaries for {other}"),
    };
    let host = ReleaseHost::start();
    for c in KUBERNETES_COMMANDS {
        host.publish_file("v1.34.4", arch, c, &real_bin.join(c));
    }
    // etcd does not come from the release host: the empty cache gets the real one's, so that
    // nothing is fetched from anywhere else.
    let cache = tempfile::tempdir().unwrap();
    let etcd_dir = real_etcd.parent().unwrap();
    let etcd_copy = cache
        .path()
        .join("etcd")
        .join(etcd_dir.file_name().unwrap());
    fs::create_dir_all(&etcd_copy).unwrap();
    for entry in fs::read_dir(etcd_dir).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), etcd_copy.join(entry.file_name())).unwrap();
    }

    // The flag wins over the harness's CRASHLAB_K8S_RELEASE_URL=off.
    let fetched = crashlab_ok(
        &[
            "cluster",
            "fetch",
            "--kubernetes-version",
            "1.34",
            "--k8s-release-url",
            &host.base,
        ],
        Some(cache.path()),
    );
    let bin = printed(&fetched, "Kubernetes v1.34.4: ");
    assert_eq!(bin, cache.path().join("kubernetes/v1.34.4/bin"));
    fetched
        .stderr_has(&format!(
            "downloading Kubernetes v1.34.4 from {}",
            host.base
        ))
        .stderr_has("7 binaries, ");
    fetched.stderr_has(" MiB, checksums verified (");
    // `cluster fetch` ran every binary's version probe before keeping them (it refuses
    // binaries that do not report v1.34.4); they are the real ones, byte for byte.
    for c in KUBERNETES_COMMANDS {
        assert_same_bytes(&real_bin.join(c), &bin.join(c));
    }
    let stamp: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(bin.join(".crashlab-stamp.json")).unwrap())
            .unwrap();
    assert_eq!(
        stamp["source"],
        serde_json::json!({"kind": "release", "url": host.base})
    );
    assert_eq!(host.asked().len(), 2 * KUBERNETES_COMMANDS.len());
}
