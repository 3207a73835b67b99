//! The scenario file format: a Kubernetes-shaped document (`apiVersion: crashlab.dev/v1alpha1`,
//! `kind: Scenario`) that carries the manifests to deploy and the signals they must produce.

use std::collections::BTreeMap;
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::expectations::Expectations;
use super::ground_truth::GroundTruth;

pub const API_VERSION: &str = "crashlab.dev/v1alpha1";
pub const KIND: &str = "Scenario";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
    /// Must be `crashlab.dev/v1alpha1`.
    pub api_version: String,
    /// Must be `Scenario`.
    pub kind: String,
    pub metadata: Metadata,
    pub spec: ScenarioSpec,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Metadata {
    /// Scenario name: lowercase letters, digits and `-`.
    pub name: String,
    /// One line shown by `crashlab list`.
    pub summary: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScenarioSpec {
    /// What goes wrong and how a person would diagnose it (exit code → logs --previous →
    /// events → recent changes → resources). Shown by `crashlab show`.
    pub explanation: String,
    /// The container whose signals are checked.
    pub target: Target,
    /// Kubernetes objects applied (server-side) into the scenario's namespace, in order.
    /// Objects must not set `metadata.namespace`.
    #[schemars(with = "Vec<serde_json::Value>")]
    pub manifests: Vec<serde_json::Value>,
    /// The signals the scenario must produce.
    pub expect: Expectations,
    #[serde(default)]
    pub timeouts: Timeouts,
    /// What a correct diagnosis of this incident says (used by `crashlab validate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ground_truth: Option<GroundTruth>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Target {
    /// Name of the pod to watch.
    pub pod: String,
    /// Name of the container in that pod.
    pub container: String,
}

/// Per-phase time limits. When one runs out before the expectations are decided, the run
/// ends with exit code 3 and the evidence gathered so far.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Timeouts {
    /// Applying manifests and waiting for the target pod to exist. Default 60 s.
    #[serde(default = "default_deploy", with = "humantime_secs")]
    #[schemars(with = "String")]
    pub deploy: Duration,
    /// Watching until the expectations are decided. Default 240 s.
    #[serde(default = "default_observe", with = "humantime_secs")]
    #[schemars(with = "String")]
    pub observe: Duration,
    /// Deleting the namespace. Default 120 s.
    #[serde(default = "default_cleanup", with = "humantime_secs")]
    #[schemars(with = "String")]
    pub cleanup: Duration,
}

fn default_deploy() -> Duration {
    Duration::from_secs(60)
}
fn default_observe() -> Duration {
    Duration::from_secs(240)
}
fn default_cleanup() -> Duration {
    Duration::from_secs(120)
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            deploy: default_deploy(),
            observe: default_observe(),
            cleanup: default_cleanup(),
        }
    }
}

/// Durations written as `90s`, `5m`, `1m30s` (integers only).
pub mod humantime_secs {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(*d))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let s = String::deserialize(d)?;
        parse(&s).map_err(D::Error::custom)
    }

    pub fn format(d: Duration) -> String {
        let s = d.as_secs();
        match (s / 60, s % 60) {
            (0, s) => format!("{s}s"),
            (m, 0) => format!("{m}m"),
            (m, s) => format!("{m}m{s}s"),
        }
    }

    pub fn parse(s: &str) -> Result<Duration, String> {
        let bad = || format!("invalid duration {s:?}: expected e.g. \"90s\", \"5m\" or \"1m30s\"");
        let mut total = 0u64;
        let mut num = String::new();
        for c in s.trim().chars() {
            match c {
                '0'..='9' => num.push(c),
                'h' | 'm' | 's' => {
                    let n: u64 = num.parse().map_err(|_| bad())?;
                    total += n * match c {
                        'h' => 3600,
                        'm' => 60,
                        _ => 1,
                    };
                    num.clear();
                }
                _ => return Err(bad()),
            }
        }
        if !num.is_empty() || s.trim().is_empty() {
            return Err(bad());
        }
        Ok(Duration::from_secs(total))
    }
}
