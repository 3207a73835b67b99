//! Observing one scenario: watch items in, timeline entries, previous-log fetches and a
//! verdict out. Generic over the stream of watch items and the log source, so tests drive it
//! with `futures::stream::iter` and a fake, without an API server.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::stream::FuturesUnordered;
use futures::{Stream, StreamExt};
use jiff::Timestamp;
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::expect::{self, CheckResult, Decision, Evaluation, Outcome, Watch};
use crate::scenario::{Expectations, Target, WorkloadKind, humantime_secs};
use crate::timeline::{Observation, Observed, Timeline, TimelineBuilder};

use super::clock::Clock;
use super::previous_logs::{FetchRequest, PreviousLogsPlanner};
use super::{ObservedSummary, RunEvent, Verdict};
use crate::shutdown::Cancel;

/// One item of the merged Pod + Event watch.
#[derive(Debug, Clone)]
pub enum WatchItem {
    Observed(Observation),
    /// The watch failed and will be retried (with back-off) by the watcher.
    Error(String),
}

/// Where previous-container logs come from (the kubelet, through the API server).
pub trait LogSource: Sync {
    /// `kubectl logs <pod> -c <container> --previous`.
    fn previous_logs(
        &self,
        pod: &str,
        container: &str,
    ) -> impl Future<Output = Result<String, LogError>> + Send;

    /// `kubectl logs <pod> -c <container>` of a container that has terminated for good (its
    /// pod will not restart it: `restartPolicy: Never`, a finished pod). A replay serves
    /// both from the same recorded answers.
    fn final_logs(
        &self,
        pod: &str,
        container: &str,
    ) -> impl Future<Output = Result<String, LogError>> + Send {
        self.previous_logs(pod, container)
    }
}

/// Why previous logs could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogError {
    /// Worth another try shortly (the kubelet has not caught up, a network hiccup).
    Retry(String),
    /// The instance's logs are gone for good (its container was removed).
    Gone(String),
}

/// The phase a scenario was in when it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunPhase {
    /// Creating the namespace, applying manifests, waiting for the target pod to appear.
    Deploy,
    /// Watching until the expectations are decided.
    Observe,
}

impl RunPhase {
    fn as_str(self) -> &'static str {
        match self {
            RunPhase::Deploy => "deploy",
            RunPhase::Observe => "observe",
        }
    }
}

/// Why observation stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// Every check is decided.
    Decided,
    /// The phase's time limit ran out.
    TimedOut(RunPhase, Duration),
    /// Ctrl-C (or [`Cancel::cancel`]).
    Cancelled(RunPhase),
    /// The target pod was deleted while being observed: nothing more will happen to it.
    TargetDeleted,
    /// The watch stream ended, which a real watcher never does.
    WatchClosed(RunPhase),
    /// The deploy phase failed or timed out before the watch began (namespace creation,
    /// apply); the message says what, and in which phase.
    Failed(String),
}

/// Time limits, retry schedule and clock for one observation.
#[derive(Debug, Clone)]
pub struct Limits {
    /// End of the deploy phase (apply + the target pod appearing).
    pub deploy_deadline: Instant,
    /// Length of the deploy phase, for messages.
    pub deploy: Duration,
    /// Length of the observe phase, counted from the target pod's first appearance.
    pub observe: Duration,
    /// For a must-not window counted from the promised signals: its length. Once every
    /// promised signal has come (within `observe`), the watch ends this long after
    /// ([`Observer::only_absence_left`]), sooner or later than `observe` would have.
    pub window_after_promised: Option<Duration>,
    /// Pauses between attempts to fetch previous logs, for the moment between the pod
    /// status naming the instance and the kubelet serving its logs.
    pub log_retries: Vec<Duration>,
    /// How long to wait for log fetches still in flight once the verdict is known.
    pub drain: Duration,
    /// Stamps the previous logs fetched (watch items come stamped).
    pub clock: Clock,
}

/// The parts of a [`super::ScenarioReport`] that observation decides.
#[derive(Debug, Clone, PartialEq)]
pub struct Conclusion {
    pub verdict: Verdict,
    pub error: Option<String>,
    pub checks: Vec<CheckResult>,
    pub observed: ObservedSummary,
    pub timeline: Timeline,
    /// Seconds from the first apply to the moment the scenario was ready for diagnosis.
    pub ready_after_s: Option<f64>,
    /// Seconds from the first apply to the target's first `CrashLoopBackOff`.
    pub crashloop_after_s: Option<f64>,
}

