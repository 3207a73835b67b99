//! When a tool under test runs on a live incident (`crashlab validate --moment`), and what the
//! target looked like while it ran. Pure: predicates over the timeline so far and a time.
//!
//! The kubelet writes `waiting: CrashLoopBackOff` into the pod status late. A sync that hits
//! the back-off records the reason, and the status carries it from the *next* sync on, which
//! the pod worker requeues after 10 s × [1, 1.5) before 1.35, and after the remaining back-off
//! × [1, 1.5) from 1.35 (pod_workers.go `completeWork`, `MinBackoffExpiration`; read in the
//! v1.34.4 and v1.35.4 sources). Measured on v1.34.4 (`exit-1` recording): the exit at
//! +2.0 s shows `CrashLoopBackOff` "back-off 10s" only at +15.3 s, and the container restarts
//! at +16.1 s. A tool started at the first `CrashLoopBackOff` status and taking 1–2 s reads a
//! Running pod. So the moments:
//!
//! * [`Moment::Evidence`]: every signal a diagnosis relies on has been seen
//!   ([`super::readiness`]); the earliest moment, often the worst for a tool that reads the
//!   current state.
//! * [`Moment::Crashloop`] (the default): the evidence holds *and* the target waits in
//!   `CrashLoopBackOff` *and* its next restart is at least the tool's window away. The next
//!   restart is predicted from the kubelet's own word: the last termination's `finishedAt`
//!   plus the delay in the waiting message (`back-off 40s restarting failed container=…`);
//!   the kubelet restarts no earlier (`doBackOff`: `IsInBackOffSince(key, finishedAt)` holds
//!   while now − finishedAt < back-off), only later (the requeue slack). `finishedAt` has
//!   whole seconds, truncated, so the prediction errs early: on the safe side.
//! * [`Moment::Running`]: right after the next restart once the evidence holds: the pod
//!   shows a new instance, running (or, for an app that dies at once, already terminated).
//!   The trap of a pod that looks healthy.
//! * [`Moment::Settled`]: after the observe window (the watch has ended).
//!
//! A moment that does not apply to a scenario falls back to `evidence`, and says why
//! ([`plan`]): `crashloop` where the contract has no `CrashLoopBackOff`, `running` where the
//! target must never restart.

use std::time::Duration;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::scenario::Expectations;
use crate::timeline::{Signal, Timeline};

use super::ready_for_diagnosis::CRASH_LOOP_BACK_OFF;

/// When the tool runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Moment {
    Evidence,
    Running,
    Crashloop,
    Settled,
}

impl Moment {
    /// Every moment, in the order they come on one incident (`--moments all`).
    pub const ALL: [Moment; 4] = [
        Moment::Evidence,
        Moment::Running,
        Moment::Crashloop,
        Moment::Settled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Moment::Evidence => "evidence",
            Moment::Running => "running",
            Moment::Crashloop => "crashloop",
            Moment::Settled => "settled",
        }
    }

    /// A moment's name; the error lists the names.
    pub fn parse(s: &str) -> Result<Moment, String> {
        Moment::ALL
            .into_iter()
            .find(|m| m.as_str() == s.trim())
            .ok_or_else(|| {
                format!(
                    "unknown moment {s:?}: expected one of {}",
                    Moment::ALL.map(Moment::as_str).join(", ")
                )
            })
    }

    /// Whether the tool runs while the watch goes on (all but `settled`).
    pub fn during_watch(self) -> bool {
        self != Moment::Settled
    }
}

impl std::fmt::Display for Moment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One call to make on an incident: the moment asked for, the one that applies, and why they
/// differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedCall {
    pub asked: Moment,
    pub moment: Moment,
    pub note: Option<String>,
}

