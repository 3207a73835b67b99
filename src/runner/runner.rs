//! Runs scenarios against a cluster: each in its own namespace and task, at most `parallelism`
//! at a time, always cleaning up, and telling the world through [`RunEvent`]s.
//!
//! Per scenario the parent (this module) picks the namespace name, spawns the scenario task
//! (create namespace → start the watch → apply → observe → conclude) and then, whatever the
//! task did (finished, failed, was cancelled, panicked), writes the recording and deletes the
//! namespace.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use futures::{Stream, StreamExt};
use tokio::sync::Semaphore;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::expect::moment::{self, Live, Moment, PlannedCall};
use crate::scenario::{Scenario, StepRef, Target, WaitFor, humantime_secs};
use crate::timeline::{Observation, Observed, Recording, Timeline};

use super::capacity::{self, ParallelChoice};
use super::clock::Clock;
use super::cluster::Cluster;
use super::cluster_client::ClusterClient;
use super::error::{Error, Result};
use super::namespace::{namespace_name, random_suffix};
use super::observe::{Ending, Limits, Observer, RunPhase, WatchItem, observe};
use super::rollout::{Rollout, rollout_status};
use super::target_pod::owned_by;
use super::{ObservedSummary, RunEvent, ScenarioReport, Verdict};
use crate::scenario::ClusterFacts;
use crate::shutdown::Cancel;

/// How many scenarios run at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parallelism {
    /// As many as the cluster has room for ([`super::capacity`]); 4 when its nodes cannot be
    /// read.
    Auto,
    /// This many (0 is treated as 1).
    Fixed(usize),
}

/// What `auto` falls back to when the nodes cannot be read.
const AUTO_FALLBACK: usize = 4;

/// How a run behaves. The kube context is only reported (in [`RunEvent::RunStarted`]); the
/// client passed to [`Runner::new`] (or the cluster passed to [`Runner::with_cluster`])
/// decides where scenarios go.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Name of the kube context the client was built from.
    pub context: String,
    /// Scenarios running at once (`--parallel`).
    pub parallelism: Parallelism,
    /// Leave namespaces in place for inspection (`--keep`, `reproduce`); they are annotated as
    /// kept, so the next run's leftover collection leaves them alone.
    pub keep_namespaces: bool,
    /// Use this namespace name instead of `crashlab-<scenario>-<random>` (`reproduce
    /// --namespace`): for runs of one scenario only; creating it fails if it exists.
    pub namespace: Option<String>,
    /// Write `<dir>/<scenario>.json` recordings here (`--record`).
    pub record_dir: Option<PathBuf>,
    /// Called once per scenario the moment it is ready for diagnosis (every signal a diagnosis
    /// relies on seen, nothing contradicted: [`crate::expect::ready_for_diagnosis`]), while the watch
    /// goes on judging the rest of the contract (the back-off curve, restart counts, absences);
    /// `crashlab validate` runs the tool under test here. Cleanup waits for both. Whether the
    /// whole contract held is the report's verdict: a caller that acted on the live incident
    /// must check it.
    pub on_reproduced: Option<OnReproduced>,
    /// When `on_reproduced` is called: once per moment, in time order
    /// ([`crate::expect::moment`]). Default: at the evidence moment only.
    pub moments: Vec<Moment>,
    /// The time a tool is given: the `crashloop` moment comes when the next restart is at
    /// least this far away.
    pub tool_window: Duration,
    /// Hide the scenario's name from what runs in the cluster: an opaque namespace name
    /// (`crashlab-` and ten random characters), no scenario name in labels, annotations or
    /// selectors of the applied objects ([`super::blind`]).
    pub blind: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            context: String::new(),
            parallelism: Parallelism::Fixed(1),
            keep_namespaces: false,
            namespace: None,
            record_dir: None,
            on_reproduced: None,
            moments: vec![Moment::Evidence],
            tool_window: Duration::from_secs(10),
            blind: false,
        }
    }
}

/// A scenario ready for diagnosis: its namespace and target pod still exist.
#[derive(Debug, Clone, PartialEq)]
pub struct Reproduced {
    pub scenario: String,
    pub namespace: String,
    pub target: Target,
    /// The pod that showed the signals (for a workload, one of its newest revision's pods).
    pub pod: String,
    /// The moment this call is made at, the one asked for, and why they differ.
    pub moment: Moment,
    pub asked: Moment,
    pub note: Option<String>,
}

