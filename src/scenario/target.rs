//! What a scenario watches: one container of a bare Pod or of a workload's pods.
//!
//! A workload's pods have generated names (`api-7d8f6c5b9-x2k4q`) and are replaced by
//! rollouts, so the target is the workload, and which pods it currently means is decided from
//! the recorded pods themselves (see [`Workload::owns`] and `crate::expect::target_pods`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The workload (or bare Pod) whose container is checked: exactly one of `pod`, `deployment`,
/// `statefulSet`, `daemonSet`, `job`, `cronJob`, plus `container`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(extend("oneOf" = [
    {"required": ["pod"]},
    {"required": ["deployment"]},
    {"required": ["statefulSet"]},
    {"required": ["daemonSet"]},
    {"required": ["job"]},
    {"required": ["cronJob"]},
]))]
pub struct Target {
    /// Name of a bare Pod of the manifests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod: Option<String>,
    /// Name of a Deployment: its current pods are those of its newest ReplicaSet (the one a
    /// rollout created last).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment: Option<String>,
    /// Name of a StatefulSet: its pods of the newest revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stateful_set: Option<String>,
    /// Name of a DaemonSet: its pods of the newest revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daemon_set: Option<String>,
    /// Name of a Job: all of its pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    /// Name of a CronJob: all the pods of the Jobs it scheduled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cron_job: Option<String>,
    /// Name of the container in the pod template: an app container, an init container, or a
    /// native sidecar (an init container with `restartPolicy: Always`).
    pub container: String,
}

/// The kinds of object a target can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WorkloadKind {
    Pod,
    Deployment,
    StatefulSet,
    DaemonSet,
    Job,
    CronJob,
}

impl WorkloadKind {
    pub const ALL: [WorkloadKind; 6] = [
        WorkloadKind::Pod,
        WorkloadKind::Deployment,
        WorkloadKind::StatefulSet,
        WorkloadKind::DaemonSet,
        WorkloadKind::Job,
        WorkloadKind::CronJob,
    ];

    /// The Kubernetes kind, e.g. `StatefulSet`.
    pub fn kind(self) -> &'static str {
        match self {
            WorkloadKind::Pod => "Pod",
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::StatefulSet => "StatefulSet",
            WorkloadKind::DaemonSet => "DaemonSet",
            WorkloadKind::Job => "Job",
            WorkloadKind::CronJob => "CronJob",
        }
    }

    /// Whether its current pods run side by side, each its own instance of the program, so
    /// that each must show what the scenario expects: a DaemonSet's, one per node. (A
    /// Deployment's or a Job's pods of one revision may also follow one another, a
    /// replacement after a deletion or a Job's retry, and are judged together.)
    pub fn judged_per_pod(self) -> bool {
        self == WorkloadKind::DaemonSet
    }

    /// The `apiVersion` of its manifests.
    pub fn api_version(self) -> &'static str {
        match self {
            WorkloadKind::Pod => "v1",
            WorkloadKind::Job | WorkloadKind::CronJob => "batch/v1",
            _ => "apps/v1",
        }
    }

    /// The field of `spec.target` that names it, e.g. `statefulSet`.
    pub fn field(self) -> &'static str {
        match self {
            WorkloadKind::Pod => "pod",
            WorkloadKind::Deployment => "deployment",
            WorkloadKind::StatefulSet => "statefulSet",
            WorkloadKind::DaemonSet => "daemonSet",
            WorkloadKind::Job => "job",
            WorkloadKind::CronJob => "cronJob",
        }
    }

    /// Where its pod template sits in its manifest (`spec` for a bare Pod).
    pub fn pod_template_path(self) -> &'static [&'static str] {
        match self {
            WorkloadKind::Pod => &[],
            WorkloadKind::CronJob => &["spec", "jobTemplate", "spec", "template"],
            _ => &["spec", "template"],
        }
    }

    /// Its pod spec in `manifest`: `spec` of the pod template (or of a bare Pod).
    pub fn pod_spec(self, manifest: &serde_json::Value) -> Option<&serde_json::Value> {
        self.pod_template_path()
            .iter()
            .try_fold(manifest, |v, k| v.get(k))?
            .get("spec")
    }
}

/// One named workload (or bare Pod).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Workload<'a> {
    pub kind: WorkloadKind,
    pub name: &'a str,
}

impl Target {
    /// A bare Pod's container (the shape of the original catalogue).
    pub fn pod(pod: impl Into<String>, container: impl Into<String>) -> Self {
        Self {
            pod: Some(pod.into()),
            container: container.into(),
            ..Self::default()
        }
    }

