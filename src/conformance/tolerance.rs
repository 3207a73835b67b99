//! When a measured delay fits a back-off: the tolerance every timing judge uses.

/// How late a restart may come and still be on time: the pod worker requeues a pod in
/// back-off after the remaining back-off × [1, 1.5) (pod_workers.go, 1.34+), and a sync takes
/// a few seconds more on a loaded node (measured up to 9 s after the back-off ended). A restart
/// is never earlier than the back-off, but `finishedAt` and `startedAt` have whole seconds,
/// hence the one second below.
pub const SLACK_S: i64 = 8;

/// Whether a delay of `delay_s` fits a back-off of `expected_s`.
pub fn on_time(delay_s: i64, expected_s: i64) -> bool {
    delay_s >= expected_s - 1 && 2 * delay_s <= 3 * expected_s + 2 * SLACK_S
}

/// `[e, 1.5·e + slack]` as text.
pub fn window(expected_s: i64) -> String {
    let hi = (3 * expected_s + 2 * SLACK_S) / 2;
    format!("{expected_s}–{hi}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_time_is_never_early_and_at_most_half_again_plus_slack_late() {
        assert!(on_time(0, 0));
        assert!(on_time(8, 0));
        assert!(
            !on_time(10, 0),
            "a first restart after the initial delay is not 'at once'"
        );
        assert!(on_time(9, 10), "finishedAt is truncated to the second");
        assert!(!on_time(8, 10));
        assert!(on_time(23, 10));
        assert!(!on_time(24, 10));
        assert_eq!(window(20), "20–38s");
    }
}
