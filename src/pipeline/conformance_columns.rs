//! `crashlab conformance --versions/--providers`: the probes on each column's cluster, judged
//! there, one report per column.

use std::sync::Arc;

use crate::cluster::progress::Progress;
use crate::cluster::{NodeAccess, client_for};
use crate::conformance::{
    ConformanceEvent, ConformanceOptions, ConformanceReport, NodeAccessMap, Observations, Property,
    judge, node_names, observe,
};

use super::columns::{ColumnPlan, for_each_column};
use super::matrix_event::MatrixEvent;
use super::pipeline_error::PipelineError;

/// Every column's observations and report, in column order.
pub fn conformance_columns(
    plan: &ColumnPlan<'_>,
    properties: &[Property],
    long: bool,
    progress: &mut dyn FnMut() -> Box<dyn Progress>,
    events: &mut dyn FnMut(MatrixEvent),
    probe_events: Arc<dyn Fn(ConformanceEvent) + Send + Sync>,
) -> Result<Vec<(Observations, ConformanceReport)>, PipelineError> {
    for_each_column(plan, progress, events, &mut |runtime, cluster, _| {
        let context = cluster.context.clone();
        let (client, _) =
            runtime
                .block_on(client_for(&context))
                .map_err(|e| PipelineError::Unreachable {
                    context: context.clone(),
                    message: e.to_string(),
                })?;
        let client_for_names = client.clone();
        let opts = ConformanceOptions {
            context: context.clone(),
            provider: Some(cluster.provider.name().to_owned()),
            node_access: NodeAccessMap {
                by_node: runtime
                    .block_on(node_names(&client_for_names))
                    .unwrap_or_default()
                    .into_iter()
                    .map(|n| {
                        let access = cluster.provider.node_access(&n);
                        (n, access)
                    })
                    .collect(),
                otherwise: NodeAccess::NotReachable {
                    why: format!("the node is not one {} listed", cluster.provider.describe()),
                },
            },
            properties: properties.to_vec(),
            long,
        };
        let (obs, took) = runtime
            .block_on(observe(client, &opts, probe_events.clone()))
            .map_err(PipelineError::Run)?;
        let report = judge(&obs, properties, Some(took));
        Ok((obs, report))
    })
}
