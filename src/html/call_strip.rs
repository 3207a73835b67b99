//! The tool's call drawn on the incident's time axis (validate's HTML report): the target
//! container's states around the call, coloured as `kubectl get pods` words them, the call as
//! a band over them, and the restart the kubelet had announced. Read from what the tool saw
//! ([`Sight`]); a grade is never shown without the state it was given.

use std::fmt::Write as _;

use jiff::Timestamp;

use super::escape::esc;
use crate::expect::Sight;
use crate::expect::moment::{ContainerState, TargetState};

const WIDTH: f64 = 640.0;
const LEFT: f64 = 8.0;
const TOP: f64 = 18.0;
const BAR: f64 = 18.0;

/// The strip, or nothing when the call's time from apply is not known.
pub fn call_strip(saw: &Sight) -> Option<String> {
    let start = saw.started_after_s?;
    let apply = saw.started_at.as_second() as f64
        + f64::from(saw.started_at.subsec_nanosecond()) / 1e9
        - start;
    let rel = |t: Timestamp| t.as_second() as f64 + f64::from(t.subsec_nanosecond()) / 1e9 - apply;
    let end = rel(saw.ended_at).max(start);
    let mut states: Vec<&TargetState> = saw.at_start.iter().collect();
    states.extend(&saw.changes);
    let restart = saw
        .at_start
        .as_ref()
        .and_then(TargetState::next_restart_at)
        .map(rel);
    // From the last exit before the call, when the kubelet reported one: the whole back-off
    // window the tool was given.
    let exited = saw
        .at_start
        .as_ref()
        .and_then(|s| s.last_finished_at)
        .map(rel)
        .filter(|f| states.first().is_some_and(|s| *f < rel(s.since)));
    let from = exited
        .or(states.first().map(|s| rel(s.since)))
        .unwrap_or(start)
        .min(start)
        .max(0.0);
    let to = restart.unwrap_or(end).max(end) + 1.0;
    let x = |t: f64| LEFT + (t - from) / (to - from) * (WIDTH - 2.0 * LEFT);
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"call\" viewBox=\"0 0 {WIDTH} 64\" width=\"{WIDTH}\" height=\"64\" role=\"img\" aria-label=\"the tool ran from +{start:.1}s to +{end:.1}s after apply\">"
    );
    if let (Some(f), Some(first)) = (exited, states.first()) {
        let _ = write!(
            svg,
            "<rect x=\"{:.1}\" y=\"{TOP}\" width=\"{:.1}\" height=\"{BAR}\" fill=\"#c62828\"><title>exited at +{f:.1}s (finishedAt)</title></rect><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"#fff\">exited</text>",
            x(f),
            (x(rel(first.since)) - x(f)).max(1.0),
            x(f) + 3.0,
            TOP + 13.0
        );
    }
    for (i, s) in states.iter().enumerate() {
        let a = rel(s.since).max(from);
        let b = states.get(i + 1).map_or(to, |n| rel(n.since));
        let _ = write!(
            svg,
            "<rect x=\"{:.1}\" y=\"{TOP}\" width=\"{:.1}\" height=\"{BAR}\" fill=\"{}\"><title>{}</title></rect>",
            x(a),
            (x(b) - x(a)).max(1.0),
            colour(&s.state),
            esc(&s.describe())
        );
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"#fff\">{}</text>",
            x(a) + 3.0,
            TOP + 13.0,
            esc(&s.describe())
        );
    }
    // The call: a band over the states, with its start and end times.
    let _ = write!(
        svg,
        "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"none\" stroke=\"#1565c0\" stroke-width=\"2\"><title>the tool ran from +{start:.1}s to +{end:.1}s</title></rect>",
        x(start),
        TOP - 4.0,
        (x(end) - x(start)).max(2.0),
        BAR + 8.0
    );
    let _ = write!(
        svg,
        "<text x=\"{:.1}\" y=\"11\" font-size=\"10\" fill=\"#1565c0\">tool +{start:.1}s … +{end:.1}s</text>",
        x(start)
    );
    if let Some(r) = restart {
        let _ = write!(
            svg,
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{1:.1}\" y2=\"{2:.1}\" stroke=\"#555\" stroke-dasharray=\"3 2\"/><text x=\"{3:.1}\" y=\"60\" font-size=\"10\" fill=\"#555\" text-anchor=\"end\">next restart ≥ +{r:.1}s</text>",
            x(r),
            TOP - 4.0,
            TOP + BAR + 4.0,
            x(r)
        );
    }
    let _ = write!(
        svg,
        "<text x=\"{LEFT}\" y=\"60\" font-size=\"10\" fill=\"#555\">+{from:.1}s after apply</text></svg>"
    );
    Some(svg)
}

/// `Running` green, `CrashLoopBackOff` amber, a termination red, other waiting grey.
fn colour(state: &ContainerState) -> &'static str {
    match state {
        ContainerState::Running => "#2e7d32",
        ContainerState::Waiting { reason, .. } if reason == "CrashLoopBackOff" => "#ef6c00",
        ContainerState::Terminated { .. } => "#c62828",
        ContainerState::Waiting { .. } => "#757575",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_call_sits_inside_the_back_off_window_it_was_given() {
        let saw: Sight = serde_json::from_value(serde_json::json!({
            "moment": "crashloop",
            "started_at": "2026-11-21T05:28:40Z",
            "ended_at": "2026-11-21T05:28:41Z",
            "started_after_s": 50.0,
            "at_start": {
                "pod": "app", "container": "app", "instance": 3,
                "state": "waiting", "reason": "CrashLoopBackOff",
                "message": "back-off 40s restarting failed container=app pod=app_ns(uid)",
                "since": "2026-11-21T05:28:35Z",
                "last_finished_at": "2026-11-21T05:28:30Z"
            },
            "at_end": {
                "pod": "app", "container": "app", "instance": 3,
                "state": "waiting", "reason": "CrashLoopBackOff",
                "since": "2026-11-21T05:28:35Z"
            },
            "watched": true
        }))
        .unwrap();
        let svg = call_strip(&saw).unwrap();
        insta::assert_snapshot!(svg);
        assert!(svg.contains("tool +50.0s … +51.0s"));
        // finishedAt + 40 s = +80 s after apply.
        assert!(svg.contains("next restart ≥ +80.0s"), "{svg}");
        assert!(svg.contains("CrashLoopBackOff (instance 3)"));
    }

    #[test]
    fn no_strip_without_the_time_from_apply() {
        let saw: Sight = serde_json::from_value(serde_json::json!({
            "moment": "settled",
            "started_at": "2026-11-21T05:28:40Z",
            "ended_at": "2026-11-21T05:28:41Z",
            "watched": false
        }))
        .unwrap();
        assert_eq!(call_strip(&saw), None);
    }
}
