//! Step 3, events: what the kubelet and the scheduler said about the pod. (The clues it gives
//! are the rules' of [`super::rules::RULES`].)

use super::ctx::{Ctx, EventGroup};
use super::input::Fetched;
use super::probe::unhealthy;

/// Events every pod gets; they say nothing about a failure.
const ROUTINE: [&str; 5] = ["Scheduled", "Pulling", "Pulled", "Created", "Started"];

/// What the step found, with its details.
pub(super) fn found(ctx: &Ctx, details: &mut Vec<String>) -> String {
    if let Fetched::Failed(why) = &ctx.input.events {
        return format!("could not be listed: {why}");
    }
    if ctx.events.is_empty() {
        return "none (events expire after an hour by default)".to_owned();
    }
    let notable: Vec<&EventGroup> = ctx
        .events
        .iter()
        .filter(|e| !ROUTINE.contains(&e.reason.as_str()))
        .collect();
    for e in &notable {
        details.push(format!(
            "{} {} ×{}: {}",
            e.type_, e.reason, e.count, e.message
        ));
    }
    if unhealthy(ctx, "Readiness").is_some() {
        details.push("readiness probe failures take the pod out of its Services' endpoints but never restart it".to_owned());
    }
    if ctx.events_with("BackOff").next().is_some() {
        details.push("BackOff: the kubelet waits longer before each restart (10s, 20s, 40s … up to 5m): a crash loop".to_owned());
    }
    if notable.is_empty() {
        return "only routine events (Scheduled, Pulled, Created, Started)".to_owned();
    }
    let mut seen: Vec<(String, i32)> = Vec::new();
    for e in &notable {
        match seen.iter_mut().find(|(r, _)| *r == e.reason) {
            Some((_, n)) => *n += e.count,
            None => seen.push((e.reason.clone(), e.count)),
        }
    }
    seen.iter()
        .map(|(r, n)| format!("{r} ×{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}
