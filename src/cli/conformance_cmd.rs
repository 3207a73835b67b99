//! `crashlab conformance`: pick the properties, reach the cluster (or read saved
//! observations), run the probes, judge, render, and exit with the documented code.

use std::sync::Arc;

use super::args::{ConformanceArgs, ConformanceOutput};
use super::cli_error::{CliError, Exit};
use super::target_cluster;
use crate::conformance::{
    ConformanceEvent, ConformanceOptions, Observations, Property, Verdict, judge, merged_markdown,
    observe, render_human, render_junit, to_markdown,
};
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
    let cluster = target_cluster::connect_with_images(
        args.context.as_deref(),
        &args.allow_context,
        &args.bring_up,
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
