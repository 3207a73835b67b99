//! A must-not window measured in the kubelet's back-off periods rather than fixed seconds.
//!
//! Absence (no restart, no `BackOff`) is judged over the whole watch
//! ([`crate::expect`]), so the watch must be long enough that the forbidden thing would have
//! shown had it been going to: for a crash loop, a few of the kubelet's back-off periods. A
//! default kubelet waits 10 s before the second restart and doubles from there; from 1.35 a
//! kubelet with a short `maxContainerRestartPeriod` (`crashlab cluster up --profile ci`: 2 s)
//! restarts a crashing container five times faster, so a window fixed at 60 s would prove no
//! more there than 12 s does. The window is `backoffPeriods` × the kubelet's initial back-off
//! (as long as it really lasts: before 1.35 never under the pod worker's 10 s requeue,
//! [`super::requeue_floor`]), never less than `atLeast`, which is the scenario's own clock
//! (probe periods, the kubelet's retry of a config error every 10–15 s) that no kubelet tuning
//! shortens.
//!
//! The window is counted from the target pod's first appearance, unless `from:
//! promisedSignals` says otherwise: then it starts when every promised signal (every must
//! check) has come, and `observe` is how long those signals have to come. That is for a
//! scenario whose promised signal has a clock of its own, longer than the window: a Job's
//! `BackoffLimitExceeded` comes after the Job controller's own 10 s and 20 s between pods,
//! about 33 s in, whatever the kubelet; absence is then proven over the back-off periods that
//! follow, the time a restart would have needed to show.

use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `timeouts.mustNotWindow`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MustNotWindow {
    /// How many of the kubelet's initial back-off delays the watch lasts (the delay before the
    /// second restart: 10 s on a default kubelet, so 6 gives 60 s).
    pub backoff_periods: u32,
    /// The shortest window whatever the kubelet's back-off: the scenario's own time
    /// constants (probe periods, the kubelet's retries of a config error).
    #[serde(with = "super::scenario::humantime_secs")]
    #[schemars(with = "String", pattern(r"^([0-9]+[hms])+$"))]
    pub at_least: Duration,
    /// Where the window is counted from: the target pod's first appearance (the default), or
    /// the moment every promised signal has come.
    #[serde(default, skip_serializing_if = "WindowStart::is_target_seen")]
    pub from: WindowStart,
    /// The window on the cluster the scenario was fitted to ([`crate::scenario::Scenario::for_cluster`]),
    /// for a window counted from the promised signals; never read from a file.
    #[serde(skip)]
    #[schemars(skip)]
    pub fitted: Option<Duration>,
}

/// `timeouts.mustNotWindow.from`.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum WindowStart {
    /// The target pod's first appearance: the whole observe time is the window.
    #[default]
    TargetSeen,
    /// The moment every promised signal (every must check) has come; `observe` is how long
    /// they have to come.
    PromisedSignals,
}

impl WindowStart {
    fn is_target_seen(&self) -> bool {
        *self == WindowStart::TargetSeen
    }
}

impl MustNotWindow {
    /// The window on a kubelet whose initial back-off is `initial_s` seconds.
    pub fn on_kubelet(&self, initial_s: u32) -> Duration {
        let periods = Duration::from_secs(u64::from(self.backoff_periods) * u64::from(initial_s));
        periods.max(self.at_least)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(periods: u32, at_least_s: u64) -> MustNotWindow {
        MustNotWindow {
            backoff_periods: periods,
            at_least: Duration::from_secs(at_least_s),
            from: WindowStart::TargetSeen,
            fitted: None,
        }
    }

    #[test]
    fn a_default_kubelet_gets_the_periods() {
        assert_eq!(window(6, 20).on_kubelet(10), Duration::from_secs(60));
    }

    #[test]
    fn a_short_back_off_gets_the_floor_when_the_periods_are_shorter() {
        assert_eq!(window(6, 20).on_kubelet(2), Duration::from_secs(20));
        assert_eq!(window(6, 10).on_kubelet(2), Duration::from_secs(12));
    }
}
