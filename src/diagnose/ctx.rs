//! What every diagnosis step and rule may look at, computed once from the input: the
//! container's spec and status, its last logs read as lines (with the line that explains the
//! exit and any runtime crash report), and its events grouped as `kubectl describe` folds them.

use std::collections::BTreeMap;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Container, ContainerStateTerminated, ContainerStatus, Event};

use crate::expect::field_path_container;
use crate::scenario::Category;

use super::config_refs::ConfigRef;
use super::container_pick::{last_termination, spec, status};
use super::input::{DiagnoseInput, Logs, Presence};
use super::log_lines::{CrashReport, LineKind, crash_report, key_line};

/// What every step and rule may look at, computed once.
pub(super) struct Ctx<'a> {
    pub input: &'a DiagnoseInput,
    pub pod: String,
    pub namespace: String,
    pub container: String,
    pub spec: Option<&'a Container>,
    pub status: Option<&'a ContainerStatus>,
    /// Non-empty lines of the last terminated instance's logs.
    pub log_lines: Vec<&'a str>,
    /// The line that explains the exit (index into `log_lines`) and what it says.
    pub key_line: Option<(usize, LineKind)>,
    /// The runtime crash report the logs end with, when they do.
    pub crash: Option<CrashReport>,
    /// An init container (`spec.initContainers`), sidecar or not.
    pub init: bool,
    /// A native sidecar: an init container with `restartPolicy: Always`.
    pub sidecar: bool,
    /// Events about this pod (and this container, or none in particular), grouped.
    pub events: Vec<EventGroup>,
}

/// Events with the same reason and message, as `kubectl describe` folds them.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct EventGroup {
    pub type_: String,
    pub reason: String,
    pub message: String,
    pub count: i32,
    pub first: Option<Timestamp>,
}

