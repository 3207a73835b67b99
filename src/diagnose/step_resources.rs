//! Step 5, resources: the container's requests and limits, and whether it hit them.

use crate::scenario::Category;

use super::ctx::Ctx;
use super::diagnosis::{Clue, Step, StepKind};

pub(super) fn step(ctx: &Ctx) -> Step {
    let mut details = Vec::new();
    let mut clues = Vec::new();
    let resources = ctx.spec.and_then(|c| c.resources.as_ref());
    let get = |which: &str, name: &str| {
        resources
            .and_then(|r| match which {
                "limits" => r.limits.as_ref(),
                _ => r.requests.as_ref(),
            })
            .and_then(|m| m.get(name))
            .map(|q| q.0.clone())
    };
    let limit_mem = get("limits", "memory");
    let mut set = Vec::new();
    for (which, name) in [
        ("limits", "memory"),
        ("requests", "memory"),
        ("limits", "cpu"),
        ("requests", "cpu"),
    ] {
        if let Some(v) = get(which, name) {
            set.push(format!("{which}.{name} {v}"));
        }
    }
    let declared = if set.is_empty() {
        "no requests or limits".to_owned()
    } else {
        set.join(", ")
    };
    let found = if ctx.oom_killed() {
        let limit = limit_mem
            .clone()
            .unwrap_or_else(|| "the node's memory".to_owned());
        details.push(format!(
            "the container was OOMKilled at {limit}: whatever it needs at peak is more than that"
        ));
        clues.push(
            Clue::new(
                Category::ResourceLimits,
                3,
                match &limit_mem {
                    Some(l) => format!("Its memory limit (limits.memory) is {l}, and it uses all of it."),
                    None => "It has no memory limit, so it was killed when the node ran short.".to_owned(),
                },
            )
            .fix(match &limit_mem {
                Some(l) => format!("Find out why it needs more than {l} (a leak, an unbounded cache, a heap sized for a bigger machine) and fix that, or raise limits.memory if the app really needs that much."),
                None => "Set requests.memory to what the app really uses, and fix the growth if it is a leak.".to_owned(),
            })
            .command(
                ctx.kubectl(&format!("top pod {} --containers", ctx.pod)),
                "memory in use now (needs metrics-server)",
            )
            .command(
                ctx.kubectl(&format!(
                    "get pod {} -o jsonpath='{{.spec.containers[?(@.name==\"{}\")].resources}}'",
                    ctx.pod, ctx.container
                )),
                "the requests and limits as set",
            ),
        );
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
    };
    Step {
        step: StepKind::Resources,
        found,
        details,
        points_to: None,
        clues,
    }
}
