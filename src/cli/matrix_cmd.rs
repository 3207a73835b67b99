//! `crashlab matrix`: one cluster per Kubernetes version in turn (cached binaries reused),
//! the scenarios on each, torn down after, and a comparison printed at the end.

use std::io::Write;

use tokio::sync::mpsc;

use super::args::{MatrixArgs, MatrixOutput, ProviderName};
use super::catalogue_cmd::{catalogue_with, scenario_error};
use super::cli_error::{CliError, Exit};
use super::cluster_cmd::{bring_up_local, tuning_from};
use super::target_cluster::client_for;
use crate::cluster::local::{self, LocalCluster, UpOptions, progress};
use crate::cluster::{KindProvider, KindUpOptions};
use crate::matrix::{MatrixRun, compare, to_markdown};
use crate::runner::{RunEvent, RunOptions, Runner, Verdict};
use crate::scenario::Scenario;

pub fn run(args: MatrixArgs) -> Result<Exit, CliError> {
    let cat = catalogue_with(&args.files)?;
    let scenarios: Vec<Scenario> = if args.scenarios.is_empty() {
        cat.entries().iter().map(|e| e.scenario.clone()).collect()
    } else {
        let mut v = Vec::new();
        for name in args
            .scenarios
            .iter()
            .flat_map(|s| s.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            v.push(cat.get(name).map_err(scenario_error)?.scenario.clone());
        }
        v
    };
    let mut scenarios = scenarios;
    if let Some(n) = args.backoff_delays {
        super::run_cmd::set_backoff_delays(&mut scenarios, n);
    }
    let versions: Vec<String> = args
        .versions
        .split(',')
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    if versions.is_empty() {
        return Err(CliError::usage(
            "--versions needs at least one version, e.g. 1.34,1.35",
        ));
    }
    for v in &versions {
        local::versions::resolve(v).map_err(CliError::usage)?;
    }
    let tuning = tuning_from(
        args.kubelet_config.as_deref(),
        args.feature_gates.as_deref(),
    )?;
    let tuned = args.kubelet_config.is_some() || args.feature_gates.is_some();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::env(format!("cannot start the async runtime: {e}")))?;

    let mut runs = Vec::new();
    for version in &versions {
        eprintln!(
            "crashlab matrix: Kubernetes {version}{}",
            if tuned { " (tuned kubelet)" } else { "" }
        );
        let context = match args.provider {
            ProviderName::Local => {
                let report = bring_up_local(&UpOptions {
                    kubernetes_version: Some(version.clone()),
                    tuning: tuning.clone(),
                    kubeconfig: None,
                })?;
                eprintln!(
                    "crashlab matrix: local cluster {} ready after {:.1}s",
                    report.kubernetes_version,
                    report.node_ready_after.as_secs_f64()
                );
                local::CONTEXT.to_string()
            }
            ProviderName::Kind => {
                let kind = KindProvider::new();
                let mut p = progress::stderr();
                // A kind cluster of another version must go first.
                kind.down(p.as_mut()).map_err(CliError::from)?;
                kind.up(
                    &KindUpOptions {
                        kubernetes_version: Some(version.clone()),
                        tuning: tuning.clone(),
                        kubeconfig: None,
                    },
                    p.as_mut(),
                )
                .map_err(CliError::from)?;
                kind.load_images(p.as_mut()).map_err(CliError::from)?;
                kind.context()
            }
        };
        let run = runtime.block_on(run_version(&context, &scenarios, &args, version, tuned))?;
        runs.push(run);
    }
    if !args.keep_cluster {
        match args.provider {
            ProviderName::Local => {
                let report = LocalCluster::at_default_location().down()?;
                for p in report.problems {
                    eprintln!("crashlab matrix: warning: {p}");
                }
            }
            ProviderName::Kind => {
                KindProvider::new()
                    .down(progress::stderr().as_mut())
                    .map_err(CliError::from)?;
            }
        }
    }

    let comparison = compare(&runs);
    let mut out = std::io::stdout().lock();
    let text = match args.output {
        MatrixOutput::Markdown => to_markdown(&comparison),
        MatrixOutput::Json => {
            serde_json::to_string_pretty(
                &serde_json::json!({"comparison": comparison, "runs": runs}),
            )
            .expect("serializes")
                + "\n"
        }
    };
    let _ = out.write_all(text.as_bytes());
    let all: Vec<Verdict> = runs
        .iter()
        .flat_map(|r| r.reports.iter().map(|s| s.verdict))
        .collect();
    Ok(if all.contains(&Verdict::Fail) {
        Exit::Fail
    } else if all.contains(&Verdict::Error) {
        Exit::Environment
    } else {
        Exit::Pass
    })
}

async fn run_version(
    context: &str,
    scenarios: &[Scenario],
    args: &MatrixArgs,
    version: &str,
    tuned: bool,
) -> Result<MatrixRun, CliError> {
    let (client, server_version) = client_for(context)
        .await
        .map_err(|e| CliError::env(format!("context `{context}` is not reachable: {e}")))?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    // Progress on stderr: one line per scenario verdict.
    let printer = tokio::spawn(async move {
        let mut backoff = None;
        while let Some(ev) = rx.recv().await {
            match ev {
                RunEvent::RunStarted {
                    kubelet_backoff, ..
                } => backoff = kubelet_backoff,
                RunEvent::ScenarioFinished { report } => {
                    eprintln!(
                        "  {:<20} {:?} in {:.0}s",
                        report.name, report.verdict, report.elapsed_s
                    );
                }
                _ => {}
            }
        }
        backoff
    });
    let runner = Runner::new(
        client,
        RunOptions {
            context: context.to_string(),
            parallelism: usize::from(args.parallel),
            keep_namespaces: false,
            record_dir: args.record.as_ref().map(|d| d.join(&server_version)),
            on_reproduced: None,
        },
    );
    let reports = runner.run(scenarios, tx).await.map_err(CliError::env)?;
    let kubelet_backoff = printer.await.ok().flatten();
    let label = match (&kubelet_backoff, tuned) {
        (Some(b), true) => format!("{server_version} (tuned: {}s → {}s)", b.initial_s, b.max_s),
        _ => server_version.clone(),
    };
    let _ = version;
    Ok(MatrixRun {
        label,
        server_version,
        kubelet_backoff,
        reports,
    })
}
