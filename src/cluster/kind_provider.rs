//! The `kind` provider: a one-node kind cluster named `crashlab` (context `kind-crashlab`),
//! made from `kind-config.yaml` and a node image pinned by digest, with crashlab's own images
//! loaded from archives. Everything goes through the `kind` and `docker` executables found on
//! `PATH`, so the tests drive it with stand-ins that record their arguments.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use super::KindError;
use super::kind_config;
use super::kind_images::{self, NodeImage};
use super::local::KubeletTuning;
use super::local::progress::Progress;
use crate::image::{ImageArchive, builtin_images};

/// The cluster crashlab creates (the `name` in `kind-config.yaml`).
pub const CLUSTER_NAME: &str = "crashlab";
/// The kube context kind writes for it (`kind-` + the cluster name).
pub const CONTEXT: &str = "kind-crashlab";
/// How long `kind create cluster` waits for the control plane to be Ready, so that a run
/// started right after finds a node to schedule on.
const WAIT: &str = "2m";

#[derive(Debug, Clone, Default)]
pub struct KindUpOptions {
    /// `1.35`, `v1.35.8`, ...; the default image when unset.
    pub kubernetes_version: Option<String>,
    pub tuning: KubeletTuning,
    /// Kubeconfig kind writes the context into (kind's default: `$KUBECONFIG`, else
    /// `~/.kube/config`).
    pub kubeconfig: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct KindUpReport {
    pub context: String,
    pub node_image: &'static NodeImage,
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

    /// Whether `kind get clusters` lists this cluster.
    pub fn exists(&self) -> Result<bool, KindError> {
        let kind = Self::is_available()?;
        self.exists_with(&kind)
    }

    fn exists_with(&self, kind: &Path) -> Result<bool, KindError> {
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
        let image = kind_images::resolve(opts.kubernetes_version.as_deref())?;
        let config = kind_config::render(&opts.tuning)?;
        let kind = Self::is_available()?;
        if self.exists_with(&kind)? {
            progress.note(&format!(
                "kind cluster `{}` already exists; using it as it is (`crashlab cluster down --provider kind` removes it, to recreate it with another version or kubelet settings)",
                self.name
            ));
            return Ok(KindUpReport {
                context: self.context(),
                node_image: image,
                already_running: true,
            });
        }
        let dir = tempfile::Builder::new()
            .prefix("crashlab-kind-")
            .tempdir()
            .map_err(|e| KindError::io(&std::env::temp_dir(), e))?;
        let config_path = dir.path().join("kind-config.yaml");
        std::fs::write(&config_path, config).map_err(|e| KindError::io(&config_path, e))?;
        let reference = image.reference();
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
            "creating kind cluster `{}` (Kubernetes {}, {})",
            self.name, image.version, reference
        ));
        let started = Instant::now();
        stream(&kind, &args, progress)?;
        progress.done(&format!("context `{}`", self.context()), started.elapsed());
        Ok(KindUpReport {
            context: self.context(),
            node_image: image,
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
        progress.done(
            if existed {
                "deleted"
            } else {
                "it did not exist"
            },
            started.elapsed(),
        );
        Ok(existed)
    }
}

/// An executable file called `name` in a `PATH` directory.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| {
            p.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// `kind create cluster --name crashlab ...`, for messages.
fn display(program: &Path, args: &[impl AsRef<OsStr>]) -> String {
    let name = program
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| program.display().to_string());
    let mut s = name;
    for a in args {
        s.push(' ');
        s.push_str(&a.as_ref().to_string_lossy());
    }
    s
}

/// Runs a command to completion and returns its stdout; a failure carries stdout and stderr.
fn capture(program: &Path, args: &[impl AsRef<OsStr>]) -> Result<String, KindError> {
    let command = display(program, args);
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|source| KindError::Spawn {
            command: command.clone(),
            source,
        })?;
    if !out.status.success() {
        return Err(KindError::Command {
            command,
            status: out.status.to_string(),
            output: combined(&out.stdout, &out.stderr),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Runs a slow command with its stdout and stderr merged into one pipe, showing each line as
/// the step's latest output (throttled by `progress`) and keeping them all for the error if
/// the command fails.
fn stream(
    program: &Path,
    args: &[impl AsRef<OsStr>],
    progress: &mut dyn Progress,
) -> Result<(), KindError> {
    let command = display(program, args);
    let spawn_error = |source| KindError::Spawn {
        command: command.clone(),
        source,
    };
    let (reader, writer) = std::io::pipe().map_err(spawn_error)?;
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(writer.try_clone().map_err(spawn_error)?)
        .stderr(writer);
    let mut child = cmd.spawn().map_err(spawn_error)?;
    // Our copies of the pipe's write end must close, or the reader never sees the end.
    drop(cmd);
    let started = Instant::now();
    let mut kept = Vec::new();
    let mut reader = BufReader::new(reader);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                let text = String::from_utf8_lossy(&line);
                let text = text.trim_end();
                if !text.is_empty() {
                    progress.running(started.elapsed(), text.trim());
                }
                kept.push(text.to_string());
            }
        }
    }
    let status = child.wait().map_err(spawn_error)?;
    if !status.success() {
        return Err(KindError::Command {
            command,
            status: status.to_string(),
            output: kept.join("\n").trim().to_string(),
        });
    }
    Ok(())
}

/// stderr and stdout of a finished command, as one text for an error message.
fn combined(stdout: &[u8], stderr: &[u8]) -> String {
    let (out, err) = (
        String::from_utf8_lossy(stdout),
        String::from_utf8_lossy(stderr),
    );
    match (out.trim(), err.trim()) {
        ("", "") => "(no output)".to_string(),
        (o, "") => o.to_string(),
        ("", e) => e.to_string(),
        (o, e) => format!("{e}\n{o}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combined_output_puts_stderr_first() {
        assert_eq!(combined(b"", b""), "(no output)");
        assert_eq!(combined(b"out\n", b""), "out");
        assert_eq!(combined(b"", b"ERROR: x\n"), "ERROR: x");
        assert_eq!(combined(b"out", b"err"), "err\nout");
    }

    #[test]
    fn commands_are_shown_by_program_name() {
        assert_eq!(
            display(Path::new("/usr/local/bin/kind"), &["get", "clusters"]),
            "kind get clusters"
        );
        assert_eq!(KindProvider::new().context(), CONTEXT);
    }
}
