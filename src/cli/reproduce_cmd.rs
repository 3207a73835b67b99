//! `crashlab reproduce`: bring one scenario's incident up, confirm it through the runner's
//! "reproduced" hook, and leave it running for a person or an agent to diagnose. When it does
//! not reproduce, delete what was created and say why.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::args::{OutputFormat, ReproduceArgs};
use super::catalogue_cmd::{catalogue_with, scenario_error};
use super::cli_error::{CliError, Exit};
use super::target_cluster;
use crate::report::ReproducedReport;
use crate::runner::cluster_client::ClusterClient;
use crate::runner::gc::NamespaceLookup;
use crate::runner::owner::Owner;
use crate::runner::{
    Cluster, OnReproduced, Reproduced, RunEvent, RunOptions, Runner, ScenarioReport, Verdict,
};
use crate::scenario::Scenario;
use crate::timeline::Entry;

pub fn run(args: ReproduceArgs) -> Result<Exit, CliError> {
    let cat = catalogue_with(&args.files)?;
    let scenario = cat
        .get(&args.scenario)
        .map_err(scenario_error)?
        .scenario
        .clone();
    if let Some(ns) = &args.namespace
        && !crate::runner::is_dns_label(ns)
    {
        return Err(CliError::usage(format!(
            "--namespace {ns:?} is not a valid namespace name (1 to 63 lowercase letters, digits or '-', starting and ending with a letter or digit)"
        )));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::env(format!("cannot start the async runtime: {e}")))?;
    let outcome = runtime.block_on(reproduce(&args, scenario));
    // The scenario task may still be watching: the namespace is kept, so nothing is left to
    // clean up; do not wait for it.
    runtime.shutdown_background();
    let report = outcome?;
    let mut out = std::io::stdout().lock();
    let written = match args.output {
        OutputFormat::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        ),
        OutputFormat::Human => report.write_human(&mut out),
    };
    written.map_err(|e| CliError::env(format!("writing the result: {e}")))?;
    Ok(Exit::Pass)
}

async fn reproduce(args: &ReproduceArgs, scenario: Scenario) -> Result<ReproducedReport, CliError> {
    let cluster = target_cluster::connect_with_images(
        args.context.as_deref(),
        &args.allow_context,
        &args.bring_up,
    )
    .await?;
    let client = ClusterClient::new(cluster.client.clone());
    if let Some(ns) = &args.namespace {
        let found = client.lookup_namespace(ns).await.map_err(|e| {
            CliError::env(e).with_hint("is the cluster running? try `crashlab cluster status`")
        })?;
        if found != NamespaceLookup::Missing {
            let hint = if matches!(found, NamespaceLookup::Crashlabs(_)) {
                format!(
                    "it is a crashlab namespace (a fixture left running?): `crashlab gc --namespace {ns}` deletes it; or choose another --namespace"
                )
            } else {
                "crashlab never reuses a namespace it did not create; choose another --namespace"
                    .to_owned()
            };
            return Err(CliError::usage(format!("namespace {ns} already exists")).with_hint(hint));
        }
    }

    let (live_tx, mut live_rx) = mpsc::unbounded_channel::<Reproduced>();
    let hook = OnReproduced(Arc::new(move |live: Reproduced| {
        let _ = live_tx.send(live);
        Box::pin(async {})
    }));
    let runner = Runner::new(
        cluster.client.clone(),
        RunOptions {
            context: cluster.context.clone(),
            parallelism: crate::runner::Parallelism::Fixed(1),
            keep_namespaces: true,
            namespace: args.namespace.clone(),
            record_dir: None,
            on_reproduced: Some(hook),
            ..Default::default()
        },
    );
    let (tx, mut rx) = mpsc::unbounded_channel();
    let started = Instant::now();
    let name = scenario.metadata.name.clone();
    let mut progress = Progress::default();
    let scenarios = [scenario.clone()];
    let run = runner.run(&scenarios, tx);
    tokio::pin!(run);
    let result = loop {
        tokio::select! {
            biased;
            Some(live) = live_rx.recv() => {
                while let Ok(ev) = rx.try_recv() {
                    progress.handle(&name, ev);
                }
                let elapsed = started.elapsed().as_secs_f64();
                return Ok(ReproducedReport::new(&live, &progress.entries, elapsed));
            }
            Some(ev) = rx.recv() => progress.handle(&name, ev),
            result = &mut run => break result,
        }
    };
    while let Ok(ev) = rx.try_recv() {
        progress.handle(&name, ev);
    }
    if let Ok(live) = live_rx.try_recv() {
        let elapsed = started.elapsed().as_secs_f64();
        return Ok(ReproducedReport::new(&live, &progress.entries, elapsed));
    }
    // Not reproduced: delete what this process created, then say why.
    let namespace = progress
        .namespace
        .clone()
        .or_else(|| args.namespace.clone());
    if let Some(ns) = &namespace {
        delete_own(&client, ns, scenario.spec.timeouts.cleanup).await;
    }
    let reports = result.map_err(|e| {
        CliError::env(e).with_hint("is the cluster running? try `crashlab cluster status`")
    })?;
    Err(not_reproduced(&name, reports.first()))
}

