//! Turns recorded watch objects into timeline entries, without calling the API.
//!
//! A watch delivers the whole Pod on every change, so the same facts arrive again and again:
//! a termination first sits in `state.terminated`, then in `lastState.terminated` for as long
//! as the next instance lives. The builder remembers what it has already reported and emits
//! each fact once, at the first observation that shows it.
//!
//! Container instances are told apart by `containerID` (each start of a container is a new
//! runtime container). The restart number of an instance follows the kubelet's
//! `convertToAPIContainerStatuses` (pkg/kubelet/kubelet_pods.go): `restartCount` is that of the
//! newest instance, whose ID is the status' `containerID`; `lastState` holds the newest
//! instance while the container waits in back-off (same ID) and the one before it otherwise.
//!
//! Back-off delays pair an instance with the one before it (restart number − 1) and subtract
//! that one's `finishedAt` from this one's `startedAt`, in whole seconds, as the Kubernetes
//! e2e tests do (test/e2e/common/node/pods.go `getRestartDelay`). Both are API timestamps
//! written by the kubelet, so the local clock never enters the delay.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{ContainerStateTerminated, ContainerStatus, Event, Pod};

use super::{ContainerRef, Entry, Observation, Observed, Recording, Signal, Timeline};

/// Builds a [`Timeline`] from observations fed in arrival order.
#[derive(Debug, Default)]
pub struct TimelineBuilder {
    timeline: Timeline,
    /// Keyed by (pod name, pod UID, container name): a pod re-created under the same name is a
    /// new set of containers.
    containers: HashMap<(String, String, String), Track>,
    /// Highest count reported so far, per event (UID, else namespace/name).
    events: HashMap<String, i32>,
    /// (pod name, pod UID) of every pod reported as created.
    pods: HashSet<(String, String)>,
    /// (pod name, pod UID) of every pod reported as scheduled.
    scheduled: HashSet<(String, String)>,
}

/// What has been reported about one container.
#[derive(Debug, Default)]
struct Track {
    init: bool,
    /// (containerID, startedAt) of every running instance reported.
    started: HashSet<(String, Timestamp)>,
    /// (containerID, finishedAt) of every termination reported.
    terminated: HashSet<(String, Option<Timestamp>)>,
    /// The waiting reason and message last reported; cleared when the container leaves
    /// the waiting state, so that re-entering `CrashLoopBackOff` is reported again.
    waiting: Option<(String, Option<String>)>,
    /// The readiness last reported (not-ready until reported otherwise).
    ready: bool,
    instances: Vec<Instance>,
}

/// One runtime container (one start attempt) of a container.
#[derive(Debug)]
struct Instance {
    /// `containerID`, or `restart-<n>` when the status carries none.
    id: String,
    /// 0 for the first run, 1 after the first restart, ...
    restart: i32,
    /// `startedAt`; for a failed start (`StartError`: `startedAt` is the Unix epoch) the
    /// `finishedAt` of that attempt.
    attempt_at: Option<Timestamp>,
    finished_at: Option<Timestamp>,
    /// Its back-off delay has been reported.
    backoff_reported: bool,
}

