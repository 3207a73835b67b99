//! A pod the scheduler cannot place: for lack of CPU or memory (its requests are larger than
//! what any node has free), or because no node matches its constraints. Not a crash loop: no
//! container of it ever started.

use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "unschedulable",
    needs: &[
        Needs::Status,
        Needs::Scheduling,
        Needs::Events,
        Needs::Resources,
    ],
    gives: "resource-limits (3) when no node has enough free for the pod's requests, else missing-config (2): the container has no status and the pod is not scheduled",
    check: Check::One(clue),
};

fn clue(ctx: &Ctx) -> Option<Clue> {
    // A container without a status has not ended and is not waiting.
    if ctx.status.is_some() {
        return None;
    }
    let message = ctx.unscheduled()?;
    let message = message.trim().trim_end_matches('.');
    let insufficient: Vec<&str> = ["cpu", "memory", "ephemeral-storage", "pods"]
        .into_iter()
        .filter(|r| message.contains(&format!("Insufficient {r}")))
        .collect();
    let quoted = if message.is_empty() {
        String::new()
    } else {
        format!(" («{message}»)")
    };
    if insufficient.is_empty() {
        return Some(Clue::new(
            Category::MissingConfig,
            2,
            format!("The pod is Pending: the scheduler finds no node it may run on{quoted}, so it was never scheduled and no container ever started."),
        )
        .fix("Make the pod's node selector, affinity, tolerations or volume claims match the cluster's nodes."));
    }
    let requests: Vec<String> = insufficient
        .iter()
        .filter_map(|r| Some(format!("requests.{r} {}", ctx.resource("requests", r)?)))
        .collect();
    let asks = if requests.is_empty() {
        String::new()
    } else {
        format!(
            " Container {} asks for {}.",
            ctx.container,
            requests.join(" and ")
        )
    };
    let short = insufficient.join(" and ");
    Some(
        Clue::new(
            Category::ResourceLimits,
            3,
            format!(
                "The pod is Pending: no node has enough {short} free for its requests{quoted}, so the scheduler never placed it (FailedScheduling) and no container ever started: not a crash loop.{asks}"
            ),
        )
        .fix(format!(
            "Lower the {short} requests to what the app really needs and a node can offer (compare with `kubectl describe nodes`, Allocatable), or add a node large enough."
        ))
        .command(
            "kubectl describe nodes".to_owned(),
            "what each node can allocate and what is already requested",
        ),
    )
}
