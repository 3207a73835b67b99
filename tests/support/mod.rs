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