/// Turns observations into timeline entries, run events, log requests and evaluations.
pub struct Observer {
    scenario: String,
    target: Target,
    expect: Expectations,
    builder: TimelineBuilder,
    planner: PreviousLogsPlanner,
    /// The latest evaluation; frozen once decided.
    evaluation: Option<Evaluation>,
    /// How far the watch has come: open, or past the window with a curve still pending.
    watch: Watch,
    decided: bool,
    target_seen: bool,
    target_deleted: bool,
    last_watch_error: Option<String>,
    /// When the first manifest was applied (times in the conclusion count from here).
    applied_at: Option<Timestamp>,
    /// When the scenario became ready for diagnosis ([`expect::readiness`]).
    ready_at: Option<Timestamp>,
    /// Where the incident as seen so far is published for the moment a tool runs
    /// ([`expect::moment`]), when a tool is to run.
    live: Option<watch::Sender<expect::moment::Live>>,
    /// While it says `true`, a decided verdict does not end the watch: a tool is still to
    /// run (or running) on the incident, and what it is shown is recorded.
    hold: Option<watch::Receiver<bool>>,
    events: UnboundedSender<RunEvent>,
    /// Shared with the parent task so the evidence survives a panic here.
    recorded: Arc<Mutex<Vec<Observation>>>,
}

impl Observer {
    pub fn new(
        scenario: &str,
        target: &Target,
        expect: &Expectations,
        events: UnboundedSender<RunEvent>,
        recorded: Arc<Mutex<Vec<Observation>>>,
    ) -> Self {
        Self {
            scenario: scenario.to_owned(),
            target: target.clone(),
            expect: expect.clone(),
            builder: TimelineBuilder::default(),
            planner: PreviousLogsPlanner::new(target.clone()),
            evaluation: None,
            watch: Watch::Open,
            decided: false,
            target_seen: false,
            target_deleted: false,
            last_watch_error: None,
            applied_at: None,
            ready_at: None,
            live: None,
            hold: None,
            events,
            recorded,
        }
    }

    /// Publishes the incident as seen so far on `live` after every observation (the watch
    /// goes on; the verdict is decided on the whole contract as before), and keeps watching
    /// past the verdict while `hold` says `true`.
    pub fn publish_live(
        &mut self,
        live: watch::Sender<expect::moment::Live>,
        hold: watch::Receiver<bool>,
    ) {
        self.live = Some(live);
        self.hold = Some(hold);
    }

    /// The incident for the moment predicates: nothing is needed before the evidence holds.
    fn live_view(&self) -> expect::moment::Live {
        let failed = self
            .evaluation
            .as_ref()
            .is_some_and(|e| e.decided == Decision::Contradicted);
        let Some(evidence_at) = self.ready_at else {
            return expect::moment::Live {
                failed,
                ..Default::default()
            };
        };
        let timeline = self.builder.timeline();
        let pod = expect::summarize(&self.target, timeline)
            .pods
            .last()
            .cloned();
        let target = pod
            .as_deref()
            .and_then(|p| expect::moment::target_state(timeline, p, &self.target.container, None));
        expect::moment::Live {
            evidence_at: Some(evidence_at),
            pod,
            target,
            failed,
        }
    }

    /// The moment the first manifest was applied.
    pub fn applied(&mut self, at: Timestamp) {
        self.applied_at = Some(at);
    }

