//! A main process that exits 0 and is started again: a program meant to finish, run by a
//! workload whose pods must keep running.
//!
//! Under `restartPolicy: Always` (the only policy of a Deployment, StatefulSet or DaemonSet,
//! and of a native sidecar) a finished process is started again, and a container that keeps
//! finishing ends in CrashLoopBackOff like one that fails.

use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "exit-zero-restarted",
    needs: &[Needs::ExitCode, Needs::Status, Needs::Owners],
    gives: "code-bug (2) when a container that is not a plain init container exits 0 under restartPolicy Always and was restarted",
    check: Check::One(clue),
};

fn clue(ctx: &Ctx) -> Option<Clue> {
    let t = ctx.termination()?;
    if t.exit_code != 0 || (ctx.init && !ctx.sidecar) {
        return None;
    }
    if ctx.restart_policy() != "Always" || ctx.restart_count() == 0 {
        return None;
    }
    let how = match t.reason.as_deref().unwrap_or("") {
        "" => "exit code 0".to_owned(),
        reason => format!("exit code 0, {reason}"),
    };
    let runs_as = match workload_kind(ctx).as_deref() {
        Some(kind) => format!("it runs as a {kind}, whose pods must keep running"),
        None => "its pod's restartPolicy is Always".to_owned(),
    };
    Some(
        Clue::new(
            Category::CodeBug,
            2,
            format!(
                "Its main process finishes successfully ({how}) and is started again, over and over: {runs_as}, so a program that completes its work and exits is treated as a crash, and the kubelet backs off between restarts (CrashLoopBackOff). The program is meant to finish, the workload is not meant for it."
            ),
        )
        .fix("Run a program that is meant to finish as a Job (or a CronJob, to run it on a schedule), which expects it to complete; if it is meant to serve, keep its main process in the foreground instead of exiting."),
    )
}

/// The kind of the pod's workload: from the owners read, else from the pod's controller
/// (a ReplicaSet with a `pod-template-hash` is a Deployment's).
fn workload_kind(ctx: &Ctx) -> Option<String> {
    if let Some(owners) = ctx.input.owners.ok()
        && let Some(top) = owners.chain.last()
    {
        return Some(top.kind.clone());
    }
    let pod = &ctx.input.pod;
    let owner = pod
        .metadata
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true))?;
    let hashed = pod
        .metadata
        .labels
        .as_ref()
        .is_some_and(|l| l.contains_key("pod-template-hash"));
    Some(if owner.kind == "ReplicaSet" && hashed {
        "Deployment".to_owned()
    } else {
        owner.kind.clone()
    })
}
