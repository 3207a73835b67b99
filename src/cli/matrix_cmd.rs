//! `crashlab matrix`: one cluster per provider and Kubernetes version in turn (cached binaries
//! reused), the scenarios on each, each provider's cluster torn down after its last version,
//! and a comparison printed at the end. With `--merge`, the comparison of earlier results
//! instead, without any cluster.

use std::io::Write;

use super::args::{MatrixArgs, MatrixOutput, ProviderName};
use super::catalogue_cmd::{catalogue_with, scenario_error};
use super::cli_error::{CliError, Exit};
use super::cluster_cmd::tuning_from;
use crate::cluster::{Provider, Registry};
use crate::matrix::{
    GivenImage, MatrixError, MatrixRun, arrange, compare, plan_node_images, to_json, to_markdown,
};
use crate::pipeline::{MatrixEvent, MatrixPlan, measure_columns};
use crate::results::{ResultError, read_matrix_results};
use crate::runner::Verdict;
use crate::scenario::Scenario;

pub fn run(args: MatrixArgs) -> Result<Exit, CliError> {
    let runs = if args.merge.is_empty() {
        measure(&args)?
    } else {
        read_matrix_results(&args.merge).map_err(result_error)?
    };
    let runs = arrange(runs);
    let comparison = compare(&runs);
    let text = match args.output {
        MatrixOutput::Markdown => to_markdown(&comparison),
        MatrixOutput::Json => to_json(&comparison, &runs),
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    if let Some(path) = &args.html {
        super::report_cmd::write_html(path, &crate::html::render_matrix(&runs))?;
    }
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

/// The pure part's errors are all about what the user gave: bad usage.
fn matrix_error(e: MatrixError) -> CliError {
    let hint = e.hint();
    CliError::usage(e).with_hint(hint)
}

/// A result file that cannot be merged is bad usage too.
fn result_error(e: ResultError) -> CliError {
    let hint = match e {
        ResultError::Read { .. } => {
            "give the JSON files written by `crashlab matrix -o json`, e.g. `crashlab matrix --merge matrix-*.json`"
        }
        _ => e.hint(),
    };
    CliError::usage(e).with_hint(hint)
}

/// Brings up every (provider, version) cluster in turn and runs the scenarios on each.
fn measure(args: &MatrixArgs) -> Result<Vec<MatrixRun>, CliError> {
    let cat = catalogue_with(&args.files)?;
    let mut scenarios: Vec<Scenario> = if args.scenarios.is_empty() {
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
    if let Some(n) = args.backoff_delays {
        super::run_cmd::set_backoff_delays(&mut scenarios, n);
    }
    let registry = Registry::new(&[]);
    let (versions, providers) = columns_of(
        args.versions.as_deref().unwrap_or_default(),
        &args.providers,
        &registry,
    )?;
    let with_node_images = providers.iter().any(|p| p.takes_node_image());
    if !args.node_images.is_empty() && !with_node_images {
        return Err(CliError::usage(
            "--node-image is for kind columns, and --providers has no kind",
        )
        .with_hint(
            "add kind to --providers (e.g. --providers local,kind), or leave out --node-image",
        ));
    }
    // Every column has the same shape, or the matrix would compare unlike clusters.
    let nodes = super::node_count(args.nodes)?;
    for provider in &providers {
        provider.supports_nodes(nodes)?;
    }
    for provider in providers.iter().filter(|p| !p.takes_node_image()) {
        for v in &versions {
            provider.resolve_version(Some(v)).map_err(CliError::usage)?;
        }
    }
    // Given node images are inspected only when kind columns will run, and before any cluster
    // comes up, so that a missing image stops the matrix before the local columns run, not after.
    let node_images_per_version = match providers.iter().find(|p| p.takes_node_image()) {
        Some(provider) => node_images_for(*provider, &versions, &args.node_images)?,
        None => vec![None; versions.len()],
    };
    let tuning = tuning_from(
        args.kubelet_config.as_deref(),
        args.feature_gates.as_deref(),
    )?;
    let plan = MatrixPlan {
        providers,
        versions,
        node_images: node_images_per_version,
        tuning,
        tuned: args.kubelet_config.is_some() || args.feature_gates.is_some(),
        parallelism: args.parallel,
        record: args.record.clone(),
        keep_cluster: args.keep_cluster,
        k8s_release_url: args.release.k8s_release_url.clone(),
        nodes,
    };
    Ok(measure_columns(
        &plan,
        &scenarios,
        &mut super::stderr_progress,
        &mut print_event,
    )?)
}

/// Progress on stderr: each column, its cluster, one line per scenario verdict.
pub(super) fn print_event(ev: MatrixEvent) {
    match ev {
        MatrixEvent::ColumnStarted {
            provider,
            version,
            tuned,
        } => eprintln!(
            "crashlab matrix: {provider} Kubernetes {version}{}",
            if tuned { " (tuned kubelet)" } else { "" }
        ),
        MatrixEvent::ClusterReady {
            provider,
            version,
            after_s,
        } => eprintln!("crashlab matrix: {provider} cluster {version} ready after {after_s:.1}s"),
        MatrixEvent::ScenarioFinished {
            name,
            verdict,
            elapsed_s,
        } => eprintln!("  {name:<20} {verdict:?} in {elapsed_s:.0}s"),
        MatrixEvent::TeardownProblem(p) => eprintln!("crashlab matrix: warning: {p}"),
    }
}

/// Per version, the given node image of its minor, else `None` (the pinned image, whose
/// version must then be one the provider pins).
pub(super) fn node_images_for(
    provider: &dyn Provider,
    versions: &[String],
    references: &[String],
) -> Result<Vec<Option<String>>, CliError> {
    let mut given = Vec::new();
    for reference in references {
        given.push(GivenImage {
            reference: reference.clone(),
            version: provider.node_image_version(reference)?,
        });
    }
    let plan = plan_node_images(versions, &given).map_err(matrix_error)?;
    for image in &plan.unused {
        eprintln!(
            "crashlab matrix: warning: node image `{}` ({}) is of no version in --versions; it is not used",
            image.reference,
            image.version.as_deref().unwrap_or("unknown version")
        );
    }
    for (version, image) in versions.iter().zip(&plan.per_version) {
        if image.is_none() {
            provider.resolve_version(Some(version)).map_err(|e| {
                CliError::usage(format!("{}: {e}", provider.name())).with_hint(
                    "give a kind node image of that version with --node-image (e.g. one built by `tests/kind/prepare-node-image`), or leave kind out of --providers",
                )
            })?;
        }
    }
    Ok(plan.per_version)
}

/// `--versions` (each once, in order) and `--providers` (each once) of `matrix` and
/// `conformance`: bad usage when no version is given or a name is unknown.
pub(super) fn columns_of<'r>(
    versions: &str,
    names: &[ProviderName],
    registry: &'r Registry,
) -> Result<(Vec<String>, Vec<&'r dyn Provider>), CliError> {
    let mut list: Vec<String> = Vec::new();
    for v in versions.split(',').map(str::trim).filter(|v| !v.is_empty()) {
        if !list.iter().any(|seen| seen == v) {
            list.push(v.to_owned());
        }
    }
    if list.is_empty() {
        return Err(CliError::usage(
            "--versions needs at least one version, e.g. 1.34,1.35",
        ));
    }
    let mut providers: Vec<&dyn Provider> = Vec::new();
    for name in names {
        let provider = registry.get(&name.name()).map_err(CliError::usage)?;
        if !providers.iter().any(|p| p.name() == provider.name()) {
            providers.push(provider);
        }
    }
    Ok((list, providers))
}
