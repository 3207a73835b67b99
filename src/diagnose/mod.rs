//! `crashlab diagnose`: a rule-based diagnoser that reads a pod the way a person would, in a
//! fixed order (exit code → `logs --previous` → events → recent changes → resources), and
//! names the cause category with the evidence of each step and the next `kubectl` commands.
//! Each clue comes from a rule (`rules/`, one file each, tried in the order of
//! `rules::RULES`); each step (`step_*.rs`) says what it found.
//!
//! The reasoning ([`diagnose`]) is pure: it works on a [`DiagnoseInput`] of plain data (the
//! Pod, its Events, the crashed instance's logs, owners, referenced Secrets and ConfigMaps,
//! Services), so it is tested on pods recorded from a real kubelet. [`gather`] is the only
//! part that talks to the API server.

mod config_refs;
mod container_pick;
mod ctx;
mod diagnosis;
mod diagnosis_json;
mod error;
pub mod gather;
mod gather_backends;
mod human;
mod initialising_backend;
#[cfg(test)]
mod initialising_backend_tests;
mod input;
mod log_lines;
mod log_words;
mod probe;
mod reasoning;
mod rollout;
mod rule;
#[cfg(test)]
mod rule_tests;
mod rules;
mod service_use;
mod step_changes;
mod step_events;
mod step_exit_code;
mod step_logs;
mod step_resources;
mod template_diff;

#[cfg(test)]
pub(crate) mod recorded_input;
#[cfg(test)]
mod tests;

pub use config_refs::{ConfigRef, RefKind, config_refs};
pub use container_pick::{LogsRequest, logs_request, pick_container};
pub use diagnosis::{Clue, Confidence, Diagnosis, EvidenceStep, NextCommand, StepKind};
pub use diagnosis_json::{DIAGNOSIS_SCHEMA_VERSION, render_json};
pub use error::{Error, Result};
pub use human::render_human;
pub use input::{
    Backend, DiagnoseInput, Fetched, Logs, Owner, OwnerFacts, Presence, Revision, ServiceFacts,
};
pub use reasoning::diagnose;
pub use template_diff::{Change, template_changes};