impl TimelineBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds one observation and returns the entries it produced (often none: most pod
    /// updates repeat what is known). The entries are also kept for [`Self::finish`].
    pub fn push(&mut self, obs: &Observation) -> Vec<Entry> {
        let signals = match &obs.what {
            Observed::Pod { object } => self.pod(object),
            Observed::PodDeleted { name } => vec![Signal::PodDeleted { pod: name.clone() }],
            Observed::Event { object } => self.event(object).into_iter().collect(),
            Observed::PreviousLogs {
                pod,
                container,
                restart_count,
                text,
            } => vec![Signal::PreviousLogs {
                container: self.container_ref(pod, container),
                restart_count: *restart_count,
                text: text.clone(),
            }],
            Observed::Step { index, name } => vec![Signal::Step {
                index: *index,
                name: name.clone(),
            }],
        };
        let entries: Vec<Entry> = signals
            .into_iter()
            .map(|signal| Entry {
                at: obs.received_at,
                signal,
            })
            .collect();
        self.timeline.entries.extend(entries.iter().cloned());
        entries
    }

    /// The entries so far, without ending the build.
    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    pub fn finish(self) -> Timeline {
        self.timeline
    }

    /// A reference to a container seen in pod statuses (so that logs of an init container
    /// are marked as such); an app container when it was never seen.
    fn container_ref(&self, pod: &str, container: &str) -> ContainerRef {
        let init = self
            .containers
            .iter()
            .any(|((p, _, c), track)| p == pod && c == container && track.init);
        ContainerRef {
            pod: pod.to_owned(),
            container: container.to_owned(),
            init,
        }
    }

    fn pod(&mut self, pod: &Pod) -> Vec<Signal> {
        let (Some(name), Some(status)) = (pod.metadata.name.as_deref(), pod.status.as_ref()) else {
            return Vec::new();
        };
        let uid = pod.metadata.uid.as_deref().unwrap_or_default();
        let mut out = Vec::new();
        if self.pods.insert((name.to_owned(), uid.to_owned())) {
            out.push(pod_created(name, pod));
        }
        // The scheduler binds a pod once (`spec.nodeName` never changes afterwards), usually
        // after the watch first showed it unbound.
        let node = pod.spec.as_ref().and_then(|s| s.node_name.as_deref());
        if let Some(node) = node.filter(|n| !n.is_empty())
            && self.scheduled.insert((name.to_owned(), uid.to_owned()))
        {
            out.push(Signal::Scheduled {
                pod: name.to_owned(),
                node: node.to_owned(),
            });
        }
        let groups = [
            (status.init_container_statuses.as_deref(), true),
            (status.container_statuses.as_deref(), false),
        ];
        for (statuses, init) in groups {
            for cs in statuses.unwrap_or_default() {
                let key = (name.to_owned(), uid.to_owned(), cs.name.clone());
                let track = self.containers.entry(key).or_default();
                track.init = init;
                let container = ContainerRef {
                    pod: name.to_owned(),
                    container: cs.name.clone(),
                    init,
                };
                track.container_status(&container, cs, &mut out);
            }
        }
        out
    }

    fn event(&mut self, ev: &Event) -> Option<Signal> {
        let key = match (&ev.metadata.uid, &ev.metadata.name) {
            (Some(uid), _) => uid.clone(),
            (None, name) => format!(
                "{}/{}",
                ev.metadata.namespace.as_deref().unwrap_or_default(),
                name.as_deref().unwrap_or_default()
            ),
        };
        let count = event_count(ev);
        if self.events.get(&key).is_some_and(|&seen| count <= seen) {
            return None;
        }
        self.events.insert(key, count);
        let involved = &ev.involved_object;
        let object = match (&involved.kind, &involved.name) {
            (Some(kind), Some(name)) => format!("{kind}/{name}"),
            (None, Some(name)) => name.clone(),
            (Some(kind), None) => kind.clone(),
            (None, None) => String::new(),
        };
        Some(Signal::Event {
            reason: ev.reason.clone().unwrap_or_default(),
            message: ev.message.clone().unwrap_or_default(),
            type_: ev.type_.clone().unwrap_or_default(),
            count,
            object,
            field_path: involved.field_path.clone(),
            last_seen: event_last_seen(ev),
        })
    }
}

impl Timeline {
    /// Replays a whole recording through a [`TimelineBuilder`].
    pub fn from_recording(recording: &Recording) -> Timeline {
        let mut builder = TimelineBuilder::new();
        for obs in &recording.observations {
            builder.push(obs);
        }
        builder.finish()
    }
}

/// How many times the event happened: the larger of `count` (core/v1 recorders) and
/// `series.count` (events.k8s.io/v1 recorders); 1 when neither is set.
fn event_count(ev: &Event) -> i32 {
    let series = ev.series.as_ref().and_then(|s| s.count);
    ev.count.into_iter().chain(series).max().unwrap_or(1).max(1)
}

