//! The app's last log line says a configuration file it reads is missing.

use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::log_lines::LineKind;
use crate::diagnose::log_words::says;
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "missing-file",
    needs: &[Needs::Logs],
    gives: "missing-config (2) when the line that explains the exit names a missing configuration file",
    check: Check::One(clue),
};

fn clue(ctx: &Ctx) -> Option<Clue> {
    let Some((LineKind::MissingFile(path), text)) = ctx.explaining_line() else {
        return None;
    };
    let what = match path {
        Some(p) => format!("the configuration file {p} is missing"),
        None => "a configuration file is missing".to_owned(),
    };
    let fix = match path {
        Some(p) => format!("Provide {p}: mount the ConfigMap or Secret that holds it at that path, or point the app at the right path."),
        None => "Provide the configuration file the app reads (mount the ConfigMap or Secret that holds it).".to_owned(),
    };
    Some(
        Clue::new(
            Category::MissingConfig,
            2,
            format!("{}: {what}.", says(ctx, text)),
        )
        .fix(fix),
    )
}
