//! Test support shared by the binaries tests: stand-in commands (shell scripts that answer the
//! version probes like the real ones, and run nothing else), a stand-in `go`, options that can
//! neither download nor build, and a release host on loopback.

use std::fs;
use std::path::{Path, PathBuf};

use super::cache::KUBERNETES_COMMANDS;
use super::download::release_arch;
use super::options::Options;
use crate::cluster::local::ReleaseUrl;
use crate::cluster::local::versions::{self, Release};

// Shared with the end-to-end tests, which also serve real binaries (`publish_file`).
#[allow(dead_code)]
#[path = "../../../../tests/support/release_host.rs"]
mod release_host;
pub(super) use release_host::ReleaseHost;

/// An excerpt of k8s.io/kubernetes v1.34.4's go.mod (the head, a few requires and the
/// whole replace block), as the Go module proxy serves it.
pub(super) const UPSTREAM_V1_34_4: &str = "\
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

pub(super) fn v1_34() -> &'static Release {
    versions::RELEASES.resolve("1.34").unwrap()
}

pub(super) use crate::cluster::stand_in_program::write_stand_in;

/// Shell scripts that answer the version probes like the real commands.
pub(super) fn fake_command(command: &str, version: &str) -> String {
    if command == "kubectl" {
        format!("#!/bin/sh\necho 'Client Version: {version}'\necho 'Kustomize Version: v5.7.1'\n")
    } else if command == "kubeadm" {
        format!("#!/bin/sh\necho '{version}'\n")
    } else {
        format!("#!/bin/sh\necho 'Kubernetes {version}'\n")
    }
}

/// Options that can neither download nor build.
pub(super) fn offline(cache: &Path) -> Options {
    Options {
        release_url: ReleaseUrl::Off,
        go: Some(cache.join("no-go")),
        ..Options::with_cache_dir(cache)
    }
}

pub(super) fn leftovers(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A release host serving stand-ins for the commands of `version` (scripts that print the
/// version, not Kubernetes), each with its checksum.
pub(super) fn stand_in_release(version: &str) -> ReleaseHost {
    let host = ReleaseHost::start();
    let arch = release_arch().unwrap();
    for c in KUBERNETES_COMMANDS {
        let body = fake_command(c, version).into_bytes();
        host.publish(version, arch, c, &body, &body);
    }
    host
}

/// A base URL on loopback where nothing listens: connecting is refused at once, as on a machine
/// that reaches no release host (without waiting for a timeout).
pub(super) fn nothing_listens() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/release")
}

/// A stand-in for `go`: `env GOVERSION` prints `version`, `mod download` answers with
/// `mod_json`, `build` runs `build` (a shell snippet; `$out` is the `-o` directory) after
/// saving its arguments to `<dir>/build-args`.
pub(super) fn fake_go(dir: &Path, version: &str, mod_json: &str, build: &str) -> PathBuf {
    let go = dir.join("go");
    write_stand_in(
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
pub(super) fn module_files(dir: &Path) -> String {
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

/// A `build` for [`fake_go`] that writes stand-ins of every command of `version` (and names a
/// package on stderr, as `go build -v` does).
pub(super) fn stand_in_build(version: &str) -> String {
    let mut build = String::from("echo k8s.io/kubernetes/cmd/kubelet >&2\n");
    for c in KUBERNETES_COMMANDS {
        let script = fake_command(c, version).replace('\'', "'\\''");
        build += &format!("printf '%s' '{script}' > \"${{out}}{c}\"; chmod 755 \"${{out}}{c}\"\n");
    }
    build
}

/// A stand-in `go` in `dir` whose build succeeds with stand-ins of v1.34.4.
pub(super) fn stand_in_go(dir: &Path) -> PathBuf {
    let json = module_files(dir);
    fake_go(dir, "go1.26.8", &json, &stand_in_build("v1.34.4"))
}
