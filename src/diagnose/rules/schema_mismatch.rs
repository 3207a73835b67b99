//! The app's last log line says its SQL expects a table or column the database does not have:
//! the program and the schema do not match (a missing or misordered migration).

use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::log_lines::LineKind;
use crate::diagnose::log_words::says;
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "schema-mismatch",
    needs: &[Needs::Logs],
    gives: "code-bug (2) when the line that explains the exit names a table or column the database lacks",
    check: Check::One(clue),
};

fn clue(ctx: &Ctx) -> Option<Clue> {
    let Some((LineKind::Schema { object, migration }, text)) = ctx.explaining_line() else {
        return None;
    };
    let what = match migration {
        Some(m) => {
            format!("migration {m} expects {object}, which the database does not have")
        }
        None => {
            format!("the SQL it runs expects {object}, which the database does not have")
        }
    };
    let fix = match migration {
        Some(m) => format!(
            "Fix migration {m}: it needs {object}, which no migration before it creates (a missing, misnamed or misordered migration); once it applies, {} succeeds on its next restart.",
            ctx.container
        ),
        None => format!(
            "Make the SQL match the schema: create {object} first (a missing or misordered migration), or correct the name."
        ),
    };
    Some(
        Clue::new(
            Category::CodeBug,
            2,
            format!("{}: {what}. The program and the database schema do not match: a bug in the migrations or queries, not in the cluster.", says(ctx, text)),
        )
        .fix(fix),
    )
}
