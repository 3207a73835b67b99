//! The scenario file format: a Kubernetes-shaped document (`apiVersion: crashlab.dev/v1alpha1`,
//! `kind: Scenario`) that carries the manifests to deploy and the signals they must produce.

use std::collections::BTreeMap;
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::expectations::Expectations;
use super::ground_truth::GroundTruth;
use super::must_not_window::{MustNotWindow, WindowStart};
use super::step::{Step, WaitFor};
use super::target::Target;

pub const API_VERSION: &str = "crashlab.dev/v1alpha1";
pub const KIND: &str = "Scenario";

/// Longest accepted `metadata.name`. A run's namespace embeds the name, and namespace
/// names are DNS-1123 labels of at most 63 characters; 40 leaves room for a prefix and a
/// random suffix.
pub const MAX_NAME_LEN: usize = 40;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
    /// Must be `crashlab.dev/v1alpha1`.
    #[schemars(extend("const" = "crashlab.dev/v1alpha1"))]
    pub api_version: String,
    /// Must be `Scenario`.
    #[schemars(extend("const" = "Scenario"))]
    pub kind: String,
    pub metadata: Metadata,
    pub spec: ScenarioSpec,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Metadata {
    /// Scenario name: lowercase letters, digits and `-`, starting and ending with a letter or
    /// digit (a DNS-1123 label), at most 40 characters (`loader::MAX_NAME_LEN`).
    #[schemars(pattern(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"), length(min = 1, max = 40))]
    pub name: String,
    /// One line shown by `crashlab list`.
    #[schemars(length(min = 1))]
    pub summary: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScenarioSpec {
    /// What goes wrong and how a person would diagnose it (exit code → logs --previous →
    /// events → recent changes → resources). Shown by `crashlab show`. Optional in a user's
    /// own scenario; every built-in scenario has one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub explanation: String,
    /// The container whose signals are checked.
    pub target: Target,
    /// Kubernetes objects applied (server-side) into the scenario's namespace, in order.
    /// Objects must not set `metadata.namespace`. The target must be one of them. Give either
    /// `manifests` or `steps`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(with = "Vec<ManifestSchema>")]
    pub manifests: Vec<serde_json::Value>,
    /// Manifests applied in steps (e.g. revision 1, wait until rolled out, revision 2), instead
    /// of `manifests`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
    /// The signals the scenario must produce.
    pub expect: Expectations,
    #[serde(default)]
    pub timeouts: Timeouts,
    /// What a correct diagnosis of this incident says (used by `crashlab validate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ground_truth: Option<GroundTruth>,
}

// Schema only: how the JSON schema describes one manifest. The data stays a
// `serde_json::Value`; the loader checks the same rules (validate.rs).
/// A Kubernetes object: `apiVersion`, `kind` and `metadata.name` are required,
/// `metadata.namespace` is not allowed, every other field goes to the API server as written.
#[derive(JsonSchema)]
#[schemars(rename = "Manifest")]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub(crate) struct ManifestSchema {
    /// e.g. `v1`, `apps/v1`.
    api_version: String,
    /// e.g. `Pod`, `Service`, `ConfigMap`.
    kind: String,
    metadata: ManifestMetadataSchema,
}

#[derive(JsonSchema)]
#[schemars(rename = "ManifestMetadata")]
#[allow(dead_code)]
struct ManifestMetadataSchema {
    name: String,
    /// Must be absent: each run creates (and deletes) its own namespace.
    #[schemars(extend("not" = {}))]
    namespace: Option<String>,
}

/// Per-phase time limits. When one runs out before the expectations are decided, the run
/// ends with exit code 3 and the evidence gathered so far.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Timeouts {
    /// Applying manifests and waiting for the target pod to exist. Default 60 s.
    #[serde(default = "default_deploy", with = "humantime_secs")]
    #[schemars(with = "String", pattern(r"^([0-9]+[hms])+$"))]
    pub deploy: Duration,
    /// Watching until the expectations are decided. Default 240 s. Leave it out when
    /// `mustNotWindow` is given: the window, fitted to the kubelet, sets it then; unless the
    /// window is counted `from: promisedSignals`, when this is how long those signals have to
    /// come.
    #[serde(default = "default_observe", with = "humantime_secs")]
    #[schemars(with = "String", pattern(r"^([0-9]+[hms])+$"))]
    pub observe: Duration,
    /// The observe time of a scenario whose must-not checks decide how long it watches,
    /// in the kubelet's back-off periods (so a kubelet with a short back-off watches less).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub must_not_window: Option<MustNotWindow>,
    /// Deleting the namespace. Default 120 s.
    #[serde(default = "default_cleanup", with = "humantime_secs")]
    #[schemars(with = "String", pattern(r"^([0-9]+[hms])+$"))]
    pub cleanup: Duration,
}

/// One step as the runner applies it: a scenario with `manifests` has a single unnamed step.
#[derive(Debug, Clone, Copy)]
pub struct StepRef<'a> {
    pub index: usize,
    pub name: Option<&'a str>,
    pub manifests: &'a [serde_json::Value],
    pub wait_for: Option<WaitFor>,
}

impl ScenarioSpec {
    /// The steps to apply, in order.
    pub fn steps(&self) -> Vec<StepRef<'_>> {
        if self.steps.is_empty() {
            return vec![StepRef {
                index: 0,
                name: None,
                manifests: &self.manifests,
                wait_for: None,
            }];
        }
        self.steps
            .iter()
            .enumerate()
            .map(|(index, s)| StepRef {
                index,
                name: Some(&s.name),
                manifests: &s.manifests,
                wait_for: s.wait_for,
            })
            .collect()
    }

    /// Every manifest of every step, in order of application.
    pub fn all_manifests(&self) -> impl Iterator<Item = &serde_json::Value> {
        self.manifests
            .iter()
            .chain(self.steps.iter().flat_map(|s| s.manifests.iter()))
    }
}

fn default_deploy() -> Duration {
    Duration::from_secs(60)
}
pub(crate) fn default_observe() -> Duration {
    Duration::from_secs(240)
}
fn default_cleanup() -> Duration {
    Duration::from_secs(120)
}

impl Timeouts {
    /// The longest observe time on a kubelet whose initial back-off is `initial_s` seconds:
    /// the must-not window fitted to it; for a window counted from the promised signals,
    /// `observe` and then the window; else `observe` as written.
    pub fn observe_on(&self, initial_s: u32) -> Duration {
        match &self.must_not_window {
            Some(w) if w.from == WindowStart::PromisedSignals => {
                self.observe + w.on_kubelet(initial_s)
            }
            Some(w) => w.on_kubelet(initial_s),
            None => self.observe,
        }
    }

    /// The fitted must-not window of a scenario whose window is counted from the moment every
    /// promised signal has come: the runner ends the watch that long after that moment.
    pub fn window_after_promised(&self) -> Option<Duration> {
        self.must_not_window
            .filter(|w| w.from == WindowStart::PromisedSignals)
            .and_then(|w| w.fitted)
    }

    /// The observe time on a default kubelet (10 s initial back-off).
    pub fn observe_on_default_kubelet(&self) -> Duration {
        self.observe_on(super::expectations::DEFAULT_INITIAL_S)
    }
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            deploy: default_deploy(),
            observe: default_observe(),
            must_not_window: None,
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
