//! Evaluating a scenario's expectations against a timeline, and deciding when to stop.
//!
//! Two kinds of check:
//!
//! * **must** checks (waiting reason, last termination, `restarts.min`, events, previous
//!   logs, back-off) wait for evidence. They are `Met` once it appears and `Pending` before.
//!   The last termination and the back-off curve can also be `Contradicted`: an exit or a
//!   delay the kubelet wrote cannot be taken back.
//! * **must-not** checks (`restarts.max`, absent events) are `Contradicted` the moment the
//!   forbidden thing is seen. Absence cannot be proven while watching, so they stay `Pending`
//!   until the watch has `finished` (the observe time limit ran out), and only then are they
//!   `Met`: nothing forbidden appeared in the whole watch.
//!
//!   Why not pass them as soon as every must check is met? Then absence would be judged over
//!   however long the positive evidence took, often a second or two, which proves nothing:
//!   a `BackOff` event needs two exits at least 10 s apart, and the kubelet retries a
//!   `CreateContainerConfigError` only every 10–15 s. The scenario's `timeouts.observe` is the
//!   window its author chose for absence, so a scenario with must-not checks always watches
//!   for its full observe time, unless something contradicts it first.
//!
//! When the watch has finished (the observe window ran out on a cluster that kept answering),
//! must checks still pending become `Contradicted`: the scenario promised a signal within its
//! window and the cluster never showed it ("expected waiting CrashLoopBackOff within 4m;
//! never waiting"). That is a failure (exit 1) like any other wrong signal. A run that could
//! not watch to the end (cluster unreachable, watch lost, cancelled) is an error instead;
//! the runner decides that, not this module.
//!
//! One check carries time bounds of its own: the back-off curve allows each delay up to
//! 1.5·e + slack, so a curve of three delays on a default kubelet may take 12 + 27 + 42 = 81 s
//! plus its instances' run times, and still be the kubelet's curve. A window of 6 back-off
//! periods (60 s) can end before that. So when the window is over and a curve is still
//! pending, the watch goes on ([`Watch::PastWindow`]): absence has been proven over the whole
//! window, so must-not checks are met (and still contradicted by anything forbidden seen
//! later, since they are judged over the whole watch); must checks and the curve stay
//! pending, and what comes while the watch goes on counts, until every check is decided or
//! the runner's allowance for the curve ([`backoff::allowance`]) runs out and the watch
//! finishes. Without a pending curve the window's end finishes the watch, as before.
//!
//! Per-container expectations (`expect.containers`) are evaluated the same way against the
//! other container of the target's pods, their check names prefixed with the container's.
//!
//! A target whose pods run side by side (a DaemonSet's, one per node:
//! [`crate::scenario::WorkloadKind::judged_per_pod`]) is judged on each pod as if it were the
//! only one, and each check over all of them: contradicted when one pod contradicts it, met
//! when every pod meets it. So one pod's back-off curve is never pieced together from
//! another's restarts, and one pod's crash loop does not pass for its neighbour's.

use super::Verdict;
use crate::scenario::{Expectations, Target};
use crate::timeline::Timeline;

use super::target_pods::TargetPods;
use super::view::TargetView;
use super::{CheckResult, Outcome, backoff, events, logs, ready, restarts, termination, waiting};

/// Every check of a scenario, and what they decide together.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub checks: Vec<CheckResult>,
    pub decided: Decision,
    /// A back-off curve is still pending, its container having exited at least once: the one
    /// check whose time bounds are its own, so the one that may keep the watch open past the
    /// window ([`Watch::PastWindow`]).
    pub curve_pending: bool,
}

/// What the checks decide together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Every check is met: stop watching, the scenario passes.
    Met,
    /// A check is contradicted and nothing can undo it: stop watching, the scenario fails.
    Contradicted,
    /// Some check is still pending and none is contradicted: keep watching. When the watch
    /// has finished, this means it timed out undecided.
    Pending,
}

