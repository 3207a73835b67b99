//! One row of `kubectl get pod`: NAME, READY, STATUS, RESTARTS, AGE, as the API server's table
//! printer computes it (`printPod` in k8s.io/kubernetes pkg/printers/internalversion).

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Container, ContainerStatus, Pod};

use super::human_duration::human_duration;
use super::tab_table::align;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodRow {
    pub name: String,
    pub ready: String,
    pub status: String,
    /// Restarts of all containers (`3`); `restarts_ago` adds "(12s ago)" when any restarted.
    pub restarts: i32,
    pub restarts_ago: Option<String>,
    pub age: String,
}

impl PodRow {
    /// The row `kubectl get pod` would print for `pod` at `now`.
    pub fn of(pod: &Pod, now: Timestamp) -> Self {
        let spec = pod.spec.as_ref();
        let status = pod.status.clone().unwrap_or_default();
        let empty = Vec::new();
        let init_specs: &Vec<Container> = spec
            .and_then(|s| s.init_containers.as_ref())
            .unwrap_or(&empty);
        let is_sidecar = |name: &str| {
            init_specs
                .iter()
                .any(|c| c.name == name && c.restart_policy.as_deref() == Some("Always"))
        };
        let mut total = spec.map_or(0, |s| s.containers.len());
        total += init_specs
            .iter()
            .filter(|c| c.restart_policy.as_deref() == Some("Always"))
            .count();
        let mut ready = 0;
        let mut restarts = 0;
        let mut sidecar_restarts = 0;
        let mut last_restart: Option<Timestamp> = None;
        let mut last_sidecar_restart: Option<Timestamp> = None;

        let mut reason = status
            .reason
            .clone()
            .filter(|r| !r.is_empty())
            .or_else(|| status.phase.clone())
            .unwrap_or_default();
        if status
            .conditions
            .iter()
            .flatten()
            .any(|c| c.type_ == "PodScheduled" && c.reason.as_deref() == Some("SchedulingGated"))
        {
            reason = "SchedulingGated".to_owned();
        }

        let init_statuses = status.init_container_statuses.clone().unwrap_or_default();
        let mut initializing = false;
        for (i, c) in init_statuses.iter().enumerate() {
            restarts += c.restart_count;
            later(&mut last_restart, last_finished(c));
            let sidecar = is_sidecar(&c.name);
            if sidecar {
                sidecar_restarts += c.restart_count;
                later(&mut last_sidecar_restart, last_finished(c));
            }
            let state = c.state.clone().unwrap_or_default();
            if state.terminated.as_ref().is_some_and(|t| t.exit_code == 0) {
                continue;
            }
            if sidecar && c.started == Some(true) {
                if c.ready {
                    ready += 1;
                }
                continue;
            }
            if let Some(t) = &state.terminated {
                reason = match t.reason.as_deref().filter(|r| !r.is_empty()) {
                    Some(r) => format!("Init:{r}"),
                    None if t.signal.unwrap_or(0) != 0 => {
                        format!("Init:Signal:{}", t.signal.unwrap_or(0))
                    }
                    None => format!("Init:ExitCode:{}", t.exit_code),
                };
            } else if let Some(r) = state
                .waiting
                .as_ref()
                .and_then(|w| w.reason.as_deref())
                .filter(|r| !r.is_empty() && *r != "PodInitializing")
            {
                reason = format!("Init:{r}");
            } else {
                reason = format!("Init:{i}/{}", init_specs.len());
            }
            initializing = true;
            break;
        }

        let initialized = status
            .conditions
            .iter()
            .flatten()
            .any(|c| c.type_ == "Initialized" && c.status == "True");
        if !initializing || initialized {
            restarts = sidecar_restarts;
            last_restart = last_sidecar_restart;
            let mut has_running = false;
            for c in status.container_statuses.iter().flatten().rev() {
                restarts += c.restart_count;
                later(&mut last_restart, last_finished(c));
                let state = c.state.clone().unwrap_or_default();
                let waiting = state
                    .waiting
                    .as_ref()
                    .and_then(|w| w.reason.clone())
                    .filter(|r| !r.is_empty());
                if let Some(r) = waiting {
                    reason = r;
                } else if let Some(t) = &state.terminated {
                    reason = match t.reason.as_deref().filter(|r| !r.is_empty()) {
                        Some(r) => r.to_owned(),
                        None if t.signal.unwrap_or(0) != 0 => {
                            format!("Signal:{}", t.signal.unwrap_or(0))
                        }
                        None => format!("ExitCode:{}", t.exit_code),
                    };
                } else if c.ready && state.running.is_some() {
                    has_running = true;
                    ready += 1;
                }
            }
            if reason == "Completed" && has_running {
                let pod_ready = status
                    .conditions
                    .iter()
                    .flatten()
                    .any(|c| c.type_ == "Ready" && c.status == "True");
                reason = if pod_ready { "Running" } else { "NotReady" }.to_owned();
            }
        }

        let terminal = matches!(status.phase.as_deref(), Some("Succeeded" | "Failed"));
        if pod.metadata.deletion_timestamp.is_some() {
            if status.reason.as_deref() == Some("NodeLost") {
                reason = "Unknown".to_owned();
            } else if !terminal {
                reason = "Terminating".to_owned();
            }
        }

        let since = |t: Timestamp| human_duration(now.as_millisecond() - t.as_millisecond());
        let created = pod.metadata.creation_timestamp.as_ref().map(|t| t.0);
        PodRow {
            name: pod.metadata.name.clone().unwrap_or_default(),
            ready: format!("{ready}/{total}"),
            status: reason,
            restarts,
            restarts_ago: (restarts != 0).then_some(last_restart).flatten().map(since),
            age: created.map_or_else(|| "<unknown>".to_owned(), since),
        }
    }

    /// `3 (12s ago)`, as the RESTARTS column shows it.
    pub fn restarts_cell(&self) -> String {
        match &self.restarts_ago {
            Some(ago) => format!("{} ({ago} ago)", self.restarts),
            None => self.restarts.to_string(),
        }
    }

    /// The header and this row, aligned as kubectl aligns them.
    pub fn table(rows: &[PodRow]) -> Vec<String> {
        let mut cells = vec![
            ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
                .map(str::to_owned)
                .to_vec(),
        ];
        for r in rows {
            cells.push(vec![
                r.name.clone(),
                r.ready.clone(),
                r.status.clone(),
                r.restarts_cell(),
                r.age.clone(),
            ]);
        }
        // cli-runtime's tabwriter: min width 6, padding 3.
        align(&cells, 6, 3)
    }
}

fn last_finished(c: &ContainerStatus) -> Option<Timestamp> {
    c.last_state
        .as_ref()?
        .terminated
        .as_ref()?
        .finished_at
        .as_ref()
        .map(|t| t.0)
}

fn later(slot: &mut Option<Timestamp>, t: Option<Timestamp>) {
    if let Some(t) = t
        && slot.is_none_or(|s| s < t)
    {
        *slot = Some(t);
    }
}