    /// Every workload field that is set, in the order of [`WorkloadKind::ALL`]. A valid
    /// scenario has exactly one (the loader checks).
    pub fn named(&self) -> Vec<Workload<'_>> {
        let fields = [
            &self.pod,
            &self.deployment,
            &self.stateful_set,
            &self.daemon_set,
            &self.job,
            &self.cron_job,
        ];
        WorkloadKind::ALL
            .iter()
            .zip(fields)
            .filter_map(|(kind, name)| name.as_deref().map(|name| Workload { kind: *kind, name }))
            .collect()
    }

    /// The workload the target names. A target naming none (only possible for a value built
    /// in code, never for a loaded scenario) means a Pod named "".
    pub fn workload(&self) -> Workload<'_> {
        self.named().into_iter().next().unwrap_or(Workload {
            kind: WorkloadKind::Pod,
            name: "",
        })
    }

    /// The same workload, another container (per-container expectations).
    pub fn with_container(&self, container: &str) -> Target {
        Target {
            container: container.to_owned(),
            ..self.clone()
        }
    }

    /// Whether the pod `pod` (with its controller and revision label) belongs to the target.
    pub fn owns(&self, pod: &str, owner: Option<&str>, revision: Option<&str>) -> bool {
        self.workload().owns(pod, owner, revision)
    }
}

impl Workload<'_> {
    /// Whether a pod belongs to this workload, from the pod's own metadata: its name for a
    /// bare Pod; else its controller (`ownerReferences` with `controller: true`, written
    /// `Kind/name`). A Deployment owns pods through ReplicaSets named `<deployment>-<hash>`,
    /// where `<hash>` is the pod's `pod-template-hash` label (pkg/controller/deployment
    /// `getNewReplicaSet`), so the owner must be exactly that name, not merely a prefix.
    pub fn owns(&self, pod: &str, owner: Option<&str>, revision: Option<&str>) -> bool {
        match self.kind {
            WorkloadKind::Pod => pod == self.name,
            WorkloadKind::Deployment => match (owner, revision) {
                (Some(owner), Some(hash)) => owner == format!("ReplicaSet/{}-{hash}", self.name),
                _ => false,
            },
            // The Job a CronJob schedules is named `<cronjob>-<scheduled time in minutes>`
            // (pkg/controller/cronjob `getJobName`).
            WorkloadKind::CronJob => owner
                .and_then(|o| o.strip_prefix("Job/"))
                .and_then(|job| job.strip_prefix(self.name))
                .and_then(|rest| rest.strip_prefix('-'))
                .is_some_and(|minutes| {
                    !minutes.is_empty() && minutes.bytes().all(|b| b.is_ascii_digit())
                }),
            kind => owner == Some(format!("{}/{}", kind.kind(), self.name).as_str()),
        }
    }
}

impl std::fmt::Display for Workload<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            WorkloadKind::Pod => write!(f, "pod {}", self.name),
            kind => write!(f, "{} {}", kind.kind(), self.name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment(name: &str) -> Target {
        Target {
            deployment: Some(name.into()),
            container: "app".into(),
            ..Target::default()
        }
    }

    #[test]
    fn a_deployment_owns_pods_of_its_own_replica_sets_only() {
        let t = deployment("api");
        assert!(t.owns(
            "api-7d8f6c5b9-x2k4q",
            Some("ReplicaSet/api-7d8f6c5b9"),
            Some("7d8f6c5b9")
        ));
        // `api-v2`'s ReplicaSet starts with `api-` too.
        assert!(!t.owns(
            "api-v2-5c9d-abcde",
            Some("ReplicaSet/api-v2-5c9d"),
            Some("5c9d")
        ));
        assert!(!t.owns("api", None, None));
    }

    #[test]
    fn other_workloads_own_pods_they_control() {
        let t = Target {
            stateful_set: Some("db".into()),
            container: "db".into(),
            ..Target::default()
        };
        assert!(t.owns("db-0", Some("StatefulSet/db"), Some("db-6b4f")));
        assert!(!t.owns("db-0", Some("DaemonSet/db"), None));
        let t = Target {
            job: Some("migrate".into()),
            container: "m".into(),
            ..Target::default()
        };
        assert!(t.owns("migrate-abcde", Some("Job/migrate"), None));
        let cron = Target {
            cron_job: Some("app".to_owned()),
            container: "backup".to_owned(),
            ..Target::default()
        };
        assert!(cron.owns("app-29942213-wlfnr", Some("Job/app-29942213"), None));
        assert!(!cron.owns("app-x", Some("Job/app"), None));
        assert!(!cron.owns("app-x", Some("Job/app-manual"), None));
        assert!(!cron.owns("app-x", Some("Job/apple-29942213"), None));
        assert!(!cron.owns("app-x", Some("CronJob/app"), None));
        let t = Target::pod("app", "app");
        assert!(t.owns("app", None, None));
        assert!(!t.owns("app-2", None, None));
    }

    #[test]
    fn exactly_the_named_fields_are_listed() {
        let mut t = deployment("api");
        assert_eq!(t.named().len(), 1);
        assert_eq!(t.workload().to_string(), "Deployment api");
        t.pod = Some("app".into());
        assert_eq!(t.named().len(), 2);
        assert_eq!(Target::pod("app", "c").workload().to_string(), "pod app");
    }
}
