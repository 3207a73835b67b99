//! A Secret or ConfigMap the container references that does not exist, or lacks the key it
//! reads: the kubelet cannot create the container until it does (or, for an optional
//! reference, the container starts without the value).

use crate::diagnose::config_refs::{ConfigRef, RefKind, config_refs};
use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::input::Presence;
use crate::diagnose::log_lines::LineKind;
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "missing-ref",
    needs: &[Needs::ConfigRefs, Needs::Logs],
    gives: "missing-config, per reference in spec order: 3 for a missing object or a missing key of a required reference, 2 for a missing optional object the logs do not name",
    check: Check::Each(clues),
};

fn clues(ctx: &Ctx) -> Vec<Clue> {
    config_refs(&ctx.input.pod, &ctx.container)
        .iter()
        .filter_map(|r| match ctx.presence(r) {
            Presence::Missing => Some(missing_clue(ctx, r)),
            Presence::Present { keys: Some(keys) }
                if !r.optional && r.key.as_ref().is_some_and(|k| !keys.contains(k)) =>
            {
                let key = r.key.clone().unwrap_or_default();
                Some(
                    Clue::new(
                        Category::MissingConfig,
                        3,
                        format!(
                            "{} reads key {key} of {} {}, which has no such key.",
                            r.env.as_deref().unwrap_or("The container"),
                            r.kind.as_str(),
                            r.name
                        ),
                    )
                    .fix(format!(
                        "Add key {key} to {} {} in namespace {}, or fix the reference.",
                        r.kind.as_str(),
                        r.name,
                        ctx.namespace
                    )),
                )
            }
            _ => None,
        })
        .collect()
}

fn missing_clue(ctx: &Ctx, r: &ConfigRef) -> Clue {
    let ns = &ctx.namespace;
    let source = match &r.key {
        Some(k) => format!("key {k} of {} {}", r.kind.as_str(), r.name),
        None => format!("{} {}", r.kind.as_str(), r.name),
    };
    let subject = match &r.env {
        Some(env) => format!("{env} comes from {source}"),
        None => format!("The container's {} comes from {source}", r.used_as),
    };
    let create = match (r.kind, &r.key) {
        (RefKind::Secret, Some(k)) => {
            format!("Create Secret {} with key {k} in namespace {ns}", r.name)
        }
        (RefKind::ConfigMap, Some(k)) => {
            format!("Create ConfigMap {} with key {k} in namespace {ns}", r.name)
        }
        (kind, None) => format!("Create {} {} in namespace {ns}", kind.as_str(), r.name),
    };
    let command = ctx.kubectl(&format!("get {} {}", r.kind.resource(), r.name));
    if r.optional {
        // The app then runs without the value; it matters most when the logs name it.
        let named_in_logs = r.env.as_ref().is_some_and(|env| {
            matches!(&ctx.key_line, Some((_, LineKind::MissingEnv(v))) if v == env)
                || ctx.log_lines.iter().any(|l| l.contains(env.as_str()))
        });
        let without = r
            .env
            .as_ref()
            .map(|e| format!(" without {e}"))
            .unwrap_or_default();
        Clue::new(
            Category::MissingConfig,
            if named_in_logs { 3 } else { 2 },
            format!("{subject}, which does not exist in namespace {ns}; the reference is optional, so the container starts{without}."),
        )
        .fix(format!("{create} (or fix the reference); the next restart picks it up."))
        .command(command, "confirms it is missing")
    } else {
        Clue::new(
            Category::MissingConfig,
            3,
            format!("{subject}, which does not exist in namespace {ns}: the kubelet cannot create the container until it does."),
        )
        .fix(format!("{create} (or fix the reference); the kubelet retries on its own and starts the container once it exists."))
        .command(command, "confirms it is missing")
    }
}
