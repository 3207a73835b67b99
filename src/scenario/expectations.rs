//! What a scenario says must (and must not) be observed. Checked by `crate::expect`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The signal contract of a scenario. Every field is optional on its own, but a scenario
/// must state at least one expectation (the loader rejects an empty block).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Expectations {
    /// Waiting reason the target container must reach, e.g. `CrashLoopBackOff` or
    /// `CreateContainerConfigError`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_reason: Option<WaitingExpectation>,
    /// The last termination of the target container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_termination: Option<TerminationExpectation>,
    /// Restart-count bounds of the target container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restarts: Option<RestartExpectation>,
    /// Events that must appear (reason plus a message pattern).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<EventExpectation>,
    /// Events that must not appear (e.g. no `BackOff` for a config error).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub absent_events: Vec<EventExpectation>,
    /// Patterns (regular expressions) that must appear in the previous container's logs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub previous_logs: Vec<String>,
    /// The restart back-off curve the kubelet must follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff: Option<BackoffExpectation>,
    /// `true`: the container must become ready (its status says `ready: true`), e.g. once the
    /// dependency it crashed on answers. `false`: it must never be ready in the whole watch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready: Option<bool>,
    /// Expectations on other containers of the target's pods, by container name (an app
    /// container, init container or sidecar): e.g. that the healthy app container next to a
    /// crashing sidecar never restarts. Same fields as here, except `containers`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub containers: BTreeMap<String, Expectations>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WaitingExpectation {
    /// Exact waiting reason.
    pub reason: String,
    /// Regular expression the waiting message must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TerminationExpectation {
    /// Exit code of the last terminated container instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// Termination reason (`Error`, `OOMKilled`, `Completed`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RestartExpectation {
    /// The restart count must reach at least this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i32>,
    /// The restart count must never exceed this (use 0 for "never started").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventExpectation {
    /// Exact event reason, e.g. `BackOff`, `Unhealthy`, `Killing`.
    pub reason: String,
    /// Regular expression the event message must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Only on these Kubernetes versions, e.g. `>=1.35` or `>=1.34,<1.36` (major.minor of the
    /// API server). Lets an expectation whose text changed between versions be written once
    /// per text instead of once per version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes: Option<String>,
}

/// The kubelet's restart back-off: delays `initial`, `2×initial`, ... capped at `max`; the
/// first restart after the first exit is immediate. Leave `initialSeconds`/`maxSeconds` out to
/// expect the curve of the cluster the scenario runs on: crashlab derives it from the kubelet's
/// effective configuration and feature gates (pkg/kubelet/kubelet.go `newCrashLoopBackOff`:
/// 10 s → 300 s by default, 1 s → 60 s with `ReduceDefaultCrashLoopBackOffDecay`, and
/// `crashLoopBackOff.maxContainerRestartPeriod` as the cap once `KubeletCrashLoopBackOffMax`
/// is on). Without cluster facts the kubelet defaults apply.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BackoffExpectation {
    /// First non-zero delay, seconds. Default: the cluster's (10 on a default kubelet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_seconds: Option<u32>,
    /// Cap, seconds. Default: the cluster's (300 on a default kubelet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_seconds: Option<u32>,
    /// How many measured delays must follow the curve before the check is decided.
    /// Default 3 (immediate, 10 s, 20 s on the default curve).
    #[serde(default = "default_delays")]
    pub delays: u32,
    /// Extra seconds each measured delay may exceed 1.5× its expected value by (the kubelet's
    /// sync loop requeues up to 1.5× late, see docs/kubelet-facts.md §1). Default 5.
    #[serde(default = "default_slack_s")]
    pub slack_seconds: u32,
    /// Set from the cluster, never in a file: the kubelet's requeue of a pod whose sync failed
    /// on a back-off, seconds, when it does not requeue at the back-off's expiry. Before
    /// v1.35 (kubernetes PR #133066) the pod worker comes back after `backOffPeriod` (10 s)
    /// jittered ×1.5 (pkg/kubelet/pod_workers.go `completeWork`), so a back-off shorter than
    /// that lasts 10–15 s.
    #[serde(skip)]
    #[schemars(skip)]
    pub requeue_floor_seconds: Option<u32>,
}

impl BackoffExpectation {
    /// The first non-zero delay in force: the scenario's, else the kubelet default (10 s).
    pub fn initial(&self) -> u32 {
        let max = self.max();
        self.initial_seconds.unwrap_or(DEFAULT_INITIAL_S).min(max)
    }
    /// The cap in force: the scenario's, else the kubelet default (300 s).
    pub fn max(&self) -> u32 {
        self.max_seconds.unwrap_or(DEFAULT_MAX_S)
    }
}

/// pkg/kubelet/kubelet.go `initialCrashLoopBackOff`.
pub const DEFAULT_INITIAL_S: u32 = 10;
/// pkg/kubelet/kubelet.go `MaxCrashLoopBackOff` (= `MaxContainerBackOff`, 300 s).
pub const DEFAULT_MAX_S: u32 = 300;

fn default_delays() -> u32 {
    3
}
fn default_slack_s() -> u32 {
    5
}

impl Default for BackoffExpectation {
    fn default() -> Self {
        Self {
            initial_seconds: None,
            max_seconds: None,
            delays: default_delays(),
            slack_seconds: default_slack_s(),
            requeue_floor_seconds: None,
        }
    }
}