/// The callback of [`RunOptions::on_reproduced`]. Its results are the caller's business (it
/// keeps them where the closure can reach them); the runner only waits for it (alongside the
/// watch), and drops the future on Ctrl-C. It holds the scenario's parallelism slot while it
/// runs.
#[derive(Clone)]
pub struct OnReproduced(pub Arc<dyn Fn(Reproduced) -> BoxFuture<'static, ()> + Send + Sync>);

impl std::fmt::Debug for OnReproduced {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OnReproduced(..)")
    }
}

/// One scenario's result together with everything that was observed.
#[derive(Debug, Clone)]
pub struct ScenarioRun {
    pub report: ScenarioReport,
    /// `None` when the scenario never started (cancelled while queued).
    pub recording: Option<Recording>,
    /// When the first manifest was applied and when the watch ended: a tool run on the
    /// incident was watched between them (`crashlab validate` reads what it was shown).
    pub applied_at: Option<jiff::Timestamp>,
    pub watch_ended_at: Option<jiff::Timestamp>,
}

/// Internal timings and sources of variation, not user options; a replay fixes the last two.
#[derive(Debug, Clone)]
struct Tuning {
    /// Pauses between attempts to fetch previous logs (0.1 s … 4 s, 7.5 s in all). The first
    /// ones are short: the logs are evidence a diagnosis waits for, and the kubelet usually
    /// serves them within a few hundred milliseconds of the status naming the instance.
    log_retries: Vec<Duration>,
    /// Wait for log fetches in flight once the verdict is known.
    drain: Duration,
    /// Limit for looking up the node's kubelet version.
    node_lookup: Duration,
    /// Limit for the namespace deletion request itself (waiting for it to be gone uses the
    /// scenario's cleanup timeout).
    delete_request: Duration,
    /// Stamps `started_at`, steps and previous logs.
    clock: Clock,
    /// The last part of every namespace name; `None`: a fresh random one per scenario.
    namespace_suffix: Option<String>,
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            log_retries: [100, 200, 400, 800, 2000, 4000]
                .map(Duration::from_millis)
                .to_vec(),
            drain: Duration::from_secs(10),
            node_lookup: Duration::from_secs(10),
            delete_request: Duration::from_secs(30),
            clock: Clock::System,
            namespace_suffix: None,
        }
    }
}

/// Runs scenarios on a [`Cluster`]: a real one through kube-rs unless told otherwise.
pub struct Runner<C = ClusterClient> {
    cluster: C,
    options: RunOptions,
    tuning: Tuning,
}

impl Runner {
    /// A runner on the cluster `client` talks to.
    pub fn new(client: kube::Client, options: RunOptions) -> Self {
        Self::with_cluster(ClusterClient::new(client), options)
    }
}

impl<C: Cluster> Runner<C> {
    /// A runner on any [`Cluster`] (tests replay recorded runs through one).
    pub fn with_cluster(cluster: C, options: RunOptions) -> Self {
        Self {
            cluster,
            options,
            tuning: Tuning::default(),
        }
    }

    /// Runs `scenarios` and returns their reports in the same order, cancelled through the
    /// process-wide signal handling ([`super::signals`]): Ctrl-C (SIGINT) or SIGTERM cancels
    /// every scenario (each then cleans up) and a second one stops waiting for namespaces to
    /// disappear. Fails only when the cluster cannot be reached at all.
    pub async fn run(
        &self,
        scenarios: &[Scenario],
        sink: UnboundedSender<RunEvent>,
    ) -> Result<Vec<ScenarioReport>> {
        crate::shutdown::install();
        let cancel = crate::shutdown::process_cancel();
        let runs = self.run_until(scenarios, sink, &cancel).await;
        Ok(runs?.into_iter().map(|r| r.report).collect())
    }

    /// Like [`Runner::run`], returning the recordings and times too.
    pub async fn run_scenarios(
        &self,
        scenarios: &[Scenario],
        sink: UnboundedSender<RunEvent>,
    ) -> Result<Vec<ScenarioRun>> {
        crate::shutdown::install();
        let cancel = crate::shutdown::process_cancel();
        self.run_until(scenarios, sink, &cancel).await
    }

