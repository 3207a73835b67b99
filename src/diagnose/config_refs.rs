//! The Secrets and ConfigMaps a container depends on: `env[].valueFrom`, `envFrom[]` and the
//! pod's `secret`, `configMap` and `projected` volumes that the container mounts.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::{Container, KeyToPath, Pod, Volume, VolumeMount};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RefKind {
    Secret,
    ConfigMap,
}

impl RefKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RefKind::Secret => "Secret",
            RefKind::ConfigMap => "ConfigMap",
        }
    }

    /// The resource name `kubectl get` takes.
    pub fn resource(self) -> &'static str {
        match self {
            RefKind::Secret => "secret",
            RefKind::ConfigMap => "configmap",
        }
    }
}

/// One use of a Secret or ConfigMap by the container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigRef {
    pub kind: RefKind,
    pub name: String,
    /// The key read, for `valueFrom` references.
    pub key: Option<String>,
    pub optional: bool,
    /// How the container uses it: `env DATABASE_URL`, `envFrom`, `volume config (/etc/app)`.
    pub used_as: String,
    /// The environment variable it sets, for `valueFrom` references.
    pub env: Option<String>,
}

/// Every reference of container `container` of `pod`, in spec order.
pub fn config_refs(pod: &Pod, container: &str) -> Vec<ConfigRef> {
    let Some(spec) = &pod.spec else {
        return Vec::new();
    };
    let Some(c) = spec
        .containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
        .find(|c| c.name == container)
    else {
        return Vec::new();
    };
    let mut out = env_refs(c);
    out.extend(volume_refs(c, spec.volumes.as_deref().unwrap_or_default()));
    out
}

fn env_refs(c: &Container) -> Vec<ConfigRef> {
    let mut out = Vec::new();
    for env in c.env.iter().flatten() {
        let Some(from) = &env.value_from else {
            continue;
        };
        if let Some(s) = &from.secret_key_ref {
            out.push(ConfigRef {
                kind: RefKind::Secret,
                name: s.name.clone(),
                key: Some(s.key.clone()),
                optional: s.optional.unwrap_or(false),
                used_as: format!("env {}", env.name),
                env: Some(env.name.clone()),
            });
        }
        if let Some(m) = &from.config_map_key_ref {
            out.push(ConfigRef {
                kind: RefKind::ConfigMap,
                name: m.name.clone(),
                key: Some(m.key.clone()),
                optional: m.optional.unwrap_or(false),
                used_as: format!("env {}", env.name),
                env: Some(env.name.clone()),
            });
        }
    }
    for from in c.env_from.iter().flatten() {
        if let Some(s) = &from.secret_ref {
            out.push(ConfigRef {
                kind: RefKind::Secret,
                name: s.name.clone(),
                key: None,
                optional: s.optional.unwrap_or(false),
                used_as: "envFrom".to_owned(),
                env: None,
            });
        }
        if let Some(m) = &from.config_map_ref {
            out.push(ConfigRef {
                kind: RefKind::ConfigMap,
                name: m.name.clone(),
                key: None,
                optional: m.optional.unwrap_or(false),
                used_as: "envFrom".to_owned(),
                env: None,
            });
        }
    }
    out
}

fn volume_refs(c: &Container, volumes: &[Volume]) -> Vec<ConfigRef> {
    let mounted: BTreeSet<(&str, &str)> = c
        .volume_mounts
        .iter()
        .flatten()
        .map(|m| (m.name.as_str(), m.mount_path.as_str()))
        .collect();
    let mut out = Vec::new();
    for (name, path) in mounted {
        let Some(v) = volumes.iter().find(|v| v.name == name) else {
            continue;
        };
        let used_as = format!("volume {name} ({path})");
        let mut push = |kind, object: &str, optional: Option<bool>| {
            out.push(ConfigRef {
                kind,
                name: object.to_owned(),
                key: None,
                optional: optional.unwrap_or(false),
                used_as: used_as.clone(),
                env: None,
            })
        };
        if let Some(s) = &v.secret
            && let Some(secret) = &s.secret_name
        {
            push(RefKind::Secret, secret, s.optional);
        }
        if let Some(m) = &v.config_map {
            push(RefKind::ConfigMap, &m.name, m.optional);
        }
        for source in v.projected.iter().flat_map(|p| p.sources.iter().flatten()) {
            if let Some(s) = &source.secret {
                push(RefKind::Secret, &s.name, s.optional);
            }
            if let Some(m) = &source.config_map {
                push(RefKind::ConfigMap, &m.name, m.optional);
            }
        }
    }
    out
}

