//! Shared by the integration-test binaries: a finished command that describes itself fully
//! (command, status, stdout, stderr) when an assertion about it fails, as ripgrep's tests do.

#![allow(dead_code)] // Each binary uses its own subset.

use std::process::{Command, Output};

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
    let apt = |args: &[&str]| {
        Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
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
