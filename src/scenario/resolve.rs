//! Fits a scenario to the cluster it runs on: drops expectations whose version condition the
//! server does not meet, and fills an unstated back-off curve with the kubelet's real one.

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
