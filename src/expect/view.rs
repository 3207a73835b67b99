//! The part of a timeline that concerns the target container, in the shapes checks need.

use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::scenario::Target;
use crate::timeline::{Entry, Signal, Timeline};

use super::target_pods::TargetPods;

/// What the timeline says about one target container.
#[derive(Debug, Clone, Default)]
pub(crate) struct TargetView<'a> {
    /// Terminations in the order the kubelet finished them.
    pub terminations: Vec<Termination<'a>>,
    /// Waiting states in the order they were seen.
    pub waiting: Vec<Waiting<'a>>,
    /// The highest restart count seen.
    pub restart_count: i32,
    /// Measured delays, one per restart, by restart number.
    pub delays: BTreeMap<i32, i64>,
    /// Distinct events about the target (same type, reason and message), first seen first,
    /// each with its highest count.
    pub events: Vec<EventView<'a>>,
    /// Logs of previous instances, in the order fetched.
    pub logs: Vec<Logs<'a>>,
    /// Readiness changes, in order.
    pub ready: Vec<bool>,
    /// The pods (and objects) the target means.
    pub pods: TargetPods,
    /// The node each of those pods was bound to, by pod name.
    pub nodes: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Termination<'a> {
    pub exit_code: i32,
    pub reason: Option<&'a str>,
    pub finished_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Waiting<'a> {
    pub reason: &'a str,
    pub message: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EventView<'a> {
    pub type_: &'a str,
    pub reason: &'a str,
    pub message: &'a str,
    pub count: i32,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Logs<'a> {
    pub restart_count: i32,
    pub text: &'a str,
}

impl<'a> TargetView<'a> {
    pub fn new(target: &Target, timeline: &'a Timeline) -> Self {
        Self::of_pods(target, timeline, TargetPods::of(target, timeline))
    }

    /// The view of one of the target's pods, as if it were the only one (its events, and
    /// those of the workload and its controllers).
    pub fn of_pod(target: &Target, timeline: &'a Timeline, pod: &str) -> Self {
        let mut pods = TargetPods::of(target, timeline);
        pods.pods.retain(|p| p == pod);
        Self::of_pods(target, timeline, pods)
    }

    fn of_pods(target: &Target, timeline: &'a Timeline, pods: TargetPods) -> Self {
        let mut view = TargetView {
            pods,
            ..TargetView::default()
        };
        for entry in &timeline.entries {
            view.add(target, entry);
        }
        // Timeline order is arrival order; a termination reported late sorts by the kubelet's
        // own finishedAt (stable, so equal or missing times keep arrival order).
        view.terminations.sort_by_key(|t| t.finished_at);
        view
    }

    fn add(&mut self, target: &Target, entry: &'a Entry) {
        let pods = &self.pods;
        let is_target = |c: &crate::timeline::ContainerRef| {
            c.container == target.container && pods.contains(&c.pod)
        };
        match &entry.signal {
            Signal::Started {
                container,
                restart_count,
                ..
            } if is_target(container) => {
                self.restarts(*restart_count);
            }
            Signal::Terminated {
                container,
                exit_code,
                reason,
                finished_at,
                restart_count,
                ..
            } if is_target(container) => {
                self.restarts(*restart_count);
                self.terminations.push(Termination {
                    exit_code: *exit_code,
                    reason: reason.as_deref(),
                    finished_at: *finished_at,
                });
            }
            Signal::Waiting {
                container,
                reason,
                message,
                restart_count,
            } if is_target(container) => {
                self.restarts(*restart_count);
                self.waiting.push(Waiting {
                    reason,
                    message: message.as_deref(),
                });
            }
            Signal::BackOff {
                container,
                restart,
                delay_s,
                ..
            } if is_target(container) => {
                self.restarts(*restart);
                self.delays.entry(*restart).or_insert(*delay_s);
            }
            Signal::PreviousLogs {
                container,
                restart_count,
                text,
            } if is_target(container) => {
                self.restarts(*restart_count);
                self.logs.push(Logs {
                    restart_count: *restart_count,
                    text,
                });
            }
            Signal::Event {
                reason,
                message,
                type_,
                count,
                object,
                field_path,
                ..
            } if event_is_about(&self.pods, &target.container, object, field_path.as_deref()) => {
                match self
                    .events
                    .iter_mut()
                    .find(|e| e.type_ == type_ && e.reason == reason && e.message == message)
                {
                    Some(e) => e.count = e.count.max(*count),
                    None => self.events.push(EventView {
                        type_,
                        reason,
                        message,
                        count: *count,
                    }),
                }
            }
            Signal::Ready { container, ready } if is_target(container) => {
                self.ready.push(*ready);
            }
            Signal::Scheduled { pod, node } if pods.contains(pod) => {
                self.nodes.insert(pod.clone(), node.clone());
            }
            _ => {}
        }
    }

    fn restarts(&mut self, n: i32) {
        self.restart_count = self.restart_count.max(n);
    }

    pub fn last_termination(&self) -> Option<&Termination<'a>> {
        self.terminations.last()
    }
}

/// Whether an event concerns the target: its involved object is one of the target's pods (or
/// the workload, or the controller of its current pods), and when it names a container
/// (`fieldPath: spec.containers{app}`, `spec.initContainers{init}`) that container is the
/// target. Pod-level events (`FailedMount`, `FailedScheduling`) count.
pub(crate) fn event_is_about(
    pods: &TargetPods,
    container: &str,
    object: &str,
    field_path: Option<&str>,
) -> bool {
    if !pods.involves(object) {
        return false;
    }
    match field_path.and_then(field_path_container) {
        Some(named) => named == container,
        None => true,
    }
}

/// The container named by an event's `involvedObject.fieldPath`, e.g. `app` in
/// `spec.containers{app}`.
pub fn field_path_container(field_path: &str) -> Option<&str> {
    let start = field_path.find('{')? + 1;
    let end = start + field_path[start..].find('}')?;
    Some(&field_path[start..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> TargetPods {
        TargetPods::of(&Target::pod("oom", "app"), &Timeline::default())
    }

    #[test]
    fn field_paths_name_containers() {
        assert_eq!(field_path_container("spec.containers{app}"), Some("app"));
        assert_eq!(
            field_path_container("spec.initContainers{migrate}"),
            Some("migrate")
        );
        assert_eq!(field_path_container("spec.containers"), None);
        assert_eq!(field_path_container(""), None);
    }

    #[test]
    fn events_about_the_target_only() {
        let t = target();
        assert!(event_is_about(
            &t,
            "app",
            "Pod/oom",
            Some("spec.containers{app}")
        ));
        assert!(event_is_about(&t, "app", "Pod/oom", None));
        assert!(!event_is_about(
            &t,
            "app",
            "Pod/oom",
            Some("spec.containers{sidecar}")
        ));
        assert!(!event_is_about(
            &t,
            "app",
            "Pod/other",
            Some("spec.containers{app}")
        ));
        assert!(!event_is_about(&t, "app", "Node/kind-control-plane", None));
    }
}
