//! The probe container's instances and restart delays, read from a recording: what the judges
//! hold against upstream.

use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::timeline::{Observed, Recording, Signal, Timeline};

/// The container every probe watches.
pub const CONTAINER: &str = "app";

/// One terminated instance of the container, from the pod status.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    /// `containerd://…` as the status has it.
    pub container_id: String,
    pub exit_code: i32,
    pub reason: Option<String>,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
}

impl Instance {
    /// The id without the runtime's scheme.
    pub fn bare_id(&self) -> &str {
        self.container_id
            .split_once("://")
            .map_or(self.container_id.as_str(), |(_, id)| id)
    }
}

/// Every terminated instance of [`CONTAINER`] the recording saw (`state.terminated` or
/// `lastState.terminated`), oldest first, each once (by container id, its latest word).
pub fn terminated_instances(rec: &Recording) -> Vec<Instance> {
    let mut by_id: BTreeMap<String, Instance> = BTreeMap::new();
    for obs in &rec.observations {
        let Observed::Pod { object } = &obs.what else {
            continue;
        };
        let statuses = object
            .status
            .as_ref()
            .and_then(|s| s.container_statuses.as_ref());
        for cs in statuses
            .into_iter()
            .flatten()
            .filter(|c| c.name == CONTAINER)
        {
            let states = [cs.state.as_ref(), cs.last_state.as_ref()];
            for t in states
                .into_iter()
                .flatten()
                .filter_map(|s| s.terminated.as_ref())
            {
                let Some(id) = t.container_id.clone() else {
                    continue;
                };
                by_id.insert(
                    id.clone(),
                    Instance {
                        container_id: id,
                        exit_code: t.exit_code,
                        reason: t.reason.clone(),
                        started_at: t.started_at.as_ref().map(|x| x.0),
                        finished_at: t.finished_at.as_ref().map(|x| x.0),
                    },
                );
            }
        }
    }
    let mut all: Vec<Instance> = by_id.into_values().collect();
    all.sort_by_key(|i| (i.finished_at, i.started_at));
    all
}

/// The pod's UID, from the first status seen.
pub fn pod_uid(rec: &Recording) -> Option<String> {
    rec.observations.iter().find_map(|o| match &o.what {
        Observed::Pod { object } => object.metadata.uid.clone(),
        _ => None,
    })
}

/// One measured restart: the exit before it and the start it led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Restart {
    /// 1 = the first restart.
    pub number: i32,
    pub delay_s: i64,
    pub finished_at: Timestamp,
    pub started_at: Timestamp,
}

/// The restarts of [`CONTAINER`] in order, each once.
pub fn restarts(timeline: &Timeline) -> Vec<Restart> {
    let mut by_number: BTreeMap<i32, Restart> = BTreeMap::new();
    for e in &timeline.entries {
        if let Signal::BackOff {
            container,
            restart,
            delay_s,
            finished_at,
            started_at,
        } = &e.signal
            && container.container == CONTAINER
            && !container.init
        {
            by_number.entry(*restart).or_insert(Restart {
                number: *restart,
                delay_s: *delay_s,
                finished_at: *finished_at,
                started_at: *started_at,
            });
        }
    }
    by_number.into_values().collect()
}

/// The waiting reasons of [`CONTAINER`] in the order they came, each change once.
pub fn waiting_reasons(timeline: &Timeline) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for e in &timeline.entries {
        if let Signal::Waiting {
            container, reason, ..
        } = &e.signal
            && container.container == CONTAINER
            && seen.last() != Some(reason)
        {
            seen.push(reason.clone());
        }
    }
    seen
}

/// The messages of the pod's events of `reason`, each text once.
pub fn event_messages(timeline: &Timeline, reason: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in &timeline.entries {
        if let Signal::Event {
            reason: r,
            message,
            object,
            ..
        } = &e.signal
            && r == reason
            && object.starts_with("Pod/")
            && !out.contains(message)
        {
            out.push(message.clone());
        }
    }
    out
}
