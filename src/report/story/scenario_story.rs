//! One scenario told as a story: container instances that start, end and wait, the status
//! `kubectl get pod` shows at each change, events with repeats folded, and the logs each
//! instance left. Pure: it turns signals and observations into [`Beat`]s; the reporter prints.

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Event, Pod};

use crate::expect::duration::go_duration;
use crate::kubectl_view::PodRow;
use crate::report::line::{Tone, salient_line};
use crate::scenario::{Target, WorkloadKind};
use crate::timeline::{ContainerRef, Entry, Observation, Observed, Signal};

use super::meaning::{announced_backoff, short_message, termination};

/// One thing to print, or a moment to mark.
#[derive(Debug, Clone, PartialEq)]
pub enum Beat {
    /// A line of the story, at a time of the run.
    Line {
        at: Timestamp,
        text: String,
        tone: Tone,
    },
    /// A continuation of the previous line (logs, the kubectl row), indented under it.
    Detail { text: String, tone: Tone },
    /// A place where a class may want to stop and talk (`--pause`).
    Phase(Phase),
    /// The kubelet's back-off of `wait_s` ends at `until`: it restarts the container at its
    /// next sync of the pod after that (a live countdown may follow).
    Countdown { until: Timestamp, wait_s: u64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    FirstCrash,
    CrashLoop,
}

/// The pods, events and logs as last seen: what kubectl would read now.
#[derive(Debug, Default, Clone)]
pub struct Seen {
    pub pods: BTreeMap<String, Pod>,
    pub events: Vec<Event>,
    /// Latest previous logs per (pod, container): restart count when fetched, text.
    pub logs: HashMap<(String, String), (i32, String)>,
    pub last_at: Option<Timestamp>,
}

pub struct ScenarioStory {
    pub target: Target,
    pub namespace: String,
    pub summary: String,
    pub first_at: Option<Timestamp>,
    pub seen: Seen,
    rows: HashMap<String, (String, i32)>,
    started: HashSet<(ContainerRef, i32)>,
    events_shown: HashSet<(String, String, String)>,
    /// Repeats of events already shown, by reason.
    pub folded: BTreeMap<String, i32>,
    event_counts: HashMap<String, i32>,
    logs_shown: HashMap<ContainerRef, (i32, String)>,
    /// When each container's latest instance ended.
    /// When each container's latest instance ended: the kubelet's time, and when seen.
    finished: HashMap<ContainerRef, (Timestamp, Timestamp)>,

    /// The pods and events when the target last showed its problem: what the views show.
    /// The last moment a target pod showed its problem (a crash loop, an error waiting
    /// reason): the pods then, how many events had arrived, when.
    decisive: Option<(BTreeMap<String, Pod>, usize, Timestamp)>,
    crashed: bool,
    looping: bool,
    /// The node's kubelet back-off curve (initial, cap), seconds, when the run read it.
    backoff: Option<(u32, u32)>,
}

impl ScenarioStory {
    pub fn new(target: Target, namespace: String, summary: String) -> Self {
        Self {
            target,
            namespace,
            summary,
            first_at: None,
            seen: Seen::default(),
            rows: HashMap::new(),
            started: HashSet::new(),
            events_shown: HashSet::new(),
            folded: BTreeMap::new(),
            event_counts: HashMap::new(),
            logs_shown: HashMap::new(),
            finished: HashMap::new(),
            decisive: None,
            crashed: false,
            looping: false,
            backoff: None,
        }
    }

    /// The kubelet's back-off curve (initial, cap) in seconds: a container that was restarted
    /// before and crashes again is counted down from its crash, before the kubelet writes
    /// `CrashLoopBackOff` into the status (which it does late, often just before the restart).
    pub fn with_backoff(mut self, initial_s: u32, max_s: u32) -> Self {
        self.backoff = Some((initial_s, max_s));
        self
    }

    /// The target's bare pod, whose name goes without saying.
    fn bare_pod(&self) -> Option<&str> {
        let w = self.target.workload();
        (w.kind == WorkloadKind::Pod).then_some(w.name)
    }

