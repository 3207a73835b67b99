//! The observed summary of a scenario: the facts other tools read from `--output json`.

use super::{EventSummary, ObservedSummary};
use crate::scenario::Target;
use crate::timeline::Timeline;

use super::view::TargetView;

/// What the timeline says about the target container, in the public summary's shape.
pub fn summarize(target: &Target, timeline: &Timeline) -> ObservedSummary {
    let view = TargetView::new(target, timeline);
    let last = view.last_termination();
    ObservedSummary {
        pods: view.pods.pods.iter().cloned().collect(),
        container: target.container.clone(),
        nodes: view.nodes.clone(),
        exit_code: last.map(|t| t.exit_code),
        reason: last.and_then(|t| t.reason).map(str::to_owned),
        waiting_reason: view.waiting.last().map(|w| w.reason.to_owned()),
        restart_count: view.restart_count,
        exit_codes: view.terminations.iter().map(|t| t.exit_code).collect(),
        backoff_delays_s: view.delays.values().copied().collect(),
        events: view
            .events
            .iter()
            .map(|e| EventSummary {
                reason: e.reason.to_owned(),
                message: e.message.to_owned(),
                count: e.count,
                type_: e.type_.to_owned(),
            })
            .collect(),
    }
}
