//! What one cluster of the matrix produced: every scenario's report, with the facts that label
//! its column.

use serde::{Deserialize, Serialize};

use crate::runner::ScenarioReport;
use crate::timeline::kubelet_backoff::KubeletBackoff;

/// Every scenario's report from one cluster. Read back by `crashlab matrix --merge`, so new
/// fields get a default: results written before them still merge.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MatrixRun {
    /// Column heading, e.g. `local v1.35.4` or `kind v1.35.8 (tuned: 10s → 20s)` (see
    /// [`super::column_label`]).
    pub label: String,
    /// The provider that brought the cluster up (`local`, `kind`); absent in results written
    /// before providers were a dimension of the matrix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// API server `gitVersion`.
    pub server_version: String,
    /// kind: the node image the cluster ran (`kindest/node:v1.35.8@sha256:…`, or one given
    /// with `--node-image`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_image: Option<String>,
    pub kubelet_backoff: Option<KubeletBackoff>,
    pub reports: Vec<ScenarioReport>,
}
