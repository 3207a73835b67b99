//! kube-state-metrics series derived from a recorded timeline: what a Prometheus scraping
//! kube-state-metrics every [`SeriesOptions::scrape_interval_s`] would have stored while the
//! scenario ran, then held at the loop's last state for [`SeriesOptions::extend_s`] so that
//! slow rules (`for: 15m`) can be judged. Derived, not scraped.
//!
//! The definitions follow kube-state-metrics `internal/store/pod.go`:
//! - `kube_pod_container_status_waiting_reason{container,reason}`: 1 while the container waits
//!   with that reason; no series otherwise ("skip creating series for running containers").
//! - `kube_pod_container_status_restarts_total{container}`: the status' `restartCount`.
//! - `kube_pod_container_status_last_terminated_reason{container,reason}`: 1 for the reason
//!   of `lastState.terminated`, while there is one.
//! - `kube_pod_container_status_last_terminated_exitcode{container}`: its exit code.
//!
//! Init containers get the `kube_pod_init_container_status_*` names of the first three.
//! Every series carries `namespace`, `pod` and the scrape's `job="kube-state-metrics"` (the
//! kubernetes-mixin selects on it); the pod `uid` label is left out (the timeline has none).
//! A series that disappears gets a staleness marker at the next scrape, as Prometheus writes.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

use super::outlook::Outlook;
use crate::timeline::{ContainerRef, Signal, Timeline};

/// A common kube-state-metrics scrape interval (the kube-prometheus ServiceMonitor's 30s
/// halved, so that short crash loops leave more than one sample).
pub const DEFAULT_SCRAPE_INTERVAL_S: u64 = 15;
/// Long enough for the mixin's `for: 15m` after a 5m `max_over_time` window.
pub const DEFAULT_EXTEND_S: u64 = 30 * 60;
/// The `job` label Prometheus gives the kube-state-metrics target (the mixin's default
/// `kubeStateMetricsSelector`).
pub const KSM_JOB: &str = "kube-state-metrics";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeriesOptions {
    pub scrape_interval_s: u64,
    /// How long the last state is held after the last observation.
    pub extend_s: u64,
}

impl Default for SeriesOptions {
    fn default() -> Self {
        Self {
            scrape_interval_s: DEFAULT_SCRAPE_INTERVAL_S,
            extend_s: DEFAULT_EXTEND_S,
        }
    }
}

/// One sample slot of a series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Sample {
    /// No sample at this scrape.
    Absent,
    /// The staleness marker written when the series disappeared.
    Stale,
    Value(f64),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    pub metric: &'static str,
    /// Sorted by name (`BTreeMap`), `__name__` excluded.
    pub labels: BTreeMap<String, String>,
    /// One slot per scrape, scrape 0 at [`DerivedSeries::start`].
    pub samples: Vec<Sample>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DerivedSeries {
    /// Scrape 0: the first observation of the timeline (right after the scenario was applied).
    pub start: Timestamp,
    pub scrape_interval_s: u64,
    /// Scrapes 0..observed_scrapes fall within the observation; the rest are the extension.
    pub observed_scrapes: usize,
    pub scrapes: usize,
    /// When a container was first seen waiting in `CrashLoopBackOff`.
    pub loop_started: Option<Timestamp>,
    pub series: Vec<Series>,
}

impl DerivedSeries {
    /// Seconds from scrape 0 to the first `CrashLoopBackOff`.
    pub fn loop_offset_s(&self) -> Option<f64> {
        self.loop_started
            .map(|t| t.duration_since(self.start).as_secs_f64())
    }
}

/// What kube-state-metrics would read from one container's status.
#[derive(Debug, Clone, Default)]
struct ContainerState {
    waiting: Option<String>,
    /// The instance whose termination is the current state (`state.terminated`).
    terminated_now: Option<i32>,
    restarts: i32,
    /// Every termination seen, by instance (0 = first run): (reason, exit code).
    terminations: BTreeMap<i32, (String, i32)>,
    /// The waiting reason that last followed a termination: where a restartable container
    /// goes after it exits. The extension holds a looping container in it.
    after_exit: Option<String>,
    /// `startedAt` of the running instance.
    running_since: Option<Timestamp>,
    /// The longest any terminated instance ran (`finishedAt` − `startedAt`), seconds.
    longest_run_s: f64,
}