/// The last time the cluster saw the event; see [`Signal::Event::last_seen`].
fn event_last_seen(ev: &Event) -> Option<Timestamp> {
    let series = ev
        .series
        .as_ref()
        .and_then(|s| s.last_observed_time.as_ref())
        .map(|t| t.0);
    series
        .or(ev.last_timestamp.as_ref().map(|t| t.0))
        .or(ev.event_time.as_ref().map(|t| t.0))
        .or(ev.first_timestamp.as_ref().map(|t| t.0))
}

/// The [`Signal::PodCreated`] of a pod seen for the first time.
fn pod_created(name: &str, pod: &Pod) -> Signal {
    let (owner, revision) = controller_and_revision(pod);
    Signal::PodCreated {
        pod: name.to_owned(),
        owner,
        revision,
        created_at: pod.metadata.creation_timestamp.as_ref().map(|t| t.0),
    }
}

/// A pod's controller (`Kind/name` of the owner reference with `controller: true`) and its
/// revision label (`pod-template-hash`, else `controller-revision-hash`).
pub fn controller_and_revision(pod: &Pod) -> (Option<String>, Option<String>) {
    let meta = &pod.metadata;
    let owner = meta
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true))
        .map(|o| format!("{}/{}", o.kind, o.name));
    let labels = meta.labels.as_ref();
    let revision = ["pod-template-hash", "controller-revision-hash"]
        .iter()
        .find_map(|l| labels.and_then(|ls| ls.get(*l)).cloned());
    (owner, revision)
}

/// A `startedAt` the kubelet never set: a failed start reports the Unix epoch.
fn real_time(t: Option<Timestamp>) -> Option<Timestamp> {
    t.filter(|t| *t > Timestamp::UNIX_EPOCH)
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.clone().filter(|s| !s.is_empty())
}

impl Track {
    fn container_status(
        &mut self,
        container: &ContainerRef,
        cs: &ContainerStatus,
        out: &mut Vec<Signal>,
    ) {
        let newest_id = non_empty(&cs.container_id);
        let state = cs.state.as_ref();
        let waiting = state.and_then(|s| s.waiting.as_ref());

        // Oldest first: the previous termination, then the current instance.
        if let Some(t) = cs.last_state.as_ref().and_then(|s| s.terminated.as_ref()) {
            let id = non_empty(&t.container_id);
            let restart = match (&id, &newest_id) {
                (Some(id), Some(newest)) if id == newest => cs.restart_count,
                (Some(_), Some(_)) => cs.restart_count - 1,
                // No IDs to compare: while waiting in back-off, lastState is the newest
                // instance; otherwise a newer one exists.
                _ if waiting.is_some() => cs.restart_count,
                _ => cs.restart_count - 1,
            };
            self.terminated(container, t, id, restart, false, out);
        }
        if let Some(t) = state.and_then(|s| s.terminated.as_ref()) {
            let id = non_empty(&t.container_id).or_else(|| newest_id.clone());
            self.terminated(container, t, id, cs.restart_count, true, out);
        }
        if let Some(started_at) = state
            .and_then(|s| s.running.as_ref())
            .and_then(|r| r.started_at.as_ref())
            .map(|t| t.0)
        {
            let idx = self.instance(newest_id.as_deref(), cs.restart_count, true);
            self.instances[idx].attempt_at.get_or_insert(started_at);
            self.backoff(container, idx, out);
            let key = (self.instances[idx].id.clone(), started_at);
            if self.started.insert(key) {
                out.push(Signal::Started {
                    container: container.clone(),
                    restart_count: cs.restart_count,
                    started_at,
                });
            }
        }
        // An earlier termination may have arrived after the start it leads to.
        for idx in 0..self.instances.len() {
            self.backoff(container, idx, out);
        }

        match waiting {
            Some(w) => {
                let now = (w.reason.clone().unwrap_or_default(), w.message.clone());
                if self.waiting.as_ref() != Some(&now) {
                    out.push(Signal::Waiting {
                        container: container.clone(),
                        reason: now.0.clone(),
                        message: now.1.clone(),
                        restart_count: cs.restart_count,
                    });
                    self.waiting = Some(now);
                }
            }
            None => self.waiting = None,
        }

        if cs.ready != self.ready {
            self.ready = cs.ready;
            out.push(Signal::Ready {
                container: container.clone(),
                ready: cs.ready,
            });
        }
    }