impl<'a> Ctx<'a> {
    /// The CronJob whose Job owns the pod, when one does: its job template is where a fix
    /// goes (the next scheduled run is created from it).
    pub(super) fn cron_job(&self) -> Option<&'a str> {
        self.input
            .owners
            .ok()?
            .chain
            .iter()
            .find(|o| o.kind == "CronJob")
            .map(|o| o.name.as_str())
    }

    pub(super) fn new(input: &'a DiagnoseInput, container: &str) -> Self {
        let pod = &input.pod;
        let log_lines: Vec<&str> = match &input.logs {
            Logs::Text { text, .. } => text
                .lines()
                .map(str::trim_end)
                .filter(|l| !l.is_empty())
                .collect(),
            _ => Vec::new(),
        };
        let key_line = key_line(&log_lines);
        let crash = crash_report(&log_lines);
        let (spec, init) = match spec(pod, container) {
            Some((c, init)) => (Some(c), init),
            None => (None, false),
        };
        let sidecar = init && spec.is_some_and(|c| c.restart_policy.as_deref() == Some("Always"));
        let pod_name = pod.metadata.name.clone().unwrap_or_default();
        let events = match input.events.ok() {
            Some(events) => group_events(events, &pod_name, container),
            None => Vec::new(),
        };
        Self {
            input,
            namespace: pod.metadata.namespace.clone().unwrap_or_default(),
            pod: pod_name,
            container: container.to_owned(),
            spec,
            status: status(pod, container),
            log_lines,
            key_line,
            crash,
            init,
            sidecar,
            events,
        }
    }

    /// `kubectl <args> -n <namespace>`.
    pub fn kubectl(&self, args: &str) -> String {
        format!("kubectl {args} -n {}", self.namespace)
    }

    pub fn termination(&self) -> Option<&'a ContainerStateTerminated> {
        self.status.and_then(last_termination)
    }

    pub fn oom_killed(&self) -> bool {
        self.termination()
            .is_some_and(|t| t.reason.as_deref() == Some("OOMKilled"))
    }

    pub fn waiting_reason(&self) -> Option<&'a str> {
        self.status
            .and_then(|s| s.state.as_ref())
            .and_then(|s| s.waiting.as_ref())
            .and_then(|w| w.reason.as_deref())
    }

    /// The pod's `status.phase` (`Pending`, `Running`, ...).
    pub fn pod_phase(&self) -> Option<&'a str> {
        self.input
            .pod
            .status
            .as_ref()
            .and_then(|s| s.phase.as_deref())
    }

    pub fn waiting_message(&self) -> Option<&'a str> {
        self.status
            .and_then(|s| s.state.as_ref())
            .and_then(|s| s.waiting.as_ref())
            .and_then(|w| w.message.as_deref())
            .filter(|m| !m.is_empty())
    }

    pub fn restart_count(&self) -> i32 {
        self.status.map_or(0, |s| s.restart_count)
    }

    /// The container has never run: no termination, no restart, not running.
    pub fn never_ran(&self) -> bool {
        !self.running() && self.termination().is_none() && self.restart_count() == 0
    }

    /// The last instance failed to start: the runtime could not run its entrypoint
    /// (`StartError`, exit code 128), so no process of the app ever ran.
    pub fn start_failed(&self) -> bool {
        self.termination().is_some_and(|t| {
            matches!(
                t.reason.as_deref(),
                Some("StartError" | "ContainerCannotRun")
            )
        })
    }

    /// The signal that killed the last instance, as the exit code tells it (`SIGSEGV` for
    /// 139), when it is one that a crash raises (not a SIGKILL or SIGTERM from outside).
    pub fn crash_signal(&self) -> Option<&'static str> {
        match self.termination()?.exit_code {
            132 => Some("SIGILL"),
            133 => Some("SIGTRAP"),
            134 => Some("SIGABRT"),
            135 => Some("SIGBUS"),
            136 => Some("SIGFPE"),
            139 => Some("SIGSEGV"),
            _ => None,
        }
    }

    /// What the container is, for sentences: `init container migrate`, `sidecar
    /// log-shipper`, `container app`.
    pub fn what(&self) -> String {
        if self.sidecar {
            format!("sidecar container {}", self.container)
        } else if self.init {
            format!("init container {}", self.container)
        } else {
            format!("container {}", self.container)
        }
    }

    /// The key log line's text.
    pub fn key_text(&self) -> Option<&'a str> {
        self.key_line.as_ref().map(|(i, _)| self.log_lines[*i])
    }

    pub fn events_with(&self, reason: &str) -> impl Iterator<Item = &EventGroup> {
        self.events.iter().filter(move |e| e.reason == reason)
    }

    /// The container is running now.
    pub fn running(&self) -> bool {
        self.status
            .and_then(|s| s.state.as_ref())
            .is_some_and(|s| s.running.is_some())
    }

    /// The image the container's spec names (empty without a spec).
    pub fn image(&self) -> String {
        self.spec.and_then(|c| c.image.clone()).unwrap_or_default()
    }

    /// `reason: message` of the waiting state, or the reason alone.
    pub fn waiting_shown(&self) -> Option<String> {
        let reason = self.waiting_reason()?;
        Some(match self.waiting_message() {
            Some(m) => format!("{reason}: {m}"),
            None => reason.to_owned(),
        })
    }

    /// The restart policy the container runs under: a native sidecar's is `Always`, whatever
    /// the pod's.
    pub fn restart_policy(&self) -> String {
        if self.sidecar {
            return "Always".to_owned();
        }
        self.input
            .pod
            .spec
            .as_ref()
            .and_then(|s| s.restart_policy.clone())
            .unwrap_or_else(|| "Always".to_owned())
    }

    /// `limits` or `requests` of `name` (`memory`, `cpu`), as written in the spec.
    pub fn resource(&self, which: &str, name: &str) -> Option<String> {
        self.spec
            .and_then(|c| c.resources.as_ref())
            .and_then(|r| match which {
                "limits" => r.limits.as_ref(),
                _ => r.requests.as_ref(),
            })
            .and_then(|m| m.get(name))
            .map(|q| q.0.clone())
    }

    /// `kubectl get pod` of one field of the container's spec (`readinessProbe`, `image`).
    pub fn spec_field_command(&self, field: &str) -> String {
        self.kubectl(&format!(
            "get pod {} -o jsonpath='{{.spec.containers[?(@.name==\"{}\")].{field}}}'",
            self.pod, self.container
        ))
    }

    /// Whether a referenced Secret or ConfigMap exists, as gathered.
    pub fn presence(&self, r: &ConfigRef) -> Presence {
        self.input
            .lookups
            .get(&(r.kind, r.name.clone()))
            .cloned()
            .unwrap_or(Presence::Unknown("not looked up".to_owned()))
    }

    /// The key log line when it names a cause, with its text.
    pub fn explaining_line(&self) -> Option<(&LineKind, &'a str)> {
        let (i, kind) = self.key_line.as_ref()?;
        kind.category()
            .is_some()
            .then(|| (kind, self.log_lines[*i]))
    }

    /// The key log line, when it names a cause other than a crash of the app's own code (a
    /// runtime's heap limit, a missing variable): then the exit code only says how it ended.
    pub fn non_code_cause(&self) -> Option<&LineKind> {
        self.key_line
            .as_ref()
            .map(|(_, k)| k)
            .filter(|k| k.category().is_some_and(|c| c != Category::CodeBug))
    }

    /// The scheduler's reason when the pod is not scheduled (`PodScheduled` False): its
    /// message, possibly empty.
    pub fn unscheduled(&self) -> Option<String> {
        let status = self.input.pod.status.as_ref()?;
        let cond = status
            .conditions
            .iter()
            .flatten()
            .find(|c| c.type_ == "PodScheduled" && c.status == "False");
        match cond {
            Some(c) => Some(c.message.clone().unwrap_or_default()),
            None => {
                // No condition yet, but the scheduler said so in an event.
                self.events_with("FailedScheduling")
                    .last()
                    .map(|e| e.message.clone())
            }
        }
    }
}

