//! Which crashlab namespaces are leftovers of runs that are gone. Pure: the caller lists the
//! namespaces and says which owners are still running.

use std::collections::BTreeMap;
use std::time::Duration;

use jiff::Timestamp;
use serde::Serialize;

use super::owner::{KEPT_ANNOTATION, Owner};

/// A namespace labelled as crashlab's, as listed.
#[derive(Debug, Clone, PartialEq)]
pub struct NamespaceInfo {
    pub name: String,
    pub annotations: BTreeMap<String, String>,
    pub created_at: Option<Timestamp>,
    /// Already being deleted.
    pub terminating: bool,
}

/// One namespace looked up by name (`crashlab gc --namespace`, `reproduce --namespace`).
#[derive(Debug, Clone, PartialEq)]
pub enum NamespaceLookup {
    Missing,
    /// It exists without crashlab's `app.kubernetes.io/managed-by` label: never touched.
    NotCrashlabs,
    Crashlabs(NamespaceInfo),
}

impl NamespaceInfo {
    /// Kept on purpose (`run --keep`, `reproduce`): see [`KEPT_ANNOTATION`].
    pub fn kept(&self) -> bool {
        self.annotations
            .get(KEPT_ANNOTATION)
            .is_some_and(|v| v == "true")
    }
}

/// What to do with one namespace, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GcDecision {
    pub namespace: String,
    pub delete: bool,
    pub reason: String,
}

/// Decides for each namespace. `here` is this process; `running` says whether an owner of this
/// host and boot is still running. A namespace is a leftover when:
/// - its owner ran on this host, this boot, and is gone (whatever its age);
/// - its owner ran on this host before a reboot;
/// - its owner ran on another host (or is not recorded) and it is older than `older_than`
///   (another machine's run cannot be checked, so age is the only evidence).
///
/// Namespaces kept on purpose (`run --keep`, `reproduce`) outlive their owner: they are
/// leftovers only once older than `older_than`. Namespaces already terminating are left to
/// the API server.
pub fn decide(
    namespaces: &[NamespaceInfo],
    here: &Owner,
    now: Timestamp,
    older_than: Duration,
    running: &dyn Fn(&Owner) -> bool,
) -> Vec<GcDecision> {
    namespaces
        .iter()
        .map(|ns| {
            let (delete, reason) = one(ns, here, now, older_than, running);
            GcDecision {
                namespace: ns.name.clone(),
                delete,
                reason,
            }
        })
        .collect()
}

