//! Kubelet tuning a user asks for, the same for every provider (and so built on
//! every platform).

use std::collections::BTreeMap;

/// User-supplied kubelet tuning: a KubeletConfiguration fragment merged over crashlab's, plus
/// feature gates.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct KubeletTuning {
    /// A YAML mapping merged key by key over the generated KubeletConfiguration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_overlay: Option<serde_yaml::Value>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub feature_gates: BTreeMap<String, bool>,
}
