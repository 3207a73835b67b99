//! When each cluster test asked for the cluster, got it and let it go, for the breakdown that
//! `.ci/run` prints: one line per guard in `$CARGO_TARGET_TMPDIR/e2e-timings.tsv` (the file is
//! started afresh by each run of the binary). libtest itself says when a test ended, not when it
//! started.

use std::io::Write;
use std::sync::{Mutex, OnceLock};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

fn file() -> &'static Mutex<Option<std::fs::File>> {
    static FILE: OnceLock<Mutex<Option<std::fs::File>>> = OnceLock::new();
    FILE.get_or_init(|| {
        let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e-timings.tsv");
        Mutex::new(std::fs::File::create(path).ok())
    })
}

fn unix_ms(at: Instant) -> u128 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    (now - at.elapsed()).as_millis()
}

/// One line: unix ms asked, got, released; the guard's kind; the test (libtest names each
/// test's thread after it; background runs have their own names).
pub fn record(kind: &str, asked: Instant, got: Instant) {
    let test = std::thread::current()
        .name()
        .unwrap_or("unnamed")
        .to_owned();
    let line = format!(
        "{}\t{}\t{}\t{kind}\t{test}\n",
        unix_ms(asked),
        unix_ms(got),
        unix_ms(Instant::now())
    );
    if let Some(f) = file().lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
        let _ = f.write_all(line.as_bytes());
    }
}

/// Starts the file when the binary starts, before any guard is released.
pub fn start() {
    let _ = file();
}
