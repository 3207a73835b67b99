//! Node images given with `--node-image`: present in the Docker engine, and which Kubernetes
//! version they hold (crashlab's label on images from `tests/kind/prepare-node-image`, else
//! the `vX.Y.Z` of the tag).

use std::process::{Command, Stdio};

use super::KindError;
use super::kind_command::{combined, on_path};

/// The label crashlab's test node images carry (`tests/kind/prepare-node-image`).
const VERSION_LABEL: &str = "dev.crashlab.kind-node.kubernetes";

/// The Kubernetes version of a node image in the Docker engine: its crashlab label, else a
/// `vX.Y.Z` at the start of its tag (`kindest/node:v1.35.8`), else unknown. An image the engine
/// does not have is an error: offline it could never be pulled, and online the pinned images
/// (no `--node-image`) are the ones to pull.
pub fn given_image_version(reference: &str) -> Result<Option<String>, KindError> {
    let docker = on_path("docker").ok_or(KindError::DockerMissing)?;
    let format = format!("{{{{index .Config.Labels \"{VERSION_LABEL}\"}}}}");
    let out = Command::new(&docker)
        .args(["image", "inspect", "--format", &format, reference])
        .stdin(Stdio::null())
        .output()
        .map_err(|source| KindError::Spawn {
            command: format!("docker image inspect {reference}"),
            source,
        })?;
    if !out.status.success() {
        return Err(KindError::NodeImageMissing {
            reference: reference.to_string(),
            output: combined(&out.stdout, &out.stderr),
        });
    }
    let label = String::from_utf8_lossy(&out.stdout).trim().to_string();
    Ok(version_of_image(&label, reference))
}

/// `v1.34.4` (or a pre-release, `v1.38.0-beta.0`) from a label value, else from the
/// reference's tag. Only Kubernetes' own pre-release parts (`-alpha.N`, `-beta.N`, `-rc.N`)
/// belong to the version: in `v1.34.4-0123456789ab` the rest is prepare-node-image's key.
fn version_of_image(label: &str, reference: &str) -> Option<String> {
    let leading_version = |s: &str| {
        let re =
            regex::Regex::new(r"^v1\.\d+\.\d+(-(alpha|beta|rc)\.\d+)?").expect("a valid pattern");
        re.find(s).map(|m| m.as_str().to_string())
    };
    if let Some(v) = leading_version(label) {
        return Some(v);
    }
    let name = reference.split('@').next().unwrap_or(reference);
    match name.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') && !repo.is_empty() => leading_version(tag),
        _ => None,
    }
}

/// `--kubernetes-version` with `--node-image`: they must name the same minor when the image's
/// version is known, so that a matrix never reports one version's results under another's.
pub(super) fn check_version_matches(
    reference: &str,
    version: Option<&str>,
    requested: Option<&str>,
) -> Result<(), KindError> {
    let (Some(requested), Some(found)) = (requested, version) else {
        return Ok(());
    };
    let minor = |v: &str| crate::k8s_version::parse_requested(v).map(|r| (r.major, r.minor));
    if minor(requested).is_some() && minor(requested) == minor(found) {
        return Ok(());
    }
    Err(KindError::NodeImageVersion {
        requested: requested.to_string(),
        reference: reference.to_string(),
        found: found.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_image_versions_come_from_the_label_else_the_tag() {
        assert_eq!(
            version_of_image("v1.34.4", "crashlab.dev/kind-node:v1.34.4-0123456789ab").as_deref(),
            Some("v1.34.4")
        );
        assert_eq!(
            version_of_image("", "kindest/node:v1.35.8@sha256:07b2").as_deref(),
            Some("v1.35.8")
        );
        assert_eq!(
            version_of_image("<no value>", "localhost:5000/node:v1.36.4").as_deref(),
            Some("v1.36.4")
        );
        assert_eq!(
            version_of_image(
                "v1.38.0-beta.0",
                "crashlab.dev/kind-node:v1.38.0-beta.0-0123456789ab"
            )
            .as_deref(),
            Some("v1.38.0-beta.0")
        );
        assert_eq!(
            version_of_image("", "crashlab.dev/kind-node:v1.38.0-beta.0-0123456789ab").as_deref(),
            Some("v1.38.0-beta.0")
        );
        assert_eq!(
            version_of_image("", "kindest/node:v1.38.0-rc.1").as_deref(),
            Some("v1.38.0-rc.1")
        );
        assert_eq!(version_of_image("", "localhost:5000/node"), None);
        assert_eq!(version_of_image("", "my-node:latest"), None);
    }
}
