//! The diagnoser's only contact with the API server: reads (never writes) the pod, its events,
//! the logs of its last terminated instance, its controllers, the Secrets and ConfigMaps it
//! references (metadata only for Secrets: crashlab never reads their data) and the namespace's
//! Services with their EndpointSlices. Evidence that cannot be read is reported as such, so a
//! diagnosis works with whatever RBAC allows.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::time::Duration;

use crate::runner::api_message::{api_message, causes};
use k8s_openapi::api::apps::v1::{ControllerRevision, ReplicaSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{ConfigMap, Event, Pod, Secret, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::Client;
use kube::api::{Api, ListParams};

use crate::runner::container_logs::{LogRead, read_logs};

use super::config_refs::{RefKind, config_refs};
use super::container_pick::{logs_request, pick_container};
use super::error::{Error, Result};
use super::gather_backends::{MAX_SERVICES, backends};
use super::input::{
    DiagnoseInput, Fetched, Logs, Owner, OwnerFacts, Presence, Revision, ServiceFacts,
};

/// Limit for each read after the pod itself.
const CALL_TIMEOUT: Duration = Duration::from_secs(15);

/// Reads everything [`super::diagnose`] needs about pod `pod` in `namespace`.
pub async fn gather(
    client: &Client,
    namespace: &str,
    pod_name: &str,
    container: Option<&str>,
) -> Result<DiagnoseInput> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let resolved = resolve_pod(client, namespace, pod_name).await?;
    let pod_name = resolved.as_str();
    let pod = match pods.get_opt(pod_name).await {
        Ok(Some(p)) => p,
        Ok(None) => {
            return Err(Error::PodNotFound {
                pod: pod_name.to_owned(),
                namespace: namespace.to_owned(),
            });
        }
        Err(e) => {
            return Err(match e {
                kube::Error::HyperError(_) | kube::Error::Service(_) => Error::Unreachable {
                    message: causes(&e),
                },
                other => Error::ReadPod {
                    pod: pod_name.to_owned(),
                    message: api_message(&other),
                },
            });
        }
    };
    let container = pick_container(&pod, container)?;
    let (events, logs, owners, lookups, services) = futures::join!(
        limited(events(client, namespace, pod_name)),
        logs(&pods, &pod, &container),
        limited(owners(client, namespace, &pod)),
        lookups(client, namespace, &pod, &container),
        limited(services(client, namespace)),
    );
    Ok(DiagnoseInput {
        pod,
        container: Some(container),
        events,
        logs,
        owners,
        lookups,
        services,
    })
}

/// The kinds a workload may be named by (`deployment/web`), as kubectl spells them.
const WORKLOADS: [(&str, &[&str]); 5] = [
    ("Pod", &["pod", "pods", "po"]),
    ("Deployment", &["deployment", "deployments", "deploy"]),
    ("StatefulSet", &["statefulset", "statefulsets", "sts"]),
    ("DaemonSet", &["daemonset", "daemonsets", "ds"]),
    ("Job", &["job", "jobs"]),
];

/// The pod that `name` means: a pod name as it is, or `KIND/NAME` of a workload, whose pods
/// have generated names: for a Deployment the pods of its newest ReplicaSet, for a
/// StatefulSet, DaemonSet or Job the pods it controls; of those, the one in the most trouble
/// (then the newest).
async fn resolve_pod(client: &Client, namespace: &str, name: &str) -> Result<String> {
    let Some((kind, workload)) = name.split_once('/') else {
        return Ok(name.to_owned());
    };
    let kind_lower = kind.to_ascii_lowercase();
    let Some((kind, _)) = WORKLOADS
        .iter()
        .find(|(_, spellings)| spellings.contains(&kind_lower.as_str()))
    else {
        return Ok(name.to_owned());
    };
    if *kind == "Pod" {
        return Ok(workload.to_owned());
    }
    let not_found = || Error::PodNotFound {
        pod: name.to_owned(),
        namespace: namespace.to_owned(),
    };
    let read = |e: kube::Error| Error::ReadPod {
        pod: name.to_owned(),
        message: api_message(&e),
    };
    // The controller (kind, name) whose pods count.
    let owner: (String, String) = if *kind == "Deployment" {
        let rs_list = Api::<ReplicaSet>::namespaced(client.clone(), namespace)
            .list(&ListParams::default())
            .await
            .map_err(read)?;
        let newest = rs_list
            .items
            .iter()
            .filter(|r| {
                controller(r.metadata.owner_references.as_ref())
                    .is_some_and(|o| o.kind == "Deployment" && o.name == workload)
            })
            .max_by_key(|r| {
                (
                    r.metadata
                        .annotations
                        .as_ref()
                        .and_then(|a| a.get("deployment.kubernetes.io/revision"))
                        .and_then(|v| v.parse::<i64>().ok()),
                    r.metadata.creation_timestamp.as_ref().map(|t| t.0),
                )
            })
            .ok_or_else(not_found)?;
        (
            "ReplicaSet".to_owned(),
            newest.metadata.name.clone().unwrap_or_default(),
        )
    } else {
        ((*kind).to_owned(), workload.to_owned())
    };
    let pods = Api::<Pod>::namespaced(client.clone(), namespace)
        .list(&ListParams::default())
        .await
        .map_err(read)?;
    pods.items
        .iter()
        .filter(|p| {
            controller(p.metadata.owner_references.as_ref())
                .is_some_and(|o| o.kind == owner.0 && o.name == owner.1)
        })
        .max_by_key(|p| {
            (
                pod_trouble(p),
                p.metadata.creation_timestamp.as_ref().map(|t| t.0),
            )
        })
        .and_then(|p| p.metadata.name.clone())
        .ok_or_else(not_found)
}

/// How much trouble a pod is in: whether its most troubled container is in trouble, and its
/// restarts.
fn pod_trouble(pod: &Pod) -> (bool, i32) {
    let Some(status) = pod.status.as_ref() else {
        return (false, 0);
    };
    let statuses = status
        .container_statuses
        .iter()
        .flatten()
        .chain(status.init_container_statuses.iter().flatten());
    let mut worst = (false, 0);
    for s in statuses {
        let waiting = s
            .state
            .as_ref()
            .and_then(|st| st.waiting.as_ref())
            .and_then(|w| w.reason.as_deref())
            .is_some_and(|r| !matches!(r, "ContainerCreating" | "PodInitializing"));
        worst = worst.max((waiting || !s.ready, s.restart_count));
    }
    // A pod not scheduled has no container statuses.
    let unscheduled = status.phase.as_deref() == Some("Pending") && worst == (false, 0);
    (worst.0 || unscheduled, worst.1)
}

async fn limited<T>(f: impl Future<Output = Fetched<T>>) -> Fetched<T> {
    match tokio::time::timeout(CALL_TIMEOUT, f).await {
        Ok(r) => r,
        Err(_) => Fetched::Failed(format!("no answer within {}s", CALL_TIMEOUT.as_secs())),
    }
}

async fn events(client: &Client, namespace: &str, pod: &str) -> Fetched<Vec<Event>> {
    let api: Api<Event> = Api::namespaced(client.clone(), namespace);
    let lp = ListParams::default().fields(&format!(
        "involvedObject.name={pod},involvedObject.kind=Pod"
    ));
    match api.list(&lp).await {
        Ok(list) => Fetched::Got(list.items),
        Err(e) => Fetched::Failed(api_message(&e)),
    }
}

async fn logs(pods: &Api<Pod>, pod: &Pod, container: &str) -> Logs {
    let Some(req) = logs_request(pod, container) else {
        return Logs::NoInstance;
    };
    let name = pod.metadata.name.clone().unwrap_or_default();
    let read = read_logs(pods, &name, container, req.previous);
    match tokio::time::timeout(CALL_TIMEOUT, read).await {
        Ok(LogRead::Text(text)) => Logs::Text {
            previous: req.previous,
            text,
        },
        Ok(LogRead::Removed(text) | LogRead::Failed(text)) => Logs::Failed(text),
        Err(_) => Logs::Failed(format!("no answer within {}s", CALL_TIMEOUT.as_secs())),
    }
}

/// `container=image` for each app container of a revision's pod template.
fn template_images(template: Option<&k8s_openapi::api::core::v1::PodSpec>) -> Vec<String> {
    template
        .map(|s| {
            s.containers
                .iter()
                .map(|c| format!("{}={}", c.name, c.image.clone().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default()
}

fn controller(refs: Option<&Vec<OwnerReference>>) -> Option<&OwnerReference> {
    let refs = refs?;
    refs.iter()
        .find(|r| r.controller == Some(true))
        .or(refs.first())
}

async fn owners(client: &Client, namespace: &str, pod: &Pod) -> Fetched<OwnerFacts> {
    let Some(owner) = controller(pod.metadata.owner_references.as_ref()) else {
        return Fetched::Got(OwnerFacts::default());
    };
    let mut facts = OwnerFacts {
        chain: vec![Owner {
            kind: owner.kind.clone(),
            name: owner.name.clone(),
        }],
        ..OwnerFacts::default()
    };
    if owner.kind == "Job" {
        if let Ok(Some(job)) = Api::<Job>::namespaced(client.clone(), namespace)
            .get_opt(&owner.name)
            .await
        {
            // Whether the Job gave up (`BackoffLimitExceeded`, `DeadlineExceeded`): with
            // `restartPolicy: Never` there is no crash loop, only failed pods and this.
            facts.events = job_failure(&job);
            // A CronJob's Job.
            if let Some(cron) = controller(job.metadata.owner_references.as_ref()) {
                facts.chain.push(Owner {
                    kind: cron.kind.clone(),
                    name: cron.name.clone(),
                });
            }
        }
        return Fetched::Got(facts);
    }
    if matches!(owner.kind.as_str(), "StatefulSet" | "DaemonSet") {
        return match controller_revisions(client, namespace, pod, owner).await {
            Ok(revisions) => {
                facts.revisions = revisions;
                Fetched::Got(facts)
            }
            Err(e) => Fetched::Failed(format!("ControllerRevisions: {}", api_message(&e))),
        };
    }
    if owner.kind != "ReplicaSet" {
        return Fetched::Got(facts);
    }
    let rs_api: Api<ReplicaSet> = Api::namespaced(client.clone(), namespace);
    let rs = match rs_api.get_opt(&owner.name).await {
        Ok(Some(rs)) => rs,
        Ok(None) => return Fetched::Got(facts),
        Err(e) => {
            return Fetched::Failed(format!("ReplicaSet {}: {}", owner.name, api_message(&e)));
        }
    };
    let Some(deployment) = controller(rs.metadata.owner_references.as_ref()).cloned() else {
        return Fetched::Got(facts);
    };
    facts.chain.push(Owner {
        kind: deployment.kind.clone(),
        name: deployment.name.clone(),
    });
    if deployment.kind != "Deployment" {
        return Fetched::Got(facts);
    }
    let all = match rs_api.list(&ListParams::default()).await {
        Ok(l) => l.items,
        Err(e) => return Fetched::Failed(format!("ReplicaSets: {}", api_message(&e))),
    };
    let mut revisions: Vec<Revision> = all
        .iter()
        .filter(|r| {
            r.metadata
                .owner_references
                .iter()
                .flatten()
                .any(|o| o.uid == deployment.uid)
        })
        .map(|r| {
            let template = r
                .spec
                .as_ref()
                .and_then(|s| s.template.as_ref())
                .and_then(|t| t.spec.clone());
            Revision {
                replica_set: r.metadata.name.clone().unwrap_or_default(),
                revision: r
                    .metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get("deployment.kubernetes.io/revision"))
                    .and_then(|v| v.parse().ok()),
                created: r.metadata.creation_timestamp.as_ref().map(|t| t.0),
                images: template_images(template.as_ref()),
                current: r.metadata.name.as_deref() == Some(owner.name.as_str()),
                ready: r.status.as_ref().map(|s| s.ready_replicas.unwrap_or(0)),
                template,
            }
        })
        .collect();
    revisions.sort_by_key(|r| std::cmp::Reverse(r.revision));
    facts.revisions = revisions;
    // The Deployment's own events: the rollouts that scaled its ReplicaSets.
    let lp = ListParams::default().fields(&format!(
        "involvedObject.name={},involvedObject.kind=Deployment",
        deployment.name
    ));
    if let Ok(list) = Api::<Event>::namespaced(client.clone(), namespace)
        .list(&lp)
        .await
    {
        let mut events: Vec<&Event> = list
            .items
            .iter()
            .filter(|e| e.reason.as_deref() == Some("ScalingReplicaSet"))
            .collect();
        events.sort_by_key(|e| {
            e.first_timestamp
                .as_ref()
                .map(|t| t.0)
                .or_else(|| e.event_time.as_ref().map(|t| t.0))
        });
        facts.events = events
            .iter()
            .map(|e| format!("ScalingReplicaSet: {}", e.message.as_deref().unwrap_or("")))
            .collect();
    }
    Fetched::Got(facts)
}

/// A Job's `Failed` (or `FailureTarget`) condition that holds, as `Failed:
/// BackoffLimitExceeded: Job has reached the specified backoff limit`.
fn job_failure(job: &Job) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let conditions = job.status.as_ref().and_then(|s| s.conditions.as_ref());
    for c in conditions.into_iter().flatten() {
        if matches!(c.type_.as_str(), "Failed" | "FailureTarget") && c.status == "True" {
            let line = format!(
                "Failed: {}: {}",
                c.reason.as_deref().unwrap_or("unknown reason"),
                c.message.as_deref().unwrap_or("")
            );
            if !out.contains(&line) {
                out.push(line);
            }
        }
    }
    out
}

/// A StatefulSet's or DaemonSet's revisions: its ControllerRevisions, whose data holds the
/// pod template (`{"spec": {"template": ...}}`). The pod's `controller-revision-hash` label
/// names its own: the whole ControllerRevision name (StatefulSet) or its hash suffix
/// (DaemonSet).
async fn controller_revisions(
    client: &Client,
    namespace: &str,
    pod: &Pod,
    owner: &OwnerReference,
) -> Result<Vec<Revision>, kube::Error> {
    let list = Api::<ControllerRevision>::namespaced(client.clone(), namespace)
        .list(&ListParams::default())
        .await?;
    let hash = pod
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get("controller-revision-hash"))
        .cloned()
        .unwrap_or_default();
    let mut revisions: Vec<Revision> = list
        .items
        .iter()
        .filter(|cr| {
            cr.metadata
                .owner_references
                .iter()
                .flatten()
                .any(|o| o.uid == owner.uid)
        })
        .map(|cr| {
            let name = cr.metadata.name.clone().unwrap_or_default();
            let template: Option<k8s_openapi::api::core::v1::PodSpec> = cr
                .data
                .as_ref()
                .and_then(|d| serde_json::from_value(d.0["spec"]["template"]["spec"].clone()).ok());
            Revision {
                current: !hash.is_empty() && (name == hash || name.ends_with(&format!("-{hash}"))),
                revision: Some(cr.revision),
                created: cr.metadata.creation_timestamp.as_ref().map(|t| t.0),
                images: template_images(template.as_ref()),
                ready: None,
                template,
                replica_set: name,
            }
        })
        .collect();
    revisions.sort_by_key(|r| std::cmp::Reverse(r.revision));
    Ok(revisions)
}

async fn lookups(
    client: &Client,
    namespace: &str,
    pod: &Pod,
    container: &str,
) -> BTreeMap<(RefKind, String), Presence> {
    let wanted: BTreeSet<(RefKind, String)> = config_refs(pod, container)
        .into_iter()
        .map(|r| (r.kind, r.name))
        .collect();
    let checks = wanted.into_iter().map(|(kind, name)| async move {
        let presence = match tokio::time::timeout(
            CALL_TIMEOUT,
            lookup(client, namespace, kind, &name),
        )
        .await
        {
            Ok(p) => p,
            Err(_) => Presence::Unknown(format!("no answer within {}s", CALL_TIMEOUT.as_secs())),
        };
        ((kind, name), presence)
    });
    futures::future::join_all(checks)
        .await
        .into_iter()
        .collect()
}

async fn lookup(client: &Client, namespace: &str, kind: RefKind, name: &str) -> Presence {
    match kind {
        // Metadata only: whether it exists, never what it holds.
        RefKind::Secret => match Api::<Secret>::namespaced(client.clone(), namespace)
            .get_metadata_opt(name)
            .await
        {
            Ok(Some(_)) => Presence::Present { keys: None },
            Ok(None) => Presence::Missing,
            Err(e) => Presence::Unknown(api_message(&e)),
        },
        RefKind::ConfigMap => match Api::<ConfigMap>::namespaced(client.clone(), namespace)
            .get_opt(name)
            .await
        {
            Ok(Some(cm)) => {
                let mut keys: Vec<String> = cm.data.unwrap_or_default().into_keys().collect();
                keys.extend(cm.binary_data.unwrap_or_default().into_keys());
                Presence::Present { keys: Some(keys) }
            }
            Ok(None) => Presence::Missing,
            Err(e) => Presence::Unknown(api_message(&e)),
        },
    }
}

async fn services(client: &Client, namespace: &str) -> Fetched<Vec<ServiceFacts>> {
    let list = match Api::<Service>::namespaced(client.clone(), namespace)
        .list(&ListParams::default())
        .await
    {
        Ok(l) => l.items,
        Err(e) => return Fetched::Failed(api_message(&e)),
    };
    let ready: Option<BTreeMap<String, usize>> =
        match Api::<EndpointSlice>::namespaced(client.clone(), namespace)
            .list(&ListParams::default())
            .await
        {
            Ok(slices) => {
                let mut by_service: BTreeMap<String, usize> = BTreeMap::new();
                for s in slices.items {
                    let Some(svc) = s
                        .metadata
                        .labels
                        .as_ref()
                        .and_then(|l| l.get("kubernetes.io/service-name"))
                    else {
                        continue;
                    };
                    // A nil `ready` means ready (discovery/v1 EndpointConditions).
                    let n = s
                        .endpoints
                        .iter()
                        .filter(|e| e.conditions.as_ref().and_then(|c| c.ready) != Some(false))
                        .count();
                    *by_service.entry(svc.clone()).or_default() += n;
                }
                Some(by_service)
            }
            Err(e) => {
                tracing::debug!(error = %api_message(&e), "could not list EndpointSlices");
                None
            }
        };
    let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let mut facts = Vec::new();
    for (i, s) in list.into_iter().enumerate() {
        let name = s.metadata.name.clone().unwrap_or_default();
        let ready_endpoints = ready.as_ref().map(|r| r.get(&name).copied().unwrap_or(0));
        // A Service with no ready endpoint explains itself; the pods behind the others may
        // be Ready and still not listen.
        let backends = if i < MAX_SERVICES && ready_endpoints != Some(0) {
            backends(&pods, &s).await
        } else {
            Vec::new()
        };
        let spec = s.spec.unwrap_or_default();
        facts.push(ServiceFacts {
            ready_endpoints,
            name,
            cluster_ip: spec.cluster_ip.filter(|ip| !ip.is_empty() && ip != "None"),
            ports: spec
                .ports
                .unwrap_or_default()
                .iter()
                .map(|p| p.port)
                .collect(),
            selector: spec.selector.unwrap_or_default(),
            backends,
        });
    }
    Fetched::Got(facts)
}