/// Distinct events of the pod, each object counted once at its highest count, then folded by
/// (reason, message) in order of first appearance. Events about another container are left out.
fn group_events(events: &[Event], pod: &str, container: &str) -> Vec<EventGroup> {
    let mut by_object: BTreeMap<String, &Event> = BTreeMap::new();
    for (i, e) in events.iter().enumerate() {
        let involved = &e.involved_object;
        if involved.kind.as_deref().is_some_and(|k| k != "Pod")
            || involved.name.as_deref() != Some(pod)
        {
            continue;
        }
        if let Some(c) = involved
            .field_path
            .as_deref()
            .and_then(field_path_container)
            && c != container
        {
            continue;
        }
        let key = e
            .metadata
            .uid
            .clone()
            .or_else(|| e.metadata.name.clone())
            .unwrap_or_else(|| format!("#{i}"));
        let keep = by_object
            .get(&key)
            .is_none_or(|old| e.count.unwrap_or(1) >= old.count.unwrap_or(1));
        if keep {
            by_object.insert(key, e);
        }
    }
    let mut groups: Vec<EventGroup> = Vec::new();
    let mut objects: Vec<&Event> = by_object.into_values().collect();
    objects.sort_by_key(|e| first_seen(e));
    for e in objects {
        let reason = e.reason.clone().unwrap_or_default();
        let message = e.message.clone().unwrap_or_default().trim().to_owned();
        let count = e.count.unwrap_or(1).max(1)
            + e.series.as_ref().and_then(|s| s.count).unwrap_or(0).max(0);
        match groups
            .iter_mut()
            .find(|g| g.reason == reason && g.message == message)
        {
            Some(g) => g.count += count,
            None => groups.push(EventGroup {
                type_: e.type_.clone().unwrap_or_else(|| "Normal".to_owned()),
                reason,
                message,
                count,
                first: first_seen(e),
            }),
        }
    }
    groups
}

fn first_seen(e: &Event) -> Option<Timestamp> {
    e.first_timestamp
        .as_ref()
        .map(|t| t.0)
        .or_else(|| e.event_time.as_ref().map(|t| t.0))
        .or_else(|| e.metadata.creation_timestamp.as_ref().map(|t| t.0))
}
