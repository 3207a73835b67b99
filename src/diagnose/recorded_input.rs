//! Test support: the diagnoser's input rebuilt from a recording of a real run. The pod is the
//! target's pod (for a workload, one of its newest revision's pods) in its last recorded
//! state, the events and logs are those the watch delivered; the container is left for the
//! diagnoser to pick, as `crashlab validate` leaves it. What the recording does not hold is
//! rebuilt from what it does: which Secrets, ConfigMaps and Services exist comes from the
//! scenario's own manifests (all that existed in its namespace), and a Deployment's
//! ReplicaSets from the recorded pods, which carry their controller, their
//! `pod-template-hash` and their whole spec.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Event, Pod};

use crate::expect::TargetPods;
use crate::expect::fixtures::scenario_of;
use crate::timeline::{Observed, Recording, Timeline, controller_and_revision};

use super::config_refs::{RefKind, config_refs};
use super::container_pick::{logs_request, pick_container};
use super::gather_backends::pod_ready;
use super::input::{
    DiagnoseInput, Fetched, Logs, Owner, OwnerFacts, Presence, Revision, ServiceFacts,
};

pub(crate) fn input_from_recording(rec: &Recording) -> DiagnoseInput {
    let scenario = scenario_of(rec);
    let target = &scenario.spec.target;
    let pods: Vec<&Pod> = rec
        .observations
        .iter()
        .filter_map(|o| match &o.what {
            Observed::Pod { object } => Some(object.as_ref()),
            _ => None,
        })
        .collect();
    let deleted: BTreeSet<&str> = rec
        .observations
        .iter()
        .filter_map(|o| match &o.what {
            Observed::PodDeleted { name } => Some(name.as_str()),
            _ => None,
        })
        .collect();
    // The pods that still exist at the end, each in its last state.
    let live: Vec<&Pod> = last_states(&pods)
        .into_values()
        .filter(|p| !deleted.contains(p.metadata.name.as_deref().unwrap_or_default()))
        .collect();
    let current = TargetPods::of(target, &Timeline::from_recording(rec));
    let pod = pods
        .iter()
        .rev()
        .find(|p| current.contains(p.metadata.name.as_deref().unwrap_or_default()))
        .map(|p| (*p).clone())
        .unwrap_or_else(|| panic!("{}: no pod of {} recorded", rec.scenario, target.workload()));
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let events: Vec<Event> = rec
        .observations
        .iter()
        .filter_map(|o| match &o.what {
            Observed::Event { object } => Some(object.as_ref().clone()),
            _ => None,
        })
        .collect();
    // The container `crashlab diagnose` would pick, and the logs it would read.
    let container = pick_container(&pod, None).expect("a recorded pod has containers");
    // The runner fetched `--previous`; the newest fetch is the last instance it could see.
    let logs = match logs_request(&pod, &container) {
        None => Logs::NoInstance,
        Some(_) => rec
            .observations
            .iter()
            .rev()
            .find_map(|o| match &o.what {
                Observed::PreviousLogs {
                    pod,
                    container: c,
                    text,
                    ..
                } if *pod == pod_name && *c == container => Some(Logs::Text {
                    previous: true,
                    text: text.clone(),
                }),
                _ => None,
            })
            .unwrap_or(Logs::Failed("no logs recorded".to_owned())),
    };
    let manifests: Vec<&serde_json::Value> = scenario.spec.all_manifests().collect();
    let lookups: BTreeMap<(RefKind, String), Presence> = config_refs(&pod, &container)
        .into_iter()
        .map(|r| {
            let manifest = manifests
                .iter()
                .rev()
                .find(|m| m["kind"] == r.kind.as_str() && m["metadata"]["name"] == r.name.as_str());
            let presence = match (manifest, r.kind) {
                (None, _) => Presence::Missing,
                // As the gatherer reads them: a ConfigMap's keys, never a Secret's data.
                (Some(m), RefKind::ConfigMap) => {
                    let keys = ["data", "binaryData"]
                        .iter()
                        .filter_map(|k| m[*k].as_object())
                        .flat_map(|o| o.keys().cloned())
                        .collect();
                    Presence::Present { keys: Some(keys) }
                }
                (Some(_), RefKind::Secret) => Presence::Present { keys: None },
            };
            ((r.kind, r.name), presence)
        })
        .collect();
    let services = manifests
        .iter()
        .filter(|m| m["kind"] == "Service")
        .map(|m| {
            let selector: BTreeMap<String, String> =
                serde_json::from_value(m["spec"]["selector"].clone()).unwrap_or_default();
            let selects = |labels: &serde_json::Value| {
                !selector.is_empty()
                    && selector
                        .iter()
                        .all(|(k, v)| labels[k.as_str()].as_str() == Some(v.as_str()))
            };
            // Ready endpoints: recorded pods the selector matches that were Ready at the end.
            let matching: Vec<&&Pod> = live
                .iter()
                .filter(|p| {
                    let labels = serde_json::to_value(&p.metadata.labels).unwrap_or_default();
                    selects(&labels)
                })
                .collect();
            // The recording holds only the target's pods: when the selector matches the pods
            // of another workload of the manifests, their readiness is unknown.
            let unrecorded = matching.is_empty()
                && manifests.iter().any(|m| {
                    m["kind"] != "Service"
                        && (selects(&m["spec"]["template"]["metadata"]["labels"])
                            || (m["kind"] == "Pod" && selects(&m["metadata"]["labels"])))
                });
            let ready = (!unrecorded).then(|| matching.iter().filter(|p| pod_ready(p)).count());
            ServiceFacts {
                name: m["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                cluster_ip: None,
                ports: m["spec"]["ports"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| p["port"].as_i64())
                    .map(|p| p as i32)
                    .collect(),
                selector,
                ready_endpoints: ready,
                // The recording holds no logs of other workloads' pods.
                backends: Vec::new(),
            }
        })
        .collect();
    DiagnoseInput {
        owners: Fetched::Got(owners(&pod, &pods, &live, &events)),
        pod,
        container: None,
        events: Fetched::Got(events),
        logs,
        lookups,
        services: Fetched::Got(services),
    }
}

/// The object holding a pod's revision, from the pod's controller (`Kind/name`) and revision
/// label, when the controller is the workload's.
type RevisionObject = Box<dyn Fn(&str, &str) -> Option<String>>;

/// Each recorded pod's last state, by name (deleted pods included).
fn last_states<'a>(pods: &[&'a Pod]) -> BTreeMap<String, &'a Pod> {
    pods.iter()
        .map(|p| (p.metadata.name.clone().unwrap_or_default(), *p))
        .collect()
}