/// Where a file the container reads comes from: a key of a ConfigMap or Secret mounted as a
/// volume.
pub(super) struct MountedFile<'a> {
    pub kind: RefKind,
    pub name: String,
    pub key: String,
    pub mount: &'a VolumeMount,
}

/// The ConfigMap or Secret key behind `file`, when the deepest mount of `container` that holds
/// it is a `configMap` or `secret` volume of `pod`.
pub(super) fn mounted_file<'a>(
    pod: &Pod,
    container: &'a Container,
    file: &str,
) -> Option<MountedFile<'a>> {
    let mount = container
        .volume_mounts
        .iter()
        .flatten()
        .filter(|m| {
            let dir = m.mount_path.trim_end_matches('/');
            file == m.mount_path || file.starts_with(&format!("{dir}/"))
        })
        .max_by_key(|m| m.mount_path.len())?;
    let volume = pod
        .spec
        .as_ref()
        .and_then(|s| s.volumes.as_ref())
        .and_then(|vs| vs.iter().find(|v| v.name == mount.name))?;
    let relative = file
        .strip_prefix(mount.mount_path.trim_end_matches('/'))
        .unwrap_or(file)
        .trim_start_matches('/')
        .to_owned();
    let key_of = |items: Option<&Vec<KeyToPath>>| -> String {
        items
            .into_iter()
            .flatten()
            .find(|i| i.path == relative)
            .map(|i| i.key.clone())
            .or_else(|| mount.sub_path.clone())
            .unwrap_or_else(|| relative.clone())
    };
    let (kind, name, key) = if let Some(cm) = &volume.config_map {
        (
            RefKind::ConfigMap,
            cm.name.clone(),
            key_of(cm.items.as_ref()),
        )
    } else if let Some(secret) = &volume.secret {
        (
            RefKind::Secret,
            secret.secret_name.clone().unwrap_or_default(),
            key_of(secret.items.as_ref()),
        )
    } else {
        return None;
    };
    Some(MountedFile {
        kind,
        name,
        key,
        mount,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::tests::pod;

    #[test]
    fn env_env_from_and_mounted_volumes_are_references() {
        let p = pod(r#"
metadata: {name: web}
spec:
  containers:
    - name: app
      env:
        - {name: PLAIN, value: x}
        - name: DATABASE_URL
          valueFrom: {secretKeyRef: {name: app-db, key: url, optional: true}}
        - name: MODE
          valueFrom: {configMapKeyRef: {name: settings, key: mode}}
      envFrom:
        - secretRef: {name: api-keys}
      volumeMounts:
        - {name: config, mountPath: /etc/app}
    - name: sidecar
      env:
        - name: OTHER
          valueFrom: {secretKeyRef: {name: not-mine, key: k}}
  volumes:
    - name: config
      configMap: {name: app-config}
    - name: unmounted
      secret: {secretName: nobody-mounts-me}
"#);
        let refs = config_refs(&p, "app");
        let shown: Vec<String> = refs
            .iter()
            .map(|r| {
                format!(
                    "{} {} {:?} optional={} {}",
                    r.kind.as_str(),
                    r.name,
                    r.key,
                    r.optional,
                    r.used_as
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                r#"Secret app-db Some("url") optional=true env DATABASE_URL"#,
                r#"ConfigMap settings Some("mode") optional=false env MODE"#,
                "Secret api-keys None optional=false envFrom",
                "ConfigMap app-config None optional=false volume config (/etc/app)",
            ]
        );
        assert!(config_refs(&p, "nope").is_empty());
    }
}
