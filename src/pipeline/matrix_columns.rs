//! `crashlab matrix`'s measuring: for each provider, its cluster of each version brought up in
//! turn (replacing the previous one), the images loaded, the scenarios run on it as one
//! column, and the provider's cluster taken down after its last version, so the next provider
//! starts on a quiet host.

use std::path::PathBuf;

use tokio::sync::mpsc;

use crate::cluster::local::ReleaseUrl;
use crate::cluster::progress::Progress;
use crate::cluster::{KubeletTuning, NodeCount, Provider, client_for};
use crate::matrix::{MatrixRun, column_label};
use crate::runner::{Parallelism, RunEvent, RunOptions, Runner};
use crate::scenario::Scenario;

use super::columns::{ColumnPlan, for_each_column};
use super::matrix_event::MatrixEvent;
use super::pipeline_error::PipelineError;

/// What to measure, already checked by the caller: every version resolves for every provider
/// that does not take node images, and `node_images` has one entry per version.
pub struct MatrixPlan<'a> {
    pub providers: Vec<&'a dyn Provider>,
    pub versions: Vec<String>,
    /// Per version, the node image of its minor for providers that take one.
    pub node_images: Vec<Option<String>>,
    pub tuning: KubeletTuning,
    /// The kubelet was tuned (`--kubelet-config`, `--feature-gates`): columns say so.
    pub tuned: bool,
    pub parallelism: Parallelism,
    /// Recordings go to `<dir>/<provider>/<server version>/`.
    pub record: Option<PathBuf>,
    /// Leave the last provider's cluster up.
    pub keep_cluster: bool,
    /// `--k8s-release-url`: where the local provider downloads Kubernetes from.
    pub k8s_release_url: Option<ReleaseUrl>,
    /// `--nodes`, the same for every column (each provider was asked whether it can).
    pub nodes: NodeCount,
}

/// Runs `scenarios` on every column of `plan`; a Ctrl-C ends it after the running column.
/// `progress` shows the bring-ups, `events` everything else.
pub fn measure_columns(
    plan: &MatrixPlan<'_>,
    scenarios: &[Scenario],
    progress: &mut dyn FnMut() -> Box<dyn Progress>,
    events: &mut dyn FnMut(MatrixEvent),
) -> Result<Vec<MatrixRun>, PipelineError> {
    let columns = ColumnPlan {
        providers: &plan.providers,
        versions: &plan.versions,
        node_images: &plan.node_images,
        tuning: &plan.tuning,
        tuned: plan.tuned,
        keep_cluster: plan.keep_cluster,
        k8s_release_url: plan.k8s_release_url.as_ref(),
        nodes: plan.nodes,
    };
    for_each_column(
        &columns,
        progress,
        events,
        &mut |runtime, cluster, events| {
            let column = Column {
                provider: cluster.provider.name(),
                context: &cluster.context,
                node_image: cluster.node_image.clone(),
            };
            runtime.block_on(run_column(column, scenarios, plan, events))
        },
    )
}

/// The cluster one column runs on.
struct Column<'a> {
    provider: &'static str,
    context: &'a str,
    node_image: Option<String>,
}

async fn run_column(
    column: Column<'_>,
    scenarios: &[Scenario],
    plan: &MatrixPlan<'_>,
    events: &mut dyn FnMut(MatrixEvent),
) -> Result<MatrixRun, PipelineError> {
    let context = column.context;
    let (client, server_version) =
        client_for(context)
            .await
            .map_err(|e| PipelineError::Unreachable {
                context: context.to_owned(),
                message: e.to_string(),
            })?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let runner = Runner::new(
        client,
        RunOptions {
            context: context.to_string(),
            parallelism: plan.parallelism,
            keep_namespaces: false,
            namespace: None,
            record_dir: plan
                .record
                .as_ref()
                .map(|d| d.join(column.provider).join(&server_version)),
            on_reproduced: None,
            ..Default::default()
        },
    );
    let run = runner.run(scenarios, tx);
    tokio::pin!(run);
    let mut kubelet_backoff = None;
    let mut on_event = |ev: RunEvent| match ev {
        RunEvent::RunStarted {
            kubelet_backoff: b, ..
        } => kubelet_backoff = b,
        RunEvent::ScenarioFinished { report } => events(MatrixEvent::ScenarioFinished {
            name: report.name.clone(),
            verdict: report.verdict,
            elapsed_s: report.elapsed_s,
        }),
        _ => {}
    };
    // The runner's events as they come, until it returns its reports; then those sent just
    // before it returned.
    let reports = loop {
        tokio::select! {
            reports = &mut run => break reports.map_err(|e| PipelineError::Run(e.to_string()))?,
            Some(ev) = rx.recv() => on_event(ev),
        }
    };
    while let Ok(ev) = rx.try_recv() {
        on_event(ev);
    }
    let label = column_label(
        column.provider,
        &server_version,
        kubelet_backoff.as_ref().filter(|_| plan.tuned),
    );
    Ok(MatrixRun {
        label,
        provider: Some(column.provider.to_string()),
        server_version,
        node_image: column.node_image,
        kubelet_backoff,
        reports,
    })
}