fn one(
    ns: &NamespaceInfo,
    here: &Owner,
    now: Timestamp,
    older_than: Duration,
    running: &dyn Fn(&Owner) -> bool,
) -> (bool, String) {
    if ns.terminating {
        return (false, "already being deleted".to_owned());
    }
    let age = ns
        .created_at
        .map(|t| now.duration_since(t).unsigned_abs())
        .unwrap_or_default();
    let old = age >= older_than;
    let age_text = format!("{}s old", age.as_secs());
    if ns.kept() {
        return if old {
            (true, format!("kept on purpose and {age_text}"))
        } else {
            (
                false,
                format!(
                    "kept on purpose ({age_text}); younger than --older-than; `crashlab gc --namespace {}` deletes it",
                    ns.name
                ),
            )
        };
    }
    match Owner::from_annotations(&ns.annotations) {
        Some(owner) if owner.is_this_host_and_boot(here) => {
            if owner.pid == here.pid && owner.pid_start == here.pid_start {
                (false, "this run's own namespace".to_owned())
            } else if running(&owner) {
                (
                    false,
                    format!("its run (pid {}) is still running", owner.pid),
                )
            } else {
                (
                    true,
                    format!("its run (pid {} on this host) is gone", owner.pid),
                )
            }
        }
        Some(owner) if owner.host == here.host => (
            true,
            format!(
                "its run (pid {}) ended with a reboot of this host",
                owner.pid
            ),
        ),
        Some(owner) if old => (true, format!("made on host {} and {age_text}", owner.host)),
        Some(owner) => (
            false,
            format!(
                "made on host {} ({age_text}); younger than --older-than",
                owner.host
            ),
        ),
        None if old => (true, format!("no owner recorded, {age_text}")),
        None => (
            false,
            format!("no owner recorded ({age_text}); younger than --older-than"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(name: &str, owner: Option<&Owner>, age_s: i64) -> NamespaceInfo {
        let now: Timestamp = "2026-12-01T12:00:00Z".parse().unwrap();
        NamespaceInfo {
            name: name.into(),
            annotations: owner.map(Owner::annotations).unwrap_or_default(),
            created_at: Some(now - jiff::SignedDuration::from_secs(age_s)),
            terminating: false,
        }
    }

    /// This run (pid 100 on host ci-1) and a dead run of the same host and boot (pid 90).
    fn this_run_and_a_dead_one(now: Timestamp) -> (Owner, Owner) {
        let here = Owner {
            host: "ci-1".into(),
            boot_id: "boot-a".into(),
            pid: 100,
            pid_start: 5000,
            started_at: now,
            version: "0.1.0".into(),
        };
        let dead = Owner {
            pid: 90,
            pid_start: 4000,
            ..here.clone()
        };
        (here, dead)
    }

    #[test]
    fn dead_runs_of_this_host_go_at_once_others_by_age() {
        let now: Timestamp = "2026-12-01T12:00:00Z".parse().unwrap();
        let (here, dead) = this_run_and_a_dead_one(now);
        let alive = Owner {
            pid: 95,
            pid_start: 4500,
            ..here.clone()
        };
        let rebooted = Owner {
            boot_id: "boot-old".into(),
            ..dead.clone()
        };
        let other = Owner {
            host: "laptop".into(),
            ..dead.clone()
        };
        let list = [
            ns("mine", Some(&here), 5),
            ns("dead", Some(&dead), 5),
            ns("alive", Some(&alive), 5000),
            ns("rebooted", Some(&rebooted), 5),
            ns("other-young", Some(&other), 60),
            ns("other-old", Some(&other), 7200),
            ns("legacy-old", None, 7200),
            ns("legacy-young", None, 60),
            NamespaceInfo {
                terminating: true,
                ..ns("going", Some(&dead), 5)
            },
        ];
        let running = |o: &Owner| o.pid == 95;
        let d = decide(&list, &here, now, Duration::from_secs(3600), &running);
        let deleted: Vec<&str> = d
            .iter()
            .filter(|d| d.delete)
            .map(|d| d.namespace.as_str())
            .collect();
        assert_eq!(deleted, ["dead", "rebooted", "other-old", "legacy-old"]);
        assert_eq!(d[1].reason, "its run (pid 90 on this host) is gone");
        assert_eq!(d[2].reason, "its run (pid 95) is still running");
    }

    #[test]
    fn kept_namespaces_outlive_their_owner_until_old() {
        let now: Timestamp = "2026-12-01T12:00:00Z".parse().unwrap();
        let (here, dead) = this_run_and_a_dead_one(now);
        let kept = |name: &str, age_s: i64| {
            let mut n = ns(name, Some(&dead), age_s);
            n.annotations
                .insert(KEPT_ANNOTATION.to_owned(), "true".to_owned());
            n
        };
        let list = [
            kept("kept-young", 60),
            kept("kept-old", 7200),
            ns("dead", Some(&dead), 60),
        ];
        assert!(list[0].kept() && !list[2].kept());
        let never = |_: &Owner| false;
        // A run's own collection (age never counts): the kept one stays, the dead one goes.
        let d = decide(&list, &here, now, Duration::MAX, &never);
        let deleted: Vec<&str> = d
            .iter()
            .filter(|d| d.delete)
            .map(|d| d.namespace.as_str())
            .collect();
        assert_eq!(deleted, ["dead"]);
        assert_eq!(
            d[0].reason,
            "kept on purpose (60s old); younger than --older-than; `crashlab gc --namespace kept-young` deletes it"
        );
        // `crashlab gc --older-than 1h`: the old kept one goes too.
        let d = decide(&list, &here, now, Duration::from_secs(3600), &never);
        let deleted: Vec<&str> = d
            .iter()
            .filter(|d| d.delete)
            .map(|d| d.namespace.as_str())
            .collect();
        assert_eq!(deleted, ["kept-old", "dead"]);
        assert_eq!(d[1].reason, "kept on purpose and 7200s old");
    }
}
