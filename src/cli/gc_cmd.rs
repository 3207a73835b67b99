//! `crashlab gc`: delete the namespaces crashlab runs left behind when they were killed
//! (`kill -9`, a cancelled CI job, a crashed host), or, with `--namespace`, the crashlab
//! namespaces named (kept ones included: the cleanup step of an exported fixture).

use std::io::Write;
use std::time::Duration;

use jiff::Timestamp;
use serde::Serialize;

use super::args::{GcArgs, OutputFormat};
use super::cli_error::{CliError, Exit};
use crate::runner::Cluster;
use crate::runner::cluster_client::ClusterClient;
use crate::runner::gc::{self, GcDecision, NamespaceLookup};
use crate::runner::owner::{self, Owner};

#[derive(Serialize)]
struct Outcome {
    #[serde(flatten)]
    decision: GcDecision,
    /// Deletion was requested (false with --dry-run, for kept ones, or when it failed).
    deleted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

pub fn run(args: GcArgs) -> Result<Exit, CliError> {
    let older_than = crate::scenario::humantime_secs::parse(&args.older_than)
        .map_err(|e| CliError::usage(format!("--older-than: {e}")))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::env(format!("cannot start the async runtime: {e}")))?;
    let outcomes = runtime.block_on(collect(&args, older_than))?;
    let failed = outcomes.iter().any(|o| o.error.is_some());
    let mut out = std::io::stdout().lock();
    let written = match args.output {
        OutputFormat::Json => {
            let deleted = outcomes.iter().filter(|o| o.deleted).count();
            let doc = serde_json::json!({
                "namespaces": outcomes,
                "deleted": deleted,
                "dry_run": args.dry_run,
            });
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&doc).unwrap_or_default()
            )
        }
        OutputFormat::Human => human(&mut out, &outcomes, args.dry_run),
    };
    written.map_err(|e| CliError::env(format!("writing the result: {e}")))?;
    Ok(if failed {
        Exit::Environment
    } else {
        Exit::Pass
    })
}

/// How long `gc --namespace` waits for a deleted namespace to be gone, so that the next
/// `reproduce --namespace` of the same name can create it again.
const NAMED_GONE_WITHIN: Duration = Duration::from_secs(120);

async fn collect(args: &GcArgs, older_than: Duration) -> Result<Vec<Outcome>, CliError> {
    let conn = super::target_cluster::connect_existing(args.context.as_deref()).await?;
    let cluster = ClusterClient::new(conn.client);
    if !args.namespaces.is_empty() {
        return named(&cluster, &args.namespaces, args.dry_run).await;
    }
    let namespaces = cluster.crashlab_namespaces().await.map_err(CliError::env)?;
    let decisions = gc::decide(
        &namespaces,
        &Owner::current(),
        Timestamp::now(),
        older_than,
        &owner::is_running,
    );
    let mut outcomes = Vec::new();
    for decision in decisions {
        let (deleted, error) = if decision.delete && !args.dry_run {
            match cluster.delete_namespace(&decision.namespace).await {
                Ok(_) => (true, None),
                Err(e) => (false, Some(e.to_string())),
            }
        } else {
            (false, None)
        };
        outcomes.push(Outcome {
            decision,
            deleted,
            error,
        });
    }
    Ok(outcomes)
}

/// `--namespace`: each named namespace, deleted if crashlab made it (whatever its owner or
/// age), and waited for until it is gone; a missing one is fine (the cleanup of a fixture
/// that never started); one crashlab did not make is refused before anything is deleted.
async fn named(
    cluster: &ClusterClient,
    names: &[String],
    dry_run: bool,
) -> Result<Vec<Outcome>, CliError> {
    let mut found = Vec::new();
    for name in names {
        let lookup = cluster
            .lookup_namespace(name)
            .await
            .map_err(CliError::env)?;
        if lookup == NamespaceLookup::NotCrashlabs {
            return Err(CliError::usage(format!(
                "namespace {name} was not created by crashlab (it has no {}={} label); crashlab gc deletes only its own",
                crate::runner::MANAGED_BY_LABEL,
                crate::runner::MANAGED_BY_VALUE
            ))
            .with_hint(format!(
                "check the name; `kubectl delete namespace {name}` deletes it if you mean it"
            )));
        }
        found.push((name, lookup));
    }
    let mut outcomes = Vec::new();
    for (name, lookup) in found {
        let exists = matches!(lookup, NamespaceLookup::Crashlabs(_));
        let reason = if exists {
            "named with --namespace".to_owned()
        } else {
            "no such namespace; nothing to delete".to_owned()
        };
        let (deleted, error) = if exists && !dry_run {
            match delete_and_wait(cluster, name).await {
                Ok(()) => (true, None),
                Err(e) => (false, Some(e)),
            }
        } else {
            (false, None)
        };
        outcomes.push(Outcome {
            decision: GcDecision {
                namespace: name.clone(),
                delete: exists,
                reason,
            },
            deleted,
            error,
        });
    }
    Ok(outcomes)
}

async fn delete_and_wait(cluster: &ClusterClient, name: &str) -> Result<(), String> {
    let Some(uid) = cluster
        .delete_namespace(name)
        .await
        .map_err(|e| e.to_string())?
    else {
        return Ok(());
    };
    match tokio::time::timeout(NAMED_GONE_WITHIN, cluster.namespace_gone(name, &uid)).await {
        Ok(r) => r.map_err(|e| e.to_string()),
        Err(_) => Err(format!(
            "deletion requested, but it was still there after {}s (a finalizer?); `kubectl get namespace {name} -o yaml` shows why",
            NAMED_GONE_WITHIN.as_secs()
        )),
    }
}

fn human(out: &mut impl Write, outcomes: &[Outcome], dry_run: bool) -> std::io::Result<()> {
    if outcomes.is_empty() {
        return writeln!(out, "no crashlab namespaces in this cluster");
    }
    for o in outcomes {
        let what = match (&o.error, o.decision.delete, dry_run) {
            (Some(e), _, _) => format!("could not delete: {e}"),
            (None, true, true) => "would delete".to_owned(),
            (None, true, false) => "deleted".to_owned(),
            (None, false, _) if o.decision.reason.starts_with("no such") => "skipped".to_owned(),
            (None, false, _) => "kept".to_owned(),
        };
        writeln!(
            out,
            "{what} {}: {}",
            o.decision.namespace, o.decision.reason
        )?;
    }
    let n = outcomes.iter().filter(|o| o.decision.delete).count();
    let verb = if dry_run { "would delete" } else { "deleted" };
    writeln!(out, "{verb} {n} of {} crashlab namespaces", outcomes.len())
}
