//! The Kubernetes commands of one version: from the cache, else a release download, else a
//! Go build, each result checked for the version it reports.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::cache::{
    CacheState, KUBERNETES_COMMANDS, KubeCache, Source, cache_state, lock, new_partial, publish,
    remove_partials, write_stamp,
};
use super::download::{Fetch, download_release};
use super::error::{BinariesError, Result, io_err, spawn_err};
use super::go_build::go_build;
use super::options::Options;
use super::settings::ENV_RELEASE_URL;
use crate::cluster::local::os_deps::output_retrying;
use crate::cluster::local::versions::Release;
use crate::cluster::progress::Progress;

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
    pub(super) fn new(release: &Release, dir: PathBuf, source: Source) -> Self {
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

    // Only now, with nothing usable in the cache, is the release host asked.
    let no_download = match options.release_url.base() {
        Some(base) => {
            let partial = new_partial(&cache.root)?;
            match download_release(base, release, partial.path(), options, progress) {
                Ok(source) => {
                    verify_kubernetes_versions(partial.path(), release)?;
                    publish(partial, &bin, release.version, &source)?;
                    return Ok(KubeBinaries::new(release, bin, source));
                }
                Err(Fetch::Unavailable(reason)) => {
                    progress.note(&format!(
                        "{reason}; building Kubernetes {release} from Go modules"
                    ));
                    reason
                }
                // `partial` is removed when dropped: nothing of the download stays.
                Err(Fetch::Failed(e)) => return Err(e),
            }
        }
        None => {
            format!("release downloads are off (--k8s-release-url or {ENV_RELEASE_URL} is `off`)")
        }
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
        let out = output_retrying(Command::new(&path).args(args).stdin(Stdio::null()))
            .map_err(spawn_err(path.display().to_string()))?;
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

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::cluster::local::ReleaseUrl;
    use crate::cluster::local::binaries::fixtures::{
        UPSTREAM_V1_34_4, fake_command, fake_go, leftovers, module_files, offline, stand_in_build,
        v1_34, write_stand_in,
    };
    use crate::cluster::local::binaries::{parse_upstream_go_mod, version_ldflags, wrapper_go_mod};
    use crate::cluster::progress::{Lines, Quiet};

    fn fake_bin_dir(dir: &Path, version: &str) {
        fs::create_dir_all(dir).unwrap();
        for c in KUBERNETES_COMMANDS {
            write_stand_in(&dir.join(c), &fake_command(c, version));
        }
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
            matches!(&err, BinariesError::GoNotFound { no_download: Some(r), .. } if r.starts_with("release downloads are off")),
            "{err}"
        );
        assert!(matches!(
            cache_state(&bin, "v1.34.4", &KUBERNETES_COMMANDS),
            CacheState::Unstamped
        ));
    }

    #[test]
    fn go_build_writes_the_wrapper_module_and_publishes_its_output() {
        let cache = tempfile::tempdir().unwrap();
        let json = module_files(cache.path());
        let go = fake_go(cache.path(), "go1.26.8", &json, &stand_in_build("v1.34.4"));
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
            "go1.22.1 is too old to build kubernetes v1.34.4, which needs go ≥1.24.0: install a newer Go, name one \
             for the go command to fetch from the Go module proxy (`export GOTOOLCHAIN=go1.24.N`), or point \
             --k8s-release-url (CRASHLAB_K8S_RELEASE_URL) at a reachable mirror of https://dl.k8s.io/release"
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

    /// On a prepared machine: `cargo test -- --ignored real_machine`. Uses the real cache.
    #[test]
    #[ignore = "needs the real cache under ~/.cache/crashlab"]
    fn real_machine_kubernetes_v1_34_from_cache() {
        let options = Options {
            release_url: ReleaseUrl::Off,
            ..Options::from_env().unwrap()
        };
        let started = Instant::now();
        let mut progress = Lines::new(std::io::stderr());
        let got = ensure_kubernetes(v1_34(), &options, &mut progress).unwrap();
        eprintln!("{got:#?}\nin {:?}", started.elapsed());
        verify_kubernetes_versions(&got.dir, v1_34()).unwrap();
    }
}
