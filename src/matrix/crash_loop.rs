//! How soon a scenario's crash loop became visible as the `CrashLoopBackOff` waiting reason,
//! read from its timeline alone.
//!
//! The timeline holds no entry for the apply itself, so the clock starts at the scenario's
//! first signal: the watch starts before the manifests are applied (src/runner/runner.rs), and
//! the first thing it reports is the pod being scheduled, a fraction of a second later. Both
//! ends are crashlab's own arrival times (`Entry::at`), so the watch's latency cancels out;
//! the kubelet writes no timestamp for a waiting reason.

use crate::timeline::{Signal, Timeline};

/// The waiting reason kubectl shows for a container in restart back-off.
const CRASH_LOOP_BACK_OFF: &str = "CrashLoopBackOff";

/// Seconds, to a tenth, from the first signal to the first `CrashLoopBackOff` of any
/// container; `None` when no container showed it.
pub fn crash_loop_after_s(timeline: &Timeline) -> Option<f64> {
    let start = timeline.entries.iter().map(|e| e.at).min()?;
    let shown = timeline
        .entries
        .iter()
        .filter(|e| matches!(&e.signal, Signal::Waiting { reason, .. } if reason == CRASH_LOOP_BACK_OFF))
        .map(|e| e.at)
        .min()?;
    let seconds = shown.duration_since(start).as_secs_f64();
    Some((seconds * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::fixtures::recording;

    fn of(name: &str) -> Option<f64> {
        crash_loop_after_s(&Timeline::from_recording(&recording(name)))
    }

    #[test]
    fn counts_from_the_first_signal_to_the_first_crash_loop_back_off() {
        // exit-1 on v1.34.4: scheduled at 05:28:05.95, first CrashLoopBackOff at 05:28:21.06.
        assert_eq!(of("exit-1"), Some(15.1));
    }

    #[test]
    fn is_absent_when_the_container_never_backs_off() {
        // The container is never created: it waits in CreateContainerConfigError.
        assert_eq!(of("missing-secret-ref"), None);
        // Killed by its liveness probe and restarted at once, never seen waiting in back-off.
        assert_eq!(of("liveness"), None);
        assert_eq!(crash_loop_after_s(&Timeline::default()), None);
    }
}
