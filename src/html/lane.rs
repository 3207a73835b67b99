//! What the timeline says about one container, laid out for drawing: its instances (start
//! to end, how each ended), the back-off gaps between them, its waiting reasons, and the
//! events about it. Pure: built from a [`Timeline`], times in seconds from the timeline's
//! first timestamp.

use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::expect::field_path_container;
use crate::timeline::{ContainerRef, Signal, Timeline};

/// One container of one pod (or, for a pod none of whose containers ever reported, the pod
/// itself: `container` empty), and what happened to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Lane {
    pub pod: String,
    pub container: String,
    pub init: bool,
    /// By restart count (0 = the first instance).
    pub instances: Vec<Instance>,
    pub gaps: Vec<Gap>,
    pub waiting: Vec<Waiting>,
    pub markers: Vec<Marker>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    pub restart: i32,
    pub start: f64,
    /// `None`: still running when the timeline ends.
    pub end: Option<f64>,
    pub exit_code: Option<i32>,
    pub reason: Option<String>,
}

/// A measured restart delay: previous `finishedAt` to next `startedAt`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gap {
    /// Which restart the delay led to (1 = the first restart).
    pub restart: i32,
    pub from: f64,
    pub to: f64,
    pub delay_s: i64,
}

/// The container's waiting reason changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiting {
    pub at: f64,
    pub reason: String,
    /// When crashlab next saw the container running or terminated (observation times, like `at`: the
    /// API's `startedAt` has whole seconds only); `None` if it never did.
    pub until: Option<f64>,
}

/// An event about the container (or its pod).
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub at: f64,
    pub reason: String,
    pub message: String,
    pub count: i32,
    pub warning: bool,
}

/// Every container's lane, in order of first appearance, and the span of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Lanes {
    pub lanes: Vec<Lane>,
    pub origin: Option<Timestamp>,
    /// Seconds from the origin to the last timestamp.
    pub span_s: f64,
    /// Where each step of a scenario in steps began: `(seconds, step name)`.
    pub steps: Vec<(f64, String)>,
}

/// Events worth a marker: the kubelet's crash-loop story, and every warning.
fn shown(reason: &str, type_: &str) -> bool {
    type_ == "Warning" || matches!(reason, "BackOff" | "Unhealthy" | "Killing" | "Failed")
}

