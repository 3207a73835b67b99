//! The restart back-off check: measured delays against the kubelet's curve.
//!
//! The kubelet's crash-loop back-off is a client-go `flowcontrol.Backoff` made with
//! `NewBackOff(initial, max)`, which has no jitter
//! (staging/src/k8s.io/client-go/util/flowcontrol/backoff.go). The first exit finds no
//! entry, so the container restarts at once and an entry of `initial` is created; every later
//! restart waits the entry's value, which doubles each time up to `max`
//! (pkg/kubelet/kuberuntime/kuberuntime_manager.go `doBackOff`). So the delay before restart
//! `r` is 0 for r = 1 and `min(initial·2^(r−2), max)` after that: 0s, 10s, 20s, 40s, … 5m0s.
//!
//! A measured delay is never shorter than that (the gate is `now − finishedAt < backoff`),
//! but it is longer by however long the pod worker takes to come back: from 1.35 a random
//! requeue of up to 1.5× the back-off (PR #133066); before, a requeue after 10 s × [1, 1.5)
//! whatever the back-off (issue #123602). Hence the tolerance `e ≤ d ≤ 1.5·e + slack`, with
//! `slack` from the scenario and, before 1.35, `e` counted as at least 10 s in the upper bound
//! (docs/kubelet-facts.md §1).

use crate::scenario::BackoffExpectation;

use super::duration::{go_duration, go_duration_f, go_duration_signed};
use super::view::TargetView;
use super::{CheckResult, Outcome};

/// The delay the kubelet imposes before restart `restart` (1 = the first restart), seconds.
/// If `max < initial` the kubelet uses `max` as the initial value too (kubelet.go
/// `newCrashLoopBackOff`), which the cap gives for free.
pub fn expected_delay(initial_s: u32, max_s: u32, restart: i32) -> u64 {
    if restart <= 1 {
        return 0;
    }
    let (initial, max) = (u64::from(initial_s), u64::from(max_s));
    let doublings = (restart - 2) as u32;
    // Cap before shifting far: 2^63 overflows, and the cap is reached long before.
    let grown = if doublings >= 40 {
        u64::MAX
    } else {
        initial.saturating_mul(1 << doublings)
    };
    grown.min(max)
}

/// The expected delays before restarts 1..=n.
pub fn expected_curve(b: &BackoffExpectation, n: u32) -> Vec<u64> {
    (1..=n as i32)
        .map(|r| expected_delay(b.initial(), b.max(), r))
        .collect()
}

/// The accepted range for a delay expected to be `expected`: `[e, 1.5·e + slack]` seconds,
/// where the upper bound's `e` is raised to the kubelet's requeue floor when it has one
/// (before v1.35 a pod in back-off is synced again only every 10–15 s, so a 2 s back-off
/// waits 10–15 s: [`BackoffExpectation::requeue_floor_seconds`]). The first restart
/// (`e` = 0) goes through no back-off, so no floor.
pub fn allowed_range(b: &BackoffExpectation, expected: u64) -> (u64, f64) {
    let upper = upper_e(b, expected);
    (expected, 1.5 * upper as f64 + f64::from(b.slack_seconds))
}

fn upper_e(b: &BackoffExpectation, expected: u64) -> u64 {
    match b.requeue_floor_seconds {
        Some(floor) if expected > 0 => expected.max(u64::from(floor)),
        _ => expected,
    }
}

/// The longest the checked curve may take by its own bounds: each of its delays at the latest
/// [`allowed_range`] allows (12 + 27 + 42 = 81 s for the default 0, 10 and 20 s with 12 s of
/// slack). The runner watches up to this long past a window that ended with the curve still
/// pending ([`super::Watch::PastWindow`]), so a curve inside its bounds is never cut short by
/// a window chosen for absence; with the window itself, that covers instances that ran for up
/// to the whole window together.
pub fn allowance(b: &BackoffExpectation) -> std::time::Duration {
    let seconds: f64 = expected_curve(b, b.delays)
        .into_iter()
        .map(|e| allowed_range(b, e).1)
        .sum();
    std::time::Duration::from_secs_f64(seconds.ceil())
}

