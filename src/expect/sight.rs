//! What a tool under test was shown: the target container's state when the tool started and
//! when it ended, and every change in between, read from the recorded timeline. A grade is
//! only fair next to the state it was given ("the container was Running, instance 3, for the
//! whole call").

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::timeline::Timeline;

use super::moment::{Moment, TargetState, states, target_state};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sight {
    /// The moment the tool ran at, and the one asked for when it differs (with why).
    pub moment: Moment,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asked: Option<Moment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub started_at: Timestamp,
    pub ended_at: Timestamp,
    /// Seconds from the first apply to the tool's start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_after_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_start: Option<TargetState>,
    /// Every state the target went through during the call, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<TargetState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_end: Option<TargetState>,
    /// The watch covered the whole call. False when the tool ran (or went on) after the
    /// watch had ended: what happened then was not seen.
    pub watched: bool,
}

/// Where and when a tool ran.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub moment: Moment,
    pub asked: Moment,
    pub note: Option<String>,
    pub pod: String,
    pub container: String,
    pub started_at: Timestamp,
    pub ended_at: Timestamp,
}

impl Sight {
    /// What `call` saw of its target, from `timeline` (which begins at `applied_at` and was
    /// watched until `watch_ended_at`).
    pub fn of(
        call: &Call,
        timeline: &Timeline,
        applied_at: Option<Timestamp>,
        watch_ended_at: Option<Timestamp>,
    ) -> Sight {
        let at = |t| target_state(timeline, &call.pod, &call.container, Some(t));
        let changes = states(timeline, &call.pod, &call.container)
            .into_iter()
            .filter(|s| s.since > call.started_at && s.since <= call.ended_at)
            .collect();
        Sight {
            moment: call.moment,
            asked: (call.asked != call.moment).then_some(call.asked),
            note: call.note.clone(),
            started_at: call.started_at,
            ended_at: call.ended_at,
            started_after_s: applied_at.map(|a| call.started_at.duration_since(a).as_secs_f64()),
            at_start: at(call.started_at),
            changes,
            at_end: at(call.ended_at),
            watched: call.moment != Moment::Settled
                && watch_ended_at.is_some_and(|w| w >= call.ended_at),
        }
    }

    /// One line for people: `CrashLoopBackOff (instance 3) for the whole call`, or
    /// `Running (instance 2) → Error (instance 2)`.
    pub fn describe(&self) -> String {
        let Some(start) = &self.at_start else {
            return "no status of the target yet".to_owned();
        };
        let mut parts = vec![start.describe()];
        parts.extend(self.changes.iter().map(TargetState::describe));
        let mut text = if parts.len() == 1 {
            format!("{} for the whole call", parts[0])
        } else {
            parts.join(" → ")
        };
        if !self.watched {
            text.push_str(" (after the watch ended: later changes not seen)");
        }
        text
    }

    /// The state at the start, as `kubectl get pods` would print it.
    pub fn status_at_start(&self) -> String {
        self.at_start
            .as_ref()
            .map_or_else(|| "-".to_owned(), |s| s.state.status_word())
    }
}
