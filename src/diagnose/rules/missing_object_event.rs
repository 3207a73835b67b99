//! The kubelet's events name a missing Secret or ConfigMap (or key): it cannot create the
//! container, or cannot mount its volume.

use std::sync::LazyLock;

use regex::Regex;

use crate::diagnose::ctx::{Ctx, EventGroup};
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "missing-object-event",
    needs: &[Needs::Events, Needs::Waiting],
    gives: "missing-config (3) when the kubelet's first telling failure event names a Secret, ConfigMap or key it cannot find",
    check: Check::One(clue),
};

static NOT_FOUND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(secret|configmap)s? "([^"]+)" not found|couldn't find key (\S+) in (Secret|ConfigMap) (\S+)"#)
        .expect("built-in pattern")
});

/// What the kubelet's first telling `Failed`, `FailedMount` or `ErrImageNeverPull` event
/// reports.
pub(super) enum Failure<'c> {
    /// A Secret, ConfigMap or key not found.
    MissingObject(&'c EventGroup),
    /// An image it cannot pull.
    ImagePull(&'c EventGroup),
}

pub(super) fn first_failure<'c>(ctx: &'c Ctx) -> Option<Failure<'c>> {
    ctx.events
        .iter()
        .filter(|e| {
            matches!(
                e.reason.as_str(),
                "Failed" | "FailedMount" | "ErrImageNeverPull"
            )
        })
        .find_map(|e| {
            if NOT_FOUND.is_match(&e.message) {
                return Some(Failure::MissingObject(e));
            }
            // `Error: ErrImageNeverPull` only repeats the reason; the event of that reason
            // says more.
            let bare_reason = e
                .message
                .trim()
                .strip_prefix("Error: ")
                .is_some_and(|r| !r.contains(' '));
            let pull = e.message.contains("pull") || e.message.contains("ErrImage");
            (pull && !bare_reason).then_some(Failure::ImagePull(e))
        })
}

fn clue(ctx: &Ctx) -> Option<Clue> {
    let Failure::MissingObject(e) = first_failure(ctx)? else {
        return None;
    };
    let message = e.message.trim_end_matches('.');
    // Step 1 already quoted the waiting message: say what the events add, the retries.
    let mut sentence = if ctx.waiting_message().is_some_and(|w| message.contains(w)) {
        format!(
            "The kubelet keeps retrying and failing ({} ×{}: {message}).",
            e.reason, e.count
        )
    } else {
        format!("The kubelet reports: {} ×{}: {message}.", e.reason, e.count)
    };
    if e.reason == "FailedMount" {
        sentence.push_str(" It cannot mount the volume, so the pod stays in ContainerCreating: the container is never created and never runs, so this is not a crash loop and there are no logs.");
    }
    Some(Clue::new(Category::MissingConfig, 3, sentence))
}