    fn terminated(
        &mut self,
        container: &ContainerRef,
        t: &ContainerStateTerminated,
        id: Option<String>,
        restart: i32,
        newest: bool,
        out: &mut Vec<Signal>,
    ) {
        let started_at = real_time(t.started_at.as_ref().map(|t| t.0));
        let finished_at = t.finished_at.as_ref().map(|t| t.0);
        let idx = self.instance(id.as_deref(), restart, newest);
        let inst = &mut self.instances[idx];
        if inst.attempt_at.is_none() {
            inst.attempt_at = started_at.or(finished_at);
        }
        if finished_at.is_some() {
            inst.finished_at = finished_at;
        }
        self.backoff(container, idx, out);
        let key = (self.instances[idx].id.clone(), finished_at);
        if self.terminated.insert(key) {
            out.push(Signal::Terminated {
                container: container.clone(),
                exit_code: t.exit_code,
                reason: t.reason.clone(),
                message: t.message.clone(),
                started_at,
                finished_at,
                restart_count: restart,
            });
        }
    }

    /// The index of the instance with this ID, created if new. `authoritative` restart
    /// numbers (from the newest instance's own slot) replace derived ones.
    fn instance(&mut self, id: Option<&str>, restart: i32, authoritative: bool) -> usize {
        let id = id.map_or_else(|| format!("restart-{restart}"), str::to_owned);
        if let Some(idx) = self.instances.iter().position(|i| i.id == id) {
            if authoritative {
                self.instances[idx].restart = restart;
            }
            return idx;
        }
        self.instances.push(Instance {
            id,
            restart,
            attempt_at: None,
            finished_at: None,
            backoff_reported: false,
        });
        self.instances.len() - 1
    }

    /// Reports the delay before instance `idx` once its start and the previous instance's
    /// finish are both known.
    fn backoff(&mut self, container: &ContainerRef, idx: usize, out: &mut Vec<Signal>) {
        let inst = &self.instances[idx];
        // The first run (restart 0) has no delay before it.
        let Some(started_at) = inst
            .attempt_at
            .filter(|_| !inst.backoff_reported && inst.restart > 0)
        else {
            return;
        };
        let previous = self
            .instances
            .iter()
            .filter(|p| p.restart == inst.restart - 1)
            .filter_map(|p| p.finished_at)
            .filter(|f| *f <= started_at)
            .max();
        let Some(finished_at) = previous else {
            return;
        };
        let restart = inst.restart;
        self.instances[idx].backoff_reported = true;
        out.push(Signal::BackOff {
            container: container.clone(),
            restart,
            delay_s: delay_seconds(finished_at, started_at),
            finished_at,
            started_at,
        });
    }
}

/// Whole seconds from `finished_at` to `started_at`. API timestamps (`metav1.Time`) carry
/// whole seconds, so this is exact for them; finer inputs are truncated to the second first.
pub fn delay_seconds(finished_at: Timestamp, started_at: Timestamp) -> i64 {
    started_at.as_second() - finished_at.as_second()
}

