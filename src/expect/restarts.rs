//! Restart-count bounds: at least `min` (must happen), at most `max` (must not be exceeded).

use crate::scenario::RestartExpectation;

use super::view::TargetView;
use super::{CheckResult, Outcome};

fn restarts(n: i32) -> String {
    match n {
        1 => "1 restart".to_owned(),
        n => format!("{n} restarts"),
    }
}

/// `restarts.min`: met once the restart count reaches `min`; pending until then.
pub(crate) fn check_min(exp: &RestartExpectation, view: &TargetView) -> Option<CheckResult> {
    let min = exp.min?;
    let outcome = if view.restart_count >= min {
        Outcome::Met
    } else {
        Outcome::Pending
    };
    Some(CheckResult::new(
        "restarts.min",
        outcome,
        format!("at least {}", restarts(min)),
        restarts(view.restart_count),
    ))
}

/// `restarts.max`: contradicted as soon as the count exceeds `max`; otherwise pending until
/// the evaluation judges the watch long enough (see [`super::evaluate`]).
pub(crate) fn check_max(exp: &RestartExpectation, view: &TargetView) -> Option<CheckResult> {
    let max = exp.max?;
    let outcome = if view.restart_count > max {
        Outcome::Contradicted
    } else {
        Outcome::Pending
    };
    let expected = if max == 0 {
        "no restart".to_owned()
    } else {
        format!("at most {}", restarts(max))
    };
    Some(CheckResult::new(
        "restarts.max",
        outcome,
        expected,
        restarts(view.restart_count),
    ))
}