/// How far the watch has come, which decides what a pending check means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watch {
    /// Inside the scenario's window: every pending check may still be decided.
    Open,
    /// The window is over and a back-off curve is still pending, which may complete within
    /// its own bounds (see the module docs).
    PastWindow,
    /// The watch is over: a pending must check was never observed, a pending must-not check
    /// held for the whole watch.
    Finished,
}

impl Decision {
    /// The runner can stop watching.
    pub fn is_final(self) -> bool {
        self != Decision::Pending
    }
}

impl Evaluation {
    /// The verdict once watching has stopped: `Pending` means the time ran out first.
    pub fn verdict(&self) -> Verdict {
        match self.decided {
            Decision::Met => Verdict::Pass,
            Decision::Contradicted => Verdict::Fail,
            Decision::Pending => Verdict::Error,
        }
    }

    /// Names of the checks still pending (for "timed out waiting for …").
    pub fn pending(&self) -> Vec<&str> {
        self.checks
            .iter()
            .filter(|c| c.outcome == Outcome::Pending)
            .map(|c| c.name.as_str())
            .collect()
    }
}

/// Every must check is met (every promised signal has come, the back-off curve included) and
/// no must-not check is contradicted: all that is left is to prove absence, by watching. A
/// must-not window counted `from: promisedSignals` starts at this moment
/// ([`crate::scenario::WindowStart`]). It is the evaluation past the window, where must-not
/// checks count as met unless contradicted and must checks stay as they are.
pub fn only_absence_left(expect: &Expectations, target: &Target, timeline: &Timeline) -> bool {
    evaluate(expect, target, timeline, Watch::PastWindow).decided == Decision::Met
}

/// Evaluates every expectation of a scenario against the target's part of `timeline`.
/// `watch` says how far the watch has come (see the module docs for what it changes).
pub fn evaluate(
    expect: &Expectations,
    target: &Target,
    timeline: &Timeline,
    watch: Watch,
) -> Evaluation {
    let mut checks = container_checks(expect, target, timeline, watch);
    for (container, exp) in &expect.containers {
        let other = target.with_container(container);
        checks.extend(
            container_checks(exp, &other, timeline, watch)
                .into_iter()
                .map(|c| CheckResult {
                    name: format!("{container}: {}", c.name),
                    ..c
                }),
        );
    }
    let decided = if checks.iter().any(|c| c.outcome == Outcome::Contradicted) {
        Decision::Contradicted
    } else if checks.iter().all(|c| c.outcome == Outcome::Met) {
        Decision::Met
    } else {
        Decision::Pending
    };
    // A curve is under way once its container has exited: a loop that never began has
    // nothing late to wait for. Its check by the name given above.
    let under_way = |name: &str, target: &Target| {
        !TargetView::new(target, timeline).terminations.is_empty()
            && checks
                .iter()
                .any(|c| c.name == name && c.outcome == Outcome::Pending)
    };
    let curve_pending = (expect.backoff.is_some() && under_way("backoff", target))
        || expect.containers.iter().any(|(c, e)| {
            e.backoff.is_some() && under_way(&format!("{c}: backoff"), &target.with_container(c))
        });
    Evaluation {
        checks,
        decided,
        curve_pending,
    }
}

/// The checks of one container's expectations (not its `containers`): on the target's pods
/// together, or on each of them for a target judged per pod.
fn container_checks(
    expect: &Expectations,
    target: &Target,
    timeline: &Timeline,
    watch: Watch,
) -> Vec<CheckResult> {
    let pods = TargetPods::of(target, timeline);
    if !target.workload().kind.judged_per_pod() || pods.pods.len() < 2 {
        return view_checks(expect, &TargetView::new(target, timeline), watch);
    }
    let per_pod: Vec<(&str, Vec<CheckResult>)> = pods
        .pods
        .iter()
        .map(|pod| {
            let view = TargetView::of_pod(target, timeline, pod);
            (pod.as_str(), view_checks(expect, &view, watch))
        })
        .collect();
    // Every pod has the same checks in the same order (one expectation, one view each).
    let count = per_pod[0].1.len();
    (0..count)
        .map(|i| over_pods(per_pod.iter().map(|(pod, checks)| (*pod, &checks[i]))))
        .collect()
}

