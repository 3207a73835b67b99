//! `crashlab conformance`: pick the properties, reach the cluster (or read saved
//! observations), run the probes, judge, render, and exit with the documented code.

use std::sync::Arc;

use super::args::{BringUpArgs, ConformanceArgs, ConformanceOutput, ProviderName, ReleaseUrlArg};
use super::cli_error::{CliError, Exit};
use super::target_cluster;
use crate::cluster::{KubeletTuning, Registry};
use crate::conformance::{
    ConformanceEvent, ConformanceOptions, Observations, Property, Verdict, judge, merged_markdown,
    observe, render_human, render_junit, to_markdown,
};
use crate::conformance::{ConformanceReport, ConformanceSet};
use crate::pipeline::{ColumnPlan, conformance_columns};
use crate::results::{read_conformance_observations, read_conformance_results};

pub fn run(args: ConformanceArgs) -> Result<Exit, CliError> {
    let properties = if args.only.is_empty() {
        Property::ALL.to_vec()
    } else {
        Property::parse_list(&args.only).map_err(|unknown| {
            CliError::usage(format!(
                "--only: unknown propert{} {}",
                if unknown.len() == 1 { "y" } else { "ies" },
                unknown
                    .iter()
                    .map(|u| format!("`{u}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .with_hint(format!("the properties are: {}", Property::names()))
        })?
    };
    if !args.merge.is_empty() {
        let reports = read_conformance_results(&args.merge).map_err(|e| {
            CliError::usage(e).with_hint(
                "--merge takes the JSON that `crashlab conformance -o json` prints, one file per cluster",
            )
        })?;
        print!("{}", merged_markdown(&reports));
        return Ok(Exit::Pass);
    }
    if let Some(versions) = &args.versions {
        return columns(&args, versions, &properties);
    }
    if args.node_images.len() > 1 {
        return Err(CliError::usage(
            "--node-image is given more than once: one cluster takes one node image",
        )
        .with_hint("give one, or probe several versions with --versions (one image per minor)"));
    }
    let (observations, duration) = match &args.from {
        Some(file) => (
            read_conformance_observations(file).map_err(|e| {
                CliError::usage(e).with_hint(
                    "--from takes the observations saved with `crashlab conformance --record FILE`",
                )
            })?,
            None,
        ),
        None => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(|e| CliError::env(format!("cannot start the async runtime: {e}")))?;
            let (obs, took) = runtime.block_on(measure(&args, &properties))?;
            (obs, Some(took))
        }
    };
    if let Some(path) = &args.record {
        let text = serde_json::to_string_pretty(&observations).expect("observations serialise");
        std::fs::write(path, text + "\n")
            .map_err(|e| CliError::usage(format!("--record {}: {e}", path.display())))?;
    }
    let report = judge(&observations, &properties, duration);
    match args.output {
        ConformanceOutput::Human => {
            print!("{}", render_human(&report, crate::report::color::stdout()))
        }
        ConformanceOutput::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("the report serialises")
        ),
        ConformanceOutput::Markdown => print!("{}", to_markdown(&report)),
    }
    if let Some(path) = &args.junit {
        let xml = render_junit(&report).map_err(|e| CliError::env(format!("--junit: {e}")))?;
        std::fs::write(path, xml)
            .map_err(|e| CliError::usage(format!("--junit {}: {e}", path.display())))?;
    }
    if let Some(path) = &args.html {
        let html = crate::html::render_conformance(&report, Some(&observations));
        std::fs::write(path, html)
            .map_err(|e| CliError::usage(format!("--html {}: {e}", path.display())))?;
    }
    Ok(match report.verdict() {
        Verdict::Differs => Exit::Fail,
        Verdict::Conforms => Exit::Pass,
        Verdict::NotMeasurable => Exit::Environment,
    })
}

async fn measure(
    args: &ConformanceArgs,
    properties: &[Property],
) -> Result<(Observations, f64), CliError> {
    let bring_up = BringUpArgs {
        provider: args.provider,
        kubernetes_version: args.kubernetes_version.clone(),
        node_image: args.node_images.first().cloned(),
        release: ReleaseUrlArg {
            k8s_release_url: args.release.k8s_release_url.clone(),
        },
        nodes: args.nodes,
    };
    let cluster = target_cluster::connect_with_images(
        args.context.as_deref(),
        &args.allow_context,
        &bring_up,
    )
    .await?;
    let opts = ConformanceOptions {
        context: cluster.context.clone(),
        provider: cluster.provider.clone(),
        node_access: cluster.node_access.clone(),
        properties: properties.to_vec(),
        long: args.long,
    };
    let events: Arc<dyn Fn(ConformanceEvent) + Send + Sync> = Arc::new(say);
    observe(cluster.client.clone(), &opts, events)
        .await
        .map_err(|e| {
            CliError::env(format!("conformance probes on `{}`: {e}", cluster.context))
                .with_hint("is the cluster running? try `crashlab cluster status`")
        })
}

fn say(e: ConformanceEvent) {
    match e {
        ConformanceEvent::NodeChosen { node, access } if node.is_empty() => {
            eprintln!("crashlab: probes not pinned to a node; the node's own evidence is {access}")
        }
        ConformanceEvent::NodeChosen { node, access } => {
            eprintln!("crashlab: probing node {node}; its own evidence read through {access}")
        }
        ConformanceEvent::ProbesStarted { probes } => {
            eprintln!(
                "crashlab: {} probes at once: {}",
                probes.len(),
                probes.join(", ")
            )
        }
        ConformanceEvent::Acted { probe, what, error } => match error {
            None => eprintln!("crashlab: {probe}: changed {what} during the back-off"),
            Some(e) => eprintln!("crashlab: {probe}: changing {what} was refused: {e}"),
        },
        ConformanceEvent::ProbeFinished {
            probe,
            elapsed_s,
            error,
        } => match error {
            None => eprintln!("crashlab: {probe}: observed for {elapsed_s:.0}s"),
            Some(e) => eprintln!("crashlab: {probe}: {e}"),
        },
    }
}

/// `--versions` (and `--providers`): each column's cluster brought up in turn and probed; the
/// reports side by side, then each cluster's own.
fn columns(
    args: &ConformanceArgs,
    versions: &str,
    properties: &[Property],
) -> Result<Exit, CliError> {
    if args.record.is_some() {
        return Err(CliError::usage(
            "--record saves one cluster's observations; it does not go with --versions",
        )
        .with_hint(
            "probe one cluster at a time with --record, and compare the results with --merge",
        ));
    }
    let registry = Registry::new(&[]);
    let names = if args.providers.is_empty() {
        vec![ProviderName::Local]
    } else {
        args.providers.clone()
    };
    let (list, providers) = super::matrix_cmd::columns_of(versions, &names, &registry)?;
    let nodes = super::node_count(args.nodes)?;
    for provider in &providers {
        provider.supports_nodes(nodes)?;
    }
    for provider in providers.iter().filter(|p| !p.takes_node_image()) {
        for v in &list {
            provider.resolve_version(Some(v)).map_err(CliError::usage)?;
        }
    }
    let node_images = match providers.iter().find(|p| p.takes_node_image()) {
        Some(provider) => super::matrix_cmd::node_images_for(*provider, &list, &args.node_images)?,
        None => vec![None; list.len()],
    };
    let tuning = KubeletTuning::default();
    let plan = ColumnPlan {
        providers: &providers,
        versions: &list,
        node_images: &node_images,
        tuning: &tuning,
        tuned: false,
        keep_cluster: args.keep_cluster,
        k8s_release_url: args.release.k8s_release_url.as_ref(),
        nodes,
    };
    let events: Arc<dyn Fn(ConformanceEvent) + Send + Sync> = Arc::new(say);
    let measured = conformance_columns(
        &plan,
        properties,
        args.long,
        &mut super::stderr_progress,
        &mut super::matrix_cmd::print_event,
        events,
    )
    .map_err(|e| {
        CliError::env(e).with_hint("see `crashlab cluster status` and `crashlab cluster logs`")
    })?;
    let reports: Vec<ConformanceReport> = measured.iter().map(|(_, r)| r.clone()).collect();
    match args.output {
        ConformanceOutput::Human => {
            for r in &reports {
                println!("{}", render_human(r, crate::report::color::stdout()));
            }
            print!("{}", merged_markdown(&reports));
        }
        ConformanceOutput::Json => println!(
            "{}",
            serde_json::to_string_pretty(&ConformanceSet::new(reports.clone()))
                .expect("the reports serialise")
        ),
        ConformanceOutput::Markdown => {
            print!("{}", merged_markdown(&reports));
            for r in &reports {
                print!("\n{}", to_markdown(r));
            }
        }
    }
    if let Some(path) = &args.junit {
        let mut xml = String::new();
        for r in &reports {
            xml.push_str(&render_junit(r).map_err(|e| CliError::env(format!("--junit: {e}")))?);
        }
        std::fs::write(path, xml)
            .map_err(|e| CliError::usage(format!("--junit {}: {e}", path.display())))?;
    }
    if let Some(path) = &args.html {
        std::fs::write(path, crate::html::render_conformance_set(&reports))
            .map_err(|e| CliError::usage(format!("--html {}: {e}", path.display())))?;
    }
    let verdict = Verdict::of(reports.iter().map(ConformanceReport::verdict));
    Ok(match verdict {
        Verdict::Differs => Exit::Fail,
        Verdict::Conforms => Exit::Pass,
        Verdict::NotMeasurable => Exit::Environment,
    })
}
