//! A process killed by a crash signal (SIGSEGV, SIGABRT, …) gets no chance to log why: its
//! last log lines show what it was doing when the signal came.

use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "crash-signal",
    needs: &[Needs::Logs, Needs::ExitCode],
    gives: "code-bug (1) when no log line explains an exit by a crash signal: the last two lines, as what it was doing",
    check: Check::One(clue),
};

fn clue(ctx: &Ctx) -> Option<Clue> {
    let lines = &ctx.log_lines;
    if ctx.key_line.is_some() || lines.is_empty() || ctx.oom_killed() {
        return None;
    }
    let signal = ctx.crash_signal()?;
    let doing: Vec<String> = lines[lines.len().saturating_sub(2)..]
        .iter()
        .map(|l| format!("«{}»", l.trim()))
        .collect();
    Some(Clue::new(
        Category::CodeBug,
        1,
        format!(
            "What it was doing when the {signal} came, by its last log lines: {}.",
            doing.join(", then ")
        ),
    ))
}
