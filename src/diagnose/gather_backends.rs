//! The pods behind the namespace's Services, read for the diagnoser: their Ready condition,
//! whether they have a readiness probe, and the tail of their current logs. A dependency that
//! is Ready but still initialising (no readiness probe, a first start that takes a while)
//! refuses connections, and only its own log says why.

use std::time::Duration;

use k8s_openapi::api::core::v1::{Container, Pod, Service};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::api::{Api, ListParams};

use crate::runner::api_message::api_message;
use crate::runner::container_logs::{LogRead, read_logs};

use super::input::Backend;

/// Services whose pods are read, at most: a namespace with many Services costs a bounded
/// number of reads.
pub const MAX_SERVICES: usize = 8;
/// Pods read per Service: the ready ones first.
pub const PODS_PER_SERVICE: usize = 2;
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// The backends of `service`: its selector's pods (ready ones first, at most
/// [`PODS_PER_SERVICE`]), each with its log tail. Empty for a Service without a selector, or
/// when its pods could not be listed.
pub async fn backends(pods: &Api<Pod>, service: &Service) -> Vec<Backend> {
    let Some(spec) = service.spec.as_ref() else {
        return Vec::new();
    };
    let Some(selector) = spec.selector.as_ref().filter(|s| !s.is_empty()) else {
        return Vec::new();
    };
    let labels: Vec<String> = selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let listed = tokio::time::timeout(
        CALL_TIMEOUT,
        pods.list(&ListParams::default().labels(&labels.join(","))),
    )
    .await;
    let mut found: Vec<Pod> = match listed {
        Ok(Ok(list)) => list.items,
        Ok(Err(e)) => {
            tracing::debug!(error = %api_message(&e), "could not list the pods behind a Service");
            return Vec::new();
        }
        Err(_) => return Vec::new(),
    };
    found.retain(|p| p.metadata.deletion_timestamp.is_none());
    found.sort_by_key(|p| !pod_ready(p));
    found.truncate(PODS_PER_SERVICE);
    let target_ports: Vec<&IntOrString> = spec
        .ports
        .iter()
        .flatten()
        .filter_map(|p| p.target_port.as_ref())
        .collect();
    let mut out = Vec::new();
    for pod in found {
        let Some(container) = serving_container(&pod, &target_ports) else {
            continue;
        };
        let name = pod.metadata.name.clone().unwrap_or_default();
        let read =
            tokio::time::timeout(CALL_TIMEOUT, read_logs(pods, &name, &container.name, false));
        let (log_tail, log_error) = match read.await {
            Ok(LogRead::Text(text)) => (Some(text.lines().map(str::to_owned).collect()), None),
            Ok(LogRead::Removed(m) | LogRead::Failed(m)) => (None, Some(m)),
            Err(_) => (
                None,
                Some(format!("no answer within {}s", CALL_TIMEOUT.as_secs())),
            ),
        };
        out.push(Backend {
            pod: name,
            container: container.name.clone(),
            ready: pod_ready(&pod),
            readiness_probe: container.readiness_probe.is_some(),
            log_tail,
            log_error,
        });
    }
    out
}

/// The container that serves the Service: the one with a `containerPort` (by number or name)
/// the Service targets, else the pod's first container.
fn serving_container<'a>(pod: &'a Pod, target_ports: &[&IntOrString]) -> Option<&'a Container> {
    let containers = &pod.spec.as_ref()?.containers;
    containers
        .iter()
        .find(|c| {
            c.ports.iter().flatten().any(|p| {
                target_ports.iter().any(|t| match t {
                    IntOrString::Int(n) => *n == p.container_port,
                    IntOrString::String(s) => p.name.as_deref() == Some(s.as_str()),
                })
            })
        })
        .or_else(|| containers.first())
}

/// Whether the pod's Ready condition is True.
pub(super) fn pod_ready(p: &Pod) -> bool {
    p.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}
