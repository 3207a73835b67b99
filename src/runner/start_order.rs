//! The order in which scenarios take their slots: the longest first. With fewer slots than
//! scenarios, a long scenario that starts last ends last, long after the others (a 75 s
//! scenario that waits 45 s for a slot ends at 120 s); started first, it runs beside the
//! short ones. This is the longest-processing-time rule of scheduling, on a length known
//! before the run: the least time each scenario must watch, from its expectations fitted to
//! the cluster ([`crate::scenario::Scenario::for_cluster`]):
//! - a scenario with must-not checks (`restarts.max`, absent events, `ready: false`) watches
//!   its whole observe window, whatever happens first;
//! - a back-off curve of N delays needs the first N restarts, on the kubelet's curve;
//! - anything else can be decided as soon as its signals come (its length counts as 0).
//!
//! Pure; reports still come back in the order the scenarios were given.

use std::time::Duration;

use crate::expect::backoff::expected_delay;
use crate::expect::{Outcome, evaluate};
use crate::scenario::Scenario;
use crate::timeline::Timeline;

/// The least time `scenario` (fitted to the cluster) must watch before it can be decided.
pub fn least_watch(scenario: &Scenario) -> Duration {
    let spec = &scenario.spec;
    // A must-not check is met only when the watch has finished: on an empty timeline that
    // has finished, the must checks are contradicted and the must-not checks met.
    let finished = evaluate(&spec.expect, &spec.target, &Timeline::default(), true);
    if finished.checks.iter().any(|c| c.outcome == Outcome::Met) {
        return spec.timeouts.observe;
    }
    let curve_s = spec.expect.backoff.as_ref().map_or(0, |b| {
        (1..=b.delays as i32)
            .map(|restart| expected_delay(b.initial(), b.max(), restart))
            .sum()
    });
    Duration::from_secs(curve_s)
}

/// Indexes into `scenarios`, longest [`least_watch`] first; equal lengths keep their order.
pub fn start_order(scenarios: &[Scenario]) -> Vec<usize> {
    let lengths: Vec<Duration> = scenarios.iter().map(least_watch).collect();
    let mut order: Vec<usize> = (0..scenarios.len()).collect();
    order.sort_by(|a, b| lengths[*b].cmp(&lengths[*a]));
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Catalogue, ClusterFacts};

    fn fitted(version: &str, backoff: (u32, u32)) -> Vec<Scenario> {
        let facts = ClusterFacts {
            server_version: version.to_owned(),
            backoff: Some(backoff),
        };
        Catalogue::builtin()
            .entries()
            .iter()
            .map(|e| e.scenario.for_cluster(&facts))
            .collect()
    }

    fn length_of(scenarios: &[Scenario], name: &str) -> u64 {
        let s = scenarios
            .iter()
            .find(|s| s.metadata.name == name)
            .unwrap_or_else(|| panic!("no {name}"));
        least_watch(s).as_secs()
    }

    #[test]
    fn windows_and_curves_on_a_default_kubelet() {
        let all = fitted("v1.34.4", (10, 300));
        // Must-not checks: the whole window (75 s chosen for the Job controller's back-off;
        // 6 back-off periods; 45 s for the scheduler).
        assert_eq!(length_of(&all, "job-never-restart"), 75);
        assert_eq!(length_of(&all, "missing-secret-ref"), 60);
        assert_eq!(length_of(&all, "readiness-only"), 60);
        assert_eq!(length_of(&all, "unschedulable"), 45);
        // A curve of 3 delays: 0 s, 10 s, 20 s.
        assert_eq!(length_of(&all, "oom"), 30);
        assert_eq!(length_of(&all, "exit-1"), 30);
    }

    #[test]
    fn the_longest_start_first_and_equals_keep_their_order() {
        let all = fitted("v1.34.4", (10, 300));
        let order = start_order(&all);
        let names: Vec<&str> = order
            .iter()
            .map(|i| all[*i].metadata.name.as_str())
            .collect();
        assert_eq!(names[0], "job-never-restart", "{names:?}");
        let lengths: Vec<u64> = order
            .iter()
            .map(|i| least_watch(&all[*i]).as_secs())
            .collect();
        assert!(lengths.windows(2).all(|w| w[0] >= w[1]), "{lengths:?}");
        for (pair, len) in order.windows(2).zip(lengths.windows(2)) {
            if len[0] == len[1] {
                assert!(pair[0] < pair[1], "{names:?}");
            }
        }
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..all.len()).collect::<Vec<_>>());
    }

    #[test]
    fn a_short_kubelet_back_off_shortens_the_windows_it_sets() {
        // `cluster up --profile ci` on 1.36: 2 s back-off; the windows are 6 periods, never
        // under 20 s.
        let all = fitted("v1.36.3", (2, 2));
        assert_eq!(length_of(&all, "missing-secret-ref"), 20);
        assert_eq!(length_of(&all, "oom"), 4);
        assert_eq!(length_of(&all, "job-never-restart"), 75);
    }
}
