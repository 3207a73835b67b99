//! Which kube contexts crashlab is willing to deploy crash-looping workloads into.

use super::error::{Error, Result};

/// The name `crashlab cluster up` gives its own cluster's context.
pub const LOCAL_CONTEXT: &str = "crashlab-local";

/// Prefix kind gives every cluster's context (`kind create cluster --name x` → `kind-x`).
pub const KIND_PREFIX: &str = "kind-";

/// Allows `kind-*`, `crashlab-local` and every name in `allowed` (from `--allow-context`,
/// matched exactly); refuses anything else, so a stray current context never receives
/// crash-looping pods.
pub fn check_context(context_name: &str, allowed: &[String]) -> Result<()> {
    let ok = context_name == LOCAL_CONTEXT
        || (context_name.starts_with(KIND_PREFIX) && context_name.len() > KIND_PREFIX.len())
        || allowed.iter().any(|a| a == context_name);
    if ok {
        Ok(())
    } else {
        Err(Error::ContextNotAllowed {
            context: context_name.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_and_kind_contexts_are_allowed() {
        assert!(check_context("crashlab-local", &[]).is_ok());
        assert!(check_context("kind-kind", &[]).is_ok());
        assert!(check_context("kind-crashlab", &[]).is_ok());
    }

    #[test]
    fn other_contexts_are_refused_unless_allowed() {
        assert!(check_context("prod-eu", &[]).is_err());
        assert!(check_context("kind-", &[]).is_err());
        assert!(check_context("my-kind-cluster", &[]).is_err());
        assert!(check_context("crashlab-local-2", &[]).is_err());
        assert!(check_context("minikube", &["minikube".to_owned()]).is_ok());
        assert!(check_context("minikube2", &["minikube".to_owned()]).is_err());
    }

    #[test]
    fn refusal_explains_why_and_how_to_allow() {
        let msg = check_context("prod-eu", &[]).unwrap_err().to_string();
        assert_eq!(
            msg,
            "refusing to run against kube context `prod-eu`: crashlab deploys crash-looping workloads on purpose, \
             so it only runs against local test clusters (`kind-*`, `crashlab-local`); \
             if `prod-eu` is a disposable test cluster, pass `--allow-context prod-eu`"
        );
    }
}
