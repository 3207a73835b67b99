//! Running the `kind` and `docker` executables found on `PATH`: to completion (output kept
//! for the error), or streamed line by line as a step's progress.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use super::KindError;
use crate::cluster::progress::Progress;

/// An executable file called `name` in a `PATH` directory.
pub(super) fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| {
            p.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// `kind create cluster --name crashlab ...`, for messages.
pub(super) fn display(program: &Path, args: &[impl AsRef<OsStr>]) -> String {
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
pub(super) fn capture(program: &Path, args: &[impl AsRef<OsStr>]) -> Result<String, KindError> {
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
pub(super) fn stream(
    program: &Path,
    args: &[impl AsRef<OsStr>],
    envs: &[(&str, &str)],
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
        .envs(envs.iter().copied())
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
pub(super) fn combined(stdout: &[u8], stderr: &[u8]) -> String {
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
    }
}