pub fn lanes(timeline: &Timeline) -> Lanes {
    let origin = timestamps(timeline).min();
    let end = timestamps(timeline).max();
    let secs = |t: Timestamp| match origin {
        Some(o) => (t.as_millisecond() - o.as_millisecond()) as f64 / 1000.0,
        None => 0.0,
    };
    let mut order: Vec<ContainerRef> = Vec::new();
    let mut by: BTreeMap<ContainerRef, Lane> = BTreeMap::new();
    let mut pod_events: Vec<(String, Option<String>, Marker)> = Vec::new();
    let mut steps = Vec::new();
    for e in &timeline.entries {
        match &e.signal {
            Signal::Started {
                container,
                restart_count,
                started_at,
            } => {
                let l = lane_of(&mut order, &mut by, container);
                close_waiting(l, secs(e.at));
                if !l.instances.iter().any(|i| i.restart == *restart_count) {
                    l.instances.push(Instance {
                        restart: *restart_count,
                        start: secs(*started_at),
                        end: None,
                        exit_code: None,
                        reason: None,
                    });
                }
            }
            Signal::Terminated {
                container,
                exit_code,
                reason,
                started_at,
                finished_at,
                restart_count,
                ..
            } => {
                let l = lane_of(&mut order, &mut by, container);
                close_waiting(l, secs(e.at));
                let end = finished_at.map(secs).unwrap_or_else(|| secs(e.at));
                // A start that failed (`StartError`) leaves startedAt at the Unix epoch.
                let start = started_at
                    .filter(|s| s.as_second() > 0)
                    .map(secs)
                    .unwrap_or(end);
                match l.instances.iter_mut().find(|i| i.restart == *restart_count) {
                    Some(i) => {
                        i.end = Some(end);
                        i.exit_code = Some(*exit_code);
                        i.reason = reason.clone();
                    }
                    None => l.instances.push(Instance {
                        restart: *restart_count,
                        start,
                        end: Some(end),
                        exit_code: Some(*exit_code),
                        reason: reason.clone(),
                    }),
                }
            }
            Signal::BackOff {
                container,
                restart,
                delay_s,
                finished_at,
                started_at,
            } => {
                let l = lane_of(&mut order, &mut by, container);
                if !l.gaps.iter().any(|g| g.restart == *restart) {
                    l.gaps.push(Gap {
                        restart: *restart,
                        from: secs(*finished_at),
                        to: secs(*started_at),
                        delay_s: *delay_s,
                    });
                }
            }
            Signal::Waiting {
                container, reason, ..
            } => {
                let l = lane_of(&mut order, &mut by, container);
                if l.waiting
                    .last()
                    .filter(|w| w.until.is_none())
                    .map(|w| &w.reason)
                    != Some(reason)
                {
                    let at = secs(e.at);
                    if let Some(w) = l.waiting.last_mut().filter(|w| w.until.is_none()) {
                        w.until = Some(at);
                    }
                    l.waiting.push(Waiting {
                        at,
                        reason: reason.clone(),
                        until: None,
                    });
                }
            }
            Signal::Event {
                reason,
                message,
                type_,
                count,
                object,
                field_path,
                last_seen,
            } if shown(reason, type_) => {
                let Some(pod) = object.strip_prefix("Pod/") else {
                    continue;
                };
                let marker = Marker {
                    at: secs(last_seen.unwrap_or(e.at)),
                    reason: reason.clone(),
                    message: message.clone(),
                    count: *count,
                    warning: type_ == "Warning",
                };
                let container = field_path
                    .as_deref()
                    .and_then(field_path_container)
                    .map(str::to_owned);
                pod_events.push((pod.to_owned(), container, marker));
            }
            Signal::Step { index, name } => {
                steps.push((secs(e.at), format!("step {}: {name}", index + 1)));
            }
            _ => {}
        }
    }
    // Events go to their container's lane, else to the pod's first lane, else to a lane of
    // the pod itself (a pod that never ran a container: unschedulable, an image never pulled).
    for (pod, container, marker) in pod_events {
        let found = order
            .iter()
            .find(|c| c.pod == pod && Some(&c.container) == container.as_ref())
            .or_else(|| order.iter().find(|c| c.pod == pod))
            .cloned();
        let key = found.unwrap_or_else(|| ContainerRef::new(pod, container.unwrap_or_default()));
        lane_of(&mut order, &mut by, &key).markers.push(marker);
    }
    let mut lanes: Vec<Lane> = order.iter().filter_map(|c| by.remove(c)).collect();
    for l in &mut lanes {
        l.instances.sort_by_key(|i| i.restart);
        l.gaps.sort_by_key(|g| g.restart);
    }
    Lanes {
        lanes,
        origin,
        span_s: end.map(secs).unwrap_or(0.0),
        steps,
    }
}

/// The container left its waiting state: a later observation showed it running or
/// terminated. (A termination seen in the same pod update as the waiting reason is the
/// previous instance's, `lastState`: it does not end the wait.)
fn close_waiting(l: &mut Lane, at: f64) {
    if let Some(w) = l
        .waiting
        .last_mut()
        .filter(|w| w.until.is_none() && at > w.at)
    {
        w.until = Some(at);
    }
}

/// The lane of `c`, made (and its place in `order` taken) on first use.
fn lane_of<'a>(
    order: &mut Vec<ContainerRef>,
    by: &'a mut BTreeMap<ContainerRef, Lane>,
    c: &ContainerRef,
) -> &'a mut Lane {
    if !by.contains_key(c) {
        order.push(c.clone());
    }
    by.entry(c.clone()).or_insert_with(|| Lane {
        pod: c.pod.clone(),
        container: c.container.clone(),
        init: c.init,
        instances: Vec::new(),
        gaps: Vec::new(),
        waiting: Vec::new(),
        markers: Vec::new(),
    })
}

/// Every timestamp of the timeline that places something on the time axis.
fn timestamps(timeline: &Timeline) -> impl Iterator<Item = Timestamp> + '_ {
    timeline.entries.iter().flat_map(|e| {
        let mut ts = vec![e.at];
        match &e.signal {
            Signal::Started { started_at, .. } => ts.push(*started_at),
            Signal::Terminated {
                started_at,
                finished_at,
                ..
            } => ts.extend(
                started_at
                    .iter()
                    .chain(finished_at.iter())
                    .filter(|t| t.as_second() > 0),
            ),
            Signal::Event {
                last_seen: Some(t), ..
            } => ts.push(*t),
            _ => {}
        }
        ts
    })
}