/// Whether a measured delay is within [`allowed_range`] (exact, in integers:
/// `e ≤ d` and `2d ≤ 3·e' + 2·slack`).
pub fn within(b: &BackoffExpectation, delay_s: i64, expected: u64) -> bool {
    let (d, e, u, s) = (
        i128::from(delay_s),
        i128::from(expected),
        i128::from(upper_e(b, expected)),
        i128::from(b.slack_seconds),
    );
    e <= d && 2 * d <= 3 * u + 2 * s
}

/// One measured delay judged against the curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Judged {
    pub restart: i32,
    pub delay_s: i64,
    pub expected_s: u64,
    /// `None` for delays beyond the number the scenario asks to check.
    pub ok: Option<bool>,
}

/// Judges the first `b.delays` measured delays (by restart number); later ones are listed
/// but not judged, so a check once met stays met.
pub fn judge(b: &BackoffExpectation, delays: impl IntoIterator<Item = (i32, i64)>) -> Vec<Judged> {
    delays
        .into_iter()
        .enumerate()
        .map(|(i, (restart, delay_s))| {
            let expected_s = expected_delay(b.initial(), b.max(), restart);
            let ok = (i < b.delays as usize).then(|| within(b, delay_s, expected_s));
            Judged {
                restart,
                delay_s,
                expected_s,
                ok,
            }
        })
        .collect()
}

