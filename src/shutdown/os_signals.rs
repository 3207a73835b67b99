//! The operating system's stop requests (SIGINT, SIGTERM), one story for the whole process.
//! The first Ctrl-C (SIGINT) or SIGTERM cancels everything through one [`Cancel`]
//! (scenarios stop and clean up; `matrix` starts no next column; a cluster bring-up stops at
//! its next step); a second one stops waiting for deletions; a third exits at once. Once
//! cleanup is done, crashlab exits 130 after SIGINT and 143 after SIGTERM (128 + the signal),
//! as shells and CI runners expect.
//!
//! The handler is a plain thread waiting on the signals (signal-hook), so it outlives the
//! tokio runtimes that commands create and drop.

use std::sync::LazyLock;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU32, Ordering};

use super::Cancel;

static PROCESS: LazyLock<Cancel> = LazyLock::new(Cancel::new);
static FIRST: AtomicI32 = AtomicI32::new(0);
static COUNT: AtomicU32 = AtomicU32::new(0);
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// The process-wide cancellation handle the signals drive.
pub fn process_cancel() -> Cancel {
    PROCESS.clone()
}

/// Installs the handler (once; later calls do nothing). Without it, signals keep their
/// default action (the process dies at once), which suits the quick commands.
pub fn install() {
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let mut signals = match signal_hook::iterator::Signals::new([
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
    ]) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!("cannot handle SIGINT/SIGTERM ({e}); they will end crashlab at once");
            return;
        }
    };
    std::thread::spawn(move || {
        for signal in signals.forever() {
            on_signal(signal);
        }
    });
}

fn on_signal(signal: i32) {
    let _ = FIRST.compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst);
    let n = COUNT.fetch_add(1, Ordering::SeqCst) + 1;
    match n {
        1 => eprintln!(
            "crashlab: {}: stopping and cleaning up (again: stop waiting for deletions; a third time: exit at once)",
            name(signal)
        ),
        2 => eprintln!(
            "crashlab: {}: no longer waiting for deletions",
            name(signal)
        ),
        _ => {
            eprintln!(
                "crashlab: {}: exiting now; `crashlab gc` removes what is left",
                name(signal)
            );
            std::process::exit(exit_code_for(FIRST.load(Ordering::SeqCst)));
        }
    }
    PROCESS.cancel();
}

/// The first signal received, if any.
pub fn received() -> Option<i32> {
    match FIRST.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

/// Whether a signal asked crashlab to stop.
pub fn stopping() -> bool {
    received().is_some()
}

/// 128 + the signal number: 130 for SIGINT, 143 for SIGTERM.
pub fn exit_code_for(signal: i32) -> i32 {
    128 + signal
}

fn name(signal: i32) -> &'static str {
    match signal {
        signal_hook::consts::SIGINT => "interrupted (SIGINT)",
        signal_hook::consts::SIGTERM => "terminated (SIGTERM)",
        _ => "signal",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_shell_convention() {
        assert_eq!(exit_code_for(signal_hook::consts::SIGINT), 130);
        assert_eq!(exit_code_for(signal_hook::consts::SIGTERM), 143);
    }
}