    /// Like [`Runner::run`], but cancelled through `cancel` instead of Ctrl-C, and returning
    /// the recordings too.
    pub async fn run_until(
        &self,
        scenarios: &[Scenario],
        sink: UnboundedSender<RunEvent>,
        cancel: &Cancel,
    ) -> Result<Vec<ScenarioRun>> {
        let started = Instant::now();
        let server_version = tokio::select! {
            v = self.cluster.server_version() => v?,
            _ = cancel.cancelled() => return Ok(Vec::new()),
        };
        // The kubelet's real curve replaces a curve the scenario does not state, and version
        // conditions pick the expectations that apply to this server.
        let backoff = self.cluster.kubelet_backoff().await;
        let facts = ClusterFacts {
            server_version: server_version.clone(),
            backoff: Some((backoff.initial_s, backoff.max_s)),
        };
        let scenarios: Vec<Scenario> = scenarios.iter().map(|s| s.for_cluster(&facts)).collect();
        let collected = self.collect_leftovers().await;
        if !collected.is_empty() {
            let _ = sink.send(RunEvent::LeftoversCollected {
                namespaces: collected,
            });
        }
        let parallel = self.parallel_choice(&scenarios).await;
        let permits = Semaphore::new(parallel.parallel);
        let _ = sink.send(RunEvent::RunStarted {
            count: scenarios.len(),
            context: self.options.context.clone(),
            server_version: server_version.clone(),
            kubelet_backoff: Some(backoff.clone()),
            parallel: (self.options.parallelism == Parallelism::Auto).then_some(parallel),
        });
        let runs = futures::future::join_all(
            scenarios
                .iter()
                .map(|s| self.run_one(s, &permits, &sink, cancel, &server_version, &backoff)),
        )
        .await;
        let _ = sink.send(RunEvent::RunFinished {
            elapsed_s: started.elapsed().as_secs_f64(),
        });
        Ok(runs)
    }

    /// How many of `scenarios` this runner would run at once, and why: `--parallel N`, or
    /// what the nodes have room for ([`capacity::auto_parallelism`]).
    pub async fn parallel_choice(&self, scenarios: &[Scenario]) -> ParallelChoice {
        match self.options.parallelism {
            Parallelism::Fixed(n) => ParallelChoice {
                parallel: n.max(1),
                because: "--parallel".to_owned(),
            },
            Parallelism::Auto => match self.cluster.node_room().await {
                Ok(room) => {
                    let needs: Vec<_> = scenarios.iter().map(capacity::needs_of).collect();
                    capacity::auto_parallelism(&room, &needs)
                }
                Err(e) => ParallelChoice {
                    parallel: AUTO_FALLBACK,
                    because: format!("the nodes could not be read ({e}), so {AUTO_FALLBACK}"),
                },
            },
        }
    }

