//! The app's last log line says an environment variable it needs is not set.

use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::log_lines::{LineKind, Runtime};
use crate::diagnose::log_words::says;
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "missing-env",
    needs: &[Needs::Logs, Needs::Owners],
    gives: "missing-config (2) when the line that explains the exit names an unset environment variable; the fix names the CronJob's job template when a CronJob owns the pod",
    check: Check::One(clue),
};

fn clue(ctx: &Ctx) -> Option<Clue> {
    let Some((LineKind::MissingEnv(var), text)) = ctx.explaining_line() else {
        return None;
    };
    let how = match &ctx.crash {
        Some(r) if r.runtime == Runtime::Python => {
            format!(
                " (the app reads os.environ[\"{var}\"], which raises KeyError when it is unset)"
            )
        }
        _ => String::new(),
    };
    Some(
        Clue::new(
            Category::MissingConfig,
            2,
            format!("{}: environment variable {var} is not set{how}.", says(ctx, text)),
        )
        .fix(match ctx.cron_job() {
            Some(cron) => format!(
                "Set {var} in the container's environment in CronJob {cron}'s job template (env or envFrom): the next scheduled run is created from it, so editing the Job or the pod does not last."
            ),
            None => format!("Set {var} in the container's environment (env or envFrom)."),
        }),
    )
}
