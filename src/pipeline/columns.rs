//! Columns: for each provider, its cluster of each version brought up in turn (replacing the
//! previous one), crashlab's images loaded, something run on it, and the provider's cluster
//! taken down after its last version, so the next provider starts on a quiet host. `matrix`
//! runs scenarios on each column, `conformance` its probes.

use crate::cluster::local::ReleaseUrl;
use crate::cluster::progress::Progress;
use crate::cluster::{KubeletTuning, NodeCount, Provider, UpRequest};

use super::matrix_event::MatrixEvent;
use super::pipeline_error::PipelineError;

/// Which clusters, already checked by the caller: every version resolves for every provider
/// that does not take node images, and `node_images` has one entry per version.
pub struct ColumnPlan<'a> {
    pub providers: &'a [&'a dyn Provider],
    pub versions: &'a [String],
    /// Per version, the node image of its minor for providers that take one.
    pub node_images: &'a [Option<String>],
    pub tuning: &'a KubeletTuning,
    /// The kubelet was tuned (`--kubelet-config`, `--feature-gates`): columns say so.
    pub tuned: bool,
    /// Leave the last provider's cluster up.
    pub keep_cluster: bool,
    pub k8s_release_url: Option<&'a ReleaseUrl>,
    /// Nodes of each cluster (providers that cannot have more than one were refused before).
    pub nodes: NodeCount,
}

/// One column's cluster, up with crashlab's images loaded.
pub struct ColumnCluster<'a> {
    pub provider: &'a dyn Provider,
    pub context: String,
    pub node_image: Option<String>,
}

/// What runs on each column.
pub type OnColumn<'f, T> = dyn FnMut(
        &tokio::runtime::Runtime,
        ColumnCluster<'_>,
        &mut dyn FnMut(MatrixEvent),
    ) -> Result<T, PipelineError>
    + 'f;

/// Brings every column up in turn and calls `on_column` on it; a Ctrl-C ends it after the
/// running column. `progress` shows the bring-ups, `events` the rest.
pub fn for_each_column<T>(
    plan: &ColumnPlan<'_>,
    progress: &mut dyn FnMut() -> Box<dyn Progress>,
    events: &mut dyn FnMut(MatrixEvent),
    on_column: &mut OnColumn<'_, T>,
) -> Result<Vec<T>, PipelineError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(PipelineError::Runtime)?;
    let mut out = Vec::new();
    for (i, &provider) in plan.providers.iter().enumerate() {
        let name = provider.name();
        for (version, node_image) in plan.versions.iter().zip(plan.node_images) {
            // Ctrl-C during a column: no next column, no next bring-up.
            if crate::shutdown::stopping() {
                break;
            }
            events(MatrixEvent::ColumnStarted {
                provider: name,
                version: version.clone(),
                tuned: plan.tuned,
            });
            let mut shown = progress();
            let report = provider.up(
                &UpRequest {
                    kubernetes_version: Some(version.clone()),
                    node_image: node_image.clone().filter(|_| provider.takes_node_image()),
                    k8s_release_url: plan.k8s_release_url.cloned(),
                    tuning: plan.tuning.clone(),
                    kubeconfig: None,
                    // A cluster of another version must go first.
                    replace: true,
                    nodes: plan.nodes,
                },
                shown.as_mut(),
            )?;
            if let Some(after) = report.node_ready_after {
                events(MatrixEvent::ClusterReady {
                    provider: name,
                    version: report
                        .kubernetes_version
                        .clone()
                        .unwrap_or_else(|| version.clone()),
                    after_s: after.as_secs_f64(),
                });
            }
            if !report.images_loaded {
                provider.load_images(shown.as_mut())?;
            }
            let column = ColumnCluster {
                provider,
                context: report.context.clone(),
                node_image: report.node_image.clone(),
            };
            out.push(on_column(&runtime, column, events)?);
        }
        let last = i + 1 == plan.providers.len();
        if !(last && plan.keep_cluster) {
            let report = provider.down(progress().as_mut())?;
            for p in report.problems {
                events(MatrixEvent::TeardownProblem(p));
            }
        }
    }
    Ok(out)
}