    async fn run_one(
        &self,
        scenario: &Scenario,
        permits: &Semaphore,
        sink: &UnboundedSender<RunEvent>,
        cancel: &Cancel,
        server_version: &str,
        backoff: &crate::timeline::kubelet_backoff::KubeletBackoff,
    ) -> ScenarioRun {
        let name = scenario.metadata.name.clone();
        let permit = tokio::select! {
            biased;
            _ = cancel.cancelled() => None,
            p = permits.acquire() => p.ok(),
        };
        let Some(permit) = permit.filter(|_| !cancel.is_cancelled()) else {
            let report =
                unfinished_report(&name, "", 0.0, "cancelled before it started".to_owned());
            let _ = sink.send(RunEvent::ScenarioFinished {
                report: Box::new(report.clone()),
            });
            return ScenarioRun {
                report,
                recording: None,
                applied_at: None,
                watch_ended_at: None,
            };
        };

        let suffix = self.tuning.namespace_suffix.clone();
        let namespace = self.options.namespace.clone().unwrap_or_else(|| {
            let suffix = suffix.unwrap_or_else(random_suffix);
            if self.options.blind {
                super::blind::namespace_name(&suffix)
            } else {
                namespace_name(&name, &suffix)
            }
        });
        let started = Instant::now();
        let started_at = self.tuning.clock.now();
        let recorded = Arc::new(Mutex::new(Vec::new()));
        let times = Arc::new(Mutex::new((None, None)));
        let (live_tx, live_rx) = tokio::sync::watch::channel(Live::default());
        let planned = match &self.options.on_reproduced {
            Some(_) => moment::plan(&self.options.moments, &scenario.spec.expect),
            None => Vec::new(),
        };
        // The watch outlives the verdict while a call is still to come during it.
        let (hold_tx, hold_rx) =
            tokio::sync::watch::channel(planned.iter().any(|c| c.moment.during_watch()));
        let mut task = tokio::spawn(scenario_task(TaskInput {
            cluster: self.cluster.clone(),
            scenario: scenario.clone(),
            namespace: namespace.clone(),
            sink: sink.clone(),
            cancel: cancel.clone(),
            recorded: recorded.clone(),
            times: times.clone(),
            tuning: self.tuning.clone(),
            live: live_tx,
            hold: hold_rx,
            keep: self.options.keep_namespaces,
            blind: self.options.blind,
        }));
        let watched = async {
            tokio::select! {
                r = &mut task => r,
                _ = cancel.forced() => {
                    task.abort();
                    task.await
                }
            }
        };
        let live = |pod: String, call: &PlannedCall| Reproduced {
            scenario: name.clone(),
            namespace: namespace.clone(),
            target: scenario.spec.target.clone(),
            pod,
            moment: call.moment,
            asked: call.asked,
            note: call.note.clone(),
        };
        // The calls during the watch run while it goes on; both end before cleanup. What
        // the watch ended before is left for after it.
        let hooked = async {
            let Some(hook) = &self.options.on_reproduced else {
                return Vec::new();
            };
            let mut rx = live_rx;
            let mut left = Vec::new();
            for call in &planned {
                if !call.moment.during_watch() || !left.is_empty() {
                    left.push(call.clone());
                    continue;
                }
                let waited = tokio::select! {
                    w = wait_for_moment(&mut rx, call.moment, self.options.tool_window, &self.tuning.clock) => w,
                    _ = cancel.cancelled() => break,
                };
                match waited {
                    Ok(pod) => run_hook(hook, live(pod, call), cancel).await,
                    Err(why) => left.push(PlannedCall {
                        note: Some(why),
                        ..call.clone()
                    }),
                }
            }
            let _ = hold_tx.send(false);
            left
        };
        let (joined, left) = tokio::join!(watched, hooked);
        let mut report =
            report_or_explain(joined, &name, &namespace, started.elapsed().as_secs_f64());
        // Calls the watch ended before (a contract met only when the watch ended, or a
        // moment that never came), and `settled`: now, on an incident that held.
        if report.verdict == Verdict::Pass
            && let Some(hook) = &self.options.on_reproduced
        {
            let pod = report.observed.pods.last().cloned().unwrap_or_default();
            for call in left {
                if cancel.is_cancelled() {
                    break;
                }
                let call = PlannedCall {
                    moment: Moment::Settled,
                    note: match (call.moment, call.note) {
                        (Moment::Settled, note) => note,
                        (_, Some(why)) => Some(format!("{why}; ran after the watch ended")),
                        (m, None) => Some(format!("the watch ended before {m} came; ran after it")),
                    },
                    ..call
                };
                run_hook(hook, live(pod.clone(), &call), cancel).await;
            }
        }

        let observations = std::mem::take(&mut *lock(&recorded));
        let kubelet_version = match node_of(&observations, &scenario.spec.target) {
            Some(node) => match tokio::time::timeout(
                self.tuning.node_lookup,
                self.cluster.kubelet_version(&node),
            )
            .await
            {
                Ok(Ok(v)) if !v.is_empty() => Some(v),
                Ok(Ok(_)) => None,
                Ok(Err(e)) => {
                    tracing::warn!(%node, error = %e, "could not read the kubelet version");
                    None
                }
                Err(_) => None,
            },
            None => None,
        };
        let recording = Recording {
            scenario: name.clone(),
            namespace: namespace.clone(),
            server_version: server_version.to_owned(),
            kubelet_version,
            kubelet_backoff: Some(backoff.clone()),
            started_at,
            observations,
        };
        if let Some(dir) = &self.options.record_dir
            && let Err(e) = write_recording(dir, &recording).await
        {
            let was = match report.verdict {
                Verdict::Pass => "passed".to_owned(),
                Verdict::Fail => "failed".to_owned(),
                Verdict::Error => report.error.clone().unwrap_or_else(|| "error".to_owned()),
            };
            report.verdict = Verdict::Error;
            report.error = Some(format!("{e} (the scenario itself: {was})"));
        }
        let _ = sink.send(RunEvent::ScenarioFinished {
            report: Box::new(report.clone()),
        });
        // The slot is for watching: the next scenario starts while this namespace is deleted
        // (the wait for it to be gone took seconds per scenario, holding a slot for nothing).
        drop(permit);

        match self
            .cleanup(&namespace, scenario.spec.timeouts.cleanup, cancel)
            .await
        {
            Ok(kept) => {
                let _ = sink.send(RunEvent::CleanedUp {
                    scenario: name,
                    namespace,
                    kept,
                });
            }
            Err(e) => tracing::warn!(scenario = %name, "{e}"),
        }
        let (applied_at, watch_ended_at) = *lock(&times);
        ScenarioRun {
            report,
            recording: Some(recording),
            applied_at,
            watch_ended_at,
        }
    }