    /// Records one observation, emits its new entries as signals and re-evaluates (until
    /// decided). Returns the previous-log fetches it made possible.
    pub fn push(&mut self, obs: Observation) -> Vec<FetchRequest> {
        let requests = match &obs.what {
            Observed::Pod { object } => {
                if super::owned_by(&self.target, object) {
                    self.target_seen = true;
                }
                self.planner.on_pod(object)
            }
            Observed::PodDeleted { name } => {
                // A workload replaces its pods; only a bare Pod's deletion ends the story.
                let workload = self.target.workload();
                if workload.kind == WorkloadKind::Pod && workload.name == name {
                    self.target_deleted = true;
                }
                self.planner.on_pod_deleted(name);
                Vec::new()
            }
            Observed::Event { .. } | Observed::PreviousLogs { .. } | Observed::Step { .. } => {
                Vec::new()
            }
        };
        let entries = self.builder.push(&obs);
        let received_at = obs.received_at;
        lock(&self.recorded).push(obs.clone());
        for entry in entries {
            let _ = self.events.send(RunEvent::Signal {
                scenario: self.scenario.clone(),
                entry,
            });
        }
        let _ = self.events.send(RunEvent::Observed {
            scenario: self.scenario.clone(),
            observation: Box::new(obs),
        });
        if !self.decided {
            self.reevaluate();
        }
        if self.ready_at.is_none() && self.is_ready() {
            self.ready_at = Some(received_at);
        }
        if let Some(tx) = &self.live {
            let view = self.live_view();
            tx.send_if_modified(|current| {
                let changed = *current != view;
                if changed {
                    *current = view;
                }
                changed
            });
        }
        requests
    }

    fn reevaluate(&mut self) {
        let evaluation = expect::evaluate(
            &self.expect,
            &self.target,
            self.builder.timeline(),
            self.watch,
        );
        self.decided = evaluation.decided.is_final();
        self.evaluation = Some(evaluation);
    }

    /// The scenario's window is over with the verdict undecided. Must-not checks have held
    /// for all of it; a back-off curve still pending has bounds of its own and may complete
    /// within them, and what else is promised counts if it comes meanwhile
    /// ([`expect::Watch::PastWindow`]). Returns how much longer to watch for it (its
    /// [`expect::backoff::allowance`]), or `None` when there is nothing to wait for.
    pub fn window_over(&mut self) -> Option<Duration> {
        // After a watch error, evidence missing at the end may be evidence lost: that stays
        // for [`Self::conclude`] to call an error, as without a curve.
        if self.decided || self.last_watch_error.is_some() {
            return None;
        }
        let past = expect::evaluate(
            &self.expect,
            &self.target,
            self.builder.timeline(),
            Watch::PastWindow,
        );
        // Decided at the window's end, or no curve to wait for: the watch has finished, and
        // [`Self::conclude`] judges it so.
        if past.decided.is_final() || !past.curve_pending {
            return None;
        }
        self.watch = Watch::PastWindow;
        self.evaluation = Some(past);
        let curves = self.expect.backoff.iter().chain(
            self.expect
                .containers
                .values()
                .filter_map(|e| e.backoff.as_ref()),
        );
        let more = curves
            .map(expect::backoff::allowance)
            .max()
            .unwrap_or_default();
        tracing::info!(
            scenario = %self.scenario,
            seconds = more.as_secs(),
            "window over with the back-off curve pending; watching on within its bounds"
        );
        Some(more)
    }

    /// Every promised signal has come and nothing forbidden has been seen: all that is left is
    /// to prove absence ([`expect::only_absence_left`]).
    pub fn only_absence_left(&self) -> bool {
        !self.decided
            && expect::only_absence_left(&self.expect, &self.target, self.builder.timeline())
    }

    /// Ready for diagnosis now: the contract is met, or it is undecided and the evidence holds.
    fn is_ready(&self) -> bool {
        match self.evaluation.as_ref().map(|e| e.decided) {
            Some(Decision::Met) => true,
            Some(Decision::Contradicted) | None => false,
            Some(Decision::Pending) => expect::ready_for_diagnosis::evidence_holds(
                &self.expect,
                &self.target,
                self.builder.timeline(),
            ),
        }
    }

    /// Whether the target pod has been seen (the deploy phase is over).
    pub fn target_seen(&self) -> bool {
        self.target_seen
    }

    pub fn decided(&self) -> bool {
        self.decided
    }

