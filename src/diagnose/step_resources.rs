//! Step 5, resources: the container's requests and limits, and whether it hit them. (The
//! clues it gives are the rules' of [`super::rules::RULES`].)

use super::ctx::Ctx;

/// What the step found, with its details.
pub(super) fn found(ctx: &Ctx, details: &mut Vec<String>) -> String {
    let set: Vec<String> = [
        ("limits", "memory"),
        ("requests", "memory"),
        ("limits", "cpu"),
        ("requests", "cpu"),
    ]
    .into_iter()
    .filter_map(|(which, name)| Some(format!("{which}.{name} {}", ctx.resource(which, name)?)))
    .collect();
    let declared = if set.is_empty() {
        "no requests or limits".to_owned()
    } else {
        set.join(", ")
    };
    if ctx.oom_killed() {
        let limit = ctx
            .resource("limits", "memory")
            .unwrap_or_else(|| "the node's memory".to_owned());
        details.push(format!(
            "the container was OOMKilled at {limit}: whatever it needs at peak is more than that"
        ));
        format!("{declared}: the memory limit was reached (OOMKilled)")
    } else if let Some(short) = ctx
        .events_with("FailedScheduling")
        .last()
        .filter(|_| ctx.status.is_none())
        .map(|e| {
            ["cpu", "memory", "ephemeral-storage"]
                .into_iter()
                .filter(|r| e.message.contains(&format!("Insufficient {r}")))
                .collect::<Vec<_>>()
        })
        .filter(|short| !short.is_empty())
    {
        format!(
            "{declared}: more {} than any node has free (Insufficient {}), so the pod cannot be scheduled",
            short.join(" and "),
            short.join(", Insufficient ")
        )
    } else if ctx.never_ran() && ctx.waiting_reason().is_some() {
        format!("{declared}: not involved, the container was never created")
    } else if ctx.termination().is_none() {
        format!("{declared}: nothing has stopped, so nothing to compare them with")
    } else {
        if ctx.termination().is_some_and(|t| t.exit_code == 137) {
            details.push("exit code 137 without OOMKilled is not an OOM kill: the SIGKILL came from elsewhere".to_owned());
        }
        format!("{declared}: not OOMKilled, so memory is not why it stops")
    }
}
