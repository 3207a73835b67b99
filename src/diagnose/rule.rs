//! A diagnose rule: one thing a person checks, the evidence it reads, and the clue it gives
//! when that evidence points to a cause. Rules are pure functions of the [`Ctx`] (gathering
//! is `gather*.rs`'s); [`super::rules::RULES`] lists them in the order they are tried.

use super::ctx::Ctx;
use super::diagnosis::Clue;

/// One rule. Its clues are stamped with its name ([`Clue::rule`]).
// `needs` and `gives` are for the reader; the diagnosis reads neither, the tests check both.
#[cfg_attr(not(test), allow(dead_code))]
pub(super) struct Rule {
    /// Kebab-case; the rule's file is `src/diagnose/rules/<name with _>.rs`.
    pub name: &'static str,
    /// The evidence it reads.
    pub needs: &'static [Needs],
    /// The clue it gives, in a line: its category, strength and when.
    pub gives: &'static str,
    pub check: Check,
}

/// How a rule turns the evidence into clues.
pub(super) enum Check {
    /// At most one clue.
    One(fn(&Ctx) -> Option<Clue>),
    /// A clue per object it finds wrong (each missing Secret, each silent Service), in order.
    Each(fn(&Ctx) -> Vec<Clue>),
}

/// What a rule reads of a [`super::DiagnoseInput`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Needs {
    /// How the last instance ended: exit code, reason, message.
    ExitCode,
    /// The container's waiting reason and message.
    Waiting,
    /// Restart count, running, ready.
    Status,
    /// The pod's `PodScheduled` condition.
    Scheduling,
    /// The container's spec: image, command, probes, mounts, security context.
    Spec,
    /// The container's requests and limits.
    Resources,
    /// The last instance's logs: the line that explains the exit, the crash report.
    Logs,
    /// Events about the pod.
    Events,
    /// The pod's controllers and the workload's revisions (what a rollout changed).
    Owners,
    /// The Secrets and ConfigMaps the container references, and whether they exist.
    ConfigRefs,
    /// The namespace's Services and their ready endpoints.
    Services,
    /// The pods behind a Service, with their logs.
    Backends,
}

impl Rule {
    /// The rule's clues for `ctx`, in order, each stamped with its name.
    pub fn clues(&self, ctx: &Ctx) -> Vec<Clue> {
        let mut clues = match self.check {
            Check::One(f) => f(ctx).into_iter().collect(),
            Check::Each(f) => f(ctx),
        };
        for c in &mut clues {
            c.rule = self.name;
        }
        clues
    }
}
