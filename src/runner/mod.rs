//! Deploys a scenario into its own namespace, watches it, records a timeline, evaluates the
//! expectations and always cleans up, emitting [`RunEvent`]s as it goes.
//!
//! The cluster sits behind the [`Cluster`] trait: only [`cluster_client`] talks to kube-rs,
//! the rest works on plain values and streams, and tests drive the whole runner over a
//! replayed recording (`replay_cluster`).

pub mod api_message;
mod blind;
pub mod capacity;
mod clock;
mod cluster;
pub mod cluster_client;
pub mod container_logs;
mod error;
mod event;
pub mod gc;
#[cfg(test)]
mod hook_tests;
mod manifest;
mod namespace;
mod observe;
pub mod owner;
mod previous_logs;
#[cfg(test)]
pub(crate) mod replay_cluster;
#[cfg(test)]
pub(crate) mod replay_run;
mod report;
mod rollout;
#[allow(clippy::module_inception)]
mod runner;
mod target_pod;
#[cfg(test)]
mod tests;
pub mod tool_access;

pub use cluster::Cluster;
pub use error::{Error, Result};
pub use event::RunEvent;
pub use namespace::{
    MANAGED_BY_LABEL, MANAGED_BY_VALUE, SCENARIO_LABEL, fixture_namespace, is_dns_label,
    namespace_name,
};
pub use observe::{LogError, LogSource, WatchItem};
pub use report::{EventSummary, ObservedSummary, ScenarioReport, Verdict};
pub use runner::{OnReproduced, Parallelism, Reproduced, RunOptions, Runner, ScenarioRun};
pub(crate) use target_pod::owned_by;