/// The calls for `asked` (in time order, each once) on a scenario whose target contract is
/// `expect`.
pub fn plan(asked: &[Moment], expect: &Expectations) -> Vec<PlannedCall> {
    let mut asked = asked.to_vec();
    asked.sort();
    asked.dedup();
    asked
        .into_iter()
        .map(|m| {
            let fallback = |why: &str| PlannedCall {
                asked: m,
                moment: Moment::Evidence,
                note: Some(format!("{why}: ran at evidence instead of {m}")),
            };
            match m {
                Moment::Crashloop if !expects_crash_loop(expect) => fallback(&format!(
                    "this scenario does not crash-loop (its contract has no {CRASH_LOOP_BACK_OFF})"
                )),
                Moment::Running if !expects_restart(expect) => {
                    fallback("the target never restarts in this scenario")
                }
                _ => PlannedCall {
                    asked: m,
                    moment: m,
                    note: None,
                },
            }
        })
        .collect()
}

/// The target's contract has it waiting in `CrashLoopBackOff`.
pub fn expects_crash_loop(expect: &Expectations) -> bool {
    expect
        .waiting_reason
        .as_ref()
        .is_some_and(|w| w.reason == CRASH_LOOP_BACK_OFF)
}

/// The target's contract has it restarted at least once.
pub fn expects_restart(expect: &Expectations) -> bool {
    expect
        .restarts
        .as_ref()
        .and_then(|r| r.min)
        .is_some_and(|m| m >= 1)
        || expects_crash_loop(expect)
}

/// A container's state as the pod status showed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ContainerState {
    Waiting {
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    Running,
    Terminated {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        exit_code: i32,
    },
}

impl ContainerState {
    /// What `kubectl get pods` prints in STATUS for it: the waiting reason, `Running`, the
    /// termination reason.
    pub fn status_word(&self) -> String {
        match self {
            ContainerState::Waiting { reason, .. } => reason.clone(),
            ContainerState::Running => "Running".to_owned(),
            ContainerState::Terminated { reason, exit_code } => reason
                .clone()
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| format!("ExitCode:{exit_code}")),
        }
    }
}

/// The target container at one moment: which instance, in what state, since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetState {
    pub pod: String,
    pub container: String,
    /// The pod status' `restartCount` then: 0 for the first instance.
    pub instance: i32,
    #[serde(flatten)]
    pub state: ContainerState,
    /// When crashlab saw the status that showed this.
    pub since: Timestamp,
    /// `finishedAt` of the newest terminated instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_finished_at: Option<Timestamp>,
}

impl TargetState {
    /// `CrashLoopBackOff (instance 3)`.
    pub fn describe(&self) -> String {
        format!("{} (instance {})", self.state.status_word(), self.instance)
    }

    /// When the kubelet may restart the container at the earliest, while it waits in
    /// `CrashLoopBackOff`: `finishedAt` plus the delay its waiting message names.
    pub fn next_restart_at(&self) -> Option<Timestamp> {
        let ContainerState::Waiting { reason, message } = &self.state else {
            return None;
        };
        if reason != CRASH_LOOP_BACK_OFF {
            return None;
        }
        let delay = message.as_deref().and_then(backoff_in_message)?;
        self.last_finished_at?
            .checked_add(jiff::SignedDuration::from_secs(i64::from(delay)))
            .ok()
    }
}

/// The delay in a `CrashLoopBackOff` message: `back-off 1m20s restarting failed container=…`
/// → 80 s.
pub fn backoff_in_message(message: &str) -> Option<u32> {
    let lower = message.to_ascii_lowercase();
    let rest = &lower[lower.find("back-off ")? + "back-off ".len()..];
    let word = rest.split_whitespace().next()?;
    go_seconds(word)
}

/// Whole seconds of a Go duration such as `10s`, `1m20s`, `5m0s`, `1h0m0s`.
fn go_seconds(s: &str) -> Option<u32> {
    let (mut total, mut num) = (0u32, String::new());
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let n: u32 = num.parse().ok()?;
        num.clear();
        total += n * match c {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return None,
        };
    }
    num.is_empty().then_some(total)
}

