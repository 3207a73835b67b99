//! Step 4, recent changes: what around the pod may have moved. Its controller's rollouts, the
//! Secrets and ConfigMaps it reads, and the Services it talks to.

use crate::scenario::Category;

use super::config_refs::{ConfigRef, RefKind, config_refs};
use super::ctx::Ctx;
use super::diagnosis::{Clue, Step, StepKind};
use super::initialising_backend;
use super::input::{Fetched, Owner, OwnerFacts, Presence, Revision, ServiceFacts};
use super::log_lines::LineKind;
use super::template_diff::{Change, template_changes};

pub(super) fn step(ctx: &Ctx) -> Step {
    let mut details = Vec::new();
    let mut clues = Vec::new();
    let mut found = Vec::new();

    match &ctx.input.owners {
        Fetched::Got(owners) => found.push(owners_found(ctx, owners, &mut details, &mut clues)),
        Fetched::Failed(m) => found.push(format!("owners could not be read ({m})")),
    }
    found.push(refs_found(ctx, &mut details, &mut clues));
    config_file_source(ctx, &mut details, &mut clues);
    if let Some(deps) = services_found(ctx, &mut details, &mut clues) {
        found.push(deps);
    }
    Step {
        step: StepKind::RecentChanges,
        found: found.join("; "),
        details,
        points_to: None,
        clues,
    }
}

fn owners_found(
    ctx: &Ctx,
    owners: &OwnerFacts,
    details: &mut Vec<String>,
    clues: &mut Vec<Clue>,
) -> String {
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
            clues_command(
                clues,
                ctx.kubectl(&format!("describe job {}", job.name)),
                "the Job's attempts and why it stopped",
            );
        }
        return found;
    }
    let Some(deployment) = owners
        .chain
        .iter()
        .find(|o| matches!(o.kind.as_str(), "Deployment" | "StatefulSet" | "DaemonSet"))
    else {
        return found;
    };
    let kind = deployment.kind.as_str();
    for e in &owners.events {
        details.push(format!("{kind} {}: {e}", deployment.name));
    }
    let current = owners.revisions.iter().position(|r| r.current);
    if let Some(i) = current {
        let cur = &owners.revisions[i];
        let rev = cur
            .revision
            .map(|r| format!("revision {r}"))
            .unwrap_or_else(|| "an unnumbered revision".to_owned());
        let when = cur
            .created
            .map(|t| format!(", created {t}"))
            .unwrap_or_default();
        found.push_str(&format!(", at {rev}{when}"));
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
        match owners.revisions.get(i + 1) {
            Some(prev) => rollout(ctx, deployment, cur, &rev, prev, &mut found, details, clues),
            None if owners.revisions.len() == 1 => found.push_str(&format!(
                " (its first: no rollout since the {kind} was created)"
            )),
            None => {}
        }
    }
    clues_command(
        clues,
        ctx.kubectl(&format!(
            "rollout history {}/{}",
            kind.to_lowercase(),
            deployment.name
        )),
        "what each revision changed",
    );
    found
}

