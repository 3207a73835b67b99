//! A readiness probe that fails while nothing restarts the container: the pod is never (or no
//! longer) Ready and gets no traffic from its Services, but it is not a crash loop.

use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::probe::{answers, describe_probe, endpoint, unhealthy};
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "readiness-probe",
    needs: &[Needs::Events, Needs::Status, Needs::Spec],
    gives: "probe-failure (3) when readiness probe failures are reported for a running, unready container that has never stopped",
    check: Check::One(clue),
};

fn clue(ctx: &Ctx) -> Option<Clue> {
    let failed = unhealthy(ctx, "Readiness")?;
    if ctx.restart_count() > 0 || ctx.termination().is_some() {
        return None;
    }
    if !ctx.running() || ctx.status.is_some_and(|s| s.ready) {
        return None;
    }
    let probe = ctx.spec.and_then(|c| c.readiness_probe.as_ref());
    let what = probe.map(describe_probe).unwrap_or_default();
    let endpoint = endpoint(probe, "the readiness check");
    let status = answers(failed);
    Some(
        Clue::new(
            Category::ProbeFailure,
            3,
            format!(
                "The readiness probe{what} fails ({}, ×{}), so container {} is running but never Ready: the pod is left out of its Services' endpoints and gets no traffic. A failing readiness probe never restarts a container: this is not a crash loop (restart count 0, it has never stopped).",
                failed.message, failed.count, ctx.container
            ),
        )
        .fix(format!(
            "Make {endpoint} report ready once the app can serve{status}, or, if the app is fine and only the check is wrong, correct the readiness probe (path, port, thresholds). Nothing needs restarting."
        ))
        .command(ctx.spec_field_command("readinessProbe"), "the probe as configured"),
    )
}