/// The newest state of `container` in `pod`, from the entries seen up to `until` (all when
/// `None`). A termination of an older instance reported later (a `lastState`) does not
/// replace the state of a newer one.
pub fn target_state(
    timeline: &Timeline,
    pod: &str,
    container: &str,
    until: Option<Timestamp>,
) -> Option<TargetState> {
    states(timeline, pod, container)
        .into_iter()
        .take_while(|s| until.is_none_or(|u| s.since <= u))
        .last()
}

/// Every state `container` of `pod` went through, in order: one entry per change.
pub fn states(timeline: &Timeline, pod: &str, container: &str) -> Vec<TargetState> {
    let mut out: Vec<TargetState> = Vec::new();
    let mut newest = -1;
    let mut last_finished_at = None;
    for e in &timeline.entries {
        let (instance, state) = match &e.signal {
            Signal::Started {
                container: c,
                restart_count,
                ..
            } if c.is(pod, container) => (*restart_count, ContainerState::Running),
            Signal::Waiting {
                container: c,
                reason,
                message,
                restart_count,
            } if c.is(pod, container) => (
                *restart_count,
                ContainerState::Waiting {
                    reason: reason.clone(),
                    message: message.clone(),
                },
            ),
            Signal::Terminated {
                container: c,
                exit_code,
                reason,
                finished_at,
                restart_count,
                ..
            } if c.is(pod, container) => {
                if finished_at.is_some() && *restart_count >= newest {
                    last_finished_at = *finished_at;
                }
                if *restart_count < newest {
                    // An older instance's `lastState`: only its finish time is news.
                    if let Some(s) = out.last_mut() {
                        s.last_finished_at = s.last_finished_at.or(last_finished_at);
                    }
                    continue;
                }
                (
                    *restart_count,
                    ContainerState::Terminated {
                        reason: reason.clone(),
                        exit_code: *exit_code,
                    },
                )
            }
            _ => continue,
        };
        newest = newest.max(instance);
        let next = TargetState {
            pod: pod.to_owned(),
            container: container.to_owned(),
            instance,
            state,
            since: e.at,
            last_finished_at,
        };
        match out.last_mut() {
            Some(prev) if prev.instance == next.instance && prev.state == next.state => {
                prev.last_finished_at = next.last_finished_at;
            }
            _ => out.push(next),
        }
    }
    out
}

/// What the moment predicates read: the incident as the watch has seen it so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Live {
    /// Since when the incident is ready for diagnosis ([`super::readiness`]).
    pub evidence_at: Option<Timestamp>,
    /// The pod a diagnosis is pointed at.
    pub pod: Option<String>,
    /// The target container's newest state in that pod.
    pub target: Option<TargetState>,
    /// The scenario is already contradicted: the incident it promised will not come, so no
    /// moment is waited for any more.
    pub failed: bool,
}

/// Whether `moment` has come at `now`. `baseline` is, for `running`, the target instance the
/// wait started from (a newer one is the restart it waits for); `window` is the time the
/// tool is given (`--tool-window`). `settled` never comes while the watch is on.
pub fn reached(
    moment: Moment,
    live: &Live,
    now: Timestamp,
    window: Duration,
    baseline: Option<i32>,
) -> bool {
    if live.evidence_at.is_none() {
        return false;
    }
    match moment {
        Moment::Evidence => true,
        Moment::Running => match (&live.target, baseline) {
            (Some(t), Some(b)) => {
                t.instance > b && !matches!(t.state, ContainerState::Waiting { .. })
            }
            _ => false,
        },
        Moment::Crashloop => live
            .target
            .as_ref()
            .and_then(|t| crashloop_window(t, now))
            .is_some_and(|left| left >= window),
        Moment::Settled => false,
    }
}

/// How long the target will still wait in `CrashLoopBackOff` at `now`, at the least.
pub fn crashloop_window(target: &TargetState, now: Timestamp) -> Option<Duration> {
    let next = target.next_restart_at()?;
    let left = next.duration_since(now);
    Some(Duration::try_from(left).unwrap_or(Duration::ZERO))
}

