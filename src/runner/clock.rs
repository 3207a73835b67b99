//! Where the runner's wall-clock times come from (a recording's `started_at`, the arrival of
//! a step or of previous logs): the system clock, or, when tests replay a recorded run, the
//! recording's own time advancing with tokio's clock, so a replay under tokio's paused clock
//! stamps what it sees with the times the real run saw.
//!
//! Durations (time limits, `elapsed_s`) are measured with [`tokio::time::Instant`] in both
//! cases.

use jiff::Timestamp;
#[cfg(test)]
use tokio::time::Instant;

/// A source of timestamps.
#[derive(Debug, Clone, Copy, Default)]
pub enum Clock {
    /// [`Timestamp::now`].
    #[default]
    System,
    /// `at` was the time at tokio instant `origin`; time passes as tokio's clock does.
    #[cfg(test)]
    Replay { at: Timestamp, origin: Instant },
}

impl Clock {
    pub fn now(&self) -> Timestamp {
        match *self {
            Clock::System => Timestamp::now(),
            #[cfg(test)]
            Clock::Replay { at, origin } => at
                .saturating_add(Instant::now().saturating_duration_since(origin))
                .unwrap_or(at),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_replay_clock_advances_with_tokios_clock() {
        let at: Timestamp = "2026-11-21T05:28:05.766Z".parse().unwrap();
        let clock = Clock::Replay {
            at,
            origin: Instant::now(),
        };
        assert_eq!(clock.now(), at);
        tokio::time::sleep(Duration::from_secs(90)).await;
        assert_eq!(clock.now(), "2026-11-21T05:29:35.766Z".parse().unwrap());
    }
}
