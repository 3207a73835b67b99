//! `crashlab gc`: delete the namespaces crashlab runs left behind when they were killed
//! (`kill -9`, a cancelled CI job, a crashed host).

use std::io::Write;
use std::time::Duration;

use jiff::Timestamp;
use serde::Serialize;

use super::args::{GcArgs, OutputFormat};
use super::cli_error::{CliError, Exit};
use crate::runner::Cluster;
use crate::runner::cluster_client::ClusterClient;
use crate::runner::gc::{self, GcDecision};
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

async fn collect(args: &GcArgs, older_than: Duration) -> Result<Vec<Outcome>, CliError> {
    super::target_cluster::check_explicit_context(args.context.as_deref())?;
    let conn = crate::runner::connect(args.context.as_deref())
        .await
        .map_err(|e| {
            CliError::env(e)
                .with_hint("pass --context, or start the cluster (`crashlab cluster up`)")
        })?;
    let cluster = ClusterClient::new(conn.client);
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

fn human(out: &mut impl Write, outcomes: &[Outcome], dry_run: bool) -> std::io::Result<()> {
    if outcomes.is_empty() {
        return writeln!(out, "no crashlab namespaces in this cluster");
    }
    for o in outcomes {
        let what = match (&o.error, o.decision.delete, dry_run) {
            (Some(e), _, _) => format!("could not delete: {e}"),
            (None, true, true) => "would delete".to_owned(),
            (None, true, false) => "deleted".to_owned(),
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