/// One check judged on each pod: contradicted when any pod contradicts it, met when every
/// pod meets it, else pending. What every pod showed alike is said once, with the number of
/// pods; otherwise pod by pod.
fn over_pods<'c>(per_pod: impl Iterator<Item = (&'c str, &'c CheckResult)>) -> CheckResult {
    let per_pod: Vec<(&str, &CheckResult)> = per_pod.collect();
    let outcomes = || per_pod.iter().map(|(_, c)| c.outcome);
    let outcome = if outcomes().any(|o| o == Outcome::Contradicted) {
        Outcome::Contradicted
    } else if outcomes().all(|o| o == Outcome::Met) {
        Outcome::Met
    } else {
        Outcome::Pending
    };
    let alike = |text: fn(&CheckResult) -> &str| {
        let first = text(per_pod[0].1);
        if per_pod.iter().all(|(_, c)| text(c) == first) {
            format!("{first} (each of {} pods)", per_pod.len())
        } else {
            per_pod
                .iter()
                .map(|(pod, c)| format!("pod {pod}: {}", text(c)))
                .collect::<Vec<_>>()
                .join("; ")
        }
    };
    let expected = if per_pod
        .iter()
        .all(|(_, c)| c.expected == per_pod[0].1.expected)
    {
        per_pod[0].1.expected.clone()
    } else {
        alike(|c| &c.expected)
    };
    CheckResult::new(
        per_pod[0].1.name.clone(),
        outcome,
        expected,
        alike(|c| &c.observed),
    )
}

/// What a check waits for, which decides what it means when the window or the watch is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Evidence promised within the window (or while the watch goes on past it for a curve).
    Must,
    /// Something that must not happen in the whole watch.
    MustNot,
    /// The back-off curve: evidence with time bounds of its own.
    Curve,
}

/// The checks of one container's expectations on one view of the timeline.
fn view_checks(expect: &Expectations, view: &TargetView, watch: Watch) -> Vec<CheckResult> {
    // (check, kind) in the order the expectations are written.
    let mut checks: Vec<(CheckResult, Kind)> = Vec::new();
    if let Some(w) = &expect.waiting_reason {
        checks.push((waiting::check(w, view), Kind::Must));
    }
    if let Some(t) = &expect.last_termination {
        checks.push((termination::check(t, view), Kind::Must));
    }
    if let Some(r) = &expect.restarts {
        checks.extend(restarts::check_min(r, view).map(|c| (c, Kind::Must)));
        checks.extend(restarts::check_max(r, view).map(|c| (c, Kind::MustNot)));
    }
    checks.extend(
        expect
            .events
            .iter()
            .map(|e| (events::check_present(e, view), Kind::Must)),
    );
    checks.extend(
        expect
            .absent_events
            .iter()
            .map(|e| (events::check_absent(e, view), Kind::MustNot)),
    );
    checks.extend(
        expect
            .previous_logs
            .iter()
            .map(|p| (logs::check(p, view), Kind::Must)),
    );
    if let Some(b) = &expect.backoff {
        checks.push((backoff::check(b, view), Kind::Curve));
    }
    if let Some(want) = expect.ready {
        let (check, must_not) = ready::check(want, view);
        checks.push((check, if must_not { Kind::MustNot } else { Kind::Must }));
    }

    checks
        .into_iter()
        .map(|(c, kind)| match (watch, c.outcome, kind) {
            (Watch::Open, ..) | (_, Outcome::Met | Outcome::Contradicted, _) => c,
            // Evidence still counts while the watch goes on for a curve.
            (Watch::PastWindow, Outcome::Pending, Kind::Must | Kind::Curve) => c,
            // Past the window, absence has held for all of it and everything watched since.
            (_, Outcome::Pending, Kind::MustNot) => {
                let observed = format!("{} in the whole watch", c.observed);
                CheckResult { observed, ..c }.with_outcome(Outcome::Met)
            }
            (_, Outcome::Pending, Kind::Must | Kind::Curve) => {
                let observed = format!("{}; never observed in the whole watch", c.observed);
                CheckResult { observed, ..c }.with_outcome(Outcome::Contradicted)
            }
        })
        .collect()
}
