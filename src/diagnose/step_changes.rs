//! Step 4, recent changes: what around the pod may have moved. Its controller's rollouts, the
//! Secrets and ConfigMaps it reads, and the Services it talks to. (The clues it gives are the
//! rules' of [`super::rules::RULES`].)

use super::config_refs::{ConfigRef, config_refs, mounted_file};
use super::ctx::Ctx;
use super::initialising_backend;
use super::input::{Fetched, OwnerFacts, Presence};
use super::log_lines::LineKind;
use super::rollout::{Rollout, revision_name, workload};
use super::service_use::{address, selector, used_services, why_no_endpoints};

/// What the step found, with its details.
pub(super) fn found(ctx: &Ctx, details: &mut Vec<String>) -> String {
    let mut found = Vec::new();
    match &ctx.input.owners {
        Fetched::Got(owners) => found.push(owners_found(ctx, owners, details)),
        Fetched::Failed(m) => found.push(format!("owners could not be read ({m})")),
    }
    found.push(refs_found(ctx, details));
    config_file_source(ctx, details);
    if let Some(deps) = services_found(ctx, details) {
        found.push(deps);
    }
    found.join("; ")
}

fn owners_found(ctx: &Ctx, owners: &OwnerFacts, details: &mut Vec<String>) -> String {
    if owners.chain.is_empty() {
        return "a bare Pod: no controller, so no rollout history".to_owned();
    }
    let chain: Vec<String> = owners
        .chain
        .iter()
        .map(|o| format!("{} {}", o.kind, o.name))
        .collect();
    let mut found = format!("owned by {}", chain.join(" ← "));
    if let Some(job) = owners.chain.iter().find(|o| o.kind == "Job") {
        // A Job that gave up: its pods are not restarted, they are all failed attempts.
        for e in &owners.events {
            details.push(format!("Job {}: {e}", job.name));
        }
        if let Some(failed) = owners.events.iter().find(|e| e.starts_with("Failed: ")) {
            found.push_str(&format!(
                "; the Job has given up ({}), so no new attempt will come",
                failed.trim_start_matches("Failed: ")
            ));
        }
        return found;
    }
    let Some(deployment) = workload(owners) else {
        return found;
    };
    let kind = deployment.kind.as_str();
    for e in &owners.events {
        details.push(format!("{kind} {}: {e}", deployment.name));
    }
    let Some(i) = owners.revisions.iter().position(|r| r.current) else {
        return found;
    };
    let cur = &owners.revisions[i];
    let when = cur
        .created
        .map(|t| format!(", created {t}"))
        .unwrap_or_default();
    found.push_str(&format!(", at {}{when}", revision_name(cur)));
    details.push(format!(
        "{} runs {}",
        cur.replica_set,
        cur.images.join(", ")
    ));
    if i > 0 {
        details.push(format!(
            "a newer revision exists ({} of {}): this pod is not of the {kind}'s newest template",
            owners.revisions[0].replica_set,
            owners.revisions[0]
                .revision
                .map_or("?".to_owned(), |r| format!("revision {r}"))
        ));
    }
    match Rollout::of(ctx) {
        Some(r) => rollout_found(&r, &mut found, details),
        None if owners.revisions.len() == 1 => found.push_str(&format!(
            " (its first: no rollout since the {kind} was created)"
        )),
        None => {}
    }
    found
}

/// The rollout that made the current revision: what it replaced and what it changed in the
/// pod template.
fn rollout_found(r: &Rollout, found: &mut String, details: &mut Vec<String>) {
    let (prev, prev_rev, object) = (r.prev, &r.prev_rev, r.object());
    found.push_str(&format!(
        ": a rollout replaced {prev_rev} ({object} {}) with the new {object} {}",
        prev.replica_set, r.cur.replica_set
    ));
    details.push(format!(
        "previous: {} ({prev_rev}) ran {}",
        prev.replica_set,
        prev.images.join(", ")
    ));
    if let Some(n) = prev.ready.filter(|n| *n > 0) {
        details.push(format!(
            "{} ({prev_rev}) still has {n} ready pod(s): the old version keeps serving while the rollout waits for the new pods to become available",
            prev.replica_set
        ));
    }
    if let Some(changes) = &r.changes {
        let rev = &r.rev;
        if changes.is_empty() {
            details.push(format!(
                "{prev_rev} → {rev}: the pod templates differ in nothing crashlab compares"
            ));
        }
        for c in changes {
            details.push(format!("{prev_rev} → {rev}: {}", c.describe()));
        }
    }
}

