//! Judging: every property a pure function of the [`Observations`]; the report is what they
//! say, in the order of [`Property::ALL`].

use super::conformance_report::{CONFORMANCE_SCHEMA_VERSION, ConformanceReport, PropertyResult};
use super::observations::Observations;
use super::property::Property;

/// Judges `properties` on what was observed.
pub fn judge(
    obs: &Observations,
    properties: &[Property],
    duration_s: Option<f64>,
) -> ConformanceReport {
    let results: Vec<PropertyResult> = properties
        .iter()
        .map(|p| match p {
            Property::Oom => super::judge_oom::judge_oom(obs),
            Property::BackoffCurve => super::judge_curve::judge_curve(obs),
            Property::BackoffReset => super::judge_reset::judge_reset(obs),
            Property::ProbeKills => super::judge_probe_kills::judge_probe_kills(obs),
            Property::StartError => super::judge_start_error::judge_start_error(obs),
            Property::EventTexts => super::judge_event_texts::judge_event_texts(obs),
        })
        .collect();
    ConformanceReport {
        schema_version: CONFORMANCE_SCHEMA_VERSION,
        crashlab_version: env!("CARGO_PKG_VERSION").to_owned(),
        cluster: obs.cluster.clone(),
        node_access: obs.node.access.clone(),
        properties: results,
        duration_s,
        long: obs.long,
    }
}
