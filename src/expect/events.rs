//! Event checks: events that must appear about the target, and events that must not.

use crate::scenario::EventExpectation;

use super::pattern::{matches, quote, show, validate};
use super::view::{EventView, TargetView};
use super::{CheckResult, Outcome};

fn describe_expected(exp: &EventExpectation) -> String {
    let article = match exp.reason.chars().next() {
        Some('A' | 'E' | 'I' | 'O' | 'U' | 'a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    };
    match &exp.message {
        Some(p) => format!(
            "{article} {} event with a message matching {}",
            exp.reason,
            show(p)
        ),
        None => format!("{article} {} event", exp.reason),
    }
}

/// `BackOff ×4: Back-off restarting failed container app in pod …`
pub(crate) fn describe_event(e: &EventView) -> String {
    let count = if e.count > 1 {
        format!(" ×{}", e.count)
    } else {
        String::new()
    };
    format!(
        "{}{count}: {}",
        e.reason,
        e.message.lines().next().unwrap_or_default()
    )
}

/// The events about the target with the expected reason and message. Errors name an invalid
/// pattern.
fn matching<'v, 'a>(
    exp: &EventExpectation,
    view: &'v TargetView<'a>,
) -> Result<Vec<&'v EventView<'a>>, String> {
    if let Some(p) = &exp.message {
        validate(p)?;
    }
    let mut out = Vec::new();
    for e in view.events.iter().filter(|e| e.reason == exp.reason) {
        let ok = match &exp.message {
            Some(p) => matches(p, e.message)?,
            None => true,
        };
        if ok {
            out.push(e);
        }
    }
    Ok(out)
}

/// Every reason seen, in order, with its total count: `Scheduled, Pulled ×3, Created ×3`.
fn reasons_seen(view: &TargetView) -> String {
    let mut totals: Vec<(&str, i32)> = Vec::new();
    for e in &view.events {
        match totals.iter_mut().find(|(r, _)| *r == e.reason) {
            Some((_, n)) => *n += e.count,
            None => totals.push((e.reason, e.count)),
        }
    }
    totals
        .iter()
        .map(|(r, n)| {
            if *n > 1 {
                format!("{r} ×{n}")
            } else {
                (*r).to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `event <Reason>`: met once a matching event about the target appears; pending until then.
pub(crate) fn check_present(exp: &EventExpectation, view: &TargetView) -> CheckResult {
    let name = format!("event {}", exp.reason);
    let expected = describe_expected(exp);
    let found = match matching(exp, view) {
        Ok(found) => found,
        Err(e) => return CheckResult::new(name, Outcome::Contradicted, expected, e),
    };
    if let Some(first) = found.first() {
        return CheckResult::new(name, Outcome::Met, expected, describe_event(first));
    }
    let same_reason: Vec<_> = view
        .events
        .iter()
        .filter(|e| e.reason == exp.reason)
        .collect();
    let observed = match same_reason.last() {
        Some(e) => format!(
            "{} {} event(s), none matching; last: {}",
            same_reason.len(),
            exp.reason,
            quote(e.message, 120)
        ),
        None if view.events.is_empty() => "no events".to_owned(),
        None => format!("no {} event; seen: {}", exp.reason, reasons_seen(view)),
    };
    CheckResult::new(name, Outcome::Pending, expected, observed)
}

/// `no event <Reason>`: contradicted as soon as a matching event about the target appears;
/// otherwise pending until the evaluation judges the watch long enough.
pub(crate) fn check_absent(exp: &EventExpectation, view: &TargetView) -> CheckResult {
    let name = format!("no event {}", exp.reason);
    let expected = match &exp.message {
        Some(p) => format!(
            "no {} event with a message matching {}",
            exp.reason,
            show(p)
        ),
        None => format!("no {} event", exp.reason),
    };
    match matching(exp, view) {
        Err(e) => CheckResult::new(name, Outcome::Contradicted, expected, e),
        Ok(found) if found.is_empty() => CheckResult::new(name, Outcome::Pending, expected, "none"),
        Ok(found) => {
            let seen: Vec<String> = found.iter().map(|e| describe_event(e)).collect();
            CheckResult::new(name, Outcome::Contradicted, expected, seen.join("; "))
        }
    }
}
