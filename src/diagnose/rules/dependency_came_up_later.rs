//! The app stopped on a refused connection but runs again now, ready by its readiness probe:
//! what it could not reach was not listening yet and came up later (a dependency still
//! initialising after a cold start while the app started first).

use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::log_lines::LineKind;
use crate::diagnose::log_words::{subject, who};
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "dependency-came-up-later",
    needs: &[Needs::Logs, Needs::Status, Needs::Spec],
    gives: "dependency-down (3) when the line that explains the exit is a failed connection and the container, restarted, is now running and ready by a readiness probe",
    check: Check::One(clue),
};

fn clue(ctx: &Ctx) -> Option<Clue> {
    let Some((LineKind::Connection { target, name }, _)) = ctx.explaining_line() else {
        return None;
    };
    let status = ctx.status?;
    // Ready by a readiness probe: without one, the kubelet reports even an instance that
    // exits within milliseconds ready for a moment, which proves nothing.
    let proven = status.ready && ctx.spec.is_some_and(|c| c.readiness_probe.is_some());
    if !ctx.running() || !proven || ctx.restart_count() == 0 {
        return None;
    }
    let (name, target) = (name.as_deref(), target.as_deref());
    let who = who(name, target, "its dependency");
    let short = name.or(target).unwrap_or("its dependency");
    Some(
        Clue::new(
            Category::DependencyDown,
            3,
            format!(
                "It runs again now (ready, after {} restarts), so {who} was not listening yet when the app started, and came up later: it was still initialising (a cold start) while the app started first, and the app crash-looped on the refused connections until then.",
                ctx.restart_count()
            ),
        )
        .fix(format!(
            "Nothing is down any more; make {subject} wait for {short} and retry with a back-off instead of exiting (or add an init container that waits until {short} accepts connections), so that the next cold start does not crash-loop it.",
            subject = subject(ctx)
        )),
    )
}