    /// The verdict and the evidence for how observation ended.
    pub fn conclude(self, ending: &Ending) -> Conclusion {
        let timeline = self.builder.finish();
        let observed = expect::summarize(&self.target, &timeline);
        // Only a watch that lasted its whole window lets "must not happen" checks pass on
        // absence, and turns signals that never came into failures. If the watch itself
        // failed meanwhile, a missing signal may just be a lost one: that stays an error.
        let watched_to_the_end = matches!(ending, Ending::TimedOut(RunPhase::Observe, _));
        let watch_failed = self.last_watch_error.is_some();
        let evaluation = match (ending, self.evaluation) {
            _ if watched_to_the_end && !watch_failed => {
                expect::evaluate(&self.expect, &self.target, &timeline, Watch::Finished)
            }
            (Ending::Decided, Some(evaluation)) => evaluation,
            _ => expect::evaluate(&self.expect, &self.target, &timeline, self.watch),
        };
        let verdict = match ending {
            _ if watched_to_the_end => evaluation.verdict(),
            Ending::Decided => evaluation.verdict(),
            _ => Verdict::Error,
        };
        let error = (verdict == Verdict::Error).then(|| {
            let mut msg = match ending {
                Ending::Decided => "the expectations were decided without a verdict".to_owned(),
                Ending::TimedOut(RunPhase::Deploy, limit) => format!(
                    "deploy phase timed out after {}: no pod of the target ({}) appeared",
                    humantime_secs::format(*limit),
                    self.target.workload()
                ),
                Ending::TimedOut(RunPhase::Observe, limit) => format!(
                    "observe phase timed out after {} with expectations undecided",
                    humantime_secs::format(*limit)
                ),
                Ending::TargetDeleted => format!(
                    "target {} was deleted with expectations undecided",
                    self.target.workload()
                ),
                Ending::Cancelled(phase) => {
                    format!("cancelled during the {} phase", phase.as_str())
                }
                Ending::WatchClosed(phase) => format!(
                    "the watch ended unexpectedly during the {} phase",
                    phase.as_str()
                ),
                Ending::Failed(message) => message.clone(),
            };
            msg.push_str(&format!("; {}", pending_summary(&evaluation.checks)));
            if let Some(e) = &self.last_watch_error {
                msg.push_str(&format!("; last watch error: {e}"));
            }
            msg
        });
        let since_apply = |t: Option<Timestamp>| {
            let (applied, t) = (self.applied_at?, t?);
            Some(t.duration_since(applied).as_secs_f64())
        };
        Conclusion {
            verdict,
            error,
            checks: evaluation.checks,
            observed,
            ready_after_s: since_apply(self.ready_at),
            crashloop_after_s: since_apply(expect::crash_loop_at(&self.target, &timeline)),
            timeline,
        }
    }
}

fn pending_summary(checks: &[CheckResult]) -> String {
    let pending: Vec<&str> = checks
        .iter()
        .filter(|c| c.outcome == Outcome::Pending)
        .map(|c| c.name.as_str())
        .collect();
    if checks.is_empty() {
        "no checks were evaluated".to_owned()
    } else if pending.is_empty() {
        "no checks were pending".to_owned()
    } else {
        format!("pending checks: {}", pending.join(", "))
    }
}

