//! When a measured delay fits a back-off: the tolerance every timing judge uses.

use super::observations::Observations;

/// How late a restart may come and still be on time: the pod worker requeues a pod in
/// back-off after the remaining back-off × [1, 1.5) (pod_workers.go, 1.35+; before 1.35 after
/// 10 s × [1, 1.5) whatever the back-off: [`Tolerance`]), and a sync takes a few seconds more
/// on a loaded node (measured up to 9 s after the back-off ended). A restart is never earlier
/// than the back-off, but `finishedAt` and `startedAt` have whole seconds, hence the one
/// second below.
pub const SLACK_S: i64 = 8;

/// The timing tolerance of one cluster's kubelet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tolerance {
    /// Before v1.35: the pod worker's requeue of a pod in back-off (10 s), which a shorter
    /// back-off lasts instead ([`crate::scenario::requeue_floor`]).
    floor_s: Option<i64>,
}

impl Tolerance {
    /// A kubelet that requeues a pod in back-off when its back-off ends (v1.35 and later).
    pub const AT_EXPIRY: Tolerance = Tolerance { floor_s: None };

    /// The tolerance of the kubelet the observations come from, by its version.
    pub fn of(obs: &Observations) -> Self {
        match crate::scenario::requeue_floor(&obs.cluster.server_version) {
            Some(floor) => Self {
                floor_s: Some(i64::from(floor)),
            },
            None => Self::AT_EXPIRY,
        }
    }

    /// The back-off the upper bound counts from: `e`, or the requeue floor when that is longer
    /// (not for the first restart, which no back-off holds up).
    fn upper_e(&self, expected_s: i64) -> i64 {
        match self.floor_s {
            Some(floor) if expected_s > 0 => expected_s.max(floor),
            _ => expected_s,
        }
    }

    /// Whether a delay of `delay_s` fits a back-off of `expected_s`.
    pub fn on_time(&self, delay_s: i64, expected_s: i64) -> bool {
        delay_s >= expected_s - 1 && 2 * delay_s <= 3 * self.upper_e(expected_s) + 2 * SLACK_S
    }

    /// `[e, 1.5·e + slack]` as text.
    pub fn window(&self, expected_s: i64) -> String {
        let hi = (3 * self.upper_e(expected_s) + 2 * SLACK_S) / 2;
        format!("{expected_s}–{hi}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Tolerance = Tolerance::AT_EXPIRY;

    #[test]
    fn before_1_35_a_short_back_off_lasts_the_pod_workers_10_s_requeue() {
        let before = Tolerance { floor_s: Some(10) };
        // Measured on v1.34.4 with a 2 s cap: 12–17 s.
        assert!(before.on_time(17, 2));
        assert!(!T.on_time(17, 2));
        assert!(
            !before.on_time(0, 2),
            "never early (a second for truncation)"
        );
        assert_eq!(before.window(2), "2–23s");
        assert_eq!(before.window(0), "0–8s");
        assert_eq!(before.window(20), "20–38s");
    }

    #[test]
    fn on_time_is_never_early_and_at_most_half_again_plus_slack_late() {
        assert!(T.on_time(0, 0));
        assert!(T.on_time(8, 0));
        assert!(
            !T.on_time(10, 0),
            "a first restart after the initial delay is not 'at once'"
        );
        assert!(T.on_time(9, 10), "finishedAt is truncated to the second");
        assert!(!T.on_time(8, 10));
        assert!(T.on_time(23, 10));
        assert!(!T.on_time(24, 10));
        assert_eq!(T.window(20), "20–38s");
    }
}
