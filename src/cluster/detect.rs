//! Which provider can bring a cluster up on this machine, decided by what is available (as
//! kind picks its node provider): kind when `kind` and a Docker engine are usable, else the
//! local provider on Linux as root, else neither, with the reason for each.

use super::KindError;
use super::kind_provider::KindProvider;
use super::local::{self, LocalError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    Kind,
    Local,
}

/// Neither provider can run here; each says why.
#[derive(Debug, thiserror::Error)]
#[error("no cluster provider can run on this machine:\n  - kind: {kind}\n  - local: {local}")]
pub struct NoProvider {
    pub kind: Box<KindError>,
    pub local: Box<LocalError>,
}

/// The provider chosen, and why when the choice needs explaining.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub kind: ProviderKind,
    /// Said to the user when a usable provider was passed over.
    pub note: Option<String>,
}

/// kind when it is usable (it runs anywhere Docker does and needs no root), else local. One
/// exception, for machines that reach no container registry: when kind would first have to
/// pull `pinned_image` (crashlab's cluster does not exist yet and Docker lacks the image) and
/// the local provider can run here, local is chosen, with a note saying why.
pub fn detect(pinned_image: &str) -> Result<Detected, NoProvider> {
    let kind_error = match KindProvider::is_available() {
        Ok(kind) => {
            let has_cluster = KindProvider::new().exists_with(&kind).unwrap_or(false);
            if has_cluster
                || KindProvider::image_present(pinned_image)
                || local::preflight().is_err()
            {
                return Ok(Detected {
                    kind: ProviderKind::Kind,
                    note: None,
                });
            }
            return Ok(Detected {
                kind: ProviderKind::Local,
                note: Some(format!(
                    "kind is usable, but its node image {pinned_image} is not in the Docker engine (kind would pull it); using the local provider instead (`--provider kind` pulls it, `--node-image REF` takes a local one)"
                )),
            });
        }
        Err(e) => e,
    };
    match local::preflight() {
        Ok(()) => Ok(Detected {
            kind: ProviderKind::Local,
            note: None,
        }),
        Err(local) => Err(NoProvider {
            kind: Box::new(kind_error),
            local: Box::new(local),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_provider_says_why_for_each() {
        let e = NoProvider {
            kind: Box::new(KindError::DockerDown {
                output: "Cannot connect to the Docker daemon".into(),
            }),
            local: Box::new(LocalError::NotRoot),
        };
        let text = e.to_string();
        assert!(
            text.starts_with(
                "no cluster provider can run on this machine:\n  - kind: kind needs a Docker engine, and `docker info` failed:\nCannot connect to the Docker daemon\n  - local: the local provider needs root"
            ),
            "{text}"
        );
    }
}