    /// Deletes the namespaces this host's dead crashlab runs left behind (a `kill -9`, a
    /// crashed CI job): only those whose owner process is certainly gone, whatever their age.
    /// `crashlab gc` also handles other hosts' namespaces, by age. Failures only warn.
    async fn collect_leftovers(&self) -> Vec<(String, String)> {
        let namespaces = match self.cluster.crashlab_namespaces().await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!("could not look for leftover namespaces: {e}");
                return Vec::new();
            }
        };
        let here = super::owner::Owner::current();
        let decisions = super::gc::decide(
            &namespaces,
            &here,
            self.tuning.clock.now(),
            Duration::MAX,
            &super::owner::is_running,
        );
        let mut collected = Vec::new();
        for d in decisions.into_iter().filter(|d| d.delete) {
            match self.cluster.delete_namespace(&d.namespace).await {
                Ok(_) => collected.push((d.namespace, d.reason)),
                Err(e) => tracing::warn!("could not delete leftover {}: {e}", d.namespace),
            }
        }
        collected
    }

    /// Deletes the namespace (foreground) and waits until it is gone, within `limit`.
    /// Returns `true` when it was kept on purpose.
    async fn cleanup(&self, namespace: &str, limit: Duration, cancel: &Cancel) -> Result<bool> {
        if self.options.keep_namespaces {
            return Ok(true);
        }
        // A second Ctrl-C gives up on a request that hangs, as on the wait below.
        let request = tokio::time::timeout(
            self.tuning.delete_request,
            self.cluster.delete_namespace(namespace),
        );
        let uid = tokio::select! {
            r = request => r.map_err(|_| Error::DeleteNamespace {
                namespace: namespace.to_owned(),
                message: format!(
                    "the delete request got no answer within {}",
                    humantime_secs::format(self.tuning.delete_request)
                ),
            })??,
            _ = cancel.forced() => {
                return Err(Error::CleanupAbandoned { namespace: namespace.to_owned() });
            }
        };
        let Some(uid) = uid else {
            return Ok(false);
        };
        tokio::select! {
            r = tokio::time::timeout(limit, self.cluster.namespace_gone(namespace, &uid)) => match r {
                Ok(r) => r.map(|()| false),
                Err(_) => Err(Error::CleanupTimedOut { namespace: namespace.to_owned(), waited: limit }),
            },
            _ = cancel.forced() => Err(Error::CleanupAbandoned { namespace: namespace.to_owned() }),
        }
    }
}

#[cfg(test)]
impl Runner<super::replay_cluster::ReplayCluster> {
    /// A runner replaying `cluster`'s recording: its times are the recording's, and its
    /// namespace is named as the recorded one.
    pub(crate) fn replaying(
        cluster: super::replay_cluster::ReplayCluster,
        options: RunOptions,
    ) -> Self {
        let mut runner = Self::with_cluster(cluster, options);
        runner.tuning.clock = runner.cluster.clock();
        runner.tuning.namespace_suffix = Some(runner.cluster.namespace_suffix());
        runner
    }
}

/// Waits until `moment` comes on the live incident; the target pod then. Fails, saying why,
/// when the watch ends first.
async fn wait_for_moment(
    rx: &mut tokio::sync::watch::Receiver<Live>,
    moment: Moment,
    window: Duration,
    clock: &Clock,
) -> std::result::Result<String, String> {
    // `running` waits for a restart after the one the evidence (or the wait) began at.
    let mut baseline: Option<i32> = None;
    // The longest CrashLoopBackOff wait seen, for the reason when none was long enough.
    let mut longest: Option<Duration> = None;
    loop {
        {
            let live = rx.borrow_and_update();
            // A contradicted scenario is no incident to diagnose: waiting on would only hold
            // its watch open to the end of its window.
            if live.failed {
                return Err(format!("the scenario failed before {moment} came"));
            }
            let now = clock.now();
            if live.evidence_at.is_some() && baseline.is_none() {
                baseline = Some(live.target.as_ref().map_or(0, |t| t.instance));
            }
            if let Some(left) = live
                .target
                .as_ref()
                .and_then(|t| moment::crashloop_window(t, now))
            {
                longest = longest.max(Some(left));
            }
            if moment::reached(moment, &live, now, window, baseline) {
                return Ok(live.pod.clone().unwrap_or_default());
            }
        }
        if rx.changed().await.is_err() {
            return Err(match (moment, longest) {
                (Moment::Crashloop, Some(l)) => format!(
                    "no CrashLoopBackOff wait of at least {} came within the observe window (the longest was {:.1}s)",
                    humantime_secs::format(window),
                    l.as_secs_f64()
                ),
                (Moment::Crashloop, None) => {
                    "no CrashLoopBackOff came within the observe window".to_owned()
                }
                (m, _) => format!("the watch ended before {m} came"),
            });
        }
    }
}