/// The longest `CrashLoopBackOff` wait a crash loop reaches within `observe` on a kubelet
/// with this curve (`initial` doubling up to `max`, the first restart immediate): the delay
/// of the last back-off that begins inside the window. A tool window as long as that can
/// never fit.
pub fn longest_reachable_backoff(observe: Duration, initial_s: u32, max_s: u32) -> Duration {
    let (mut begins_at, mut delay, mut longest) = (0u64, u64::from(initial_s.max(1)), 0u64);
    while begins_at < observe.as_secs() {
        longest = delay;
        begins_at += delay;
        if delay >= u64::from(max_s) {
            break;
        }
        delay = (delay * 2).min(u64::from(max_s));
    }
    if begins_at < observe.as_secs() {
        longest = u64::from(max_s);
    }
    Duration::from_secs(longest)
}

/// When `moment` first came in a recorded timeline, replayed one entry at a time as the
/// runner sees it, with the target's state then. `settled` is the end of the timeline.
pub fn first_reached(
    moment: Moment,
    expect: &Expectations,
    target: &crate::scenario::Target,
    timeline: &Timeline,
    window: Duration,
) -> Option<(Timestamp, Option<TargetState>)> {
    let mut prefix = Timeline::default();
    let mut live = Live::default();
    let mut baseline = None;
    for entry in &timeline.entries {
        prefix.entries.push(entry.clone());
        if live.evidence_at.is_none()
            && super::ready_for_diagnosis::ready_for_diagnosis(expect, target, &prefix)
        {
            live.evidence_at = Some(entry.at);
        }
        if live.evidence_at.is_some() {
            live.pod = super::summarize(target, &prefix).pods.last().cloned();
            live.target = live
                .pod
                .as_deref()
                .and_then(|p| target_state(&prefix, p, &target.container, None));
            baseline = baseline.or(Some(live.target.as_ref().map_or(0, |t| t.instance)));
        }
        if reached(moment, &live, entry.at, window, baseline) {
            return Some((entry.at, live.target));
        }
    }
    (moment == Moment::Settled)
        .then(|| timeline.entries.last().map(|e| (e.at, live.target)))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expect::fixtures::scenario_of;
    use crate::timeline::recorded;

    const WINDOW: Duration = Duration::from_secs(10);

    fn recording(name: &str) -> (crate::scenario::Scenario, Timeline, Timestamp) {
        let (_, rec) = recorded().into_iter().find(|(n, _)| n == name).unwrap();
        let timeline = Timeline::from_recording(&rec);
        (scenario_of(&rec), timeline, rec.started_at)
    }

    fn after(start: Timestamp, t: Timestamp) -> f64 {
        (t.duration_since(start).as_secs_f64() * 10.0).round() / 10.0
    }

    #[test]
    fn backoff_delays_are_read_from_the_kubelets_message() {
        let m = "back-off 1m20s restarting failed container=app pod=app_ns(uid)";
        assert_eq!(backoff_in_message(m), Some(80));
        assert_eq!(backoff_in_message("Back-off 10s restarting"), Some(10));
        assert_eq!(backoff_in_message("back-off 5m0s restarting"), Some(300));
        assert_eq!(backoff_in_message("container app is waiting"), None);
    }

    #[test]
    fn on_the_recorded_exit_1_the_first_crash_loop_status_comes_just_before_the_restart() {
        // v1.34.4: exit 2 at +2.0 s; `CrashLoopBackOff` "back-off 10s" shown at +15.3 s,
        // restart at +16.1 s; "back-off 20s" shown at +29.3 s, restart at +44.1 s.
        let (s, timeline, start) = recording("exit-1");
        let (expect, target) = (&s.spec.expect, &s.spec.target);
        let (at, state) =
            first_reached(Moment::Evidence, expect, target, &timeline, WINDOW).unwrap();
        let state = state.unwrap();
        assert_eq!((after(start, at), state.instance), (15.3, 1));
        assert_eq!(state.state.status_word(), CRASH_LOOP_BACK_OFF);
        // The kubelet's next restart, predicted from finishedAt + 10 s, is already due.
        let left = crashloop_window(&state, at).unwrap();
        assert!(left < Duration::from_secs(1), "{left:?}");

        // Right after the restart the evidence waited for: instance 2, already ended.
        let (at, state) =
            first_reached(Moment::Running, expect, target, &timeline, WINDOW).unwrap();
        assert_eq!((after(start, at), state.unwrap().instance), (16.1, 2));

        // No CrashLoopBackOff wait of 10 s came in the 44 s recorded: the 20 s back-off was
        // shown 14 s after the exit it follows, with 5.9 s left by the prediction (the real
        // restart came 14.8 s later: the requeue slack, which the prediction leaves out).
        assert_eq!(
            first_reached(Moment::Crashloop, expect, target, &timeline, WINDOW),
            None
        );
        let (at, state) = first_reached(
            Moment::Crashloop,
            expect,
            target,
            &timeline,
            Duration::from_secs(5),
        )
        .unwrap();
        let state = state.unwrap();
        assert_eq!((after(start, at), state.instance), (29.3, 2));
        assert_eq!(
            backoff_in_message(match &state.state {
                ContainerState::Waiting { message, .. } => message.as_deref().unwrap(),
                other => panic!("{other:?}"),
            }),
            Some(20)
        );
    }

    #[test]
    fn moments_that_do_not_apply_fall_back_to_evidence_and_say_why() {
        let (s, _, _) = recording("missing-secret-ref");
        let calls = plan(&Moment::ALL, &s.spec.expect);
        let by: Vec<(Moment, Moment)> = calls.iter().map(|c| (c.asked, c.moment)).collect();
        assert_eq!(
            by,
            [
                (Moment::Evidence, Moment::Evidence),
                (Moment::Running, Moment::Evidence),
                (Moment::Crashloop, Moment::Evidence),
                (Moment::Settled, Moment::Settled),
            ]
        );
        assert!(
            calls[2]
                .note
                .as_deref()
                .unwrap()
                .contains("does not crash-loop")
        );
        let (s, _, _) = recording("exit-1");
        assert!(plan(&[Moment::Crashloop], &s.spec.expect)[0].note.is_none());
    }

    #[test]
    fn the_longest_reachable_backoff_follows_the_curve() {
        // 0, 0, 10, 30, 70, 150, 310: within 240 s the 160 s wait begins (at 150 s).
        assert_eq!(
            longest_reachable_backoff(Duration::from_secs(240), 10, 300),
            Duration::from_secs(160)
        );
        assert_eq!(
            longest_reachable_backoff(Duration::from_secs(60), 10, 300),
            Duration::from_secs(40)
        );
        // A flat 2 s curve.
        assert_eq!(
            longest_reachable_backoff(Duration::from_secs(60), 2, 2),
            Duration::from_secs(2)
        );
    }

    /// Every recording: when each moment came (seconds after the run started), and the
    /// state the tool would have been shown.
    #[test]
    fn moments_on_every_recording() {
        let mut lines = Vec::new();
        for (name, rec) in recorded() {
            let s = scenario_of(&rec);
            let timeline = Timeline::from_recording(&rec);
            let mut cells = vec![format!("{name:<32}")];
            for m in [Moment::Evidence, Moment::Running, Moment::Crashloop] {
                let calls = plan(&[m], &s.spec.expect);
                let cell = match first_reached(
                    calls[0].moment,
                    &s.spec.expect,
                    &s.spec.target,
                    &timeline,
                    WINDOW,
                ) {
                    Some((at, state)) => format!(
                        "{m} {}{} +{:.1}s {}",
                        if calls[0].moment == m { "" } else { "→" },
                        if calls[0].moment == m {
                            String::new()
                        } else {
                            calls[0].moment.to_string()
                        },
                        at.duration_since(rec.started_at).as_secs_f64(),
                        state.map_or("-".to_owned(), |t| t.describe())
                    ),
                    None => format!("{m} not within the recording"),
                };
                cells.push(cell);
            }
            lines.push(cells.join(" | "));
        }
        insta::assert_snapshot!(lines.join("\n"));
    }
}