pub(crate) fn check(b: &BackoffExpectation, view: &TargetView) -> CheckResult {
    let curve: Vec<String> = expected_curve(b, b.delays)
        .into_iter()
        .map(go_duration)
        .collect();
    // Said only where it raises a bound: a curve starting under the floor.
    let requeue = match b.requeue_floor_seconds {
        Some(floor) if b.initial() < floor => format!(
            " (e raised to {} in the upper bound: this kubelet syncs a pod in back-off again only every {}–{})",
            go_duration(floor.into()),
            go_duration(floor.into()),
            go_duration_f(1.5 * f64::from(floor))
        ),
        _ => String::new(),
    };
    let expected = format!(
        "restart delays {} (first restart immediate, then {} doubling up to {}), each within e ≤ d ≤ 1.5·e + {}{requeue}",
        if curve.is_empty() {
            "(none)".to_owned()
        } else {
            curve.join(", ")
        },
        go_duration(b.initial().into()),
        go_duration(b.max().into()),
        go_duration(b.slack_seconds.into()),
    );
    let judged = judge(b, view.delays.iter().map(|(r, d)| (*r, *d)));
    let bad: Vec<&Judged> = judged.iter().filter(|j| j.ok == Some(false)).collect();
    let checked = judged.iter().filter(|j| j.ok.is_some()).count();
    let outcome = if !bad.is_empty() {
        Outcome::Contradicted
    } else if checked >= b.delays as usize {
        Outcome::Met
    } else {
        Outcome::Pending
    };

    let mut observed = if judged.is_empty() {
        "no restart delay measured".to_owned()
    } else {
        judged
            .iter()
            .map(|j| format!("{} (restart {})", go_duration_signed(j.delay_s), j.restart))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for j in &bad {
        let (lo, hi) = allowed_range(b, j.expected_s);
        observed.push_str(&format!(
            "; restart {} waited {}, allowed {}–{}",
            j.restart,
            go_duration_signed(j.delay_s),
            go_duration(lo),
            go_duration_f(hi)
        ));
    }
    if outcome == Outcome::Pending {
        observed.push_str(&format!("; {} of {} delays measured", checked, b.delays));
    }
    CheckResult::new("backoff", outcome, expected, observed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_curve() -> BackoffExpectation {
        BackoffExpectation::default()
    }

    #[test]
    fn default_curve_is_the_kubelets() {
        // Node e2e (test/e2e_node/container_restart_test.go): cumulative restarts at
        // 0s, 0s, 10s, 30s, 70s, 150s, 310s, i.e. delays 0, 10, 20, 40, 80, 160; then capped.
        let b = BackoffExpectation {
            delays: 9,
            ..default_curve()
        };
        assert_eq!(
            expected_curve(&b, 9),
            [0, 10, 20, 40, 80, 160, 300, 300, 300]
        );
        let cumulative: Vec<u64> = expected_curve(&b, 6)
            .iter()
            .scan(0, |acc, d| {
                *acc += d;
                Some(*acc)
            })
            .collect();
        assert_eq!(cumulative, [0, 10, 30, 70, 150, 310]);
    }

    #[test]
    fn reduced_and_flat_curves() {
        // ReduceDefaultCrashLoopBackOffDecay: 1s → 60s.
        let reduced: Vec<u64> = (1..=9).map(|r| expected_delay(1, 60, r)).collect();
        assert_eq!(reduced, [0, 1, 2, 4, 8, 16, 32, 60, 60]);
        // maxContainerRestartPeriod below the initial value: flat.
        let flat: Vec<u64> = (1..=4).map(|r| expected_delay(10, 2, r)).collect();
        assert_eq!(flat, [0, 2, 2, 2]);
    }

    #[test]
    fn curve_never_overflows() {
        assert_eq!(expected_delay(10, 300, 1000), 300);
        assert_eq!(
            expected_delay(u32::MAX, u32::MAX, i32::MAX),
            u64::from(u32::MAX)
        );
        assert_eq!(expected_delay(10, 300, 0), 0);
        assert_eq!(expected_delay(10, 300, -1), 0);
    }

    fn slack(slack_seconds: u32) -> BackoffExpectation {
        BackoffExpectation {
            slack_seconds,
            ..default_curve()
        }
    }

    #[test]
    fn tolerance_bounds() {
        let (s5, s0) = (slack(5), slack(0));
        // Immediate first restart: 0 ≤ d ≤ slack.
        assert!(within(&s5, 0, 0));
        assert!(within(&s5, 5, 0));
        assert!(!within(&s5, 6, 0));
        // 10 s: 10 ≤ d ≤ 20 with 5 s slack.
        assert!(!within(&s5, 9, 10));
        assert!(within(&s5, 10, 10));
        assert!(within(&s5, 20, 10));
        assert!(!within(&s5, 21, 10));
        // Odd bases: 1.5 × 1 s + 0 = 1.5 s, so 1 s passes and 2 s does not.
        assert!(within(&s0, 1, 1));
        assert!(!within(&s0, 2, 1));
        assert_eq!(allowed_range(&s5, 20), (20, 35.0));
        assert_eq!(allowed_range(&s0, 1), (1, 1.5));
        // Negative delays (broken input) never pass.
        assert!(!within(&s5, -1, 0));
    }

    /// Measured on kubelet v1.34.4 with `maxContainerRestartPeriod: 2s` (`cluster up --profile
    /// ci`): restart delays of 12–17 s, the pod worker's 10 s requeue jittered ×1.5
    /// (pod_workers.go `completeWork`, `backOffPeriod`), not the 2 s back-off.
    #[test]
    fn a_kubelet_that_requeues_every_10_s_is_judged_by_that_floor() {
        let flat = BackoffExpectation {
            initial_seconds: Some(2),
            max_seconds: Some(2),
            slack_seconds: 12,
            ..default_curve()
        };
        let before_1_35 = BackoffExpectation {
            requeue_floor_seconds: Some(10),
            ..flat.clone()
        };
        assert!(
            !within(&flat, 16, 2),
            "without the floor 16 s is late for 2 s"
        );
        assert!(within(&before_1_35, 16, 2));
        assert!(within(&before_1_35, 17, 2));
        assert!(!within(&before_1_35, 28, 2));
        // Never early, and no floor for the immediate first restart.
        assert!(!within(&before_1_35, 1, 2));
        assert_eq!(allowed_range(&before_1_35, 0), (0, 12.0));
        assert_eq!(allowed_range(&before_1_35, 2), (2, 27.0));
        // Above the floor the curve's own 1.5× rules.
        assert_eq!(allowed_range(&before_1_35, 40), (40, 72.0));
    }

    #[test]
    fn only_the_requested_delays_are_judged() {
        let b = default_curve(); // 3 delays
        let j = judge(&b, [(1, 0), (2, 11), (3, 40), (4, 500)]);
        let oks: Vec<Option<bool>> = j.iter().map(|j| j.ok).collect();
        assert_eq!(oks, [Some(true), Some(true), Some(false), None]);
        assert_eq!(j[3].expected_s, 40);
        // Delays are judged by their restart number, not their position.
        let j = judge(&b, [(2, 10), (3, 20), (4, 45)]);
        let oks: Vec<Option<bool>> = j.iter().map(|j| j.ok).collect();
        assert_eq!(oks, [Some(true), Some(true), Some(true)]);
    }
}
