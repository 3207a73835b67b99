//! The release download through [`ensure_kubernetes`], against a release host on loopback
//! (`tests/support/release_host.rs`). The commands it serves are stand-ins (scripts that print
//! the version, not Kubernetes), and where the Go build takes over, `go` is a stand-in too, so
//! no test here downloads or builds Kubernetes; the real binaries' round trip through a
//! release host is `tests/e2e/release_download.rs`.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use sha2::{Digest, Sha256};

use super::cache::{CacheState, KUBERNETES_COMMANDS, STAMP_FILE, Source, cache_state};
use super::download::release_arch;
use super::fixtures::{
    ReleaseHost, fake_command, leftovers, nothing_listens, offline, stand_in_go, stand_in_release,
    v1_34,
};
use super::kubernetes::ensure_kubernetes;
use super::options::Options;
use crate::cluster::ProviderError;
use crate::cluster::local::{LocalError, ReleaseUrl};
use crate::cluster::progress::{Lines, Quiet};

fn lines(progress: Lines<Vec<u8>>) -> Vec<String> {
    String::from_utf8(progress.into_inner())
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn from(host: &ReleaseHost) -> ReleaseUrl {
    ReleaseUrl::Base(host.base.clone())
}

#[test]
fn a_download_is_checked_stamped_and_then_read_from_the_cache_without_asking_again() {
    let host = stand_in_release("v1.34.4");
    let cache = tempfile::tempdir().unwrap();
    let options = Options {
        release_url: from(&host),
        ..offline(cache.path())
    };
    let mut progress = Lines::new(Vec::new());
    let got = ensure_kubernetes(v1_34(), &options, &mut progress).unwrap();

    let source = Source::Release {
        url: host.base.clone(),
    };
    assert_eq!(got.source, source);
    for c in KUBERNETES_COMMANDS {
        let path = got.dir.join(c);
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            fake_command(c, "v1.34.4")
        );
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o755, "{c}");
    }
    match cache_state(&got.dir, "v1.34.4", &KUBERNETES_COMMANDS) {
        CacheState::Valid(stamp) => assert_eq!(stamp.source, source),
        other => panic!("the download is not a valid cache: {other:?}"),
    }
    let stamp = fs::read_to_string(got.dir.join(STAMP_FILE)).unwrap();
    assert!(stamp.contains(r#""kind": "release""#), "{stamp}");
    assert_eq!(
        leftovers(&cache.path().join("kubernetes/v1.34.4")),
        [".lock", "bin"]
    );
    // Each checksum before its file, so a file is checked as it arrives.
    let arch = release_arch().unwrap();
    let asked: Vec<String> = KUBERNETES_COMMANDS
        .iter()
        .flat_map(|c| {
            let path = format!("/release/v1.34.4/bin/linux/{arch}/{c}");
            [format!("{path}.sha256"), path]
        })
        .collect();
    assert_eq!(host.asked(), asked);
    let said = lines(progress);
    assert_eq!(said.len(), 2, "{said:#?}");
    assert_eq!(
        said[0],
        format!("==> downloading Kubernetes v1.34.4 from {}", host.base)
    );
    assert!(
        said[1].starts_with("    7 binaries, 0 MiB, checksums verified ("),
        "{said:#?}"
    );

    // The cache is looked at before the release host: a second time asks it nothing.
    let again = ensure_kubernetes(v1_34(), &options, &mut Quiet).unwrap();
    assert_eq!(again, got);
    assert_eq!(host.asked(), asked);
}

#[test]
fn a_corrupted_file_is_refused_with_both_digests_and_nothing_is_kept() {
    let host = stand_in_release("v1.34.4");
    let arch = release_arch().unwrap();
    // The kube-scheduler served is not the one its checksum file describes.
    let good = fake_command("kube-scheduler", "v1.34.4").into_bytes();
    let bad = [good.as_slice(), b"# changed on the mirror\n"].concat();
    host.publish("v1.34.4", arch, "kube-scheduler", &bad, &good);
    let cache = tempfile::tempdir().unwrap();
    let options = Options {
        release_url: from(&host),
        go: Some(stand_in_go(cache.path())),
        ..offline(cache.path())
    };

    let err = ensure_kubernetes(v1_34(), &options, &mut Quiet).unwrap_err();
    let file = format!("/release/v1.34.4/bin/linux/{arch}/kube-scheduler");
    assert_eq!(
        err.to_string(),
        format!(
            "checksum mismatch for {}/v1.34.4/bin/linux/{arch}/kube-scheduler: expected sha256 {}, \
             got {}; refusing to use it",
            host.base,
            hex::encode(Sha256::digest(&good)),
            hex::encode(Sha256::digest(&bad)),
        )
    );
    // An error of the environment (exit 3), with what to try.
    let error = ProviderError::from(LocalError::from(err));
    assert!(!error.bad_usage);
    assert_eq!(
        error.hint.as_deref(),
        Some(
            "the release host serves a file that does not match its published checksum (a \
             corrupt mirror, or a proxy that alters downloads): point --k8s-release-url \
             (CRASHLAB_K8S_RELEASE_URL) at a good mirror of https://dl.k8s.io/release, or set \
             it to `off` to build Kubernetes from Go modules"
        )
    );
    // Nothing of the download is kept, the Go build does not take over, and the files after
    // the bad one are not asked for.
    assert_eq!(
        leftovers(&cache.path().join("kubernetes/v1.34.4")),
        [".lock"]
    );
    assert_eq!(host.asked().last(), Some(&file));
}

/// Kubernetes v1.34.4 through `release_url`, with a stand-in `go` whose build succeeds:
/// checks that the Go build made the binaries; the cache and the progress lines.
fn built_from_go_modules(release_url: ReleaseUrl) -> (tempfile::TempDir, Vec<String>) {
    let cache = tempfile::tempdir().unwrap();
    let options = Options {
        release_url,
        go: Some(stand_in_go(cache.path())),
        ..offline(cache.path())
    };
    let mut progress = Lines::new(Vec::new());
    let got = ensure_kubernetes(v1_34(), &options, &mut progress).unwrap();
    assert_eq!(
        got.source,
        Source::GoBuild {
            go: "go1.26.8".into()
        }
    );
    (cache, lines(progress))
}

/// The error of Kubernetes v1.34.4 through `release_url` without Go, and the `go` it looked
/// for.
fn without_go(release_url: ReleaseUrl) -> (String, String) {
    let cache = tempfile::tempdir().unwrap();
    let options = Options {
        release_url,
        ..offline(cache.path())
    };
    let err = ensure_kubernetes(v1_34(), &options, &mut Quiet).unwrap_err();
    assert_eq!(
        leftovers(&cache.path().join("kubernetes/v1.34.4")),
        [".lock"]
    );
    let go = cache.path().join("no-go").display().to_string();
    (err.to_string(), go)
}

const GO_BUILD_STARTS: &str = "==> fetching k8s.io/kubernetes v1.34.4 from the Go module proxy";

#[test]
fn an_unreachable_host_hands_over_to_the_go_build_with_one_line_saying_why() {
    let base = nothing_listens();
    let (cache, said) = built_from_go_modules(ReleaseUrl::Base(base.clone()));
    assert_eq!(
        said[0],
        format!(
            "    release host {base} not reachable (connection refused); building Kubernetes \
             v1.34.4 from Go modules"
        )
    );
    assert_eq!(said[1], GO_BUILD_STARTS);
    assert_eq!(
        said.iter().filter(|l| l.contains("release host")).count(),
        1,
        "{said:#?}"
    );
    assert_eq!(
        leftovers(&cache.path().join("kubernetes/v1.34.4")),
        [".lock", "bin", "build.log", "src"]
    );
}

#[test]
fn an_unreachable_host_and_no_go_says_both() {
    let base = nothing_listens();
    let (err, go) = without_go(ReleaseUrl::Base(base.clone()));
    assert_eq!(
        err,
        format!(
            "go not found at {go} and release host {base} not reachable (connection refused): \
             install Go ≥1.24.0 (apt-get install golang-go is too old on bookworm) or point \
             --k8s-release-url (CRASHLAB_K8S_RELEASE_URL) at a reachable mirror of \
             https://dl.k8s.io/release"
        )
    );
}

#[test]
fn a_host_without_the_release_hands_over_to_the_go_build_too() {
    let host = ReleaseHost::start();
    let (err, go) = without_go(from(&host));
    let arch = release_arch().unwrap();
    let base = &host.base;
    assert!(
        err.starts_with(&format!(
            "go not found at {go} and release host {base} has no Kubernetes v1.34.4 \
             ({base}/v1.34.4/bin/linux/{arch}/kube-apiserver.sha256 answered HTTP 404): install Go"
        )),
        "{err}"
    );
}

#[test]
fn off_asks_the_release_host_nothing() {
    // The environment names a release host that would serve a good release; the flag says off.
    let host = stand_in_release("v1.34.4");
    let off = ReleaseUrl::chosen(Some(&ReleaseUrl::Off), Some(&host.base)).unwrap();
    let (_cache, said) = built_from_go_modules(off);
    assert_eq!(said[0], GO_BUILD_STARTS);
    assert_eq!(host.asked(), Vec::<String>::new());

    // `off` in the environment alone, and no Go: the error says downloads are off.
    let (err, go) = without_go(ReleaseUrl::chosen(None, Some("off")).unwrap());
    assert!(
        err.starts_with(&format!(
            "go not found at {go} and release downloads are off (--k8s-release-url or \
             CRASHLAB_K8S_RELEASE_URL is `off`): install Go"
        )),
        "{err}"
    );
    assert_eq!(host.asked(), Vec::<String>::new());
}

/// A pre-release is published under its full tag, in the same layout as a release
/// (`<base>/v1.38.0-beta.0/bin/linux/<arch>/<command>`), and cached under that tag.
#[test]
fn a_pre_release_downloads_by_its_full_tag() {
    let beta = crate::cluster::local::versions::RELEASES
        .resolve("1.38")
        .unwrap();
    let host = stand_in_release("v1.38.0-beta.0");
    let cache = tempfile::tempdir().unwrap();
    let options = Options {
        release_url: from(&host),
        ..offline(cache.path())
    };
    let got = ensure_kubernetes(beta, &options, &mut Quiet).unwrap();
    assert_eq!(got.version, "v1.38.0-beta.0");
    assert_eq!(got.dir, cache.path().join("kubernetes/v1.38.0-beta.0/bin"));
    let arch = release_arch().unwrap();
    assert_eq!(
        host.asked()[..2],
        [
            format!("/release/v1.38.0-beta.0/bin/linux/{arch}/kube-apiserver.sha256"),
            format!("/release/v1.38.0-beta.0/bin/linux/{arch}/kube-apiserver"),
        ]
    );
    assert!(matches!(
        cache_state(&got.dir, "v1.38.0-beta.0", &KUBERNETES_COMMANDS),
        CacheState::Valid(_)
    ));
}
