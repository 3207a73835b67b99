//! Running a tool (or a judge): `sh -c COMMAND` in its own process group, with extra
//! environment variables, optional stdin, captured output and a time limit. On time-out, and
//! when the call is abandoned (Ctrl-C), the whole group is killed, so a tool's own children do
//! not outlive it.

use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;

use super::tool_output::{ToolEnding, ToolOutput};

/// Output kept per stream; the rest is read and dropped, so the tool never blocks on a full pipe.
pub const MAX_OUTPUT_BYTES: usize = 1 << 20;

/// How long to wait for the pipes to close once the tool itself has ended (a background
/// child outside its process group may hold them open).
const DRAIN: Duration = Duration::from_secs(2);

#[derive(Debug, Clone)]
pub struct ToolCall {
    /// A shell command line, run with `sh -c`.
    pub command: String,
    /// Added to (or replacing in) crashlab's own environment.
    pub env: Vec<(String, String)>,
    /// Written to the tool's stdin, which is then closed; `None` gives it `/dev/null`.
    pub stdin: Option<Vec<u8>>,
    pub timeout: Duration,
}

pub async fn run_tool(call: &ToolCall) -> ToolOutput {
    let started = Instant::now();
    let mut cmd = tokio::process::Command::new("sh");
    cmd.arg("-c")
        .arg(&call.command)
        .envs(call.env.iter().map(|(k, v)| (k, v)))
        .stdin(if call.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return ToolOutput {
                stdout: String::new(),
                stderr: String::new(),
                ending: ToolEnding::NotStarted {
                    error: e.to_string(),
                },
                elapsed_s: started.elapsed().as_secs_f64(),
            };
        }
    };
    let mut group = GroupGuard(child.id().map(|p| p as i32));
    if let (Some(mut sink), Some(data)) = (child.stdin.take(), call.stdin.clone()) {
        tokio::spawn(async move {
            // A tool that does not read its stdin closes the pipe: not an error.
            let _ = sink.write_all(&data).await;
        });
    }
    let out = tokio::spawn(read_capped(child.stdout.take()));
    let err = tokio::spawn(read_capped(child.stderr.take()));
    let ending = match tokio::time::timeout(call.timeout, child.wait()).await {
        Ok(Ok(status)) => ending_of(status),
        Ok(Err(e)) => ToolEnding::NotStarted {
            error: format!("waiting for it failed: {e}"),
        },
        Err(_) => {
            group.kill();
            let _ = child.wait().await;
            ToolEnding::TimedOut {
                limit_s: call.timeout.as_secs(),
            }
        }
    };
    // The call is over: whatever the tool left running in its group goes too.
    group.kill();
    group.0 = None;
    let stdout = tokio::time::timeout(DRAIN, out)
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default();
    let stderr = tokio::time::timeout(DRAIN, err)
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default();
    ToolOutput {
        stdout,
        stderr,
        ending,
        elapsed_s: started.elapsed().as_secs_f64(),
    }
}

fn ending_of(status: ExitStatus) -> ToolEnding {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => ToolEnding::Exited { code },
        (None, Some(signal)) => ToolEnding::Killed { signal },
        (None, None) => ToolEnding::Exited { code: -1 },
    }
}

async fn read_capped(pipe: Option<impl AsyncRead + Unpin>) -> String {
    let Some(mut pipe) = pipe else {
        return String::new();
    };
    let mut kept = Vec::new();
    let mut buf = [0u8; 8192];
    let mut truncated = false;
    loop {
        match pipe.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let room = MAX_OUTPUT_BYTES.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
                truncated |= n > room;
            }
        }
    }
    let mut text = String::from_utf8_lossy(&kept).into_owned();
    if truncated {
        text.push_str(&format!(
            "\n[crashlab: output truncated at {MAX_OUTPUT_BYTES} bytes]\n"
        ));
    }
    text
}

/// Kills the tool's process group (whose id is the shell's pid) when asked, and when dropped
/// before the call finished (the future was cancelled).
struct GroupGuard(Option<i32>);

impl GroupGuard {
    fn kill(&self) {
        if let Some(pgid) = self.0 {
            // SAFETY: killpg has no memory-safety preconditions; ESRCH (group gone) is fine.
            unsafe {
                libc::killpg(pgid, libc::SIGKILL);
            }
        }
    }
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        self.kill();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(command: &str, timeout_ms: u64) -> ToolCall {
        ToolCall {
            command: command.to_owned(),
            env: vec![("CRASHLAB_POD".to_owned(), "app".to_owned())],
            stdin: None,
            timeout: Duration::from_millis(timeout_ms),
        }
    }

    #[tokio::test]
    async fn output_exit_code_and_environment_are_captured() {
        let out = run_tool(&call(
            "echo pod=$CRASHLAB_POD; echo oops >&2; exit 3",
            10_000,
        ))
        .await;
        assert_eq!(out.stdout, "pod=app\n");
        assert_eq!(out.stderr, "oops\n");
        assert_eq!(out.ending, ToolEnding::Exited { code: 3 });
    }

    #[tokio::test]
    async fn stdin_is_given_and_closed() {
        let mut c = call("tr a-z A-Z", 10_000);
        c.stdin = Some(b"diagnosis".to_vec());
        let out = run_tool(&c).await;
        assert_eq!(out.stdout, "DIAGNOSIS");
        assert_eq!(out.ending, ToolEnding::Exited { code: 0 });
    }

    #[tokio::test]
    async fn a_slow_tool_is_killed_with_its_children() {
        // The child sleeps in the background holding the pipes: it must die with the group,
        // or reading stdout would wait for it.
        let started = Instant::now();
        let out = run_tool(&call("echo partial; sleep 30 & sleep 30", 300)).await;
        assert_eq!(out.ending, ToolEnding::TimedOut { limit_s: 0 });
        assert_eq!(out.stdout, "partial\n");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }

    #[tokio::test]
    async fn output_is_capped() {
        let out = run_tool(&call("head -c 3000000 /dev/zero | tr '\\0' x", 10_000)).await;
        assert!(out.stdout.len() < MAX_OUTPUT_BYTES + 100);
        assert!(out.stdout.ends_with("truncated at 1048576 bytes]\n"));
    }
}
