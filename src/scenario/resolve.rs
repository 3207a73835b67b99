//! Fits a scenario to the cluster it runs on: drops expectations whose version condition the
//! server does not meet, fills an unstated back-off curve with the kubelet's real one, and
//! sets the observe time of a scenario with a must-not window from that kubelet's back-off.

use super::expectations::DEFAULT_INITIAL_S;
use super::must_not_window::WindowStart;
use super::scenario::Scenario;
use super::version_req::VersionReq;

/// What crashlab learned about the cluster before running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterFacts {
    /// API server `gitVersion`, e.g. `v1.35.4`.
    pub server_version: String,
    /// The kubelet's back-off (initial, max) in seconds, when it could be read.
    pub backoff: Option<(u32, u32)>,
}

impl Scenario {
    /// This scenario as it applies to `facts`' cluster.
    pub fn for_cluster(&self, facts: &ClusterFacts) -> Scenario {
        let mut s = self.clone();
        let applies = |req: &Option<String>| match req {
            None => true,
            // Conditions were validated when the file was loaded.
            Some(r) => VersionReq::parse(r).is_ok_and(|r| r.matches(&facts.server_version)),
        };
        s.spec.expect.events.retain(|e| applies(&e.kubernetes));
        s.spec
            .expect
            .absent_events
            .retain(|e| applies(&e.kubernetes));
        // The kubelet's initial delay, already capped by its maximum (`newCrashLoopBackOff`),
        // as long as it really lasts: before v1.35 never under the pod worker's requeue.
        let floor = requeue_floor(&facts.server_version);
        let initial = facts
            .backoff
            .map_or(DEFAULT_INITIAL_S, |(initial, max)| initial.min(max))
            .max(floor.unwrap_or(0));
        match s.spec.timeouts.must_not_window.as_mut() {
            // `observe` stays the time the promised signals have to come; the runner ends
            // the watch the fitted window after they came.
            Some(w) if w.from == WindowStart::PromisedSignals => {
                w.fitted = Some(w.on_kubelet(initial));
            }
            _ => s.spec.timeouts.observe = s.spec.timeouts.observe_on(initial),
        }
        if let Some(b) = s.spec.expect.backoff.as_mut() {
            b.requeue_floor_seconds = floor;
        }
        if let (Some(b), Some((initial, max))) = (s.spec.expect.backoff.as_mut(), facts.backoff) {
            if b.max_seconds.is_none() {
                b.max_seconds = Some(max);
            }
            if b.initial_seconds.is_none() {
                b.initial_seconds = Some(initial.min(b.max_seconds.unwrap_or(max)));
            }
        }
        s
    }
}

/// pkg/kubelet/kubelet.go `backOffPeriod`: how soon, before v1.35, the pod worker syncs a pod
/// again after a sync that failed on its back-off (then jittered ×1.5). From v1.35 (kubernetes
/// PR #133066, "Propagate backoff duration for crashloop backoff") it comes back when the
/// back-off expires. Read in the sources (pod_workers.go `completeWork`: no
/// `MinBackoffExpiration` in v1.34.4 and v1.34.11, present in v1.35.0 and v1.35.4) and measured
/// on v1.34.4: a 2 s back-off waited 12–17 s. The API server's version stands for the
/// kubelet's (the same on the clusters crashlab makes; a node of another version could differ).
const POD_WORKER_BACKOFF_S: u32 = 10;