/// Feeds watch items to `observer` until the verdict is decided, the phase's time runs out,
/// `cancel` fires or the stream ends. Previous-log fetches run alongside, without holding up
/// the watch, and their results go through the observer like any other observation.
pub async fn observe<S, L>(
    observer: &mut Observer,
    mut stream: S,
    logs: &L,
    limits: &Limits,
    cancel: &Cancel,
) -> Ending
where
    S: Stream<Item = WatchItem> + Unpin,
    L: LogSource,
{
    let mut fetches = FuturesUnordered::new();
    let mut observe_deadline = None;
    let mut observe_started = None;
    let mut past_window = false;
    // The observe phase's length, with the time a curve was given past the window.
    let mut observe_limit = limits.observe;
    // A window counted from the promised signals, until they have come.
    let mut window_after_promised = limits.window_after_promised;
    let mut hold = observer.hold.take();
    let ending = loop {
        let held = hold.as_ref().is_some_and(|h| *h.borrow());
        if observer.decided() && !held {
            break Ending::Decided;
        }
        if observer.target_deleted {
            break Ending::TargetDeleted;
        }
        if observer.target_seen() && observe_deadline.is_none() {
            let now = Instant::now();
            observe_started = Some(now);
            observe_deadline = Some(now + limits.observe);
        }
        // Every promised signal has come: the must-not window starts now, and the watch ends
        // when it does.
        if let (Some(window), Some(started)) = (window_after_promised, observe_started)
            && observer.only_absence_left()
        {
            window_after_promised = None;
            let end = Instant::now() + window;
            observe_deadline = Some(end);
            observe_limit = end - started;
            tracing::info!(
                scenario = %observer.scenario,
                seconds = window.as_secs(),
                "every promised signal has come; watching for absence"
            );
        }
        let (phase, deadline, limit) = match observe_deadline {
            Some(d) => (RunPhase::Observe, d, observe_limit),
            None => (RunPhase::Deploy, limits.deploy_deadline, limits.deploy),
        };
        tokio::select! {
            biased;
            _ = cancel.cancelled() => break Ending::Cancelled(phase),
            _ = tokio::time::sleep_until(deadline) => {
                // The window is over; a back-off curve still pending keeps the watch open
                // within its own bounds.
                if phase == RunPhase::Observe && !past_window {
                    past_window = true;
                    if let Some(more) = observer.window_over() {
                        observe_deadline = Some(deadline + more);
                        observe_limit += more;
                        continue;
                    }
                }
                // A verdict decided earlier stands when the watch was only held for a tool.
                break if observer.decided() {
                    Ending::Decided
                } else {
                    Ending::TimedOut(phase, limit)
                };
            }
            changed = wait_changed(&mut hold), if held => {
                if changed.is_err() {
                    hold = None;
                }
            }
            Some(done) = fetches.next(), if !fetches.is_empty() => {
                if let Some(obs) = done {
                    for req in observer.push(obs) {
                        fetches.push(fetch(logs, req, limits));
                    }
                }
            }
            item = stream.next() => match item {
                None => break Ending::WatchClosed(phase),
                Some(WatchItem::Error(e)) => {
                    tracing::warn!(scenario = %observer.scenario, error = %e, "watch failed; retrying");
                    observer.last_watch_error = Some(e);
                }
                Some(WatchItem::Observed(obs)) => {
                    for req in observer.push(obs) {
                        fetches.push(fetch(logs, req, limits));
                    }
                }
            },
        }
    };
    // Logs asked for just before the end still belong in the recording (and may decide a
    // `previousLogs` check at the time limit). Not after a cancel: the user wants out.
    if !matches!(ending, Ending::Cancelled(_)) && !fetches.is_empty() {
        let drain = async {
            while let Some(done) = fetches.next().await {
                if let Some(obs) = done {
                    // Instances that ended during the drain are not fetched any more.
                    let _ = observer.push(obs);
                }
            }
        };
        tokio::select! {
            _ = drain => {}
            _ = tokio::time::sleep(limits.drain) => {}
            _ = cancel.cancelled() => {}
        }
    }
    ending
}

/// The next change of the hold flag (an error once its sender is gone).
async fn wait_changed(
    hold: &mut Option<watch::Receiver<bool>>,
) -> Result<(), watch::error::RecvError> {
    match hold {
        Some(h) => h.changed().await,
        None => std::future::pending().await,
    }
}