/// The pod's controllers and, for a Deployment's pod, its ReplicaSets as the recorded pods
/// show them. The recording holds no ReplicaSet objects, so each ReplicaSet's revision is its
/// place in the order their first pods were created: the order the Deployment created them,
/// as the recording starts with the Deployment's creation. Each template is the spec of the
/// ReplicaSet's last recorded pod (pods of one template differ in nothing it compares).
fn owners(pod: &Pod, pods: &[&Pod], live: &[&Pod], events: &[Event]) -> OwnerFacts {
    let (Some(owner), revision) = controller_and_revision(pod) else {
        return OwnerFacts::default();
    };
    let (kind, name) = owner.split_once('/').expect("Kind/name");
    let mut facts = OwnerFacts {
        chain: vec![Owner {
            kind: kind.to_owned(),
            name: name.to_owned(),
        }],
        ..OwnerFacts::default()
    };
    if kind == "Job" {
        // The recording holds no Job object; the Job controller's event carries the same
        // reason and message as the `Failed` condition the live gatherer reads.
        facts.events = events
            .iter()
            .filter(|e| {
                e.involved_object.kind.as_deref() == Some("Job")
                    && e.involved_object.name.as_deref() == Some(name)
                    && matches!(
                        e.reason.as_deref(),
                        Some("BackoffLimitExceeded" | "DeadlineExceeded")
                    )
            })
            .map(|e| {
                format!(
                    "Failed: {}: {}",
                    e.reason.as_deref().unwrap_or_default(),
                    e.message.as_deref().unwrap_or_default()
                )
            })
            .fold(Vec::new(), |mut out, line| {
                if !out.contains(&line) {
                    out.push(line);
                }
                out
            });
        // A CronJob's Job: the CronJob controller's own event names it ("Created job NAME").
        let created = format!("Created job {name}");
        if let Some(cron) = events.iter().find(|e| {
            e.involved_object.kind.as_deref() == Some("CronJob")
                && e.reason.as_deref() == Some("SuccessfulCreate")
                && e.message.as_deref() == Some(created.as_str())
        }) {
            facts.chain.push(Owner {
                kind: "CronJob".to_owned(),
                name: cron.involved_object.name.clone().unwrap_or_default(),
            });
        }
        return facts;
    }
    let Some(hash) = revision else {
        return facts;
    };
    // The workload, and the name of the object that holds each revision.
    let (workload_kind, workload, object_of): (&str, String, RevisionObject) = match kind {
        "ReplicaSet" => {
            let Some(deployment) = name.strip_suffix(&format!("-{hash}")) else {
                return facts;
            };
            facts.chain.push(Owner {
                kind: "Deployment".to_owned(),
                name: deployment.to_owned(),
            });
            let d = deployment.to_owned();
            (
                "Deployment",
                d.clone(),
                Box::new(move |owner: &str, h: &str| {
                    let rs = owner.strip_prefix("ReplicaSet/")?;
                    (rs == format!("{d}-{h}")).then(|| rs.to_owned())
                }),
            )
        }
        "StatefulSet" | "DaemonSet" => {
            let (k, n) = (kind.to_owned(), name.to_owned());
            (
                if kind == "StatefulSet" {
                    "StatefulSet"
                } else {
                    "DaemonSet"
                },
                n.clone(),
                Box::new(move |owner: &str, h: &str| {
                    (owner == format!("{k}/{n}")).then(|| {
                        // A StatefulSet's label is the ControllerRevision's whole name.
                        if h.starts_with(&format!("{n}-")) {
                            h.to_owned()
                        } else {
                            format!("{n}-{h}")
                        }
                    })
                }),
            )
        }
        _ => return facts,
    };
    let deployment = workload.as_str();
    // ReplicaSet name → (first pod created, its last pod state).
    let mut replica_sets: BTreeMap<String, (Option<Timestamp>, Vec<&Pod>)> = BTreeMap::new();
    for p in pods {
        let (Some(o), Some(h)) = controller_and_revision(p) else {
            continue;
        };
        let Some(rs) = object_of(&o, &h) else {
            continue;
        };
        let rs = rs.as_str();
        let created = p.metadata.creation_timestamp.as_ref().map(|t| t.0);
        // Observed in order: the first pod seen of a ReplicaSet is its first.
        let entry = replica_sets
            .entry(rs.to_owned())
            .or_insert((created, Vec::new()));
        entry.1.push(p);
    }
    let mut ordered: Vec<(String, Option<Timestamp>, Vec<&Pod>)> = replica_sets
        .into_iter()
        .map(|(rs, (created, pods))| (rs, created, pods))
        .collect();
    ordered.sort_by_key(|(_, created, _)| *created);
    let mut revisions: Vec<Revision> = ordered
        .into_iter()
        .enumerate()
        .map(|(i, (rs, created, observed))| {
            let newest = observed.last().expect("at least one pod");
            let ready = live
                .iter()
                .filter(|p| {
                    let (o, h) = controller_and_revision(p);
                    o.zip(h).and_then(|(o, h)| object_of(&o, &h)).as_deref() == Some(rs.as_str())
                })
                .filter(|p| pod_ready(p))
                .count();
            let template = newest.spec.clone();
            Revision {
                current: controller_and_revision(pod)
                    .0
                    .zip(controller_and_revision(pod).1)
                    .and_then(|(o, h)| object_of(&o, &h))
                    .as_deref()
                    == Some(rs.as_str()),
                images: template
                    .iter()
                    .flat_map(|s| s.containers.iter())
                    .map(|c| format!("{}={}", c.name, c.image.clone().unwrap_or_default()))
                    .collect(),
                ready: Some(ready as i32),
                replica_set: rs,
                revision: Some(i as i64 + 1),
                created,
                template,
            }
        })
        .collect();
    revisions.reverse();
    facts.revisions = revisions;
    facts.events = events
        .iter()
        .filter(|e| {
            e.involved_object.kind.as_deref() == Some(workload_kind)
                && e.involved_object.name.as_deref() == Some(deployment)
                && e.reason.as_deref() == Some("ScalingReplicaSet")
        })
        .map(|e| format!("ScalingReplicaSet: {}", e.message.as_deref().unwrap_or("")))
        .fold(Vec::new(), |mut out, m| {
            if !out.contains(&m) {
                out.push(m);
            }
            out
        });
    facts
}
