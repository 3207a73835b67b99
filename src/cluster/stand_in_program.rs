//! Stand-in programs for tests: shell scripts that answer as a real command would, named as
//! stand-ins wherever they are used. Never use one to claim anything about a real tool.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Writes `script` to `path` as an executable stand-in program for a test. Another process
/// writes it: a file this (many-threaded) test process held open for writing could be
/// inherited by a child another test thread forked at that moment, and running it would fail
/// with ETXTBSY ("Text file busy") until that child exec'd; CI saw that once in 481 tests
/// (2026-12-07).
pub(crate) fn write_stand_in(path: &Path, script: &str) {
    let mut child = Command::new("sh")
        .args([
            "-c",
            "cat > \"$0\" && chmod 755 \"$0\"",
            &path.to_string_lossy(),
        ])
        .stdin(Stdio::piped())
        .spawn()
        .expect("sh runs");
    child
        .stdin
        .take()
        .expect("a piped stdin")
        .write_all(script.as_bytes())
        .expect("the script is written");
    assert!(
        child.wait().expect("sh ends").success(),
        "writing {}",
        path.display()
    );
}
