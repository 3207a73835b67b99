//! Ready for diagnosis: the moment a scenario shows every signal a diagnosis relies on, which
//! comes long before its whole contract is decided.
//!
//! The rule. A scenario is ready for diagnosis when
//!
//! 1. nothing in its contract is contradicted so far, and
//! 2. every *evidence* check is met: the waiting reason, the last termination (exit code and
//!    reason), the events that must appear, the previous-log lines and `ready: true` (of a
//!    container that must not restart, see below), for the target container and for every
//!    container named in `expect.containers` (the healthy app beside a crashing sidecar).
//!
//! Left out, because a diagnosis does not need them and they take the longest:
//!
//! * the back-off curve (`backoff`): three measured delays are 30 s and more on a default
//!   kubelet, and a diagnosis reads the `CrashLoopBackOff` state, not the curve;
//! * restart-count thresholds (`restarts.min`, `restarts.max`): one restart already shows the
//!   loop, and a maximum is proven only at the end of the watch;
//! * must-not checks (`absentEvents`, `ready: false`): absence is proven only when the observe
//!   window has run out (see [`super::evaluate`]).
//!
//! 3. the target container is not still being created in the newest state its pod showed
//!    (waiting in `ContainerCreating` or `PodInitializing`). Events and pod states come on two
//!    watches: a probe's `Unhealthy` event can arrive before the pod status that shows the
//!    container running, and a diagnoser started then reads a container "not created yet"
//!    (measured: `readiness-only` under load, the tool ran 0.5 s after apply on such a pod).
//!    Unless staying in creation is what the scenario promises (`missing-secret-volume`).
//!
//! `ready: true` of a container that must also restart (`restarts.min` ≥ 1) is left out too:
//! there it is the recovery after the loop (`dependency-later`: the database listens after
//! 40 s, and the app's next restart connects), which comes after the crash loop by
//! definition. A diagnosis is made during the loop, and what tells that the loop will end is
//! there already: the dependency's own log says it is still initialising (crashlab's
//! diagnoser reads the pods behind the Services the app talks to). `ready: true` of a
//! container that must not restart (the healthy app beside a crashing sidecar) stays in.
//!
//! Those checks keep being judged after the moment, and the verdict is decided on the whole
//! contract as before. When the evidence checks are all left out (a contract made only of
//! curves and must-not checks), readiness waits for the whole contract.
//!
//! The timeline's key facts for grading come from the same signals: a ground truth names the
//! exit code, the reason, an event or a log line, which are the evidence checks above.

use jiff::Timestamp;

use crate::scenario::{Expectations, Target};
use crate::timeline::{Signal, Timeline};

use super::target_pods::TargetPods;
use super::{Decision, evaluate};

/// The waiting reason of a crash loop.
pub const CRASH_LOOP_BACK_OFF: &str = "CrashLoopBackOff";

/// The part of `expect` a diagnosis relies on: the evidence checks of the module docs.
pub fn diagnosis_expectations(expect: &Expectations) -> Expectations {
    Expectations {
        waiting_reason: expect.waiting_reason.clone(),
        last_termination: expect.last_termination.clone(),
        restarts: None,
        events: expect.events.clone(),
        absent_events: Vec::new(),
        previous_logs: expect.previous_logs.clone(),
        backoff: None,
        ready: expect.ready.filter(|r| *r && !must_restart(expect)),
        containers: expect
            .containers
            .iter()
            .map(|(name, e)| (name.clone(), diagnosis_expectations(e)))
            .collect(),
    }
}

/// Whether `expect` wants the container restarted at least once: its `ready: true` is then
/// the recovery after the loop.
fn must_restart(expect: &Expectations) -> bool {
    expect
        .restarts
        .as_ref()
        .and_then(|r| r.min)
        .is_some_and(|min| min >= 1)
}

/// Whether `timeline` shows every signal a diagnosis relies on (the rule in the module docs).
pub fn ready_for_diagnosis(expect: &Expectations, target: &Target, timeline: &Timeline) -> bool {
    match evaluate(expect, target, timeline, super::Watch::Open).decided {
        Decision::Contradicted => false,
        Decision::Met => true,
        Decision::Pending => evidence_holds(expect, target, timeline),
    }
}

/// The second half of the rule, for a caller that has already evaluated the whole contract
/// and found it pending (the runner does so after every observation): every evidence check is
/// met, and there is at least one.
pub fn evidence_holds(expect: &Expectations, target: &Target, timeline: &Timeline) -> bool {
    let evidence = evaluate(
        &diagnosis_expectations(expect),
        target,
        timeline,
        super::Watch::Open,
    );
    !evidence.checks.is_empty()
        && evidence.decided == Decision::Met
        && (stays_in_creation(expect) || !being_created(target, timeline))
}

/// A scenario whose promise is a container that never gets past creation (a volume that
/// cannot be mounted): there, being created is the evidence.
fn stays_in_creation(expect: &Expectations) -> bool {
    expect
        .waiting_reason
        .as_ref()
        .is_some_and(|w| matches!(w.reason.as_str(), "ContainerCreating" | "PodInitializing"))
}

/// Whether the newest state of the target container (in the target's current pods) is
/// waiting in `ContainerCreating` or `PodInitializing`. A container with no state yet (a pod
/// never scheduled) is not being created.
fn being_created(target: &Target, timeline: &Timeline) -> bool {
    let pods = TargetPods::of(target, timeline);
    let newest = timeline.entries.iter().rev().find_map(|e| match &e.signal {
        Signal::Started { container, .. } | Signal::Terminated { container, .. }
            if container.container == target.container && pods.contains(&container.pod) =>
        {
            Some(None)
        }
        Signal::Waiting {
            container, reason, ..
        } if container.container == target.container && pods.contains(&container.pod) => {
            Some(Some(reason.as_str()))
        }
        _ => None,
    });
    matches!(newest, Some(Some("ContainerCreating" | "PodInitializing")))
}

/// When a recorded timeline first became ready for diagnosis: the time of the entry that
/// completed the evidence. Replays every prefix, as the runner sees them one at a time.
pub fn ready_at(expect: &Expectations, target: &Target, timeline: &Timeline) -> Option<Timestamp> {
    let mut prefix = Timeline::default();
    for entry in &timeline.entries {
        prefix.entries.push(entry.clone());
        if ready_for_diagnosis(expect, target, &prefix) {
            return Some(entry.at);
        }
    }
    None
}

/// When the target container was first seen waiting in `CrashLoopBackOff`.
pub fn crash_loop_at(target: &Target, timeline: &Timeline) -> Option<Timestamp> {
    let pods = TargetPods::of(target, timeline);
    timeline.entries.iter().find_map(|e| match &e.signal {
        Signal::Waiting {
            container, reason, ..
        } if reason == CRASH_LOOP_BACK_OFF
            && container.container == target.container
            && pods.contains(&container.pod) =>
        {
            Some(e.at)
        }
        _ => None,
    })
}
