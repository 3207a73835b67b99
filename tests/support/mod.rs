//! The harness every integration test uses: the crashlab binary as a command, a finished
//! command that describes itself fully (command, status, stdout, stderr) when an assertion
//! about it fails, as ripgrep's tests do; fixtures and recordings; and what a test needs
//! prepared before it runs, whatever order tests run in: the local cluster and who may use it
//! when ([`cluster`]), Docker, kind and a node image ([`kind`]), programs from Debian
//! ([`program_from_apt`]). Tests that need something never skip: they get it or fail saying
//! why.

#![allow(dead_code)] // Not every helper is used by every module.

pub mod cluster;
pub mod kind;
pub mod release_host;
pub mod timings;

pub use cluster::{
    ClusterGuard, LOCAL_CONTEXT, alone, beside_the_tail, bring_local_cluster_up, context_args,
    e2e_context, ensure_local_cluster, exclusive, heavy, shared, slot,
};

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// What every crashlab the tests run is given: no download from the Kubernetes release host
/// (the binaries come from the cache, else the Go build), so that no test reaches beyond this
/// machine. The one test of the download serves its own release host on loopback.
pub const RELEASE_DOWNLOAD_OFF: (&str, &str) = ("CRASHLAB_K8S_RELEASE_URL", "off");

/// The crashlab binary under test, without colour, without the caller's log filter and
/// without release downloads.
pub fn crashlab() -> Command {
    timings::start();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crashlab"));
    cmd.env("NO_COLOR", "1")
        .env_remove("CRASHLAB_LOG")
        .env(RELEASE_DOWNLOAD_OFF.0, RELEASE_DOWNLOAD_OFF.1);
    cmd
}

/// `crashlab ARGS`, run to completion.
pub fn crashlab_run(args: &[&str]) -> Run {
    let mut c = crashlab();
    c.args(args);
    Run::new(c)
}

/// `bash -c CMD`, finished (whatever its status).
pub fn sh(cmd: &str) -> Output {
    Command::new("bash").args(["-c", cmd]).output().unwrap()
}

/// The stdout of `bash -c CMD`.
pub fn sh_stdout(cmd: &str) -> String {
    String::from_utf8_lossy(&sh(cmd).stdout).into_owned()
}

/// The stdout of `bash -c CMD`, which must succeed: a failed setup step panics with the
/// command and what it printed, so the test fails on its real cause.
pub fn sh_ok(cmd: &str) -> String {
    sh_ok_within(cmd, std::time::Duration::ZERO)
}

/// [`sh_ok`] for an idempotent setup step against a busy API server: tried again every second
/// while it fails, for up to `limit`: at the start of the e2e run every test starts its
/// scenarios on the 2-core node at once, and a setup step that failed there unnoticed is the
/// likeliest reading of two CI failures (which step, and why, was not recorded).
pub fn sh_ok_within(cmd: &str, limit: std::time::Duration) -> String {
    let started = std::time::Instant::now();
    loop {
        let out = sh(cmd);
        if out.status.success() {
            return String::from_utf8_lossy(&out.stdout).into_owned();
        }
        if started.elapsed() >= limit {
            panic!(
                "`{cmd}` failed ({}, tried for {:.0?}):\n{}{}",
                out.status,
                started.elapsed(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
}

/// Writes `bytes` to `path` as an executable program. Another process writes it: a file this
/// many-threaded test process held open for writing could be inherited by a child that another
/// test thread forked at that moment, and running the program would fail with ETXTBSY ("Text
/// file busy") until that child exec'd. The library's unit tests met that in CI (2026-12-07).
pub fn write_program(path: &Path, bytes: &[u8]) {
    use std::io::Write;
    let mut child = Command::new("sh")
        .args([
            "-c",
            "cat > \"$0\" && chmod 755 \"$0\"",
            &path.to_string_lossy(),
        ])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("sh runs");
    child
        .stdin
        .take()
        .expect("a piped stdin")
        .write_all(bytes)
        .expect("the program is written");
    assert!(
        child.wait().expect("sh ends").success(),
        "writing {}",
        path.display()
    );
}

/// A file under `tests/fixtures`.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// A committed recording of a real run (`tests/fixtures/recordings/NAME.json`).
pub fn recording(name: &str) -> PathBuf {
    fixture(&format!("recordings/{name}.json"))
}

pub struct Run {
    pub what: String,
    pub out: Output,
}

impl Run {
    pub fn new(mut cmd: Command) -> Run {
        let what = format!("{cmd:?}");
        let out = cmd.output().expect("crashlab runs");
        Run { what, out }
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.out.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).into_owned()
    }
    pub fn code(&self) -> i32 {
        self.out.status.code().unwrap_or(-1)
    }
    /// The command, its status and its whole output, headed by `what` it was for.
    pub fn describe(&self, what: &str) -> String {
        format!(
            "{what}: failed\ncommand: {}\nstatus: {}\n--- stdout\n{}\n--- stderr\n{}",
            self.what,
            self.out.status,
            self.stdout(),
            self.stderr()
        )
    }
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.out.status.code(),
            Some(code),
            "\ncommand: {}\nstatus: {}\n--- stdout\n{}\n--- stderr\n{}",
            self.what,
            self.out.status,
            self.stdout(),
            self.stderr()
        );
        self
    }
    #[track_caller]
    pub fn stdout_has(&self, text: &str) -> &Self {
        assert!(
            self.stdout().contains(text),
            "stdout lacks {text:?}:\n{}",
            self.stdout()
        );
        self
    }
    #[track_caller]
    pub fn stderr_has(&self, text: &str) -> &Self {
        assert!(
            self.stderr().contains(text),
            "stderr lacks {text:?}:\n{}",
            self.stderr()
        );
        self
    }
}

/// Where `program` is on PATH; when it is missing, installs Debian's `package` first (as root
/// on Debian, as the README's test command promises for a fresh machine), else panics saying
/// how to get it. Tests that need a tool never skip.
pub fn program_from_apt(program: &str, package: &str) -> std::path::PathBuf {
    static APT: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let find = || {
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .map(|d| d.join(program))
            .find(|p| p.is_file())
    };
    if let Some(p) = find() {
        return p;
    }
    let _one = APT.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(p) = find() {
        return p;
    }
    // apt takes its locks without waiting, and on a fresh machine crashlab's own `cluster
    // deps` or the node-image script may hold them: try again for up to 10 minutes.
    let apt = |args: &[&str]| {
        let started = std::time::Instant::now();
        loop {
            let Ok(out) = Command::new("apt-get")
                .args(args)
                .env("DEBIAN_FRONTEND", "noninteractive")
                .output()
            else {
                return false;
            };
            let locked = String::from_utf8_lossy(&out.stderr).contains("Could not get lock");
            if out.status.success()
                || !locked
                || started.elapsed() > std::time::Duration::from_secs(600)
            {
                return out.status.success();
            }
            std::thread::sleep(std::time::Duration::from_secs(3));
        }
    };
    let installed = apt(&["install", "-y", "-qq", package])
        || (apt(&["update", "-qq"]) && apt(&["install", "-y", "-qq", package]));
    find().unwrap_or_else(|| {
        panic!(
            "`{program}` is needed by this test and could not be installed \
             (apt-get install {package} {}): install it, then run the test again",
            if installed {
                "succeeded but it is not on PATH"
            } else {
                "failed"
            }
        )
    })
}
