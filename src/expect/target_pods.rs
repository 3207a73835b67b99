//! Which pods a target means, decided from the timeline alone.
//!
//! A bare Pod target means that pod. A workload target means the workload's pods of its
//! newest revision: the revision label (`pod-template-hash`, `controller-revision-hash`) of
//! the most recently created pod the workload owns. After a rollout that is the new
//! ReplicaSet's pod, also while the old one keeps running (a Deployment with one replica
//! keeps its old pod until the new one is available, so a broken revision 2 leaves revision
//! 1 serving). A Job's pods carry no revision: all of them count.

use std::collections::BTreeSet;

use jiff::Timestamp;

use crate::scenario::{Target, WorkloadKind};
use crate::timeline::{Signal, Timeline};

/// The pods (and objects) whose signals are about the target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetPods {
    /// Pod names.
    pub pods: BTreeSet<String>,
    /// The revision they share, when the workload has revisions.
    pub revision: Option<String>,
    /// `Kind/name` of objects whose events concern the target as a whole: the workload itself
    /// and the controllers of its current pods (e.g. `Deployment/api`,
    /// `ReplicaSet/api-7d8f6c5b9`).
    pub objects: BTreeSet<String>,
}

impl TargetPods {
    /// Works out the target's current pods from every `PodCreated` entry of `timeline`.
    pub fn of(target: &Target, timeline: &Timeline) -> TargetPods {
        let workload = target.workload();
        let mut out = TargetPods::default();
        if workload.kind == WorkloadKind::Pod {
            out.pods.insert(workload.name.to_owned());
            return out;
        }
        out.objects
            .insert(format!("{}/{}", workload.kind.kind(), workload.name));
        struct Seen<'a> {
            pod: &'a str,
            owner: Option<&'a str>,
            revision: Option<&'a str>,
            created_at: Option<Timestamp>,
        }
        let owned: Vec<Seen> = timeline
            .entries
            .iter()
            .filter_map(|e| match &e.signal {
                Signal::PodCreated {
                    pod,
                    owner,
                    revision,
                    created_at,
                } if target.owns(pod, owner.as_deref(), revision.as_deref()) => Some(Seen {
                    pod,
                    owner: owner.as_deref(),
                    revision: revision.as_deref(),
                    created_at: *created_at,
                }),
                _ => None,
            })
            .collect();
        // The newest pod: latest creationTimestamp, ties (one-second resolution) to the one
        // seen last.
        let Some(newest) = owned
            .iter()
            .enumerate()
            .max_by_key(|(i, s)| (s.created_at, *i))
            .map(|(_, s)| s)
        else {
            return out;
        };
        out.revision = newest.revision.map(str::to_owned);
        for s in owned.iter().filter(|s| s.revision == newest.revision) {
            out.pods.insert(s.pod.to_owned());
            if let Some(owner) = s.owner {
                out.objects.insert(owner.to_owned());
            }
        }
        out
    }

    pub fn contains(&self, pod: &str) -> bool {
        self.pods.contains(pod)
    }

    /// Whether an event's involved object (`Kind/name`) is one of the target's pods or
    /// objects.
    pub fn involves(&self, object: &str) -> bool {
        match object.strip_prefix("Pod/") {
            Some(pod) => self.contains(pod),
            None => self.objects.contains(object),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::Entry;

    fn created(pod: &str, owner: &str, revision: &str, at: &str) -> Entry {
        Entry {
            at: at.parse().unwrap(),
            signal: Signal::PodCreated {
                pod: pod.into(),
                owner: Some(owner.into()),
                revision: Some(revision.into()),
                created_at: Some(at.parse().unwrap()),
            },
        }
    }

    fn deployment() -> Target {
        Target {
            deployment: Some("api".into()),
            container: "app".into(),
            ..Target::default()
        }
    }

    #[test]
    fn after_a_rollout_only_the_new_replica_sets_pods_count() {
        let timeline = Timeline {
            entries: vec![
                created(
                    "api-aaa-1",
                    "ReplicaSet/api-aaa",
                    "aaa",
                    "2026-12-01T10:00:00Z",
                ),
                created(
                    "other-bbb-1",
                    "ReplicaSet/other-bbb",
                    "bbb",
                    "2026-12-01T10:00:30Z",
                ),
                created(
                    "api-ccc-1",
                    "ReplicaSet/api-ccc",
                    "ccc",
                    "2026-12-01T10:00:20Z",
                ),
            ],
        };
        let t = TargetPods::of(&deployment(), &timeline);
        assert_eq!(t.pods, BTreeSet::from(["api-ccc-1".to_owned()]));
        assert_eq!(t.revision.as_deref(), Some("ccc"));
        assert!(t.involves("Pod/api-ccc-1"));
        assert!(!t.involves("Pod/api-aaa-1"));
        assert!(t.involves("Deployment/api"));
        assert!(t.involves("ReplicaSet/api-ccc"));
        assert!(!t.involves("ReplicaSet/api-aaa"));
    }

    #[test]
    fn a_replaced_pod_of_the_same_revision_still_counts() {
        let timeline = Timeline {
            entries: vec![
                created(
                    "api-aaa-1",
                    "ReplicaSet/api-aaa",
                    "aaa",
                    "2026-12-01T10:00:00Z",
                ),
                created(
                    "api-aaa-2",
                    "ReplicaSet/api-aaa",
                    "aaa",
                    "2026-12-01T10:01:00Z",
                ),
            ],
        };
        let t = TargetPods::of(&deployment(), &timeline);
        assert_eq!(t.pods.len(), 2);
    }

    #[test]
    fn a_bare_pod_is_its_own_target_before_it_is_seen() {
        let t = TargetPods::of(&Target::pod("app", "app"), &Timeline::default());
        assert!(t.contains("app"));
        assert!(t.involves("Pod/app"));
        assert!(!t.involves("Pod/app-2"));
        // A workload not seen yet means no pods.
        assert!(
            TargetPods::of(&deployment(), &Timeline::default())
                .pods
                .is_empty()
        );
    }
}