/// Runs the hook until it ends or the run is cancelled.
async fn run_hook(hook: &OnReproduced, live: Reproduced, cancel: &Cancel) {
    tokio::select! {
        () = (hook.0)(live) => {}
        _ = cancel.cancelled() => {}
    }
}

struct TaskInput<C> {
    cluster: C,
    scenario: Scenario,
    namespace: String,
    sink: UnboundedSender<RunEvent>,
    cancel: Cancel,
    recorded: Arc<Mutex<Vec<Observation>>>,
    tuning: Tuning,
    /// When the first manifest was applied and when the watch ended.
    times: Arc<Mutex<(Option<jiff::Timestamp>, Option<jiff::Timestamp>)>>,
    /// Where the incident as seen so far is published, and whether a tool still needs the
    /// watch ([`Observer::publish_live`]).
    live: tokio::sync::watch::Sender<Live>,
    hold: tokio::sync::watch::Receiver<bool>,
    keep: bool,
    blind: bool,
}

/// Deploy → observe → conclude, in its own task so a panic cannot skip the parent's cleanup.
async fn scenario_task<C: Cluster>(input: TaskInput<C>) -> ScenarioReport {
    let TaskInput {
        cluster,
        scenario,
        namespace,
        sink,
        cancel,
        recorded,
        times,
        tuning,
        live,
        hold,
        keep,
        blind,
    } = input;
    let name = scenario.metadata.name.as_str();
    let spec = &scenario.spec;
    let started = Instant::now();
    let limits = Limits {
        deploy_deadline: started + spec.timeouts.deploy,
        deploy: spec.timeouts.deploy,
        observe: spec.timeouts.observe,
        window_after_promised: spec.timeouts.window_after_promised(),
        log_retries: tuning.log_retries.clone(),
        drain: tuning.drain,
        clock: tuning.clock,
    };
    let mut observer = Observer::new(name, &spec.target, &spec.expect, sink.clone(), recorded);
    observer.publish_live(live, hold);
    let applied_at = Mutex::new(None);
    let (tx, rx) = futures::channel::mpsc::unbounded();

    let deploy = async {
        let label = if blind { super::blind::OPAQUE } else { name };
        cluster.create_namespace(&namespace, label, keep).await?;
        // Pods are refused until the controller manager has made the namespace's `default`
        // ServiceAccount (a moment on a cluster that has just started).
        retry_unreachable(|| cluster.wait_default_service_account(&namespace)).await?;
        // Watch from before the first apply, so the recording holds every status the pod had.
        let steps_tx = tx.clone();
        let watch = AbortOnDrop(tokio::spawn(forward(cluster.watch(&namespace), tx)));
        *lock(&applied_at) = Some(tuning.clock.now());
        for step in spec.steps() {
            for (i, manifest) in step.manifests.iter().enumerate() {
                let blinded;
                let manifest = if blind {
                    blinded = super::blind::manifest(manifest, name);
                    &blinded
                } else {
                    manifest
                };
                retry_unreachable(|| cluster.apply(&namespace, i, manifest)).await?;
            }
            if let Some(name) = step.name {
                // Recorded with the watch, so the timeline shows where each step began.
                let _ = steps_tx.unbounded_send(WatchItem::Observed(Observation {
                    received_at: tuning.clock.now(),
                    what: Observed::Step {
                        index: step.index,
                        name: name.to_owned(),
                    },
                }));
            }
            if step.wait_for == Some(WaitFor::RolledOut) {
                wait_rolled_out(&cluster, &namespace, &spec.target, &step).await?;
            }
        }
        Ok::<_, Error>(watch)
    };
    let deployed = tokio::select! {
        biased;
        _ = cancel.cancelled() => Err(Ending::Cancelled(RunPhase::Deploy)),
        _ = tokio::time::sleep_until(limits.deploy_deadline) => Err(Ending::Failed(format!(
            "deploy phase timed out after {} while creating the namespace and applying manifests",
            humantime_secs::format(spec.timeouts.deploy)
        ))),
        r = deploy => r.map_err(|e| Ending::Failed(format!("deploy phase failed: {e}"))),
    };
    let ending = match deployed {
        Err(ending) => ending,
        Ok(_watch) => {
            if let Some(at) = *lock(&applied_at) {
                observer.applied(at);
            }
            let _ = sink.send(RunEvent::ScenarioStarted {
                scenario: name.to_owned(),
                namespace: namespace.clone(),
                target: spec.target.clone(),
                summary: scenario.metadata.summary.clone(),
            });
            observe(
                &mut observer,
                rx,
                &cluster.logs(&namespace),
                &limits,
                &cancel,
            )
            .await
        }
    };
    *lock(&times) = (*lock(&applied_at), Some(tuning.clock.now()));
    let c = observer.conclude(&ending);
    ScenarioReport {
        name: name.to_owned(),
        namespace,
        verdict: c.verdict,
        error: c.error,
        checks: c.checks,
        observed: c.observed,
        elapsed_s: started.elapsed().as_secs_f64(),
        ready_after_s: c.ready_after_s,
        crashloop_after_s: c.crashloop_after_s,
        timeline: c.timeline,
    }
}