    /// `instance 2`, or `app-7d8f/migrate instance 2` for anything but the target container
    /// of a bare pod.
    fn who(&self, c: &ContainerRef, instance: i32) -> String {
        let kind = if c.init { "init container " } else { "" };
        if self.bare_pod() == Some(c.pod.as_str()) {
            if c.container == self.target.container {
                format!("instance {instance}")
            } else {
                format!("{kind}{} instance {instance}", c.container)
            }
        } else {
            format!("{kind}{}/{} instance {instance}", c.pod, c.container)
        }
    }

    /// `` for the target container of a bare pod, else `app-7d8f/migrate: `.
    fn whose(&self, c: &ContainerRef) -> String {
        let kind = if c.init { "init container " } else { "" };
        if self.bare_pod() == Some(c.pod.as_str()) {
            if c.container == self.target.container {
                String::new()
            } else {
                format!("{kind}{}: ", c.container)
            }
        } else {
            format!("{kind}{}/{}: ", c.pod, c.container)
        }
    }

    /// Whether the container has a readiness probe (else readiness just follows running).
    fn has_readiness_probe(&self, c: &ContainerRef) -> bool {
        self.seen.pods.get(&c.pod).is_some_and(|p| {
            p.spec.as_ref().is_some_and(|s| {
                s.containers
                    .iter()
                    .chain(s.init_containers.iter().flatten())
                    .any(|x| x.name == c.container && x.readiness_probe.is_some())
            })
        })
    }