/// The rollout that made the current revision: what it changed in the pod template, and
/// whether one of those changes explains the failure.
#[allow(clippy::too_many_arguments)]
fn rollout(
    ctx: &Ctx,
    deployment: &Owner,
    cur: &Revision,
    rev: &str,
    prev: &Revision,
    found: &mut String,
    details: &mut Vec<String>,
    clues: &mut Vec<Clue>,
) {
    let kind = deployment.kind.as_str();
    let object = revision_object(kind);
    let prev_rev = prev
        .revision
        .map_or("the previous revision".to_owned(), |r| {
            format!("revision {r}")
        });
    found.push_str(&format!(
        ": a rollout replaced {prev_rev} ({object} {}) with the new {object} {}",
        prev.replica_set, cur.replica_set
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
    let changes = match (&prev.template, &cur.template) {
        (Some(old), Some(new)) => Some(template_changes(old, new)),
        _ => None,
    };
    if let Some(changes) = &changes {
        if changes.is_empty() {
            details.push(format!(
                "{prev_rev} → {rev}: the pod templates differ in nothing crashlab compares"
            ));
        }
        for c in changes {
            details.push(format!("{prev_rev} → {rev}: {}", c.describe()));
        }
    }
    let undo = format!(
        "kubectl rollout undo {}/{} -n {}",
        kind.to_lowercase(),
        deployment.name,
        ctx.namespace
    );
    // A change that explains the key log line.
    let missing_env = match &ctx.key_line {
        Some((_, LineKind::MissingEnv(var))) => Some(var.as_str()),
        _ => None,
    };
    let explaining = changes.iter().flatten().find(|c| match (c, missing_env) {
        (
            Change::EnvRemoved { container, var } | Change::EnvChanged { container, var },
            Some(v),
        ) => container == &ctx.container && var == v,
        _ => false,
    });
    if let Some(change) = explaining {
        let (verb, var) = match change {
            Change::EnvRemoved { var, .. } => ("removed", var),
            Change::EnvChanged { var, .. } => ("changed", var),
            _ => unreachable!("only environment changes explain a missing variable"),
        };
        let from = if verb == "removed" { "from" } else { "in" };
        let had = if verb == "removed" {
            "set it"
        } else {
            "set it differently"
        };
        clues.push(
            Clue::new(
                Category::MissingConfig,
                3,
                format!(
                    "The crash loop started with a rollout: {rev} of {kind} {} (the new {object} {}) {verb} environment variable {var} {from} container {}'s template; {prev_rev} {had}, and its pods run.",
                    deployment.name, cur.replica_set, ctx.container
                ),
            )
            .fix(format!(
                "Roll back to {prev_rev} (`{undo}`), then put {var} back into the {kind}'s pod template before rolling out again."
            ))
            .command(
                ctx.kubectl(&format!(
                    "rollout history {}/{}",
                    kind.to_lowercase(),
                    deployment.name
                )),
                "what each revision changed",
            ),
        );
        return;
    }
    if prev.images != cur.images {
        clues.push(
            Clue::new(
                Category::CodeBug,
                1,
                format!(
                    "The crash may have come with the rollout of {rev} of {kind} {}, which changed {} to {}.",
                    deployment.name,
                    prev.images.join(", "),
                    cur.images.join(", ")
                ),
            )
            .fix(format!(
                "Roll back (`{undo}`) and fix the new version before rolling it out again."
            )),
        );
    }
}

/// What holds a workload's revisions: a Deployment's ReplicaSets, a StatefulSet's or
/// DaemonSet's ControllerRevisions.
fn revision_object(kind: &str) -> &'static str {
    if kind == "Deployment" {
        "ReplicaSet"
    } else {
        "ControllerRevision"
    }
}

/// Adds a command to the last clue, if this step made one.
fn clues_command(clues: &mut [Clue], command: String, why: &str) {
    if let Some(last) = clues.last_mut() {
        last.commands.push(super::NextCommand::new(command, why));
    }
}

fn refs_found(ctx: &Ctx, details: &mut Vec<String>, clues: &mut Vec<Clue>) -> String {
    let refs = config_refs(&ctx.input.pod, &ctx.container);
    if refs.is_empty() {
        return "no Secret or ConfigMap references".to_owned();
    }
    let mut missing = Vec::new();
    for r in &refs {
        let presence = ctx
            .input
            .lookups
            .get(&(r.kind, r.name.clone()))
            .cloned()
            .unwrap_or(Presence::Unknown("not looked up".to_owned()));
        let what = describe_ref(r);
        match presence {
            Presence::Missing => {
                details.push(format!("{what}: does not exist"));
                missing.push(format!("{} {}", r.kind.as_str(), r.name));
                clues.push(missing_clue(ctx, r));
            }
            Presence::Present { keys: Some(keys) }
                if r.key.as_ref().is_some_and(|k| !keys.contains(k)) =>
            {
                let key = r.key.clone().unwrap_or_default();
                details.push(format!("{what}: exists, but has no key {key}"));
                missing.push(format!("key {key} of {} {}", r.kind.as_str(), r.name));
                if !r.optional {
                    clues.push(
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
                    );
                }
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
/// or Secret: a file that does not parse is that object's content, which is what to fix.
fn config_file_source(ctx: &Ctx, details: &mut Vec<String>, clues: &mut Vec<Clue>) {
    let Some((
        _,
        LineKind::BadConfig {
            file: Some(file),
            line,
        },
    )) = &ctx.key_line
    else {
        return;
    };
    let Some(spec) = ctx.spec else {
        return;
    };
    let Some(mount) = spec
        .volume_mounts
        .iter()
        .flatten()
        .filter(|m| {
            let dir = m.mount_path.trim_end_matches('/');
            file == &m.mount_path || file.starts_with(&format!("{dir}/"))
        })
        .max_by_key(|m| m.mount_path.len())
    else {
        return;
    };
    let Some(volume) = ctx
        .input
        .pod
        .spec
        .as_ref()
        .and_then(|s| s.volumes.as_ref())
        .and_then(|vs| vs.iter().find(|v| v.name == mount.name))
    else {
        return;
    };
    let relative = file
        .strip_prefix(mount.mount_path.trim_end_matches('/'))
        .unwrap_or(file)
        .trim_start_matches('/')
        .to_owned();
    let key_of = |items: Option<&Vec<k8s_openapi::api::core::v1::KeyToPath>>| -> String {
        items
            .into_iter()
            .flatten()
            .find(|i| i.path == relative)
            .map(|i| i.key.clone())
            .or_else(|| mount.sub_path.clone())
            .unwrap_or_else(|| relative.clone())
    };
    let (kind, name, key) = if let Some(cm) = &volume.config_map {
        (
            RefKind::ConfigMap,
            cm.name.clone(),
            key_of(cm.items.as_ref()),
        )
    } else if let Some(secret) = &volume.secret {
        (
            RefKind::Secret,
            secret.secret_name.clone().unwrap_or_default(),
            key_of(secret.items.as_ref()),
        )
    } else {
        return;
    };
    let at = line
        .as_ref()
        .map(|l| format!("line {l} of "))
        .unwrap_or_default();
    details.push(format!(
        "{file} comes from key {key} of {} {name} (volume {} mounted at {})",
        kind.as_str(),
        mount.name,
        mount.mount_path
    ));
    let exists = matches!(
        ctx.input.lookups.get(&(kind, name.clone())),
        Some(Presence::Present { .. })
    );
    let state = if exists {
        "which exists and is mounted: its content is wrong, nothing is missing"
    } else {
        "whose content is wrong"
    };
    let edit = match kind {
        RefKind::ConfigMap => format!("kubectl edit configmap {name} -n {}", ctx.namespace),
        RefKind::Secret => format!("kubectl edit secret {name} -n {}", ctx.namespace),
    };
    clues.push(
        Clue::new(
            Category::MissingConfig,
            3,
            format!(
                "{file} is key {key} of {} {name}, {state}.",
                kind.as_str()
            ),
        )
        .fix(format!(
            "Correct {at}{key} in {} {name} (`{edit}`, or apply the fixed manifest). The kubelet updates the mounted file within about a minute and the next restart reads it. Check configuration files in CI before they reach the cluster.",
            kind.as_str()
        ))
        .command(
            ctx.kubectl(&format!("get {} {name} -o yaml", kind.resource())),
            "the file as the app reads it",
        ),
    );
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

/// The Services the app talks to, by what its logs and spec name; a Service without ready
/// endpoints explains refused connections.
fn services_found(ctx: &Ctx, details: &mut Vec<String>, clues: &mut Vec<Clue>) -> Option<String> {
    let services = match &ctx.input.services {
        Fetched::Got(s) => s,
        Fetched::Failed(m) => {
            let connection = matches!(ctx.key_line, Some((_, LineKind::Connection { .. })));
            return connection.then(|| format!("Services could not be listed ({m})"));
        }
    };
    let relevant: Vec<&ServiceFacts> = services.iter().filter(|s| used_by(ctx, s)).collect();
    if relevant.is_empty() {
        return None;
    }
    let mut found = Vec::new();
    for s in relevant {
        let addr = match (&s.cluster_ip, s.ports.first()) {
            (Some(ip), Some(p)) => format!(" ({ip}:{p})"),
            (None, Some(p)) => format!(" (port {p})"),
            _ => String::new(),
        };
        let selector: Vec<String> = s.selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let selector = selector.join(",");
        match s.ready_endpoints {
            Some(0) => {
                found.push(format!("Service {} has no ready endpoints", s.name));
                let why = if selector.is_empty() {
                    "it has no selector and nobody added endpoints by hand".to_owned()
                } else {
                    format!("no ready pod matches its selector {selector}")
                };
                details.push(format!(
                    "Service {}{addr}: 0 ready endpoints; {why}",
                    s.name
                ));
                let mut clue = Clue::new(
                    Category::DependencyDown,
                    3,
                    format!("Service {}{addr} has no ready endpoints: {why}, so connections to it are refused.", s.name),
                )
                .fix(format!(
                    "Bring {} back: a pod matching {} must be running and ready (check the workload behind it). Make the app retry instead of exiting, so it survives the next outage.",
                    s.name,
                    if selector.is_empty() { "the Service" } else { &selector }
                ))
                .command(
                    ctx.kubectl(&format!("get endpointslices -l kubernetes.io/service-name={}", s.name)),
                    "the Service's endpoints (none ready)",
                );
                if !selector.is_empty() {
                    clue = clue.command(
                        ctx.kubectl(&format!("get pods -l {selector}")),
                        "the pods that should back the Service",
                    );
                }
                clues.push(clue);
            }
            Some(n) => {
                details.push(format!("Service {}{addr}: {n} ready endpoint(s)", s.name));
                found.push(format!("Service {} has {n} ready endpoint(s)", s.name));
                for b in &s.backends {
                    details.push(initialising_backend::detail(&s.name, b));
                }
                if refused(ctx) {
                    clues.extend(initialising_backend::clue(ctx, s, &addr));
                }
            }
            None => details.push(format!("Service {}{addr}: endpoints unknown", s.name)),
        }
    }
    Some(found.join(", "))
}

/// Whether the key log line is a refused connection (not a timeout or a name that does not
/// resolve): what a server that does not listen yet answers.
fn refused(ctx: &Ctx) -> bool {
    matches!(ctx.key_line, Some((_, LineKind::Connection { .. })))
        && ctx
            .key_text()
            .is_some_and(|t| t.to_ascii_lowercase().contains("refused"))
}

/// Whether the app uses Service `s`: its name or address in the key log line, or its
/// environment variables (`$(POSTGRES_SERVICE_HOST)`) in the container's command, args or env.
fn used_by(ctx: &Ctx, s: &ServiceFacts) -> bool {
    let env_prefix = format!("{}_SERVICE_", s.name.to_uppercase().replace('-', "_"));
    let in_spec = ctx.spec.is_some_and(|c| {
        c.command
            .iter()
            .flatten()
            .chain(c.args.iter().flatten())
            .chain(c.env.iter().flatten().filter_map(|e| e.value.as_ref()))
            .any(|a| a.contains(&env_prefix))
    });
    let in_logs = match &ctx.key_line {
        Some((i, LineKind::Connection { target, name })) => {
            let line = ctx.log_lines[*i];
            name.as_deref() == Some(s.name.as_str())
                || s.cluster_ip.as_ref().is_some_and(|ip| {
                    target
                        .as_deref()
                        .is_some_and(|t| t.starts_with(&format!("{ip}:")))
                })
                || target
                    .as_deref()
                    .is_some_and(|t| t.split(':').next() == Some(s.name.as_str()))
                || line.contains(&format!("{}.", s.name))
        }
        _ => false,
    };
    in_logs || in_spec
}
