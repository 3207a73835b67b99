//! What the supervisor publishes in `<state>/status.json`, read back by `cluster status` and
//! `cluster up`.

use std::collections::BTreeMap;
use std::fs;

use serde::{Deserialize, Serialize};

use super::layout::Layout;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ComponentState {
    Waiting,
    Starting,
    Ready,
    Restarting,
    Failed,
    Stopped,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ComponentStatus {
    pub state: ComponentState,
    pub pid: Option<u32>,
    pub restarts: u32,
    /// Seconds from supervisor start to ready.
    pub ready_after_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_exit: Option<String>,
}

/// What the supervisor publishes in `status.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SupervisorStatus {
    pub supervisor_pid: u32,
    /// `starting`, `running`, `failed: <why>`, `stopping`, `stopped`.
    pub phase: String,
    pub components: BTreeMap<String, ComponentStatus>,
    /// Seconds from supervisor start, per milestone (`images imported`, ...).
    #[serde(default)]
    pub milestones: Vec<(String, f64)>,
}

impl SupervisorStatus {
    pub fn read(layout: &Layout) -> Option<SupervisorStatus> {
        let text = fs::read_to_string(layout.status_file()).ok()?;
        serde_json::from_str(&text).ok()
    }
}