    pub fn on_signal(&mut self, entry: &Entry) -> Vec<Beat> {
        self.first_at.get_or_insert(entry.at);
        let at = entry.at;
        let line = |text: String, tone: Tone| Beat::Line { at, text, tone };
        let mut beats = Vec::new();
        match &entry.signal {
            Signal::PodCreated {
                pod,
                owner,
                revision,
                ..
            } => {
                let by = match (owner, revision) {
                    (Some(o), Some(r)) => format!(" by {o} (revision {r})"),
                    (Some(o), None) => format!(" by {o}"),
                    _ => String::new(),
                };
                beats.push(line(format!("pod {pod} created{by}"), Tone::Plain));
            }
            Signal::Started {
                container,
                restart_count,
                ..
            } => {
                if self.started.insert((container.clone(), *restart_count)) {
                    let who = self.who(container, restart_count + 1);
                    beats.push(line(format!("▶ {who} started"), Tone::Good));
                }
            }
            Signal::Terminated {
                container,
                exit_code,
                reason,
                started_at,
                finished_at,
                restart_count,
                message,
                ..
            } => {
                if let Some(f) = finished_at {
                    self.finished.insert(container.clone(), (*f, at));
                }
                let countdown = crash_countdown(self.backoff, *restart_count, *finished_at);
                let who = self.who(container, restart_count + 1);
                let ran = match (started_at, finished_at) {
                    // The API keeps whole seconds.
                    (Some(s), Some(f)) if s.as_second() > 0 => {
                        match f.as_second() - s.as_second() {
                            0 => " within a second".to_owned(),
                            n => format!(" after {}", go_duration(n.max(0) as u64)),
                        }
                    }
                    _ => String::new(),
                };
                let reason_text = reason
                    .as_deref()
                    .filter(|r| !r.is_empty())
                    .map(|r| format!(" {r}"))
                    .unwrap_or_default();
                beats.push(line(
                    format!("■ {who} ended{ran}: exit {exit_code}{reason_text}"),
                    Tone::Bad,
                ));
                beats.push(Beat::Detail {
                    text: termination(*exit_code, reason.as_deref()),
                    tone: Tone::Dim,
                });
                if let Some(m) = message.as_deref().and_then(|m| m.lines().next())
                    && !m.trim().is_empty()
                {
                    beats.push(Beat::Detail {
                        text: format!("message: {}", m.trim()),
                        tone: Tone::Dim,
                    });
                }
                if !self.crashed {
                    self.crashed = true;
                    beats.push(Beat::Phase(Phase::FirstCrash));
                }
                beats.extend(countdown);
            }
            Signal::Waiting {
                container,
                reason,
                message,
                ..
            } => {
                let whose = self.whose(container);
                let msg = message
                    .as_deref()
                    .and_then(|m| m.lines().next())
                    .map(short_message);
                match reason.as_str() {
                    "CrashLoopBackOff" => {
                        let wait = announced_backoff(message.as_deref());
                        let ended = self.finished.get(container).copied();
                        let since = match (ended.map(|(_, seen)| seen), self.first_at) {
                            (Some(e), Some(f)) => {
                                let secs = (e.as_second() - f.as_second()).max(0);
                                format!(
                                    ", counted from the crash at {}:{:02}",
                                    secs / 60,
                                    secs % 60
                                )
                            }
                            _ => String::new(),
                        };
                        let text = match wait {
                            Some(s) => format!(
                                "{whose}CrashLoopBackOff: the kubelet waits {} before the next restart{since}",
                                go_duration(s)
                            ),
                            None => format!(
                                "{whose}CrashLoopBackOff: the kubelet waits before the next restart"
                            ),
                        };
                        beats.push(line(text, Tone::Warn));
                        if !self.looping {
                            self.looping = true;
                            beats.push(Beat::Detail {
                                text: "the wait doubles after each crash, up to a cap; it resets once the container runs long enough".to_owned(),
                                tone: Tone::Dim,
                            });
                            beats.push(Beat::Phase(Phase::CrashLoop));
                        }
                        if let Some(s) = wait {
                            let from = ended.map_or(at, |(kubelet, _)| kubelet);
                            if let Ok(until) =
                                from.checked_add(jiff::SignedDuration::from_secs(s as i64))
                            {
                                beats.push(Beat::Countdown { until, wait_s: s });
                            }
                        }
                    }
                    "ContainerCreating" | "PodInitializing" => {
                        beats.push(line(format!("{whose}{reason}"), Tone::Dim));
                    }
                    _ => {
                        let text = match msg {
                            Some(m) => format!("{whose}waiting {reason}: {m}"),
                            None => format!("{whose}waiting {reason}"),
                        };
                        beats.push(line(text, Tone::Warn));
                    }
                }
            }
            Signal::BackOff {
                container,
                restart,
                delay_s,
                ..
            } => {
                let who = self.who(container, restart + 1);
                let delay = go_duration((*delay_s).max(0) as u64);
                if self.started.insert((container.clone(), *restart)) {
                    beats.push(line(
                        format!("▶ {who} started, {delay} after instance {restart} ended"),
                        Tone::Good,
                    ));
                } else {
                    beats.push(Beat::Detail {
                        text: format!("{delay} after instance {restart} ended"),
                        tone: Tone::Dim,
                    });
                }
            }
            Signal::Event {
                reason,
                message,
                type_,
                count,
                object,
                ..
            } => {
                let key = (object.clone(), reason.clone(), message.clone());
                let previous = self
                    .event_counts
                    .insert(format!("{object}/{reason}/{message}"), *count)
                    .unwrap_or(0);
                // Pulled/Created/Started repeat on every restart: shown once per pod.
                let routine = matches!(
                    reason.as_str(),
                    "Pulled" | "Created" | "Started" | "Pulling" | "Scheduled"
                );
                let first_of_kind = if routine {
                    self.events_shown
                        .insert((object.clone(), reason.clone(), String::new()))
                } else {
                    self.events_shown.insert(key)
                };
                if first_of_kind {
                    let on = match object.strip_prefix("Pod/") {
                        Some(p) if Some(p) == self.bare_pod() => String::new(),
                        _ => format!(" on {object}"),
                    };
                    let first = message.lines().next().unwrap_or_default();
                    let tone = if type_ == "Warning" {
                        Tone::Warn
                    } else {
                        Tone::Dim
                    };
                    beats.push(line(
                        format!("event {type_} {reason}{on}: {}", short_message(first)),
                        tone,
                    ));
                } else {
                    *self.folded.entry(reason.clone()).or_default() += (count - previous).max(1);
                }
            }
            Signal::PreviousLogs {
                container,
                restart_count,
                text,
                ..
            } => {
                let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
                let instance = *restart_count; // the instance before restart N is instance N
                let who = self.who(container, instance);
                let shown = self.logs_shown.get(container).cloned();
                self.logs_shown
                    .insert(container.clone(), (instance, text.clone()));
                match shown {
                    // The same instance fetched again: nothing new.
                    Some((i, _)) if i == instance => {}
                    Some((i, t)) if t == *text => beats.push(Beat::Detail {
                        text: format!(
                            "logs --previous of {who}: the same {} line{} as instance {i}",
                            lines.len(),
                            plural(lines.len())
                        ),
                        tone: Tone::Dim,
                    }),
                    _ => match salient_line(&lines) {
                        None => beats.push(Beat::Detail {
                            text: format!("logs --previous of {who}: empty"),
                            tone: Tone::Dim,
                        }),
                        Some(l) => {
                            beats.push(Beat::Detail {
                                text: format!(
                                    "logs --previous of {who} ({} line{}):",
                                    lines.len(),
                                    plural(lines.len())
                                ),
                                tone: Tone::Dim,
                            });
                            beats.push(Beat::Detail {
                                text: format!("│ {l}"),
                                tone: Tone::Plain,
                            });
                        }
                    },
                }
            }
            Signal::PodDeleted { pod } => {
                beats.push(line(format!("pod {pod} deleted"), Tone::Dim));
            }
            Signal::Ready { container, ready } => {
                // Without a readiness probe, ready just follows running: the row shows it.
                if self.has_readiness_probe(container) {
                    let whose = self.whose(container);
                    let (text, tone) = if *ready {
                        (
                            format!("✓ {whose}ready: the readiness probe passes"),
                            Tone::Good,
                        )
                    } else {
                        (
                            format!(
                                "{whose}not ready: the readiness probe fails, so its Service sends it no traffic"
                            ),
                            Tone::Warn,
                        )
                    };
                    beats.push(line(text, tone));
                }
            }
            Signal::Step { index, name } => {
                beats.push(line(format!("step {}: {name}", index + 1), Tone::Plain));
            }
            // Where a pod runs is in the verdict (its pods and their nodes), not the story.
            Signal::Scheduled { .. } => {}
        }
        beats
    }

