//! The `kind` provider: a one-node kind cluster named `crashlab` (context `kind-crashlab`),
//! made from `kind-config.yaml` and a node image pinned by digest, with crashlab's own images
//! loaded from archives. Everything goes through the `kind` and `docker` executables found on
//! `PATH`, so the tests drive it with stand-ins that record their arguments.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use super::KindError;
use super::kind_config;
use super::kind_exec::{capture, combined, on_path, stream};
use super::kind_images;
use super::kind_node_image::{check_version_matches, given_image_version};
use super::local::KubeletTuning;
use super::local::progress::Progress;
use crate::image::{ImageArchive, builtin_images};

/// The cluster crashlab creates (the `name` in `kind-config.yaml`).
pub const CLUSTER_NAME: &str = "crashlab";
/// The kube context kind writes for it (`kind-` + the cluster name).
pub const CONTEXT: &str = "kind-crashlab";
/// The Docker network crashlab's kind cluster lives in (kind's `KIND_EXPERIMENTAL_DOCKER_NETWORK`,
/// which kind creates when missing), instead of the `kind` network that kind shares between
/// all its clusters: so that `down` can remove it and leave nothing of crashlab's behind.
pub const NETWORK: &str = "crashlab-kind";
/// How long `kind create cluster` waits for the control plane to be Ready, so that a run
/// started right after finds a node to schedule on.
const WAIT: &str = "2m";