/// The events of the run that matter here: the namespace, and the signals seen.
#[derive(Default)]
struct Progress {
    namespace: Option<String>,
    entries: Vec<Entry>,
}

impl Progress {
    fn handle(&mut self, scenario: &str, ev: RunEvent) {
        match ev {
            RunEvent::ScenarioStarted { namespace, .. } => {
                eprintln!(
                    "crashlab: {scenario}: deployed in namespace {namespace}; waiting until it is ready for diagnosis"
                );
                self.namespace = Some(namespace);
            }
            RunEvent::Signal { entry, .. } => self.entries.push(entry),
            RunEvent::ScenarioFinished { report } if !report.namespace.is_empty() => {
                self.namespace = Some(report.namespace.clone());
            }
            _ => {}
        }
    }
}

/// Deletes `namespace` if this process created it (never one that existed before), and waits
/// for it to be gone within `limit`. Failures only warn: the error that matters is why the
/// incident did not reproduce.
async fn delete_own(client: &ClusterClient, namespace: &str, limit: Duration) {
    let here = Owner::current();
    let mine = match client.lookup_namespace(namespace).await {
        Ok(NamespaceLookup::Crashlabs(info)) => Owner::from_annotations(&info.annotations)
            .is_some_and(|o| o.is_this_host_and_boot(&here) && o.pid == here.pid),
        _ => false,
    };
    if !mine {
        return;
    }
    let deleted = match client.delete_namespace(namespace).await {
        Ok(Some(uid)) => tokio::time::timeout(limit, client.namespace_gone(namespace, &uid))
            .await
            .map_err(|_| format!("still there after {}s", limit.as_secs()))
            .and_then(|r| r.map_err(|e| e.to_string())),
        Ok(None) => Ok(()),
        Err(e) => Err(e.to_string()),
    };
    match deleted {
        Ok(()) => eprintln!("crashlab: deleted namespace {namespace}"),
        Err(e) => eprintln!(
            "crashlab: could not delete namespace {namespace}: {e}; `crashlab gc --namespace {namespace}` retries"
        ),
    }
}

/// Exit 1 when an expectation was contradicted, else 3, with the failed checks.
fn not_reproduced(scenario: &str, report: Option<&ScenarioReport>) -> CliError {
    let Some(report) = report else {
        return CliError::env(format!("{scenario} did not start (cancelled)"));
    };
    let failed: Vec<String> = report
        .checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| {
            format!(
                "{}: expected {}, observed {}",
                c.name, c.expected, c.observed
            )
        })
        .collect();
    let mut message = format!("{scenario} did not reproduce");
    if let Some(e) = &report.error {
        message.push_str(&format!(": {e}"));
    }
    for f in &failed {
        message.push_str(&format!("\n  {f}"));
    }
    let hint = "`crashlab run` of the same scenario shows every check and the timeline";
    match report.verdict {
        Verdict::Fail => CliError {
            exit: Exit::Fail,
            message,
            hint: Some(hint.to_owned()),
        },
        Verdict::Error | Verdict::Pass => CliError::env(message).with_hint(hint),
    }
}
