//! Reading a scenario manifest's identity (apiVersion, kind, name) and placing it in the
//! scenario's namespace before it is applied.

use serde_json::Value;

use super::error::{Error, Result};

/// What a manifest is, as written: enough to resolve it through discovery and to name it
/// in errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestId {
    /// API group; empty for the core group (`apiVersion: v1`).
    pub group: String,
    pub version: String,
    pub kind: String,
    pub name: String,
}

impl ManifestId {
    /// `apiVersion` as written (`v1`, `apps/v1`).
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

/// Reads `apiVersion`, `kind` and `metadata.name` of manifest number `index` (0-based; errors
/// count from 1 as people do).
pub fn manifest_id(index: usize, manifest: &Value) -> Result<ManifestId> {
    let invalid = |reason: &str| Error::InvalidManifest {
        index: index + 1,
        reason: reason.to_owned(),
    };
    if !manifest.is_object() {
        return Err(invalid(
            "expected a mapping with apiVersion, kind and metadata.name",
        ));
    }
    let api_version =
        non_empty_str(manifest, &["apiVersion"]).ok_or_else(|| invalid("missing apiVersion"))?;
    let kind = non_empty_str(manifest, &["kind"]).ok_or_else(|| invalid("missing kind"))?;
    let name = non_empty_str(manifest, &["metadata", "name"]).ok_or_else(|| {
        invalid(&format!(
            "{kind} has no metadata.name (generateName cannot be applied)"
        ))
    })?;
    let (group, version) = match api_version.split_once('/') {
        Some((g, v)) if !g.is_empty() && !v.is_empty() && !v.contains('/') => (g, v),
        Some(_) => return Err(invalid(&format!("malformed apiVersion {api_version:?}"))),
        None => ("", api_version),
    };
    Ok(ManifestId {
        group: group.to_owned(),
        version: version.to_owned(),
        kind: kind.to_owned(),
        name: name.to_owned(),
    })
}

/// Returns a copy of `manifest` with `metadata.namespace` set to `namespace`. Scenario files
/// do not set a namespace (the loader rejects it); any value present is replaced so an object
/// can never land outside the namespace that cleanup deletes.
pub fn in_namespace(manifest: &Value, namespace: &str) -> Value {
    let mut out = manifest.clone();
    if let Some(obj) = out.as_object_mut() {
        let metadata = obj
            .entry("metadata")
            .or_insert_with(|| Value::Object(Default::default()));
        if !metadata.is_object() {
            *metadata = Value::Object(Default::default());
        }
        if let Some(meta) = metadata.as_object_mut() {
            meta.insert("namespace".to_owned(), Value::String(namespace.to_owned()));
        }
    }
    out
}

fn non_empty_str<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter()
        .try_fold(v, |v, k| v.get(k))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn core_and_grouped_api_versions() {
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app"}});
        let id = manifest_id(0, &pod).unwrap();
        assert_eq!(
            id,
            ManifestId {
                group: String::new(),
                version: "v1".into(),
                kind: "Pod".into(),
                name: "app".into()
            }
        );
        assert_eq!(id.api_version(), "v1");

        let dep =
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}});
        let id = manifest_id(3, &dep).unwrap();
        assert_eq!((id.group.as_str(), id.version.as_str()), ("apps", "v1"));
        assert_eq!(id.api_version(), "apps/v1");
    }

    #[test]
    fn broken_manifests_say_which_and_why() {
        let cases = [
            (
                json!("just a string"),
                "manifest #1 is not a Kubernetes object: expected a mapping with apiVersion, kind and metadata.name",
            ),
            (
                json!({"kind": "Pod", "metadata": {"name": "a"}}),
                "manifest #1 is not a Kubernetes object: missing apiVersion",
            ),
            (
                json!({"apiVersion": "v1", "metadata": {"name": "a"}}),
                "manifest #1 is not a Kubernetes object: missing kind",
            ),
            (
                json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "a-"}}),
                "manifest #1 is not a Kubernetes object: Pod has no metadata.name (generateName cannot be applied)",
            ),
            (
                json!({"apiVersion": "apps/", "kind": "Deployment", "metadata": {"name": "a"}}),
                "manifest #1 is not a Kubernetes object: malformed apiVersion \"apps/\"",
            ),
        ];
        for (manifest, msg) in cases {
            assert_eq!(manifest_id(0, &manifest).unwrap_err().to_string(), msg);
        }
    }

    #[test]
    fn namespace_is_set_and_nothing_else_changes() {
        let pod = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "app", "labels": {"a": "b"}},
            "spec": {"containers": [{"name": "app", "image": "x"}]}
        });
        let placed = in_namespace(&pod, "crashlab-exit-1-b4x7q");
        let mut expected = pod.clone();
        expected["metadata"]["namespace"] = json!("crashlab-exit-1-b4x7q");
        assert_eq!(placed, expected);
    }

    #[test]
    fn a_namespace_already_present_is_replaced() {
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "default"}});
        assert_eq!(in_namespace(&cm, "ns")["metadata"]["namespace"], "ns");
        let bare = json!({"apiVersion": "v1", "kind": "ConfigMap"});
        assert_eq!(
            in_namespace(&bare, "ns")["metadata"],
            json!({"namespace": "ns"})
        );
    }
}
