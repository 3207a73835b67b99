//! `crashlab matrix --node-image`: which of the given kind node images each Kubernetes
//! version runs on. An image serves the version of the same minor; a version without one runs
//! on crashlab's pinned kindest/node image.

use super::matrix_error::MatrixError;
use crate::k8s_version::Semver;

/// A `--node-image` reference and the Kubernetes version read from the image (its crashlab
/// label or its `vX.Y.Z` tag; as the kind provider reads it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GivenImage {
    pub reference: String,
    pub version: Option<String>,
}

/// Which image each version runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeImagePlan {
    /// Per requested version, in order: the given image of its minor, or `None` (the pinned one).
    pub per_version: Vec<Option<String>>,
    /// Given images of a minor no version asked for.
    pub unused: Vec<GivenImage>,
}

/// Pairs versions (`1.35`, `v1.35.8`) with images of the same minor. An image whose version
/// is unknown, or two images of one minor, cannot be placed: that is an error, not a guess.
pub fn plan_node_images(
    versions: &[String],
    images: &[GivenImage],
) -> Result<NodeImagePlan, MatrixError> {
    let minor = |v: &str| Semver::parse_lenient(v).map(|s| (s.major, s.minor));
    let mut placed: Vec<((u64, u64), &GivenImage)> = Vec::new();
    for image in images {
        let m = image.version.as_deref().and_then(minor).ok_or_else(|| {
            MatrixError::NodeImageVersionUnknown {
                reference: image.reference.clone(),
            }
        })?;
        if let Some((_, first)) = placed.iter().find(|(other, _)| *other == m) {
            return Err(MatrixError::NodeImagesOfOneMinor {
                minor: format!("{}.{}", m.0, m.1),
                first: first.reference.clone(),
                second: image.reference.clone(),
            });
        }
        placed.push((m, image));
    }
    let wanted: Vec<Option<(u64, u64)>> = versions.iter().map(|v| minor(v)).collect();
    let per_version = wanted
        .iter()
        .map(|w| {
            placed
                .iter()
                .find(|(m, _)| Some(*m) == *w)
                .map(|(_, i)| i.reference.clone())
        })
        .collect();
    let unused = placed
        .iter()
        .filter(|(m, _)| !wanted.contains(&Some(*m)))
        .map(|(_, i)| (*i).clone())
        .collect();
    Ok(NodeImagePlan {
        per_version,
        unused,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(reference: &str, version: Option<&str>) -> GivenImage {
        GivenImage {
            reference: reference.into(),
            version: version.map(str::to_owned),
        }
    }

    fn versions(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn each_version_gets_the_image_of_its_minor_else_the_pinned_one() {
        let images = [
            image(
                "crashlab.dev/kind-node:v1.35.4-0123456789ab",
                Some("v1.35.4"),
            ),
            image(
                "crashlab.dev/kind-node:v1.34.4-ba9876543210",
                Some("v1.34.4"),
            ),
            image("kindest/node:v1.37.0", Some("v1.37.0")),
        ];
        let plan = plan_node_images(&versions(&["1.34", "v1.35.4", "1.36"]), &images).unwrap();
        assert_eq!(
            plan.per_version,
            [
                Some("crashlab.dev/kind-node:v1.34.4-ba9876543210".to_string()),
                Some("crashlab.dev/kind-node:v1.35.4-0123456789ab".to_string()),
                None,
            ]
        );
        assert_eq!(plan.unused, [images[2].clone()]);
    }

    #[test]
    fn an_image_of_unknown_version_or_two_of_one_minor_are_refused() {
        let err =
            plan_node_images(&versions(&["1.34"]), &[image("my-node:latest", None)]).unwrap_err();
        assert!(err.to_string().contains("`my-node:latest`"), "{err}");
        let err = plan_node_images(
            &versions(&["1.34"]),
            &[
                image("a:v1.34.4", Some("v1.34.4")),
                image("b:v1.34.11", Some("v1.34.11")),
            ],
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "two node images for Kubernetes 1.34: `a:v1.34.4` and `b:v1.34.11`"
        );
    }
}