    /// Keeps the raw object; when a pod's STATUS or RESTARTS changed, the `kubectl get pod`
    /// row as it would print now.
    pub fn on_observed(&mut self, obs: &Observation) -> Vec<Beat> {
        self.seen.last_at = Some(obs.received_at);
        let beats = self.keep(obs);
        if self.problem_showing() {
            self.decisive = Some((
                self.seen.pods.clone(),
                self.seen.events.len(),
                obs.received_at,
            ));
        }
        beats
    }

    /// Whether a pod of the target waits on an error or a back-off right now.
    fn problem_showing(&self) -> bool {
        self.seen
            .pods
            .values()
            .filter(|p| crate::runner::owned_by(&self.target, p))
            .filter_map(|p| p.status.as_ref())
            .flat_map(|s| {
                s.container_statuses
                    .iter()
                    .chain(s.init_container_statuses.iter())
                    .flatten()
            })
            .filter_map(|c| c.state.as_ref()?.waiting.as_ref()?.reason.as_deref())
            .any(|r| !matches!(r, "ContainerCreating" | "PodInitializing"))
    }

    /// What kubectl would read at the decisive moment (else at the end), with the newest logs
    /// of each container; `true` when that was a decisive moment.
    pub fn views_input(&self) -> (Seen, bool) {
        match &self.decisive {
            Some((pods, events, at)) => (
                Seen {
                    pods: pods.clone(),
                    events: self.seen.events[..*events].to_vec(),
                    logs: self.seen.logs.clone(),
                    last_at: Some(*at),
                },
                true,
            ),
            None => (self.seen.clone(), false),
        }
    }

