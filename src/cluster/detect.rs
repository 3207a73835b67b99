//! Which provider brings a cluster up on this machine, decided by walking the registry (as
//! kind picks its node provider): the first one available, unless it would have to download
//! what a later available one does not need (a machine that reaches no container registry
//! then still gets a cluster, with a note saying why); when none is available, each says why.

use std::fmt;

use super::{Provider, ProviderError, Registry};

/// No provider can run here; each says why.
#[derive(Debug)]
pub struct NoProvider {
    /// Each provider's name and why it cannot run, in registry order.
    pub reasons: Vec<(&'static str, ProviderError)>,
}

impl fmt::Display for NoProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no cluster provider can run on this machine:")?;
        for (name, why) in &self.reasons {
            write!(f, "\n  - {name}: {why}")?;
        }
        Ok(())
    }
}

impl std::error::Error for NoProvider {}

/// The provider chosen, and why when the choice needs explaining.
pub struct Detected<'r> {
    pub provider: &'r dyn Provider,
    /// Said to the user when a usable provider was passed over.
    pub note: Option<String>,
}

/// Walks the providers that make clusters, in registry order.
pub fn detect<'r>(
    registry: &'r Registry,
    kubernetes_version: Option<&str>,
) -> Result<Detected<'r>, NoProvider> {
    let mut usable = Vec::new();
    let mut reasons = Vec::new();
    for provider in registry.providers().filter(|p| p.context().is_some()) {
        match provider.availability() {
            Ok(()) => usable.push(provider),
            Err(why) => reasons.push((provider.name(), why)),
        }
    }
    let Some(&first) = usable.first() else {
        return Err(NoProvider { reasons });
    };
    let Err(download) = first.offline(kubernetes_version) else {
        return Ok(Detected {
            provider: first,
            note: None,
        });
    };
    match usable[1..]
        .iter()
        .find(|p| p.offline(kubernetes_version).is_ok())
    {
        Some(&other) => Ok(Detected {
            provider: other,
            note: Some(format!(
                "{}; using the {} provider instead ({})",
                download.what,
                other.name(),
                download.instead
            )),
        }),
        None => Ok(Detected {
            provider: first,
            note: None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::stand_in::StandIn;

    fn registry(providers: Vec<StandIn>) -> Registry {
        Registry::with(
            providers
                .into_iter()
                .map(|p| Box::new(p) as Box<dyn Provider>)
                .collect(),
        )
    }

    fn chosen(registry: &Registry) -> (&'static str, Option<String>) {
        let d = detect(registry, None).expect("a provider");
        (d.provider.name(), d.note)
    }

    #[test]
    fn the_first_available_provider_wins() {
        let r = registry(vec![
            StandIn::unavailable("first", "its tool is missing"),
            StandIn::available("second"),
            StandIn::available("third"),
        ]);
        assert_eq!(chosen(&r), ("second", None));
    }

    #[test]
    fn one_that_would_download_gives_way_to_a_later_one_that_would_not_and_says_why() {
        let r = registry(vec![
            StandIn::available("first").downloading("first would pull its image", "pass --x"),
            StandIn::available("second"),
        ]);
        assert_eq!(
            chosen(&r),
            (
                "second",
                Some(
                    "first would pull its image; using the second provider instead (pass --x)"
                        .to_owned()
                )
            )
        );
        // Alone, it downloads.
        let r = registry(vec![
            StandIn::available("first").downloading("first would pull its image", "pass --x"),
            StandIn::unavailable("second", "not here"),
        ]);
        assert_eq!(chosen(&r), ("first", None));
    }

    #[test]
    fn providers_that_make_no_cluster_are_not_candidates() {
        let r = registry(vec![StandIn::available("existing").making_no_cluster()]);
        let e = detect(&r, None).err().unwrap();
        assert!(e.reasons.is_empty());
    }

    #[test]
    fn no_provider_says_why_for_each() {
        let r = registry(vec![
            StandIn::unavailable("kind", "kind needs a Docker engine"),
            StandIn::unavailable("local", "the local provider needs root"),
        ]);
        assert_eq!(
            detect(&r, None).err().unwrap().to_string(),
            "no cluster provider can run on this machine:\n  - kind: kind needs a Docker engine\n  - local: the local provider needs root"
        );
    }
}
