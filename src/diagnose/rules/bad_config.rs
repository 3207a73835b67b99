//! The app's last log line says its configuration file is there but does not parse.

use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::log_lines::LineKind;
use crate::diagnose::log_words::says;
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "bad-config",
    needs: &[Needs::Logs],
    gives: "missing-config (2) when the line that explains the exit says a configuration file does not parse",
    check: Check::One(clue),
};

fn clue(ctx: &Ctx) -> Option<Clue> {
    let Some((LineKind::BadConfig { file, line }, text)) = ctx.explaining_line() else {
        return None;
    };
    let file_name = file.as_deref().unwrap_or("its configuration file");
    let at = line
        .as_ref()
        .map(|l| format!(" at line {l}"))
        .unwrap_or_default();
    Some(
        Clue::new(
            Category::MissingConfig,
            2,
            format!("{}: {file_name} is there but does not parse{at}. The content of the configuration is wrong, so every restart fails the same way.", says(ctx, text)),
        )
        .fix(format!(
            "Correct {file_name}{at} where it comes from (see the recent changes), and validate the configuration before it is deployed."
        )),
    )
}
