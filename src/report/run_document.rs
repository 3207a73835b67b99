//! The result of `crashlab run -o json`: `{"schemaVersion": 1, "scenarios": [...], "summary":
//! {...}}`, written by the JSON reporter and read back by `crashlab report`. Field names are a
//! public contract: add, never rename; a change that breaks a reader raises the version.

use serde::{Deserialize, Serialize};

use crate::runner::ScenarioReport;
use crate::runner::capacity::ParallelChoice;
use crate::timeline::kubelet_backoff::KubeletBackoff;

/// The version of the run document this crashlab writes.
pub const RUN_SCHEMA_VERSION: u32 = 1;

/// A namespace of a dead run, deleted before this run began.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Leftover {
    pub namespace: String,
    pub reason: String,
}

/// The whole document. Each scenario is a [`ScenarioReport`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunDocument {
    /// [`RUN_SCHEMA_VERSION`] when written; 0 when read from a file written before versions.
    #[serde(rename = "schemaVersion", default)]
    pub schema_version: u32,
    pub scenarios: Vec<ScenarioReport>,
    pub summary: Summary,
    /// Namespaces of this host's dead crashlab runs, deleted before the run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leftovers_collected: Vec<Leftover>,
}

/// Totals of a run (read back by `crashlab report`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    /// Scenarios that ended (a cancelled run may end fewer than it started).
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    /// Seconds the whole run took; absent when the run did not finish (Ctrl-C).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elapsed_s: Option<f64>,
    /// Kube context the run used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// `gitVersion` of the API server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_version: Option<String>,
    /// The restart back-off of the node's kubelet, as crashlab derived it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubelet_backoff: Option<KubeletBackoff>,
    /// Which kubelet profile that curve is: `default`, `ci` (`cluster up --profile ci`), or
    /// `tuned` (any other).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubelet_profile: Option<String>,
    /// With `--parallel auto`: how many ran at once, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallel: Option<ParallelChoice>,
}

/// The `kubeletProfile` of a run that met a kubelet with this curve.
pub fn kubelet_profile_of(backoff: Option<&KubeletBackoff>) -> Option<String> {
    backoff.map(|b| crate::cluster::KubeletProfile::label_of_curve(b.initial_s, b.max_s).to_owned())
}