/// Fetches one instance's logs, retrying on the schedule; `None` when every attempt failed.
async fn fetch<L: LogSource>(logs: &L, req: FetchRequest, limits: &Limits) -> Option<Observation> {
    let mut pauses = limits.log_retries.iter();
    loop {
        let answer = if req.previous {
            logs.previous_logs(&req.pod, &req.container).await
        } else {
            logs.final_logs(&req.pod, &req.container).await
        };
        match answer {
            Ok(text) => {
                return Some(Observation {
                    received_at: limits.clock.now(),
                    what: Observed::PreviousLogs {
                        pod: req.pod,
                        container: req.container,
                        restart_count: req.restart_count,
                        text,
                    },
                });
            }
            Err(LogError::Gone(e)) => {
                tracing::debug!(pod = %req.pod, container = %req.container, error = %e, "previous logs are gone");
                return None;
            }
            Err(LogError::Retry(e)) => match pauses.next() {
                Some(pause) => {
                    tracing::debug!(pod = %req.pod, container = %req.container, error = %e, "previous logs not available yet");
                    tokio::time::sleep(*pause).await;
                }
                None => {
                    tracing::warn!(pod = %req.pod, container = %req.container, error = %e, "could not fetch previous logs");
                    return None;
                }
            },
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use futures::stream;

    use super::*;
    use crate::runner::previous_logs::tests::{BACKOFF, RUNNING, pod, terminated};
    use crate::scenario::RestartExpectation;

    /// Answers previous-log requests from a script and remembers every request.
    #[derive(Default)]
    struct FakeLogs {
        script: Mutex<VecDeque<Result<String, LogError>>>,
        calls: Mutex<Vec<(String, String)>>,
    }

    impl FakeLogs {
        fn answering(answers: impl IntoIterator<Item = Result<&'static str, LogError>>) -> Self {
            let script = answers.into_iter().map(|a| a.map(str::to_owned)).collect();
            Self {
                script: Mutex::new(script),
                calls: Mutex::default(),
            }
        }

        fn calls(&self) -> usize {
            lock(&self.calls).len()
        }
    }

    impl LogSource for FakeLogs {
        fn previous_logs(
            &self,
            pod: &str,
            container: &str,
        ) -> impl Future<Output = Result<String, LogError>> + Send {
            lock(&self.calls).push((pod.to_owned(), container.to_owned()));
            let answer = lock(&self.script)
                .pop_front()
                .unwrap_or_else(|| Err(LogError::Gone("script exhausted".to_owned())));
            async move { answer }
        }
    }

    fn target() -> Target {
        Target::pod("app", "app")
    }

    /// An expectation that stays pending for any stream used here, so the loop runs to the
    /// end of the stream.
    fn undecidable() -> Expectations {
        Expectations {
            restarts: Some(RestartExpectation {
                min: Some(1000),
                max: None,
            }),
            ..Default::default()
        }
    }

    struct Harness {
        observer: Observer,
        recorded: Arc<Mutex<Vec<Observation>>>,
        events: tokio::sync::mpsc::UnboundedReceiver<RunEvent>,
    }

    fn harness() -> Harness {
        let (tx, events) = tokio::sync::mpsc::unbounded_channel();
        let recorded = Arc::new(Mutex::new(Vec::new()));
        let observer = Observer::new("exit-1", &target(), &undecidable(), tx, recorded.clone());
        Harness {
            observer,
            recorded,
            events,
        }
    }

    fn limits(retries: usize) -> Limits {
        Limits {
            window_after_promised: None,
            deploy_deadline: Instant::now() + Duration::from_secs(3600),
            deploy: Duration::from_secs(3600),
            observe: Duration::from_secs(3600),
            log_retries: vec![Duration::ZERO; retries],
            drain: Duration::from_secs(3600),
            clock: Clock::System,
        }
    }

    fn item(p: k8s_openapi::api::core::v1::Pod) -> WatchItem {
        WatchItem::Observed(Observation {
            received_at: "2026-01-01T00:00:00Z".parse().unwrap(),
            what: Observed::Pod {
                object: Box::new(p),
            },
        })
    }

    /// The recorded observations, as `pod` / `logs(<restart_count>): <text>`.
    fn kinds(recorded: &Mutex<Vec<Observation>>) -> Vec<String> {
        lock(recorded)
            .iter()
            .map(|o| match &o.what {
                Observed::Pod { .. } => "pod".to_owned(),
                Observed::PodDeleted { .. } => "deleted".to_owned(),
                Observed::Step { .. } => "step".to_owned(),
                Observed::Event { .. } => "event".to_owned(),
                Observed::PreviousLogs {
                    pod,
                    container,
                    restart_count,
                    text,
                } => format!("logs {pod}/{container} ({restart_count}): {text}"),
            })
            .collect()
    }

    #[tokio::test]
    async fn previous_logs_are_fetched_once_each_instance_reaches_last_state() {
        let first = terminated("a1", 1, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z");
        let second = terminated("a2", 1, "2026-01-01T00:00:01Z", "2026-01-01T00:00:02Z");
        let watch = stream::iter([
            item(pod(0, RUNNING, "{}")),
            item(pod(0, &first, "{}")),
            item(pod(1, RUNNING, &first)),
            item(pod(1, &second, &first)),
            item(pod(1, BACKOFF, &second)),
            item(pod(1, BACKOFF, &second)),
        ]);
        let logs = FakeLogs::answering([Ok("run 1\n"), Ok("run 2\n")]);
        let mut h = harness();
        let ending = observe(&mut h.observer, watch, &logs, &limits(0), &Cancel::new()).await;
        assert_eq!(ending, Ending::WatchClosed(RunPhase::Observe));
        assert_eq!(
            kinds(&h.recorded),
            [
                "pod",
                "pod",
                "pod",
                "logs app/app (1): run 1\n",
                "pod",
                "pod",
                "logs app/app (1): run 2\n",
                "pod",
            ]
        );
        assert_eq!(logs.calls(), 2);
        assert_eq!(lock(&logs.calls)[0], ("app".to_owned(), "app".to_owned()));
    }

    #[tokio::test]
    async fn fetching_is_retried_while_the_kubelet_has_not_caught_up() {
        let first = terminated("a1", 1, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z");
        let watch = stream::iter([item(pod(1, RUNNING, &first))]);
        let not_yet = || {
            LogError::Retry(r#"previous terminated container "app" in pod "app" not found"#.into())
        };
        let logs = FakeLogs::answering([Err(not_yet()), Err(not_yet()), Ok("panic: boom\n")]);
        let mut h = harness();
        observe(&mut h.observer, watch, &logs, &limits(3), &Cancel::new()).await;
        assert_eq!(logs.calls(), 3);
        assert_eq!(
            kinds(&h.recorded),
            ["pod", "logs app/app (1): panic: boom\n"]
        );
    }

    #[tokio::test]
    async fn fetching_gives_up_after_the_retry_schedule() {
        let first = terminated("a1", 1, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z");
        let watch = stream::iter([item(pod(1, RUNNING, &first))]);
        let no = || LogError::Retry("no".into());
        let logs = FakeLogs::answering([Err(no()), Err(no()), Ok("too late")]);
        let mut h = harness();
        observe(&mut h.observer, watch, &logs, &limits(1), &Cancel::new()).await;
        assert_eq!(logs.calls(), 2);
        assert_eq!(kinds(&h.recorded), ["pod"]);
    }

    #[tokio::test]
    async fn logs_that_are_gone_are_not_asked_for_again() {
        let first = terminated("a1", 1, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z");
        let watch = stream::iter([item(pod(1, RUNNING, &first))]);
        let gone = LogError::Gone("unable to retrieve container logs for containerd://a1".into());
        let logs = FakeLogs::answering([Err(gone), Ok("never asked")]);
        let mut h = harness();
        observe(&mut h.observer, watch, &logs, &limits(3), &Cancel::new()).await;
        assert_eq!(logs.calls(), 1);
        assert_eq!(kinds(&h.recorded), ["pod"]);
    }

    #[tokio::test]
    async fn new_timeline_entries_are_emitted_as_signals() {
        let first = terminated("a1", 1, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z");
        let watch = stream::iter([item(pod(0, &first, "{}"))]);
        let mut h = harness();
        observe(
            &mut h.observer,
            watch,
            &FakeLogs::default(),
            &limits(0),
            &Cancel::new(),
        )
        .await;
        let timeline = h
            .observer
            .conclude(&Ending::WatchClosed(RunPhase::Observe))
            .timeline;
        let mut signals = Vec::new();
        let mut observed = Vec::new();
        while let Ok(ev) = h.events.try_recv() {
            match ev {
                RunEvent::Signal { scenario, entry } => {
                    assert_eq!(scenario, "exit-1");
                    // Each observation's signals come before the observation itself.
                    assert_eq!(observed.len(), 0, "a signal after its observation");
                    signals.push(entry);
                }
                RunEvent::Observed {
                    scenario,
                    observation,
                } => {
                    assert_eq!(scenario, "exit-1");
                    observed.push(observation);
                }
                other => panic!("unexpected event {other:?}"),
            }
        }
        assert_eq!(signals, timeline.entries);
        // The raw pod behind them follows, once.
        assert_eq!(observed.len(), 1);
        assert!(matches!(observed[0].what, Observed::Pod { .. }));
    }

    #[tokio::test]
    async fn deploy_phase_times_out_when_the_target_pod_never_appears() {
        let mut h = harness();
        let mut l = limits(0);
        l.deploy_deadline = Instant::now();
        l.deploy = Duration::from_secs(60);
        let ending = observe(
            &mut h.observer,
            stream::pending(),
            &FakeLogs::default(),
            &l,
            &Cancel::new(),
        )
        .await;
        assert_eq!(
            ending,
            Ending::TimedOut(RunPhase::Deploy, Duration::from_secs(60))
        );
        let c = h.observer.conclude(&ending);
        assert_eq!(c.verdict, Verdict::Error);
        let msg = c.error.unwrap();
        assert!(
            msg.starts_with(
                "deploy phase timed out after 1m: no pod of the target (pod app) appeared; "
            ),
            "{msg}"
        );
    }

    #[tokio::test]
    async fn observe_phase_starts_when_the_target_pod_appears() {
        let mut h = harness();
        let mut l = limits(0);
        l.observe = Duration::ZERO;
        let watch = stream::iter([item(pod(0, RUNNING, "{}"))]).chain(stream::pending());
        let ending = observe(
            &mut h.observer,
            watch,
            &FakeLogs::default(),
            &l,
            &Cancel::new(),
        )
        .await;
        assert_eq!(ending, Ending::TimedOut(RunPhase::Observe, Duration::ZERO));
        let c = h.observer.conclude(&ending);
        assert_ne!(c.verdict, Verdict::Pass);
        if c.verdict == Verdict::Error {
            let msg = c.error.unwrap();
            assert!(
                msg.starts_with("observe phase timed out after 0s with expectations undecided; "),
                "{msg}"
            );
        }
    }

    #[tokio::test]
    async fn cancel_stops_observation_and_says_in_which_phase() {
        let mut h = harness();
        let cancel = Cancel::new();
        cancel.cancel();
        let ending = observe(
            &mut h.observer,
            stream::pending(),
            &FakeLogs::default(),
            &limits(0),
            &cancel,
        )
        .await;
        assert_eq!(ending, Ending::Cancelled(RunPhase::Deploy));
        let msg = h.observer.conclude(&ending).error.unwrap();
        assert!(
            msg.starts_with("cancelled during the deploy phase; "),
            "{msg}"
        );
    }

    #[tokio::test]
    async fn the_last_watch_error_is_kept_as_evidence() {
        let mut h = harness();
        let watch = stream::iter([WatchItem::Error("watching pods: connection refused".into())]);
        let ending = observe(
            &mut h.observer,
            watch,
            &FakeLogs::default(),
            &limits(0),
            &Cancel::new(),
        )
        .await;
        assert_eq!(ending, Ending::WatchClosed(RunPhase::Deploy));
        let msg = h.observer.conclude(&ending).error.unwrap();
        assert!(
            msg.starts_with("the watch ended unexpectedly during the deploy phase; "),
            "{msg}"
        );
        assert!(
            msg.ends_with("; last watch error: watching pods: connection refused"),
            "{msg}"
        );
    }

    #[tokio::test]
    async fn deleting_the_target_pod_ends_observation() {
        let mut h = harness();
        let watch = stream::iter([
            item(pod(0, RUNNING, "{}")),
            WatchItem::Observed(Observation {
                received_at: "2026-01-01T00:00:01Z".parse().unwrap(),
                what: Observed::PodDeleted { name: "app".into() },
            }),
        ])
        .chain(stream::pending());
        let ending = observe(
            &mut h.observer,
            watch,
            &FakeLogs::default(),
            &limits(0),
            &Cancel::new(),
        )
        .await;
        assert_eq!(ending, Ending::TargetDeleted);
        let c = h.observer.conclude(&ending);
        assert_eq!(c.verdict, Verdict::Error, "restarts.min 1000 cannot be met");
        let msg = c.error.unwrap();
        assert!(
            msg.starts_with(
                "target pod app was deleted with expectations undecided; pending checks: "
            ),
            "{msg}"
        );
    }

    #[test]
    fn pending_checks_are_named() {
        let check = |name: &str, outcome| CheckResult::new(name, outcome, "e", "o");
        assert_eq!(pending_summary(&[]), "no checks were evaluated");
        assert_eq!(
            pending_summary(&[check("waiting_reason", Outcome::Met)]),
            "no checks were pending"
        );
        assert_eq!(
            pending_summary(&[
                check("waiting_reason", Outcome::Met),
                check("backoff", Outcome::Pending),
                check("previous_logs", Outcome::Pending),
                check("restarts", Outcome::Contradicted),
            ]),
            "pending checks: backoff, previous_logs"
        );
    }
}
