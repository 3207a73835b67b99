//! Whether a workload has finished rolling out, decided as `kubectl rollout status` does
//! (staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go). Pure: reads the
//! object's JSON.

use serde_json::Value;

use crate::scenario::WorkloadKind;

/// Where a rollout stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rollout {
    Done,
    /// Still going: what it waits for, in kubectl's words.
    Waiting(String),
    /// It cannot finish (a Deployment past its progress deadline).
    Failed(String),
}

/// The rollout status of `object`, a Deployment, StatefulSet or DaemonSet.
pub fn rollout_status(kind: WorkloadKind, object: &Value) -> Rollout {
    let int = |path: &str| -> i64 {
        object
            .pointer(path)
            .and_then(Value::as_i64)
            .unwrap_or_default()
    };
    let name = object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if int("/metadata/generation") > int("/status/observedGeneration") {
        return Rollout::Waiting(format!("waiting for {name}'s spec update to be observed"));
    }
    match kind {
        WorkloadKind::Deployment => {
            let deadline_exceeded = object
                .pointer("/status/conditions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .any(|c| {
                    c.get("type").and_then(Value::as_str) == Some("Progressing")
                        && c.get("reason").and_then(Value::as_str)
                            == Some("ProgressDeadlineExceeded")
                });
            if deadline_exceeded {
                return Rollout::Failed(format!(
                    "deployment {name} exceeded its progress deadline"
                ));
            }
            let wanted = object
                .pointer("/spec/replicas")
                .and_then(Value::as_i64)
                .unwrap_or(1);
            let updated = int("/status/updatedReplicas");
            let replicas = int("/status/replicas");
            let available = int("/status/availableReplicas");
            if updated < wanted {
                Rollout::Waiting(format!(
                    "{updated} out of {wanted} new replicas have been updated"
                ))
            } else if replicas > updated {
                Rollout::Waiting(format!(
                    "{} old replicas are pending termination",
                    replicas - updated
                ))
            } else if available < updated {
                Rollout::Waiting(format!(
                    "{available} of {updated} updated replicas are available"
                ))
            } else {
                Rollout::Done
            }
        }
        WorkloadKind::StatefulSet => {
            let wanted = object
                .pointer("/spec/replicas")
                .and_then(Value::as_i64)
                .unwrap_or(1);
            let ready = int("/status/readyReplicas");
            let current = object.pointer("/status/currentRevision");
            let update = object.pointer("/status/updateRevision");
            if ready < wanted {
                Rollout::Waiting(format!("{ready} of {wanted} pods are ready"))
            } else if update.is_some() && current != update {
                Rollout::Waiting("waiting for the partitioned roll out to finish".to_owned())
            } else {
                Rollout::Done
            }
        }
        WorkloadKind::DaemonSet => {
            let desired = int("/status/desiredNumberScheduled");
            let updated = int("/status/updatedNumberScheduled");
            let available = int("/status/numberAvailable");
            if updated < desired {
                Rollout::Waiting(format!(
                    "{updated} out of {desired} new pods have been updated"
                ))
            } else if available < desired {
                Rollout::Waiting(format!(
                    "{available} of {desired} updated pods are available"
                ))
            } else {
                Rollout::Done
            }
        }
        WorkloadKind::Pod | WorkloadKind::Job | WorkloadKind::CronJob => Rollout::Done,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_deployment_is_done_when_every_replica_is_new_and_available() {
        let mut d = json!({
            "metadata": {"name": "api", "generation": 2},
            "spec": {"replicas": 1},
            "status": {"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "availableReplicas": 1}
        });
        assert!(matches!(
            rollout_status(WorkloadKind::Deployment, &d),
            Rollout::Waiting(_)
        ));
        d["status"]["observedGeneration"] = json!(2);
        d["status"]["replicas"] = json!(2);
        assert_eq!(
            rollout_status(WorkloadKind::Deployment, &d),
            Rollout::Waiting("1 old replicas are pending termination".into())
        );
        d["status"]["replicas"] = json!(1);
        assert_eq!(rollout_status(WorkloadKind::Deployment, &d), Rollout::Done);
        d["status"]["conditions"] =
            json!([{"type": "Progressing", "reason": "ProgressDeadlineExceeded"}]);
        assert!(matches!(
            rollout_status(WorkloadKind::Deployment, &d),
            Rollout::Failed(_)
        ));
    }

    #[test]
    fn statefulsets_and_daemonsets() {
        let s = json!({
            "metadata": {"name": "db", "generation": 1},
            "spec": {"replicas": 1},
            "status": {"observedGeneration": 1, "readyReplicas": 0, "currentRevision": "db-1", "updateRevision": "db-1"}
        });
        assert!(matches!(
            rollout_status(WorkloadKind::StatefulSet, &s),
            Rollout::Waiting(_)
        ));
        let d = json!({
            "metadata": {"name": "agent", "generation": 1},
            "status": {"observedGeneration": 1, "desiredNumberScheduled": 1, "updatedNumberScheduled": 1, "numberAvailable": 1}
        });
        assert_eq!(rollout_status(WorkloadKind::DaemonSet, &d), Rollout::Done);
    }
}
