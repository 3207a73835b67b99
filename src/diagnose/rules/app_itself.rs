//! The fallback: when no rule points anywhere but the container keeps failing, the cause is
//! most likely in the app itself.

use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "app-itself",
    needs: &[Needs::ExitCode, Needs::Status, Needs::Logs],
    gives: "code-bug (1), only when no other rule gave a clue, for a container that failed or restarted: its last log line",
    check: Check::One(clue),
};

fn clue(ctx: &Ctx) -> Option<Clue> {
    let t = ctx.termination()?;
    if t.exit_code == 0 && ctx.restart_count() == 0 {
        return None;
    }
    let last = ctx
        .key_text()
        .or(ctx.log_lines.last().copied())
        .map(|l| format!(" Its last log line: «{l}»."))
        .unwrap_or_default();
    Some(
        Clue::new(
            Category::CodeBug,
            1,
            format!(
                "Nothing around the app explains the exit (no missing Secret or ConfigMap, no Service without endpoints, no probe kill, no OOM kill), so the cause is most likely in the app itself.{last}"
            ),
        )
        .fix("Read the app's last log lines and its exit code; if the crash started with a new version, roll back to the previous one."),
    )
}
