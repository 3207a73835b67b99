//! The providers crashlab knows, in the order detection tries them, and what follows from
//! them: which provider a `--provider` name means, which kube contexts crashlab may deploy
//! crash-looping workloads into, and which provider made the cluster behind a context.
//! Adding a provider is one line in [`Registry::new`].

use super::Provider;
use super::existing_context::ExistingContext;
use super::kind::KindProvider;
use super::local::LocalProvider;

/// The providers, in detection order.
pub struct Registry {
    providers: Vec<Box<dyn Provider>>,
}

/// A context no provider owns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "refusing to run against kube context `{context}`: crashlab deploys crash-looping workloads on purpose, \
     so it only runs against local test clusters ({owned}); \
     if `{context}` is a disposable test cluster, pass `--allow-context {context}`"
)]
pub struct ContextNotAllowed {
    pub context: String,
    /// The contexts the providers own: "`kind-*`, `crashlab-local`".
    pub owned: String,
}

/// A `--provider` name no provider has.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no provider `{name}`: crashlab has {known}")]
pub struct UnknownProvider {
    pub name: String,
    pub known: String,
}

impl Registry {
    /// kind first (it runs anywhere Docker does and needs no root), then local, then the
    /// existing clusters allowed with `--allow-context`.
    pub fn new(allowed_contexts: &[String]) -> Self {
        Self::with(vec![
            Box::new(KindProvider::new()),
            Box::new(LocalProvider::default()),
            Box::new(ExistingContext::new(allowed_contexts)),
        ])
    }

    /// A registry of the given providers (tests use stand-ins).
    pub fn with(providers: Vec<Box<dyn Provider>>) -> Self {
        Self { providers }
    }

    pub fn providers(&self) -> impl Iterator<Item = &dyn Provider> {
        self.providers.iter().map(|p| p.as_ref())
    }

    /// The provider of a `--provider` name.
    pub fn get(&self, name: &str) -> Result<&dyn Provider, UnknownProvider> {
        self.providers()
            .find(|p| p.name() == name)
            .ok_or_else(|| UnknownProvider {
                name: name.to_owned(),
                known: self
                    .providers()
                    .map(|p| p.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// The provider whose own cluster is reached through `context` (`crashlab-local`,
    /// `kind-crashlab`): crashlab loads its images into that cluster.
    pub fn maker_of(&self, context: &str) -> Option<&dyn Provider> {
        self.providers()
            .find(|p| p.context().as_deref() == Some(context))
    }

    /// Whether `context` is a test cluster of one of the providers.
    pub fn is_owned(&self, context: &str) -> bool {
        self.providers().any(|p| p.owns_context(context))
    }

    /// Allows the contexts the providers own (`kind-*`, `crashlab-local`, the
    /// `--allow-context` names); refuses anything else, so that a stray current context never
    /// receives crash-looping pods.
    pub fn check_allowed(&self, context: &str) -> Result<(), ContextNotAllowed> {
        if self.is_owned(context) {
            return Ok(());
        }
        Err(ContextNotAllowed {
            context: context.to_owned(),
            owned: self
                .providers()
                .filter_map(|p| p.owned_contexts_shown())
                .collect::<Vec<_>>()
                .join(", "),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::stand_in::StandIn;

    #[test]
    fn crashlabs_own_contexts_and_the_allowed_ones_are_allowed() {
        let registry = Registry::new(&["minikube".to_owned()]);
        for ctx in ["crashlab-local", "kind-kind", "kind-crashlab", "minikube"] {
            assert!(registry.check_allowed(ctx).is_ok(), "{ctx}");
        }
        for ctx in [
            "prod-eu",
            "kind-",
            "my-kind-cluster",
            "crashlab-local-2",
            "minikube2",
        ] {
            assert!(registry.check_allowed(ctx).is_err(), "{ctx}");
        }
    }

    #[test]
    fn refusal_explains_why_and_how_to_allow() {
        let msg = Registry::new(&[])
            .check_allowed("prod-eu")
            .unwrap_err()
            .to_string();
        assert_eq!(
            msg,
            "refusing to run against kube context `prod-eu`: crashlab deploys crash-looping workloads on purpose, \
             so it only runs against local test clusters (`kind-*`, `crashlab-local`); \
             if `prod-eu` is a disposable test cluster, pass `--allow-context prod-eu`"
        );
    }

    #[test]
    fn the_maker_of_a_context_is_the_provider_whose_cluster_it_is() {
        let registry = Registry::new(&["minikube".to_owned()]);
        assert_eq!(
            registry.maker_of("crashlab-local").map(|p| p.name()),
            Some("local")
        );
        assert_eq!(
            registry.maker_of("kind-crashlab").map(|p| p.name()),
            Some("kind")
        );
        // Allowed, but made by nobody crashlab knows: no images are loaded into it.
        assert!(registry.maker_of("kind-other").is_none());
        assert!(registry.maker_of("minikube").is_none());
    }

    #[test]
    fn a_new_provider_is_one_entry_and_its_contexts_follow() {
        let registry = Registry::with(vec![Box::new(StandIn::available("k3d-stand-in"))]);
        assert!(registry.check_allowed("k3d-stand-in").is_ok());
        assert_eq!(registry.get("k3d-stand-in").unwrap().name(), "k3d-stand-in");
        assert_eq!(
            registry.get("minikube").err().unwrap().to_string(),
            "no provider `minikube`: crashlab has k3d-stand-in"
        );
        assert_eq!(
            registry.check_allowed("prod").unwrap_err().owned,
            "`k3d-stand-in`"
        );
    }
}
