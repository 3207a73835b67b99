//! The kindest/node images the kind provider pins, one per supported Kubernetes minor, by
//! digest so that a tag moved upstream can never change what a run measured.
//!
//! The digests are those of the kind v0.33.0 release notes (v1.34.11, v1.35.8, v1.36.4, and
//! v1.37.0, kind's default) as
//! quoted in public repositories. They could not be checked
//! against a registry on the machines crashlab is developed on (no Docker, no registry), so
//! the first `kind create cluster` with each image is also its verification: Docker refuses
//! an image whose content does not match the digest.

use super::KindError;
use crate::k8s_version::{VersionError, VersionTable};

/// One pinned node image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeImage {
    /// The Kubernetes release inside the image: `v1.35.8`.
    pub version: &'static str,
    pub minor: u64,
    pub patch: u64,
    /// The manifest-list digest kind's release notes give for the image.
    pub digest: &'static str,
}

impl NodeImage {
    /// `kindest/node:v1.35.8@sha256:…`, as `kind create cluster --image` takes it.
    pub fn reference(&self) -> String {
        format!("kindest/node:{}@{}", self.version, self.digest)
    }

    /// `1.35`.
    pub fn minor_version(&self) -> String {
        format!("1.{}", self.minor)
    }
}

/// The pinned images, oldest first.
pub const NODE_IMAGES: VersionTable<NodeImage> = VersionTable::new(&[
    NodeImage {
        version: "v1.34.11",
        minor: 34,
        patch: 11,
        digest: "sha256:44e222ee2132dab25ff87301682f89eb82c7880ea3a1bf543bfe9708fd08d67d",
    },
    NodeImage {
        version: "v1.35.8",
        minor: 35,
        patch: 8,
        digest: "sha256:07b2536e30b803ed61d1677a79df6115f798ce64c80f9e22f6ed45afd09323c0",
    },
    NodeImage {
        version: "v1.36.4",
        minor: 36,
        patch: 4,
        digest: "sha256:099e049362a1526b2db71494e1947aae99bd16290d7c895f2b7ea312e3cbfaed",
    },
    // kind v0.33.0's own default node image.
    NodeImage {
        version: "v1.37.0",
        minor: 37,
        patch: 0,
        digest: "sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5",
    },
]);

crate::pinned_row!(NodeImage);

/// The pinned image of a `--kubernetes-version` (the default one when `None`). A version kind
/// pins no image of but crashlab's local provider pins (1.38, a pre-release kind publishes
/// no image of) says that `--node-image` runs it, and that `tests/kind/prepare-node-image`
/// builds one from those binaries; any other version stays unsupported.
pub fn pinned_image(given: Option<&str>) -> Result<&'static NodeImage, KindError> {
    NODE_IMAGES
        .resolve_or_default(given)
        .map_err(|e| match (&e, given) {
            (VersionError::Unsupported { .. }, Some(given)) => {
                match crate::cluster::local::versions::RELEASES.resolve(given) {
                    Ok(buildable) => KindError::NoPinnedImage {
                        given: given.trim().to_string(),
                        buildable: buildable.version,
                        pinned: NODE_IMAGES.supported_list(),
                    },
                    Err(_) => KindError::Version(e),
                }
            }
            _ => KindError::Version(e),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minors_and_pinned_patches_resolve_to_digest_pinned_images() {
        for given in ["1.35", "v1.35", "1.35.8", " v1.35.8 "] {
            assert_eq!(
                NODE_IMAGES.resolve(given).unwrap().reference(),
                "kindest/node:v1.35.8@sha256:07b2536e30b803ed61d1677a79df6115f798ce64c80f9e22f6ed45afd09323c0",
                "{given}"
            );
        }
        assert_eq!(
            NODE_IMAGES.resolve_or_default(None).unwrap().version,
            "v1.34.11"
        );
        assert_eq!(NODE_IMAGES.resolve("1.36").unwrap().version, "v1.36.4");
        for image in NODE_IMAGES.rows() {
            let hex = image.digest.strip_prefix("sha256:").unwrap();
            assert_eq!(hex.len(), 64, "{}", image.version);
            assert!(
                hex.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            );
            assert_eq!(image.version, format!("v1.{}.{}", image.minor, image.patch));
        }
    }

    #[test]
    fn a_version_without_a_pinned_image_asks_for_a_node_image() {
        let err = pinned_image(Some("1.38")).unwrap_err();
        assert!(
            matches!(&err, KindError::NoPinnedImage { given, buildable, pinned }
                if given == "1.38" && *buildable == "v1.38.0-beta.0" && pinned.starts_with("1.34 (v1.34.11, default)")),
            "{err}"
        );
        assert!(matches!(
            pinned_image(Some("v1.38.0-beta.0")),
            Err(KindError::NoPinnedImage { .. })
        ));
        // Versions nothing of crashlab's builds stay unsupported.
        for nonsense in ["latest", "1.33", "1.39"] {
            assert!(
                matches!(
                    pinned_image(Some(nonsense)),
                    Err(KindError::Version(VersionError::Unsupported { .. }))
                ),
                "{nonsense}"
            );
        }
        assert!(matches!(
            pinned_image(Some("1.35.4")),
            Err(KindError::Version(VersionError::OtherPatch { .. }))
        ));
        assert_eq!(pinned_image(None).unwrap().version, "v1.34.11");
    }

    #[test]
    fn other_versions_name_what_is_pinned() {
        assert_eq!(
            NODE_IMAGES.resolve("1.33").unwrap_err().to_string(),
            "unsupported kubernetes version \"1.33\": supported are 1.34 (v1.34.11, default), \
             1.35 (v1.35.8), 1.36 (v1.36.4), 1.37 (v1.37.0) (give a minor such as `1.35`, or the full pinned version)"
        );
        // The local provider's 1.35 patch is not kind's.
        assert_eq!(
            NODE_IMAGES.resolve("1.35.4").unwrap_err().to_string(),
            "kubernetes 1.35.4 is not the pinned patch release of 1.35: crashlab pins v1.35.8 \
             (give `1.35` or `v1.35.8`)"
        );
    }
}