impl ContainerState {
    fn apply(&mut self, signal: &Signal) {
        match signal {
            Signal::Waiting {
                reason,
                restart_count,
                ..
            } => {
                if !self.terminations.is_empty() {
                    self.after_exit = Some(reason.clone());
                }
                self.running_since = None;
                self.waiting = Some(reason.clone());
                self.terminated_now = None;
                self.restarts = self.restarts.max(*restart_count);
            }
            Signal::Started {
                restart_count,
                started_at,
                ..
            } => {
                self.waiting = None;
                self.terminated_now = None;
                self.running_since = Some(*started_at);
                self.restarts = self.restarts.max(*restart_count);
            }
            Signal::Terminated {
                exit_code,
                reason,
                restart_count,
                started_at,
                finished_at,
                ..
            } => {
                if let (Some(s), Some(f)) = (started_at, finished_at) {
                    self.longest_run_s = self.longest_run_s.max(f.duration_since(*s).as_secs_f64());
                }
                self.terminations.insert(
                    *restart_count,
                    (reason.clone().unwrap_or_default(), *exit_code),
                );
                // A termination of an older instance (from `lastState`) changes nothing
                // about the current state.
                if *restart_count >= self.restarts {
                    self.waiting = None;
                    self.running_since = None;
                    self.terminated_now = Some(*restart_count);
                    self.restarts = *restart_count;
                }
            }
            _ => {}
        }
    }

    /// `lastState.terminated`: the newest termination that is not the current state.
    fn last_terminated(&self) -> Option<&(String, i32)> {
        self.terminations
            .iter()
            .rev()
            .find(|(instance, _)| Some(**instance) != self.terminated_now)
            .map(|(_, t)| t)
    }

    /// The state held after the last observation (`end`). A looping container (its exits
    /// were followed by a wait, e.g. `CrashLoopBackOff`) is held in that wait: the loop goes
    /// on, and a loop spends its time waiting in back-off. With [`Outlook::MayRecover`] only
    /// one last seen terminated, or running for no longer than its longest earlier instance
    /// ran, is held; one that outlived every earlier instance recovered and stays as seen.
    fn held(&self, end: Timestamp, outlook: Outlook) -> ContainerState {
        let mut held = self.clone();
        let Some(reason) = &self.after_exit else {
            return held;
        };
        let still_looping = match (outlook, self.running_since) {
            (Outlook::LoopGoesOn, _) => true,
            (Outlook::MayRecover, Some(since)) => {
                end.duration_since(since).as_secs_f64() <= self.longest_run_s
            }
            (Outlook::MayRecover, None) => self.terminated_now.is_some(),
        };
        if still_looping {
            held.waiting = Some(reason.clone());
            held.terminated_now = None;
            held.running_since = None;
        }
        held
    }
}

/// One timeline entry's effect on the containers kube-state-metrics would see.
fn apply(containers: &mut BTreeMap<ContainerRef, ContainerState>, signal: &Signal) {
    match signal {
        Signal::PodDeleted { pod } => containers.retain(|c, _| &c.pod != pod),
        Signal::Waiting { container, .. }
        | Signal::Started { container, .. }
        | Signal::Terminated { container, .. } => containers
            .entry(container.clone())
            .or_default()
            .apply(signal),
        _ => {}
    }
}