/// Retries a deploy step while the API server cannot be reached (a kube-apiserver restarting
/// after a crash answers again within seconds); the deploy deadline around the whole phase
/// bounds the retries. API answers (a rejected manifest) are not retried.
async fn retry_unreachable<T, F, Fut>(mut step: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    loop {
        match step().await {
            Err(Error::Unreachable { message }) => {
                tracing::warn!("API server unreachable ({message}); retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            other => return other,
        }
    }
}

/// Polls the target workload until its rollout is complete (the deploy deadline around the
/// whole deploy phase bounds the wait).
async fn wait_rolled_out<C: Cluster>(
    cluster: &C,
    namespace: &str,
    target: &Target,
    step: &StepRef<'_>,
) -> Result<()> {
    let workload = target.workload();
    loop {
        let object = cluster
            .get_workload(namespace, workload.kind, workload.name)
            .await?;
        match rollout_status(workload.kind, &object) {
            Rollout::Done => return Ok(()),
            Rollout::Failed(message) => {
                return Err(Error::StepWait {
                    step: step.index + 1,
                    name: step.name.unwrap_or_default().to_owned(),
                    message,
                });
            }
            Rollout::Waiting(why) => {
                tracing::debug!(%namespace, %why, "waiting for the rollout");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }
}

/// Drives the watch in its own task, so items are stamped when they arrive even while the
/// scenario task is busy applying manifests.
async fn forward(
    stream: impl Stream<Item = WatchItem>,
    tx: futures::channel::mpsc::UnboundedSender<WatchItem>,
) {
    let mut stream = std::pin::pin!(stream);
    while let Some(item) = stream.next().await {
        if tx.unbounded_send(item).is_err() {
            break;
        }
    }
}

/// Stops the watch when observation ends, however it ends.
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The node that ran a target pod, from the last observation that names one.
fn node_of(observations: &[Observation], target: &Target) -> Option<String> {
    observations.iter().rev().find_map(|o| match &o.what {
        Observed::Pod { object } if owned_by(target, object) => {
            object.spec.as_ref().and_then(|s| s.node_name.clone())
        }
        _ => None,
    })
}

/// `<dir>/<scenario>.json`, pretty-printed, written through a temporary file so a reader never
/// sees half a recording.
async fn write_recording(dir: &Path, recording: &Recording) -> Result<PathBuf> {
    let path = dir.join(format!("{}.json", recording.scenario));
    let fail = |source| Error::WriteRecording {
        path: path.clone(),
        source,
    };
    let mut json = serde_json::to_vec_pretty(recording).map_err(|e| fail(e.into()))?;
    json.push(b'\n');
    tokio::fs::create_dir_all(dir).await.map_err(fail)?;
    let tmp = dir.join(format!(".{}.json.tmp", recording.scenario));
    tokio::fs::write(&tmp, &json).await.map_err(fail)?;
    tokio::fs::rename(&tmp, &path).await.map_err(fail)?;
    Ok(path)
}

/// The scenario task's report, or an `error` report saying why there is none (it panicked,
/// or was abandoned after a second cancel request).
fn report_or_explain(
    joined: std::result::Result<ScenarioReport, tokio::task::JoinError>,
    name: &str,
    namespace: &str,
    elapsed_s: f64,
) -> ScenarioReport {
    joined.unwrap_or_else(|e| {
        let why = if e.is_panic() {
            format!(
                "internal error: the scenario task panicked: {}",
                panic_message(e.into_panic())
            )
        } else {
            "abandoned after a second cancel request".to_owned()
        };
        unfinished_report(name, namespace, elapsed_s, why)
    })
}

fn unfinished_report(name: &str, namespace: &str, elapsed_s: f64, error: String) -> ScenarioReport {
    ScenarioReport {
        name: name.to_owned(),
        namespace: namespace.to_owned(),
        verdict: Verdict::Error,
        error: Some(error),
        checks: Vec::new(),
        observed: ObservedSummary::default(),
        elapsed_s,
        ready_after_s: None,
        crashloop_after_s: None,
        timeline: Timeline::default(),
    }
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::previous_logs::tests::{RUNNING, pod};

    fn obs(what: Observed) -> Observation {
        Observation {
            received_at: "2026-01-01T00:00:00Z".parse().unwrap(),
            what,
        }
    }

    #[test]
    fn node_comes_from_the_last_target_pod_that_names_one() {
        let target = Target::pod("app", "app");
        let unscheduled = pod(0, RUNNING, "{}");
        let mut scheduled = pod(0, RUNNING, "{}");
        scheduled.spec.as_mut().unwrap().node_name = Some("crashlab-node".into());
        let mut other = scheduled.clone();
        other.metadata.name = Some("db".into());
        other.spec.as_mut().unwrap().node_name = Some("elsewhere".into());
        let observations = vec![
            obs(Observed::Pod {
                object: Box::new(unscheduled),
            }),
            obs(Observed::Pod {
                object: Box::new(scheduled),
            }),
            obs(Observed::Pod {
                object: Box::new(other),
            }),
            obs(Observed::PodDeleted { name: "app".into() }),
        ];
        assert_eq!(
            node_of(&observations, &target).as_deref(),
            Some("crashlab-node")
        );
        assert_eq!(node_of(&observations[..1], &target), None);
    }

    #[tokio::test]
    async fn recordings_are_pretty_json_named_after_the_scenario() {
        let dir = tempfile::tempdir().unwrap();
        let recording = Recording {
            scenario: "exit-1".into(),
            namespace: "crashlab-exit-1-b4x7q".into(),
            server_version: "v1.34.4".into(),
            kubelet_version: Some("v1.34.4".into()),
            kubelet_backoff: None,
            started_at: "2026-01-01T00:00:00Z".parse().unwrap(),
            observations: vec![obs(Observed::PodDeleted { name: "app".into() })],
        };
        let sub = dir.path().join("recordings");
        let path = write_recording(&sub, &recording).await.unwrap();
        assert_eq!(path, sub.join("exit-1.json"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("{\n  \"scenario\": \"exit-1\""), "{text}");
        let back: Recording = serde_json::from_str(&text).unwrap();
        assert_eq!(back, recording);
        assert_eq!(
            std::fs::read_dir(&sub).unwrap().count(),
            1,
            "no temporary file left behind"
        );
    }

    #[tokio::test]
    async fn a_panicking_scenario_task_still_yields_a_report() {
        let task = tokio::spawn(async { panic!("builder exploded") });
        let report = report_or_explain(task.await, "exit-1", "crashlab-exit-1-b4x7q", 1.5);
        assert_eq!(report.verdict, Verdict::Error);
        assert_eq!(report.namespace, "crashlab-exit-1-b4x7q");
        assert_eq!(
            report.error.as_deref(),
            Some("internal error: the scenario task panicked: builder exploded")
        );

        let task = tokio::spawn(std::future::pending::<ScenarioReport>());
        task.abort();
        let report = report_or_explain(task.await, "exit-1", "ns", 0.0);
        assert_eq!(
            report.error.as_deref(),
            Some("abandoned after a second cancel request")
        );
    }

    #[test]
    fn panic_messages_are_recovered() {
        assert_eq!(panic_message(Box::new("boom")), "boom");
        assert_eq!(panic_message(Box::new(String::from("bang"))), "bang");
        assert_eq!(panic_message(Box::new(7)), "(no message)");
    }
}
