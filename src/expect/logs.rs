//! Previous-logs checks: what the crashed instance printed (`kubectl logs --previous`).

use super::pattern::{matches, quote, show, validate};
use super::view::TargetView;
use super::{CheckResult, Outcome};

/// Met once the logs of any previous instance match `pattern`; pending until then.
pub(crate) fn check(pattern: &str, view: &TargetView) -> CheckResult {
    let name = format!("previous_logs {}", show(pattern));
    let expected = format!("previous logs matching {}", show(pattern));
    if let Err(e) = validate(pattern) {
        return CheckResult::new(name, Outcome::Contradicted, expected, e);
    }
    for logs in &view.logs {
        match matches(pattern, logs.text) {
            Err(e) => return CheckResult::new(name, Outcome::Contradicted, expected, e),
            Ok(true) => {
                // Quote the first matching line when the match lies within one.
                let line = super::pattern::compile(pattern)
                    .ok()
                    .and_then(|re| logs.text.lines().find(|l| re.is_match(l)))
                    .unwrap_or(logs.text);
                let observed = format!(
                    "logs before restart {}: {}",
                    logs.restart_count,
                    quote(line, 120)
                );
                return CheckResult::new(name, Outcome::Met, expected, observed);
            }
            Ok(false) => {}
        }
    }
    let observed = match view.logs.last() {
        None => "no previous logs fetched".to_owned(),
        Some(last) => {
            let tail = last.text.lines().rev().find(|l| !l.trim().is_empty());
            format!(
                "{} previous log(s), none matching; last line: {}",
                view.logs.len(),
                tail.map_or_else(|| "(empty)".to_owned(), |l| quote(l, 120))
            )
        }
    };
    CheckResult::new(name, Outcome::Pending, expected, observed)
}