    fn keep(&mut self, obs: &Observation) -> Vec<Beat> {
        match &obs.what {
            Observed::Pod { object } => {
                let name = object.metadata.name.clone().unwrap_or_default();
                self.seen.pods.insert(name.clone(), (**object).clone());
                if !crate::runner::owned_by(&self.target, object) {
                    return Vec::new();
                }
                let row = PodRow::of(object, obs.received_at);
                let key = (row.status.clone(), row.restarts);
                if self.rows.get(&name) == Some(&key) {
                    return Vec::new();
                }
                self.rows.insert(name, key);
                vec![Beat::Detail {
                    text: format!(
                        "kubectl get pod → {}  {}  {}  {}",
                        row.name,
                        row.ready,
                        row.status,
                        row.restarts_cell()
                    ),
                    tone: Tone::Plain,
                }]
            }
            Observed::Event { object } => {
                self.seen.events.push((**object).clone());
                Vec::new()
            }
            Observed::PreviousLogs {
                pod,
                container,
                restart_count,
                text,
            } => {
                self.seen.logs.insert(
                    (pod.clone(), container.clone()),
                    (*restart_count, text.clone()),
                );
                Vec::new()
            }
            Observed::PodDeleted { name } => {
                self.seen.pods.remove(name);
                Vec::new()
            }
            Observed::Step { .. } => Vec::new(),
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The countdown a crash starts: only for a container the kubelet has restarted before (so its
/// restart policy restarts it), the back-off before its next restart counted from the crash,
/// as the kubelet counts it. The first restart is immediate, so no countdown then.
fn crash_countdown(
    backoff: Option<(u32, u32)>,
    restart_count: i32,
    finished_at: Option<Timestamp>,
) -> Option<Beat> {
    let (initial, max) = backoff?;
    if restart_count < 1 {
        return None;
    }
    let wait_s = crate::expect::backoff::expected_delay(initial, max, restart_count + 1);
    let until = finished_at?
        .checked_add(jiff::SignedDuration::from_secs(wait_s as i64))
        .ok()?;
    Some(Beat::Countdown { until, wait_s })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Option<Timestamp> {
        Some(s.parse().unwrap())
    }

    /// The crashes of the committed `oom` recording (v1.34.4, 10s doubling up to 5m): the first
    /// restart is immediate; the second crash (restartCount 1, finished 05:28:07) waits 10s,
    /// the third (restartCount 2) 20s, each from the kubelet's finishedAt.
    #[test]
    fn a_repeat_crash_counts_the_kubelets_back_off_down_from_the_crash() {
        assert_eq!(
            crash_countdown(Some((10, 300)), 0, at("2026-11-21T05:28:06Z")),
            None
        );
        let Some(Beat::Countdown { until, wait_s }) =
            crash_countdown(Some((10, 300)), 1, at("2026-11-21T05:28:07Z"))
        else {
            panic!("no countdown after the second crash")
        };
        assert_eq!((until, wait_s), (at("2026-11-21T05:28:17Z").unwrap(), 10));
        let Some(Beat::Countdown { wait_s, .. }) =
            crash_countdown(Some((10, 300)), 2, at("2026-11-21T05:28:18Z"))
        else {
            panic!("no countdown after the third crash")
        };
        assert_eq!(wait_s, 20);
        assert_eq!(
            crash_countdown(Some((10, 300)), 9, at("2026-11-21T05:28:18Z")).map(|b| match b {
                Beat::Countdown { wait_s, .. } => wait_s,
                _ => 0,
            }),
            Some(300),
            "capped"
        );
        // Without the node's curve, or without the kubelet's crash time, nothing is counted.
        assert_eq!(crash_countdown(None, 2, at("2026-11-21T05:28:18Z")), None);
        assert_eq!(crash_countdown(Some((10, 300)), 2, None), None);
    }
}
