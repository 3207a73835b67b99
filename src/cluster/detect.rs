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

/// kind when it is usable (it runs anywhere Docker does and needs no root), else local.
pub fn detect() -> Result<ProviderKind, NoProvider> {
    let kind = match KindProvider::is_available() {
        Ok(_) => return Ok(ProviderKind::Kind),
        Err(e) => e,
    };
    match local::preflight() {
        Ok(()) => Ok(ProviderKind::Local),
        Err(local) => Err(NoProvider {
            kind: Box::new(kind),
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