/// The seconds a kubelet of `server_version` waits before syncing a pod in back-off again,
/// when that is not the back-off's own end: `Some(10)` before v1.35, else `None`.
pub fn requeue_floor(server_version: &str) -> Option<u32> {
    let before_1_35 = VersionReq::parse("<1.35").is_ok_and(|r| r.matches(server_version));
    before_1_35.then_some(POD_WORKER_BACKOFF_S)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Catalogue;

    fn exit_1() -> Scenario {
        Catalogue::builtin().get("exit-1").unwrap().scenario.clone()
    }

    #[test]
    fn unstated_curve_takes_the_clusters() {
        let facts = ClusterFacts {
            server_version: "v1.35.4".into(),
            backoff: Some((10, 20)),
        };
        let b = exit_1().for_cluster(&facts).spec.expect.backoff.unwrap();
        assert_eq!((b.initial(), b.max()), (10, 20));
    }

    #[test]
    fn kubelets_before_1_35_requeue_a_pod_in_back_off_every_10_s() {
        let floor = |v: &str| {
            exit_1()
                .for_cluster(&ClusterFacts {
                    server_version: v.into(),
                    backoff: Some((2, 2)),
                })
                .spec
                .expect
                .backoff
                .unwrap()
                .requeue_floor_seconds
        };
        assert_eq!(floor("v1.34.4"), Some(10));
        assert_eq!(floor("v1.35.0"), None);
        assert_eq!(floor("v1.36.3"), None);
        assert_eq!(floor("v1.38.0-beta.0"), None);
    }

    #[test]
    fn a_stated_curve_is_kept() {
        let mut s = exit_1();
        s.spec.expect.backoff.as_mut().unwrap().max_seconds = Some(300);
        let facts = ClusterFacts {
            server_version: "v1.35.4".into(),
            backoff: Some((1, 60)),
        };
        let b = s.for_cluster(&facts).spec.expect.backoff.unwrap();
        assert_eq!((b.initial(), b.max()), (1, 300));
    }

    fn with_window(name: &str, backoff: Option<(u32, u32)>) -> std::time::Duration {
        window_on("v1.36.3", name, backoff)
    }

    fn window_on(version: &str, name: &str, backoff: Option<(u32, u32)>) -> std::time::Duration {
        let s = Catalogue::builtin().get(name).unwrap().scenario.clone();
        assert!(
            s.spec.timeouts.must_not_window.is_some(),
            "{name} has a must-not window"
        );
        s.for_cluster(&ClusterFacts {
            server_version: version.into(),
            backoff,
        })
        .spec
        .timeouts
        .observe
    }

    #[test]
    fn a_must_not_window_follows_the_kubelets_back_off() {
        use std::time::Duration;
        // The default kubelet keeps the 60 s the controls always watched.
        assert_eq!(
            with_window("readiness-only", Some((10, 300))),
            Duration::from_secs(60)
        );
        assert_eq!(with_window("readiness-only", None), Duration::from_secs(60));
        // `--profile ci` (a 2 s cap, so a 2 s initial delay): the scenario's own floor.
        assert_eq!(
            with_window("readiness-only", Some((10, 2))),
            Duration::from_secs(20)
        );
        // The reduced decay (1 s initial, 60 s cap): 6 s, under the floor.
        assert_eq!(
            with_window("port-conflict", Some((1, 60))),
            Duration::from_secs(20)
        );
        // Before v1.35 a 2 s back-off lasts the pod worker's 10–15 s requeue: the periods
        // are 10 s, as on a default kubelet.
        assert_eq!(
            window_on("v1.34.4", "readiness-only", Some((2, 2))),
            Duration::from_secs(60)
        );
        // A kubelet tuned to a longer first delay gets the periods.
        assert_eq!(
            with_window("port-conflict", Some((20, 300))),
            Duration::from_secs(120)
        );
    }

    #[test]
    fn a_window_from_the_promised_signals_is_fitted_and_observe_kept() {
        use std::time::Duration;
        let fitted = |version: &str, backoff| {
            let s = Catalogue::builtin()
                .get("job-never-restart")
                .unwrap()
                .scenario
                .for_cluster(&ClusterFacts {
                    server_version: String::from(version),
                    backoff,
                });
            let t = s.spec.timeouts;
            (t.observe, t.window_after_promised())
        };
        let secs = Duration::from_secs;
        // Observe stays the 75 s the Job's BackoffLimitExceeded has to come; the window after
        // it is 3 back-off periods: 30 s on a default kubelet, the 10 s floor under the ci
        // profile, 30 s before 1.35 (the pod worker's 10 s requeue).
        assert_eq!(
            fitted("v1.36.3", Some((10, 300))),
            (secs(75), Some(secs(30)))
        );
        assert_eq!(fitted("v1.36.3", Some((10, 2))), (secs(75), Some(secs(10))));
        assert_eq!(fitted("v1.34.4", Some((2, 2))), (secs(75), Some(secs(30))));
        // Unfitted, there is no window yet.
        let written = Catalogue::builtin()
            .get("job-never-restart")
            .unwrap()
            .scenario
            .spec
            .timeouts
            .clone();
        assert_eq!(written.window_after_promised(), None);
        assert_eq!(written.observe_on(10), secs(105), "the longest watch");
    }

    #[test]
    fn version_conditions_select_event_expectations() {
        let s = exit_1();
        let conditional = s
            .spec
            .expect
            .events
            .iter()
            .filter(|e| e.kubernetes.is_some())
            .count();
        assert!(
            conditional >= 2,
            "exit-1 states its Created/Started texts per version"
        );
        let on = |v: &str| {
            s.for_cluster(&ClusterFacts {
                server_version: v.into(),
                backoff: None,
            })
            .spec
            .expect
            .events
            .iter()
            .filter_map(|e| e.message.clone())
            .collect::<Vec<_>>()
        };
        assert!(
            on("v1.34.4")
                .iter()
                .any(|m| m.contains("Started container app"))
        );
        assert!(
            on("v1.35.4")
                .iter()
                .any(|m| m.contains("Container started"))
        );
        assert!(
            !on("v1.35.4")
                .iter()
                .any(|m| m.contains("Started container app"))
        );
    }
}
