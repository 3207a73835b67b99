//! What changed between two pod templates of a workload (a Deployment's two newest
//! ReplicaSets), in the terms a person compares them: per container its image, command, args,
//! environment, mounts, probes, resources and security context, and the pod's volumes.
//! Environment values are never shown (they may be secrets): only which variables came, went
//! or changed.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, EnvVar, PodSpec};
use serde::Serialize;

/// One difference, about a container or about the pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Image {
        container: String,
        old: String,
        new: String,
    },
    EnvRemoved {
        container: String,
        var: String,
    },
    EnvAdded {
        container: String,
        var: String,
    },
    EnvChanged {
        container: String,
        var: String,
    },
    /// Another field of a container: `command`, `args`, `envFrom`, `volumeMounts`,
    /// `livenessProbe`, `resources`, `securityContext`, ...
    Field {
        container: String,
        field: &'static str,
    },
    ContainerAdded(String),
    ContainerRemoved(String),
    /// A field of the pod: `volumes`, `serviceAccountName`, ...
    PodField(&'static str),
}

impl Change {
    pub fn describe(&self) -> String {
        match self {
            Change::Image {
                container,
                old,
                new,
            } => format!("container {container}: image {old} → {new}"),
            Change::EnvRemoved { container, var } => {
                format!("container {container}: environment variable {var} removed")
            }
            Change::EnvAdded { container, var } => {
                format!("container {container}: environment variable {var} added")
            }
            Change::EnvChanged { container, var } => {
                format!("container {container}: environment variable {var} changed")
            }
            Change::Field { container, field } => format!("container {container}: {field} changed"),
            Change::ContainerAdded(c) => format!("container {c} added"),
            Change::ContainerRemoved(c) => format!("container {c} removed"),
            Change::PodField(f) => format!("pod {f} changed"),
        }
    }

    /// The container it is about, if any.
    pub fn container(&self) -> Option<&str> {
        match self {
            Change::Image { container, .. }
            | Change::EnvRemoved { container, .. }
            | Change::EnvAdded { container, .. }
            | Change::EnvChanged { container, .. }
            | Change::Field { container, .. } => Some(container),
            Change::ContainerAdded(c) | Change::ContainerRemoved(c) => Some(c),
            Change::PodField(_) => None,
        }
    }
}

/// The differences from `old` to `new`, containers in `new`'s order (init containers first),
/// then removed containers, then the pod's own fields.
pub fn template_changes(old: &PodSpec, new: &PodSpec) -> Vec<Change> {
    let all = |s: &PodSpec| -> Vec<Container> {
        s.init_containers
            .iter()
            .flatten()
            .chain(s.containers.iter())
            .cloned()
            .collect()
    };
    let (old_cs, new_cs) = (all(old), all(new));
    let mut out = Vec::new();
    for n in &new_cs {
        match old_cs.iter().find(|o| o.name == n.name) {
            Some(o) => out.extend(container_changes(o, n)),
            None => out.push(Change::ContainerAdded(n.name.clone())),
        }
    }
    for o in &old_cs {
        if !new_cs.iter().any(|n| n.name == o.name) {
            out.push(Change::ContainerRemoved(o.name.clone()));
        }
    }
    let pod_fields: [(&'static str, bool); 6] = [
        ("volumes", json(&old.volumes) != json(&new.volumes)),
        (
            "serviceAccountName",
            old.service_account_name != new.service_account_name,
        ),
        ("nodeSelector", old.node_selector != new.node_selector),
        ("affinity", json(&old.affinity) != json(&new.affinity)),
        (
            "tolerations",
            json(&old.tolerations) != json(&new.tolerations),
        ),
        (
            "securityContext",
            json(&old.security_context) != json(&new.security_context),
        ),
    ];
    out.extend(
        pod_fields
            .into_iter()
            .filter(|(_, changed)| *changed)
            .map(|(f, _)| Change::PodField(f)),
    );
    out
}

fn container_changes(o: &Container, n: &Container) -> Vec<Change> {
    let name = &n.name;
    let mut out = Vec::new();
    if o.image != n.image {
        out.push(Change::Image {
            container: name.clone(),
            old: o.image.clone().unwrap_or_default(),
            new: n.image.clone().unwrap_or_default(),
        });
    }
    let env = |c: &Container| -> BTreeMap<String, String> {
        c.env
            .iter()
            .flatten()
            .map(|e: &EnvVar| {
                let value = match (&e.value, &e.value_from) {
                    (Some(v), _) => format!("value {v}"),
                    (None, Some(from)) => json(from),
                    (None, None) => String::new(),
                };
                (e.name.clone(), value)
            })
            .collect()
    };
    let (oe, ne) = (env(o), env(n));
    for (var, value) in &oe {
        match ne.get(var) {
            None => out.push(Change::EnvRemoved {
                container: name.clone(),
                var: var.clone(),
            }),
            Some(v) if v != value => out.push(Change::EnvChanged {
                container: name.clone(),
                var: var.clone(),
            }),
            Some(_) => {}
        }
    }
    for var in ne.keys().filter(|v| !oe.contains_key(*v)) {
        out.push(Change::EnvAdded {
            container: name.clone(),
            var: var.clone(),
        });
    }
    let fields: [(&'static str, bool); 10] = [
        ("command", o.command != n.command),
        ("args", o.args != n.args),
        ("envFrom", json(&o.env_from) != json(&n.env_from)),
        (
            "volumeMounts",
            json(&o.volume_mounts) != json(&n.volume_mounts),
        ),
        ("ports", json(&o.ports) != json(&n.ports)),
        (
            "livenessProbe",
            json(&o.liveness_probe) != json(&n.liveness_probe),
        ),
        (
            "readinessProbe",
            json(&o.readiness_probe) != json(&n.readiness_probe),
        ),
        (
            "startupProbe",
            json(&o.startup_probe) != json(&n.startup_probe),
        ),
        ("resources", json(&o.resources) != json(&n.resources)),
        (
            "securityContext",
            json(&o.security_context) != json(&n.security_context),
        ),
    ];
    out.extend(
        fields
            .into_iter()
            .filter(|(_, changed)| *changed)
            .map(|(field, _)| Change::Field {
                container: name.clone(),
                field,
            }),
    );
    out
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::tests::yaml;

    #[test]
    fn env_image_and_fields_are_compared_per_container() {
        let old: PodSpec = yaml(
            r#"
containers:
  - name: app
    image: shop/web:2.0
    args: [serve]
    env:
      - {name: DATABASE_URL, value: postgres://db}
      - {name: MODE, value: a}
      - {name: KEEP, value: k}
  - name: proxy
    image: envoy
"#,
        );
        let new: PodSpec = yaml(
            r#"
containers:
  - name: app
    image: shop/web:2.1
    args: [serve, --fast]
    env:
      - {name: MODE, value: b}
      - {name: KEEP, value: k}
      - {name: NEW, value: n}
volumes:
  - {name: data, emptyDir: {}}
"#,
        );
        let shown: Vec<String> = template_changes(&old, &new)
            .iter()
            .map(Change::describe)
            .collect();
        assert_eq!(
            shown,
            [
                "container app: image shop/web:2.0 → shop/web:2.1",
                "container app: environment variable DATABASE_URL removed",
                "container app: environment variable MODE changed",
                "container app: environment variable NEW added",
                "container app: args changed",
                "container proxy removed",
                "pod volumes changed",
            ]
        );
        assert!(template_changes(&old, &old).is_empty());
    }
}