type Key = (&'static str, BTreeMap<String, String>);

/// The series kube-state-metrics would expose for these containers right now.
fn exposed(
    namespace: &str,
    containers: &BTreeMap<ContainerRef, ContainerState>,
) -> Vec<(Key, f64)> {
    let mut out = Vec::new();
    for (c, state) in containers {
        let labels = |extra: Option<&str>| {
            let mut l = BTreeMap::from([
                ("container".to_owned(), c.container.clone()),
                ("job".to_owned(), KSM_JOB.to_owned()),
                ("namespace".to_owned(), namespace.to_owned()),
                ("pod".to_owned(), c.pod.clone()),
            ]);
            if let Some(reason) = extra {
                l.insert("reason".to_owned(), reason.to_owned());
            }
            l
        };
        let names = if c.init {
            [
                "kube_pod_init_container_status_waiting_reason",
                "kube_pod_init_container_status_restarts_total",
                "kube_pod_init_container_status_last_terminated_reason",
            ]
        } else {
            [
                "kube_pod_container_status_waiting_reason",
                "kube_pod_container_status_restarts_total",
                "kube_pod_container_status_last_terminated_reason",
            ]
        };
        if let Some(reason) = &state.waiting {
            out.push(((names[0], labels(Some(reason))), 1.0));
        }
        out.push(((names[1], labels(None)), f64::from(state.restarts)));
        if let Some((reason, exit_code)) = state.last_terminated() {
            out.push(((names[2], labels(Some(reason))), 1.0));
            if !c.init {
                out.push((
                    (
                        "kube_pod_container_status_last_terminated_exitcode",
                        labels(None),
                    ),
                    f64::from(*exit_code),
                ));
            }
        }
    }
    out
}

/// Derives the series of every container in `timeline` (run in `namespace`), held after the
/// observation as `outlook` says. `None` when the timeline is empty.
pub fn derive_series(
    timeline: &Timeline,
    namespace: &str,
    options: SeriesOptions,
    outlook: Outlook,
) -> Option<DerivedSeries> {
    let entries = &timeline.entries;
    let start = entries.first()?.at;
    let end = entries.last()?.at;
    let interval = options.scrape_interval_s.max(1);
    let observed_s = end.duration_since(start).as_secs_f64();
    let observed_scrapes = (observed_s / interval as f64).floor() as usize + 1;
    let scrapes = observed_scrapes + (options.extend_s / interval) as usize;

    let mut containers: BTreeMap<ContainerRef, ContainerState> = BTreeMap::new();
    let mut slots: BTreeMap<Key, Vec<Sample>> = BTreeMap::new();
    let mut next = 0;
    let mut held = None;
    for k in 0..scrapes {
        let exposed_now = if k < observed_scrapes {
            let at = start
                .checked_add(jiff::SignedDuration::from_secs(
                    (k as u64 * interval) as i64,
                ))
                .unwrap_or(end);
            while next < entries.len() && entries[next].at <= at {
                apply(&mut containers, &entries[next].signal);
                next += 1;
            }
            exposed(namespace, &containers)
        } else {
            held.get_or_insert_with(|| {
                // Entries after the last scrape of the observation still count.
                for e in &entries[next..] {
                    apply(&mut containers, &e.signal);
                }
                let held: BTreeMap<_, _> = containers
                    .iter()
                    .map(|(c, s)| (c.clone(), s.held(end, outlook)))
                    .collect();
                exposed(namespace, &held)
            })
            .clone()
        };
        for (key, value) in exposed_now {
            slots
                .entry(key)
                .or_insert_with(|| vec![Sample::Absent; scrapes])[k] = Sample::Value(value);
        }
    }

    let loop_started = entries.iter().find_map(|e| match &e.signal {
        Signal::Waiting { reason, .. } if reason == "CrashLoopBackOff" => Some(e.at),
        _ => None,
    });
    let series = slots
        .into_iter()
        .map(|((metric, labels), mut samples)| {
            for i in 1..samples.len() {
                if samples[i] == Sample::Absent && matches!(samples[i - 1], Sample::Value(_)) {
                    samples[i] = Sample::Stale;
                }
            }
            Series {
                metric,
                labels,
                samples,
            }
        })
        .collect();
    Some(DerivedSeries {
        start,
        scrape_interval_s: interval,
        observed_scrapes,
        scrapes,
        loop_started,
        series,
    })
}
