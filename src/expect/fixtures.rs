//! Test support: the scenario a recording was made from.

use crate::scenario::{ClusterFacts, Scenario};
use crate::timeline::Recording;

/// The scenario file a recording was made from (`scenarios/<name>.yaml`).
pub(crate) fn scenario_of(rec: &Recording) -> Scenario {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("scenarios/{}.yaml", rec.scenario));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "recording of {:?} needs {}: {e}",
            rec.scenario,
            path.display()
        )
    });
    let scenario: Scenario =
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // As the runner does: expectations for the recording's server version, on its kubelet's curve.
    scenario.for_cluster(&ClusterFacts {
        server_version: rec.server_version.clone(),
        backoff: rec.kubelet_backoff.as_ref().map(|b| (b.initial_s, b.max_s)),
    })
}
