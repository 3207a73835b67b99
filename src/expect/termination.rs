//! The last-termination check: how the target container's newest instance ended.

use crate::scenario::TerminationExpectation;

use super::view::{TargetView, Termination};
use super::{CheckResult, Outcome};

/// `exit code 137 (OOMKilled)`: the exit code with the runtime's reason, as `kubectl
/// describe` pairs them.
pub fn describe_exit(exit_code: i32, reason: Option<&str>) -> String {
    match reason.filter(|r| !r.is_empty()) {
        Some(r) => format!("exit code {exit_code} ({r})"),
        None => format!("exit code {exit_code}"),
    }
}

fn describe_expected(exp: &TerminationExpectation) -> String {
    match (exp.exit_code, exp.reason.as_deref()) {
        (Some(code), reason) => describe_exit(code, reason),
        (None, Some(reason)) => format!("reason {reason}"),
        (None, None) => "any termination".to_owned(),
    }
}

fn agrees(exp: &TerminationExpectation, t: &Termination) -> bool {
    exp.exit_code.is_none_or(|c| c == t.exit_code)
        && exp.reason.as_deref().is_none_or(|r| Some(r) == t.reason)
}

/// Met when the newest termination agrees; contradicted when it does not (a crash loop
/// repeats the same failure, so a different ending means the scenario reproduced something
/// else); pending before the first termination.
pub(crate) fn check(exp: &TerminationExpectation, view: &TargetView) -> CheckResult {
    let expected = describe_expected(exp);
    let Some(last) = view.last_termination() else {
        return CheckResult::new(
            "last_termination",
            Outcome::Pending,
            expected,
            "no termination",
        );
    };
    let mut observed = describe_exit(last.exit_code, last.reason);
    let n = view.terminations.len();
    if n > 1 {
        let others: Vec<String> = view.terminations[..n - 1]
            .iter()
            .filter(|t| (t.exit_code, t.reason) != (last.exit_code, last.reason))
            .map(|t| describe_exit(t.exit_code, t.reason))
            .collect();
        if others.is_empty() {
            observed.push_str(&format!(", all {n} terminations alike"));
        } else {
            observed.push_str(&format!(
                " (last of {n}; earlier also {})",
                dedup(others).join(", ")
            ));
        }
    }
    let outcome = if agrees(exp, last) {
        Outcome::Met
    } else {
        Outcome::Contradicted
    };
    CheckResult::new("last_termination", outcome, expected, observed)
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    v.retain(|s| seen.insert(s.clone()));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exits_read_like_kubectl_describe() {
        assert_eq!(
            describe_exit(137, Some("OOMKilled")),
            "exit code 137 (OOMKilled)"
        );
        assert_eq!(describe_exit(1, Some("")), "exit code 1");
        assert_eq!(describe_exit(128, None), "exit code 128");
        let exp = TerminationExpectation {
            exit_code: None,
            reason: Some("OOMKilled".into()),
        };
        assert_eq!(describe_expected(&exp), "reason OOMKilled");
    }
}