/// Every committed recording (`tests/fixtures/recordings/*.json`), sorted by file name.
/// Panics when there is none: tests built on real runs must not pass vacuously.
#[cfg(test)]
pub(crate) fn recorded() -> Vec<(String, Recording)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/recordings");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!(
                "no recordings at {} ({e}): these tests run on observations recorded from a real kubelet",
                dir.display()
            )
        })
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no recordings in {}: these tests run on observations recorded from a real kubelet",
        dir.display()
    );
    files
        .into_iter()
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            let rec: Recording =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (name, rec)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;

    #[test]
    fn delay_is_whole_seconds_between_api_timestamps() {
        let f: Timestamp = "2026-01-01T10:00:05Z".parse().unwrap();
        let s: Timestamp = "2026-01-01T10:00:15Z".parse().unwrap();
        assert_eq!(delay_seconds(f, s), 10);
        assert_eq!(delay_seconds(f, f), 0);
        // Sub-second inputs (never from the API, which writes whole seconds) truncate each end.
        let f: Timestamp = "2026-01-01T10:00:05.9Z".parse().unwrap();
        let s: Timestamp = "2026-01-01T10:00:16.1Z".parse().unwrap();
        assert_eq!(delay_seconds(f, s), 11);
    }

    /// Containers of a recording, with every distinct termination and running start that the
    /// raw pod objects contain, read directly (independently of the builder).
    fn raw_facts(
        rec: &Recording,
    ) -> (
        BTreeMap<String, BTreeSet<String>>,
        BTreeMap<String, BTreeSet<String>>,
    ) {
        let mut terms: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut starts: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for obs in &rec.observations {
            let Observed::Pod { object } = &obs.what else {
                continue;
            };
            let name = object.metadata.name.clone().unwrap();
            let Some(status) = &object.status else {
                continue;
            };
            let all = status
                .init_container_statuses
                .iter()
                .flatten()
                .chain(status.container_statuses.iter().flatten());
            for cs in all {
                let key = format!("{name}/{}", cs.name);
                for state in [&cs.state, &cs.last_state].into_iter().flatten() {
                    if let Some(t) = &state.terminated {
                        let id = t.container_id.clone().or(cs.container_id.clone());
                        terms
                            .entry(key.clone())
                            .or_default()
                            .insert(format!("{id:?} {:?}", t.finished_at.as_ref().map(|t| t.0)));
                    }
                }
                if let Some(r) = cs.state.as_ref().and_then(|s| s.running.as_ref())
                    && let Some(t) = &r.started_at
                {
                    starts
                        .entry(key.clone())
                        .or_default()
                        .insert(t.0.to_string());
                }
            }
        }
        (terms, starts)
    }

    /// Delays per container computed straight from the raw objects, the way the e2e tests do
    /// it: every runtime container (by ID) with its start and finish, sorted by start; each
    /// start minus the previous finish.
    fn raw_delays(rec: &Recording) -> BTreeMap<String, Vec<i64>> {
        // container -> id -> (start, finish)
        type Runs = BTreeMap<String, (Option<Timestamp>, Option<Timestamp>)>;
        let mut runs: BTreeMap<String, Runs> = BTreeMap::new();
        for obs in &rec.observations {
            let Observed::Pod { object } = &obs.what else {
                continue;
            };
            let name = object.metadata.name.clone().unwrap();
            let Some(status) = &object.status else {
                continue;
            };
            let all = status
                .init_container_statuses
                .iter()
                .flatten()
                .chain(status.container_statuses.iter().flatten());
            for cs in all {
                let by_id = runs.entry(format!("{name}/{}", cs.name)).or_default();
                for state in [&cs.state, &cs.last_state].into_iter().flatten() {
                    if let Some(t) = &state.terminated {
                        let id = t.container_id.clone().or(cs.container_id.clone()).unwrap();
                        let start = t
                            .started_at
                            .as_ref()
                            .map(|t| t.0)
                            .filter(|t| *t > Timestamp::UNIX_EPOCH);
                        let finish = t.finished_at.as_ref().map(|t| t.0);
                        let run = by_id.entry(id).or_default();
                        run.0 = run.0.or(start).or(finish);
                        run.1 = finish;
                    }
                }
                if let Some(r) = cs.state.as_ref().and_then(|s| s.running.as_ref()) {
                    let id = cs.container_id.clone().unwrap();
                    let run = by_id.entry(id).or_default();
                    run.0 = run.0.or(r.started_at.as_ref().map(|t| t.0));
                }
            }
        }
        runs.into_iter()
            .map(|(container, by_id)| {
                let mut list: Vec<_> = by_id.into_values().collect();
                list.sort();
                let delays = list
                    .windows(2)
                    .filter_map(|w| Some(delay_seconds(w[0].1?, w[1].0?)))
                    .collect();
                (container, delays)
            })
            .collect()
    }

    #[test]
    fn recorded_runs_build_consistent_timelines() {
        for (name, rec) in recorded() {
            // push() hands out exactly the entries finish() keeps.
            let mut builder = TimelineBuilder::new();
            let mut streamed = Vec::new();
            for obs in &rec.observations {
                streamed.extend(builder.push(obs));
            }
            let timeline = builder.finish();
            assert_eq!(
                streamed, timeline.entries,
                "{name}: streamed entries differ"
            );
            assert_eq!(timeline, Timeline::from_recording(&rec), "{name}");

            // Each termination and each start is reported once, however often it was re-sent.
            let (raw_terms, raw_starts) = raw_facts(&rec);
            let mut terms: BTreeMap<String, usize> = BTreeMap::new();
            let mut starts: BTreeMap<String, usize> = BTreeMap::new();
            let mut backoffs: BTreeMap<String, Vec<i32>> = BTreeMap::new();
            for e in &timeline.entries {
                match &e.signal {
                    Signal::Terminated { container, .. } => {
                        *terms
                            .entry(format!("{}/{}", container.pod, container.container))
                            .or_default() += 1
                    }
                    Signal::Started { container, .. } => {
                        *starts
                            .entry(format!("{}/{}", container.pod, container.container))
                            .or_default() += 1
                    }
                    Signal::BackOff {
                        container,
                        restart,
                        delay_s,
                        finished_at,
                        started_at,
                    } => {
                        assert!(*delay_s >= 0, "{name}: negative delay {delay_s}");
                        assert!(finished_at <= started_at, "{name}");
                        assert!(*restart >= 1, "{name}: back-off before restart {restart}");
                        backoffs
                            .entry(format!("{}/{}", container.pod, container.container))
                            .or_default()
                            .push(*restart);
                    }
                    _ => {}
                }
            }
            let raw_terms: BTreeMap<String, usize> =
                raw_terms.into_iter().map(|(k, v)| (k, v.len())).collect();
            let raw_starts: BTreeMap<String, usize> =
                raw_starts.into_iter().map(|(k, v)| (k, v.len())).collect();
            assert_eq!(terms, raw_terms, "{name}: terminations");
            assert_eq!(starts, raw_starts, "{name}: starts");
            let mut delays: BTreeMap<String, Vec<(i32, i64)>> = BTreeMap::new();
            for e in &timeline.entries {
                if let Signal::BackOff {
                    container,
                    restart,
                    delay_s,
                    ..
                } = &e.signal
                {
                    delays
                        .entry(format!("{}/{}", container.pod, container.container))
                        .or_default()
                        .push((*restart, *delay_s));
                }
            }
            let delays: BTreeMap<String, Vec<i64>> = delays
                .into_iter()
                .map(|(c, mut v)| {
                    v.sort();
                    (c, v.into_iter().map(|(_, d)| d).collect())
                })
                .collect();
            let raw: BTreeMap<String, Vec<i64>> = raw_delays(&rec)
                .into_iter()
                .filter(|(_, v)| !v.is_empty())
                .collect();
            assert_eq!(
                delays, raw,
                "{name}: back-off delays differ from the raw objects'"
            );
            for (c, restarts) in backoffs {
                let distinct: BTreeSet<_> = restarts.iter().collect();
                assert_eq!(
                    distinct.len(),
                    restarts.len(),
                    "{name}: {c}: a restart delay twice: {restarts:?}"
                );
            }

            // Pinned, one entry per line, for review.
            let lines: Vec<String> = timeline
                .entries
                .iter()
                .map(|e| serde_json::to_string(e).unwrap())
                .collect();
            insta::assert_snapshot!(format!("timeline__{name}"), lines.join("\n"));
        }
    }
}
