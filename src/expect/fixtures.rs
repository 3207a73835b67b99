//! Test support: the scenario a recording was made from.

use crate::scenario::Scenario;
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
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
