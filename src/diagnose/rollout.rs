//! The rollout that made the diagnosed pod's revision: its workload, the revision before, and
//! what changed in the pod template between them.

use super::ctx::Ctx;
use super::input::{Owner, OwnerFacts, Revision};
use super::log_lines::LineKind;
use super::template_diff::{Change, template_changes};

/// A rollout from `prev` to `cur`, the revision the pod is of.
pub(super) struct Rollout<'a> {
    pub workload: &'a Owner,
    pub cur: &'a Revision,
    pub prev: &'a Revision,
    /// `revision 4`, or `an unnumbered revision`.
    pub rev: String,
    /// `revision 3`, or `the previous revision`.
    pub prev_rev: String,
    /// What changed in the pod template, when both templates are known.
    pub changes: Option<Vec<Change>>,
}

/// The workload whose revisions the pod's owners hold: a Deployment, StatefulSet or DaemonSet.
/// None under a Job, whose pods are attempts, not revisions.
pub(super) fn workload(owners: &OwnerFacts) -> Option<&Owner> {
    if owners.chain.iter().any(|o| o.kind == "Job") {
        return None;
    }
    owners
        .chain
        .iter()
        .find(|o| matches!(o.kind.as_str(), "Deployment" | "StatefulSet" | "DaemonSet"))
}

/// `revision 4`, or `an unnumbered revision`.
pub(super) fn revision_name(r: &Revision) -> String {
    r.revision
        .map(|r| format!("revision {r}"))
        .unwrap_or_else(|| "an unnumbered revision".to_owned())
}

impl<'a> Rollout<'a> {
    /// The rollout that made the pod's revision, when the workload has a revision before it.
    pub fn of(ctx: &Ctx<'a>) -> Option<Self> {
        let owners = ctx.input.owners.ok()?;
        let workload = workload(owners)?;
        let i = owners.revisions.iter().position(|r| r.current)?;
        let (cur, prev) = (&owners.revisions[i], owners.revisions.get(i + 1)?);
        let changes = match (&prev.template, &cur.template) {
            (Some(old), Some(new)) => Some(template_changes(old, new)),
            _ => None,
        };
        Some(Self {
            workload,
            cur,
            prev,
            rev: revision_name(cur),
            prev_rev: prev
                .revision
                .map_or("the previous revision".to_owned(), |r| {
                    format!("revision {r}")
                }),
            changes,
        })
    }

    pub fn kind(&self) -> &'a str {
        self.workload.kind.as_str()
    }

    /// What holds the revisions: a Deployment's ReplicaSets, a StatefulSet's or DaemonSet's
    /// ControllerRevisions.
    pub fn object(&self) -> &'static str {
        if self.kind() == "Deployment" {
            "ReplicaSet"
        } else {
            "ControllerRevision"
        }
    }

    /// `kubectl rollout undo deployment/web -n shop`.
    pub fn undo(&self, ctx: &Ctx) -> String {
        ctx.kubectl(&format!(
            "rollout undo {}/{}",
            self.kind().to_lowercase(),
            self.workload.name
        ))
    }

    /// `kubectl rollout history deployment/web -n shop`.
    pub fn history(&self, ctx: &Ctx) -> String {
        history_command(ctx, self.workload)
    }

    /// The change that explains the variable the key log line misses: the rollout removed
    /// (`removed`) or changed (`changed`) it in the container's template.
    pub fn env_change(&self, ctx: &Ctx) -> Option<(&'static str, &str)> {
        let Some((_, LineKind::MissingEnv(missing))) = &ctx.key_line else {
            return None;
        };
        self.changes.iter().flatten().find_map(|c| match c {
            Change::EnvRemoved { container, var } | Change::EnvChanged { container, var }
                if container == &ctx.container && var == missing =>
            {
                let verb = match c {
                    Change::EnvRemoved { .. } => "removed",
                    _ => "changed",
                };
                Some((verb, var.as_str()))
            }
            _ => None,
        })
    }
}

/// `kubectl rollout history deployment/web -n shop`.
pub(super) fn history_command(ctx: &Ctx, workload: &Owner) -> String {
    ctx.kubectl(&format!(
        "rollout history {}/{}",
        workload.kind.to_lowercase(),
        workload.name
    ))
}
