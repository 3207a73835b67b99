//! How the log rules word their clues: the explaining line quoted as the app's own account,
//! who runs the program, and what it cannot reach.

use super::ctx::Ctx;

/// How the explaining line is introduced: a crash report is read as a whole.
pub(super) fn says(ctx: &Ctx, text: &str) -> String {
    match &ctx.crash {
        Some(r) => format!(
            "Its log ends in a {} crash report: «{text}»",
            r.runtime.name()
        ),
        None => format!("Its last log line says why: «{text}»"),
    }
}

/// Who runs the program: `the app`, or the init container or sidecar by name.
pub(super) fn subject(ctx: &Ctx) -> String {
    if ctx.init {
        ctx.container.clone()
    } else {
        "the app".to_owned()
    }
}

/// `postgres at 10.96.0.9:5432`, `postgres`, `10.96.0.9:5432`, or `unnamed`.
pub(super) fn who(name: Option<&str>, target: Option<&str>, unnamed: &str) -> String {
    match (name, target) {
        (Some(n), Some(t)) => format!("{n} at {t}"),
        (Some(n), None) => n.to_owned(),
        (None, Some(t)) => t.to_owned(),
        (None, None) => unnamed.to_owned(),
    }
}
