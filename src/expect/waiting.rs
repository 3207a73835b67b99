//! The waiting-reason check: the target container must reach a waiting state such as
//! `CrashLoopBackOff` or `CreateContainerConfigError`.

use crate::scenario::WaitingExpectation;

use super::pattern::{matches, quote, show, validate};
use super::view::TargetView;
use super::{CheckResult, Outcome};

pub(crate) fn check(exp: &WaitingExpectation, view: &TargetView) -> CheckResult {
    let expected = match &exp.message {
        Some(p) => format!("waiting {} with a message matching {}", exp.reason, show(p)),
        None => format!("waiting {}", exp.reason),
    };
    let result = |outcome, observed: String| {
        CheckResult::new("waiting_reason", outcome, expected.clone(), observed)
    };

    if let Some(Err(e)) = exp.message.as_deref().map(validate) {
        return result(Outcome::Contradicted, e);
    }
    let same_reason: Vec<_> = view
        .waiting
        .iter()
        .filter(|w| w.reason == exp.reason)
        .collect();
    let mut unmatched = None;
    for w in &same_reason {
        let message = w.message.unwrap_or_default();
        let ok = match &exp.message {
            None => true,
            Some(p) => match matches(p, message) {
                Ok(ok) => ok,
                Err(e) => return result(Outcome::Contradicted, e),
            },
        };
        if ok {
            return result(Outcome::Met, describe(w.reason, w.message));
        }
        unmatched = Some(message);
    }
    let observed = match unmatched {
        Some(message) => format!(
            "waiting {}, but no message matched; last: {}",
            exp.reason,
            quote(message, 120)
        ),
        None if view.waiting.is_empty() => "never waiting".to_owned(),
        None => {
            let mut reasons: Vec<&str> = Vec::new();
            for w in &view.waiting {
                if reasons.last() != Some(&w.reason) {
                    reasons.push(w.reason);
                }
            }
            format!("waiting {}", reasons.join(", then "))
        }
    };
    result(Outcome::Pending, observed)
}

pub(crate) fn describe(reason: &str, message: Option<&str>) -> String {
    match message.filter(|m| !m.is_empty()) {
        Some(m) => format!("waiting {reason}: {}", m.lines().next().unwrap_or_default()),
        None => format!("waiting {reason}"),
    }
}