fn refs_found(ctx: &Ctx, details: &mut Vec<String>) -> String {
    let refs = config_refs(&ctx.input.pod, &ctx.container);
    if refs.is_empty() {
        return "no Secret or ConfigMap references".to_owned();
    }
    let mut missing = Vec::new();
    for r in &refs {
        let what = describe_ref(r);
        match ctx.presence(r) {
            Presence::Missing => {
                details.push(format!("{what}: does not exist"));
                missing.push(format!("{} {}", r.kind.as_str(), r.name));
            }
            Presence::Present { keys: Some(keys) }
                if r.key.as_ref().is_some_and(|k| !keys.contains(k)) =>
            {
                let key = r.key.clone().unwrap_or_default();
                details.push(format!("{what}: exists, but has no key {key}"));
                missing.push(format!("key {key} of {} {}", r.kind.as_str(), r.name));
            }
            Presence::Present { .. } => details.push(format!("{what}: exists")),
            Presence::Unknown(m) => details.push(format!("{what}: could not check ({m})")),
        }
    }
    if missing.is_empty() {
        format!("{} Secret/ConfigMap reference(s), all present", refs.len())
    } else {
        format!("missing: {}", missing.join(", "))
    }
}

/// Where the configuration file the logs name comes from, when it is mounted from a ConfigMap
/// or Secret.
fn config_file_source(ctx: &Ctx, details: &mut Vec<String>) {
    let Some((
        _,
        LineKind::BadConfig {
            file: Some(file), ..
        },
    )) = &ctx.key_line
    else {
        return;
    };
    let Some(source) = ctx.spec.and_then(|c| mounted_file(&ctx.input.pod, c, file)) else {
        return;
    };
    details.push(format!(
        "{file} comes from key {} of {} {} (volume {} mounted at {})",
        source.key,
        source.kind.as_str(),
        source.name,
        source.mount.name,
        source.mount.mount_path
    ));
}

/// `Secret app-db, key url (optional) → env DATABASE_URL`.
fn describe_ref(r: &ConfigRef) -> String {
    let key = r
        .key
        .as_ref()
        .map(|k| format!(", key {k}"))
        .unwrap_or_default();
    let optional = if r.optional { " (optional)" } else { "" };
    format!(
        "{} {}{key}{optional} → {}",
        r.kind.as_str(),
        r.name,
        r.used_as
    )
}

/// The Services the app talks to, by what its logs and spec name, and their endpoints.
fn services_found(ctx: &Ctx, details: &mut Vec<String>) -> Option<String> {
    let relevant = match used_services(ctx) {
        Fetched::Got(s) => s,
        Fetched::Failed(m) => {
            let connection = matches!(ctx.key_line, Some((_, LineKind::Connection { .. })));
            return connection.then(|| format!("Services could not be listed ({m})"));
        }
    };
    if relevant.is_empty() {
        return None;
    }
    let mut found = Vec::new();
    for s in relevant {
        let addr = address(s);
        match s.ready_endpoints {
            Some(0) => {
                found.push(format!("Service {} has no ready endpoints", s.name));
                details.push(format!(
                    "Service {}{addr}: 0 ready endpoints; {}",
                    s.name,
                    why_no_endpoints(&selector(s))
                ));
            }
            Some(n) => {
                details.push(format!("Service {}{addr}: {n} ready endpoint(s)", s.name));
                found.push(format!("Service {} has {n} ready endpoint(s)", s.name));
                for b in &s.backends {
                    details.push(initialising_backend::detail(&s.name, b));
                }
            }
            None => details.push(format!("Service {}{addr}: endpoints unknown", s.name)),
        }
    }
    Some(found.join(", "))
}
