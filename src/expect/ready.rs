//! The readiness check: the container must become ready (`ready: true`), or must never be.

use super::view::TargetView;
use super::{CheckResult, Outcome};

const BECOMES_READY: &str = "becomes ready";

/// The target was expected to become ready (`ready: true`, the recovery of a loop such as
/// `dependency-later`'s) and did, among a scenario's `checks`. Checks of other containers
/// (`expect.containers`) are named after their container and do not count.
pub fn target_recovered(checks: &[CheckResult]) -> bool {
    checks
        .iter()
        .any(|c| c.name == "ready" && c.expected == BECOMES_READY && c.passed)
}

/// `ready: true` is a must check (met once the container is seen ready); `ready: false` a
/// must-not check (contradicted once it is seen ready). Returns the check and whether it is a
/// must-not check.
pub(crate) fn check(want: bool, view: &TargetView) -> (CheckResult, bool) {
    let ever = view.ready.iter().any(|r| *r);
    let observed = match (ever, view.ready.last()) {
        (false, _) => "never ready".to_owned(),
        (true, Some(true)) => "ready".to_owned(),
        (true, _) => "ready, then not ready again".to_owned(),
    };
    if want {
        let outcome = if ever { Outcome::Met } else { Outcome::Pending };
        (
            CheckResult::new("ready", outcome, BECOMES_READY, observed),
            false,
        )
    } else {
        let outcome = if ever {
            Outcome::Contradicted
        } else {
            Outcome::Pending
        };
        (
            CheckResult::new("ready", outcome, "never ready", observed),
            true,
        )
    }
}