#[derive(Debug, Clone, Default)]
pub struct KindUpOptions {
    /// `1.35`, `v1.35.8`, ...; the default image when unset.
    pub kubernetes_version: Option<String>,
    /// A node image already in the Docker engine (`--node-image`), used instead of the pinned
    /// one: for machines without a registry, and images built with
    /// `tests/kind/prepare-node-image`.
    pub node_image: Option<String>,
    pub tuning: KubeletTuning,
    /// Kubeconfig kind writes the context into (kind's default: `$KUBECONFIG`, else
    /// `~/.kube/config`).
    pub kubeconfig: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct KindUpReport {
    pub context: String,
    /// The image given to `kind create cluster --image`.
    pub node_image: String,
    /// The Kubernetes version of that image (`v1.35.8`), when known: the pinned image's, or
    /// read from a given image's label or tag.
    pub kubernetes_version: Option<String>,
    /// The cluster existed already and was left as it was.
    pub already_running: bool,
}

/// A handle on the kind cluster `crashlab`.
#[derive(Debug, Clone)]
pub struct KindProvider {
    name: String,
}

impl Default for KindProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl KindProvider {
    pub fn new() -> Self {
        Self {
            name: CLUSTER_NAME.to_string(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn context(&self) -> String {
        format!("kind-{}", self.name)
    }

    /// kind is usable when `kind` is on `PATH` and `docker info` succeeds (a Docker engine
    /// answers). Returns the `kind` executable.
    pub fn is_available() -> Result<PathBuf, KindError> {
        let kind = on_path("kind").ok_or(KindError::KindMissing)?;
        let docker = on_path("docker").ok_or(KindError::DockerMissing)?;
        let out = Command::new(&docker)
            .arg("info")
            .stdin(Stdio::null())
            .output()
            .map_err(|source| KindError::Spawn {
                command: "docker info".into(),
                source,
            })?;
        if !out.status.success() {
            return Err(KindError::DockerDown {
                output: combined(&out.stdout, &out.stderr),
            });
        }
        Ok(kind)
    }

    /// Whether the Docker engine has this image (no pull is attempted).
    pub fn image_present(reference: &str) -> bool {
        on_path("docker").is_some_and(|docker| {
            Command::new(docker)
                .args(["image", "inspect", "--format", "{{.Id}}", reference])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
    }

    /// Whether `kind get clusters` lists this cluster.
    pub fn exists(&self) -> Result<bool, KindError> {
        let kind = Self::is_available()?;
        self.exists_with(&kind)
    }

    pub(super) fn exists_with(&self, kind: &Path) -> Result<bool, KindError> {
        let out = capture(kind, &["get", "clusters"])?;
        Ok(out.lines().any(|l| l.trim() == self.name))
    }

    /// Creates the cluster, unless it exists already (then it is used as it is, and
    /// `progress` says so). kind's output is the step's progress, line by line.
    pub fn up(
        &self,
        opts: &KindUpOptions,
        progress: &mut dyn Progress,
    ) -> Result<KindUpReport, KindError> {
        // A bad version is bad usage whatever the machine has, so it is reported first.
        let pinned = match &opts.node_image {
            Some(_) => None,
            None => Some(kind_images::resolve(opts.kubernetes_version.as_deref())?),
        };
        let config = kind_config::render(&opts.tuning)?;
        let kind = Self::is_available()?;
        let (reference, version) = match (&opts.node_image, pinned) {
            (_, Some(image)) => (image.reference(), Some(image.version.to_string())),
            (Some(given), None) => {
                let version = given_image_version(given)?;
                check_version_matches(
                    given,
                    version.as_deref(),
                    opts.kubernetes_version.as_deref(),
                )?;
                (given.clone(), version)
            }
            (None, None) => unreachable!("either an image is given or one is pinned"),
        };
        let shown_version = version.as_deref().unwrap_or("of the given image");
        if self.exists_with(&kind)? {
            progress.note(&format!(
                "kind cluster `{}` already exists; using it as it is (`crashlab cluster down --provider kind` removes it, to recreate it with another version or kubelet settings)",
                self.name
            ));
            return Ok(KindUpReport {
                context: self.context(),
                node_image: reference,
                kubernetes_version: version,
                already_running: true,
            });
        }
        let dir = tempfile::Builder::new()
            .prefix("crashlab-kind-")
            .tempdir()
            .map_err(|e| KindError::io(&std::env::temp_dir(), e))?;
        let config_path = dir.path().join("kind-config.yaml");
        std::fs::write(&config_path, config).map_err(|e| KindError::io(&config_path, e))?;
        let mut args: Vec<&OsStr> = vec![
            "create".as_ref(),
            "cluster".as_ref(),
            "--name".as_ref(),
            self.name.as_ref(),
            "--config".as_ref(),
            config_path.as_os_str(),
            "--image".as_ref(),
            reference.as_ref(),
            "--wait".as_ref(),
            WAIT.as_ref(),
        ];
        if let Some(k) = &opts.kubeconfig {
            args.extend(["--kubeconfig".as_ref(), k.as_os_str()]);
        }
        progress.step(&format!(
            "creating kind cluster `{}` (Kubernetes {shown_version}, {reference})",
            self.name
        ));
        let started = Instant::now();
        stream(
            &kind,
            &args,
            &[("KIND_EXPERIMENTAL_DOCKER_NETWORK", NETWORK)],
            progress,
        )?;
        progress.done(&format!("context `{}`", self.context()), started.elapsed());
        Ok(KindUpReport {
            context: self.context(),
            node_image: reference,
            kubernetes_version: version,
            already_running: false,
        })
    }

    /// Loads every built-in image into the cluster's node with `kind load image-archive`, from
    /// archives written to a temporary directory. Returns the references loaded.
    pub fn load_images(&self, progress: &mut dyn Progress) -> Result<Vec<String>, KindError> {
        let kind = Self::is_available()?;
        let dir = tempfile::Builder::new()
            .prefix("crashlab-images-")
            .tempdir()
            .map_err(|e| KindError::io(&std::env::temp_dir(), e))?;
        progress.step(&format!(
            "loading crashlab's images into kind cluster `{}`",
            self.name
        ));
        let started = Instant::now();
        let mut loaded = Vec::new();
        for spec in builtin_images() {
            let archive = ImageArchive::build(&spec).map_err(|source| KindError::Image {
                reference: spec.reference.clone(),
                source,
            })?;
            let path = dir.path().join(archive.file_name());
            archive.write_to(&path).map_err(|source| KindError::Image {
                reference: spec.reference.clone(),
                source,
            })?;
            capture(
                &kind,
                &[
                    OsStr::new("load"),
                    OsStr::new("image-archive"),
                    path.as_os_str(),
                    OsStr::new("--name"),
                    OsStr::new(&self.name),
                ],
            )?;
            progress.note(archive.reference());
            loaded.push(archive.reference().to_string());
        }
        progress.done(&format!("{} images", loaded.len()), started.elapsed());
        Ok(loaded)
    }

    /// Deletes the cluster (kind removes its context from the kubeconfig too). Deleting a
    /// cluster that does not exist succeeds; the result says whether it existed.
    pub fn down(&self, progress: &mut dyn Progress) -> Result<bool, KindError> {
        let kind = Self::is_available()?;
        let existed = self.exists_with(&kind)?;
        progress.step(&format!("deleting kind cluster `{}`", self.name));
        let started = Instant::now();
        capture(&kind, &["delete", "cluster", "--name", &self.name])?;
        let network = self.remove_network()?;
        progress.done(
            &format!(
                "{}{network}",
                if existed {
                    "deleted"
                } else {
                    "it did not exist"
                }
            ),
            started.elapsed(),
        );
        Ok(existed)
    }

    /// Removes crashlab's Docker network once its cluster is gone; says what it did, for the
    /// progress line. A network that still has containers (somebody else's) stays.
    fn remove_network(&self) -> Result<&'static str, KindError> {
        let docker = on_path("docker").ok_or(KindError::DockerMissing)?;
        let filter = format!("name=^{NETWORK}$");
        let listed = capture(
            &docker,
            &[
                "network",
                "ls",
                "--filter",
                &filter,
                "--format",
                "{{.Name}}",
            ],
        )?;
        if !listed.lines().any(|l| l.trim() == NETWORK) {
            return Ok("");
        }
        match capture(&docker, &["network", "rm", NETWORK]) {
            Ok(_) => Ok(", Docker network removed"),
            Err(KindError::Command { .. }) => {
                Ok(", Docker network kept (other containers are attached to it)")
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_context_is_kind_and_the_cluster_name() {
        assert_eq!(KindProvider::new().context(), CONTEXT);
    }
}
