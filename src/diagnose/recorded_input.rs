//! Test support: the diagnoser's input rebuilt from a recording of a real run. The pod is the
//! target pod's last recorded state, the events and logs are those the watch delivered; what
//! the recording does not hold (which Secrets, ConfigMaps and Services exist) comes from the
//! scenario's own manifests, which were all that existed in its namespace.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Pod;

use crate::expect::fixtures::scenario_of;
use crate::timeline::{Observed, Recording};

use super::config_refs::{RefKind, config_refs};
use super::container_pick::logs_request;
use super::input::{DiagnoseInput, Fetched, Logs, OwnerFacts, Presence, ServiceFacts};

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
    let pod = pods
        .iter()
        .rev()
        .find(|p| crate::runner::owned_by(target, p))
        .map(|p| (*p).clone())
        .unwrap_or_else(|| panic!("{}: no pod of {} recorded", rec.scenario, target.workload()));
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let events = rec
        .observations
        .iter()
        .filter_map(|o| match &o.what {
            Observed::Event { object } => Some(object.as_ref().clone()),
            _ => None,
        })
        .collect();
    // The runner fetched `--previous`; the newest fetch is the last instance it could see.
    let logs = match logs_request(&pod, &target.container) {
        None => Logs::NoInstance,
        Some(_) => rec
            .observations
            .iter()
            .rev()
            .find_map(|o| match &o.what {
                Observed::PreviousLogs {
                    pod,
                    container,
                    text,
                    ..
                } if *pod == pod_name && *container == target.container => Some(Logs::Text {
                    previous: true,
                    text: text.clone(),
                }),
                _ => None,
            })
            .unwrap_or(Logs::Failed("no logs recorded".to_owned())),
    };
    let exists = |kind: &str, name: &str| {
        scenario
            .spec
            .manifests
            .iter()
            .any(|m| m["kind"] == kind && m["metadata"]["name"] == name)
    };
    let lookups: BTreeMap<(RefKind, String), Presence> = config_refs(&pod, &target.container)
        .into_iter()
        .map(|r| {
            let presence = if exists(r.kind.as_str(), &r.name) {
                Presence::Present { keys: None }
            } else {
                Presence::Missing
            };
            ((r.kind, r.name), presence)
        })
        .collect();
    let services = scenario
        .spec
        .manifests
        .iter()
        .filter(|m| m["kind"] == "Service")
        .map(|m| {
            let selector: BTreeMap<String, String> =
                serde_json::from_value(m["spec"]["selector"].clone()).unwrap_or_default();
            // Ready endpoints: recorded pods the selector matches that were Ready at the end.
            let ready = pods
                .iter()
                .filter(|p| {
                    let labels = p.metadata.labels.clone().unwrap_or_default();
                    !selector.is_empty() && selector.iter().all(|(k, v)| labels.get(k) == Some(v))
                })
                .filter(|p| {
                    p.status
                        .as_ref()
                        .and_then(|s| s.conditions.as_ref())
                        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
                })
                .count();
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
                ready_endpoints: Some(ready),
            }
        })
        .collect();
    DiagnoseInput {
        pod,
        container: Some(target.container.clone()),
        events: Fetched::Got(events),
        logs,
        owners: Fetched::Got(OwnerFacts::default()),
        lookups,
        services: Fetched::Got(services),
    }
}
