//! The app's last log line says it cannot reach a dependency (refused, timed out, a name that
//! does not resolve).

use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::log_lines::LineKind;
use crate::diagnose::log_words::{says, subject, who};
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "connection-failed",
    needs: &[Needs::Logs],
    gives: "dependency-down (2) when the line that explains the exit is a failed connection, naming what it could not reach",
    check: Check::One(clue),
};

fn clue(ctx: &Ctx) -> Option<Clue> {
    let Some((LineKind::Connection { target, name }, text)) = ctx.explaining_line() else {
        return None;
    };
    let who = who(name.as_deref(), target.as_deref(), "a dependency");
    Some(
        Clue::new(
            Category::DependencyDown,
            2,
            format!("{}: it cannot reach {who}.", says(ctx, text)),
        )
        .fix(format!(
            "Bring {who} back (or point {subject} at a working address), and make {subject} retry instead of exiting.",
            subject = subject(ctx)
        )),
    )
}
