//! The five steps in their fixed order, and the conclusion drawn from their clues: the
//! strongest clue names the category (ties go to the earlier step, as a person stops at the
//! first thing that explains the crash); the summary strings together every clue that agrees.

use std::collections::BTreeMap;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Container, ContainerStateTerminated, ContainerStatus, Event};

use crate::expect::field_path_container;
use crate::scenario::Category;

use super::container_pick::{last_termination, pick_container, spec, status};
use super::diagnosis::{Clue, Confidence, Diagnosis, NextCommand, Step};
use super::error::Result;
use super::input::{DiagnoseInput, Logs};
use super::log_lines::{CrashReport, LineKind, crash_report, key_line};
use super::{step_changes, step_events, step_exit_code, step_logs, step_resources};

/// Diagnoses `input`'s pod. Fails only when the container asked for does not exist.
pub fn diagnose(input: &DiagnoseInput) -> Result<Diagnosis> {
    let container = pick_container(&input.pod, input.container.as_deref())?;
    let ctx = Ctx::new(input, &container);
    let steps = vec![
        step_exit_code::step(&ctx),
        step_logs::step(&ctx),
        step_events::step(&ctx),
        step_changes::step(&ctx),
        step_resources::step(&ctx),
    ];
    Ok(conclude(&ctx, steps))
}

/// What every step may look at, computed once.
pub(super) struct Ctx<'a> {
    pub input: &'a DiagnoseInput,
    pub pod: String,
    pub namespace: String,
    pub container: String,
    pub spec: Option<&'a Container>,
    pub status: Option<&'a ContainerStatus>,
    /// Non-empty lines of the last terminated instance's logs.
    pub log_lines: Vec<&'a str>,
    /// The line that explains the exit (index into `log_lines`) and what it says.
    pub key_line: Option<(usize, LineKind)>,
    /// The runtime crash report the logs end with, when they do.
    pub crash: Option<CrashReport>,
    /// An init container (`spec.initContainers`), sidecar or not.
    pub init: bool,
    /// A native sidecar: an init container with `restartPolicy: Always`.
    pub sidecar: bool,
    /// Events about this pod (and this container, or none in particular), grouped.
    pub events: Vec<EventGroup>,
}

/// Events with the same reason and message, as `kubectl describe` folds them.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct EventGroup {
    pub type_: String,
    pub reason: String,
    pub message: String,
    pub count: i32,
    pub first: Option<Timestamp>,
}

impl<'a> Ctx<'a> {
    fn new(input: &'a DiagnoseInput, container: &str) -> Self {
        let pod = &input.pod;
        let log_lines: Vec<&str> = match &input.logs {
            Logs::Text { text, .. } => text
                .lines()
                .map(str::trim_end)
                .filter(|l| !l.is_empty())
                .collect(),
            _ => Vec::new(),
        };
        let key_line = key_line(&log_lines);
        let crash = crash_report(&log_lines);
        let (spec, init) = match spec(pod, container) {
            Some((c, init)) => (Some(c), init),
            None => (None, false),
        };
        let sidecar = init && spec.is_some_and(|c| c.restart_policy.as_deref() == Some("Always"));
        let pod_name = pod.metadata.name.clone().unwrap_or_default();
        let events = match input.events.ok() {
            Some(events) => group_events(events, &pod_name, container),
            None => Vec::new(),
        };
        Self {
            input,
            namespace: pod.metadata.namespace.clone().unwrap_or_default(),
            pod: pod_name,
            container: container.to_owned(),
            spec,
            status: status(pod, container),
            log_lines,
            key_line,
            crash,
            init,
            sidecar,
            events,
        }
    }

    /// `kubectl <args> -n <namespace>`.
    pub fn kubectl(&self, args: &str) -> String {
        format!("kubectl {args} -n {}", self.namespace)
    }

    pub fn termination(&self) -> Option<&'a ContainerStateTerminated> {
        self.status.and_then(last_termination)
    }

    pub fn oom_killed(&self) -> bool {
        self.termination()
            .is_some_and(|t| t.reason.as_deref() == Some("OOMKilled"))
    }

    pub fn waiting_reason(&self) -> Option<&'a str> {
        self.status
            .and_then(|s| s.state.as_ref())
            .and_then(|s| s.waiting.as_ref())
            .and_then(|w| w.reason.as_deref())
    }

    pub fn waiting_message(&self) -> Option<&'a str> {
        self.status
            .and_then(|s| s.state.as_ref())
            .and_then(|s| s.waiting.as_ref())
            .and_then(|w| w.message.as_deref())
            .filter(|m| !m.is_empty())
    }

    pub fn restart_count(&self) -> i32 {
        self.status.map_or(0, |s| s.restart_count)
    }

    /// The container has never run: no termination, no restart, not running.
    pub fn never_ran(&self) -> bool {
        let running = self
            .status
            .and_then(|s| s.state.as_ref())
            .is_some_and(|s| s.running.is_some());
        !running && self.termination().is_none() && self.restart_count() == 0
    }

    /// The last instance failed to start: the runtime could not run its entrypoint
    /// (`StartError`, exit code 128), so no process of the app ever ran.
    pub fn start_failed(&self) -> bool {
        self.termination().is_some_and(|t| {
            matches!(
                t.reason.as_deref(),
                Some("StartError" | "ContainerCannotRun")
            )
        })
    }

    /// The signal that killed the last instance, as the exit code tells it (`SIGSEGV` for
    /// 139), when it is one that a crash raises (not a SIGKILL or SIGTERM from outside).
    pub fn crash_signal(&self) -> Option<&'static str> {
        match self.termination()?.exit_code {
            132 => Some("SIGILL"),
            133 => Some("SIGTRAP"),
            134 => Some("SIGABRT"),
            135 => Some("SIGBUS"),
            136 => Some("SIGFPE"),
            139 => Some("SIGSEGV"),
            _ => None,
        }
    }

    /// What the container is, for sentences: `init container migrate`, `sidecar
    /// log-shipper`, `container app`.
    pub fn what(&self) -> String {
        if self.sidecar {
            format!("sidecar container {}", self.container)
        } else if self.init {
            format!("init container {}", self.container)
        } else {
            format!("container {}", self.container)
        }
    }

    /// The key log line's text.
    pub fn key_text(&self) -> Option<&'a str> {
        self.key_line.as_ref().map(|(i, _)| self.log_lines[*i])
    }

    pub fn events_with(&self, reason: &str) -> impl Iterator<Item = &EventGroup> {
        self.events.iter().filter(move |e| e.reason == reason)
    }
}

/// Distinct events of the pod, each object counted once at its highest count, then folded by
/// (reason, message) in order of first appearance. Events about another container are left out.
fn group_events(events: &[Event], pod: &str, container: &str) -> Vec<EventGroup> {
    let mut by_object: BTreeMap<String, &Event> = BTreeMap::new();
    for (i, e) in events.iter().enumerate() {
        let involved = &e.involved_object;
        if involved.kind.as_deref().is_some_and(|k| k != "Pod")
            || involved.name.as_deref() != Some(pod)
        {
            continue;
        }
        if let Some(c) = involved
            .field_path
            .as_deref()
            .and_then(field_path_container)
            && c != container
        {
            continue;
        }
        let key = e
            .metadata
            .uid
            .clone()
            .or_else(|| e.metadata.name.clone())
            .unwrap_or_else(|| format!("#{i}"));
        let keep = by_object
            .get(&key)
            .is_none_or(|old| e.count.unwrap_or(1) >= old.count.unwrap_or(1));
        if keep {
            by_object.insert(key, e);
        }
    }
    let mut groups: Vec<EventGroup> = Vec::new();
    let mut objects: Vec<&Event> = by_object.into_values().collect();
    objects.sort_by_key(|e| first_seen(e));
    for e in objects {
        let reason = e.reason.clone().unwrap_or_default();
        let message = e.message.clone().unwrap_or_default().trim().to_owned();
        let count = e.count.unwrap_or(1).max(1)
            + e.series.as_ref().and_then(|s| s.count).unwrap_or(0).max(0);
        match groups
            .iter_mut()
            .find(|g| g.reason == reason && g.message == message)
        {
            Some(g) => g.count += count,
            None => groups.push(EventGroup {
                type_: e.type_.clone().unwrap_or_else(|| "Normal".to_owned()),
                reason,
                message,
                count,
                first: first_seen(e),
            }),
        }
    }
    groups
}

fn first_seen(e: &Event) -> Option<Timestamp> {
    e.first_timestamp
        .as_ref()
        .map(|t| t.0)
        .or_else(|| e.event_time.as_ref().map(|t| t.0))
        .or_else(|| e.metadata.creation_timestamp.as_ref().map(|t| t.0))
}

fn conclude(ctx: &Ctx, mut steps: Vec<Step>) -> Diagnosis {
    for step in &mut steps {
        step.points_to = strongest(&step.clues).map(|c| c.category);
    }
    let best = strongest(steps.iter().flat_map(|s| &s.clues));
    let fallback = best.is_none().then(|| fallback_clue(ctx)).flatten();
    let best = best.or(fallback.as_ref());

    let mut summary = vec![lead_sentence(ctx)];
    let mut fix = None;
    let mut commands: Vec<NextCommand> = Vec::new();
    let (category, confidence) = match best {
        None => (None, Confidence::None),
        Some(best) => {
            let agreeing: Vec<&Clue> = steps
                .iter()
                .flat_map(|s| &s.clues)
                .chain(fallback.as_ref())
                .filter(|c| c.category == best.category)
                .collect();
            // The fix of the strongest agreeing clue that has one: it knows the most.
            fix = strongest(agreeing.iter().copied().filter(|c| c.fix.is_some()))
                .and_then(|c| c.fix.clone());
            for clue in agreeing {
                if !summary.contains(&clue.sentence) {
                    summary.push(clue.sentence.clone());
                }
                for c in &clue.commands {
                    if !commands.contains(c) {
                        commands.push(c.clone());
                    }
                }
            }
            let confidence = match best.strength {
                3.. => Confidence::High,
                2 => Confidence::Medium,
                _ => Confidence::Low,
            };
            (Some(best.category), confidence)
        }
    };
    for c in generic_commands(ctx) {
        if !commands.iter().any(|have| have.command == c.command) {
            commands.push(c);
        }
    }
    Diagnosis {
        pod: ctx.pod.clone(),
        namespace: ctx.namespace.clone(),
        container: ctx.container.clone(),
        category,
        confidence,
        summary: summary.join(" "),
        fix,
        evidence: steps,
        next_commands: commands,
    }
}

/// The strongest clue; among equals, the first.
fn strongest<'c>(clues: impl IntoIterator<Item = &'c Clue>) -> Option<&'c Clue> {
    let mut best: Option<&Clue> = None;
    for clue in clues {
        if best.is_none_or(|b| clue.strength > b.strength) {
            best = Some(clue);
        }
    }
    best
}

/// When no step points anywhere but the container keeps failing: the app's own doing.
fn fallback_clue(ctx: &Ctx) -> Option<Clue> {
    let t = ctx.termination()?;
    if t.exit_code == 0 && ctx.restart_count() == 0 {
        return None;
    }
    let last = ctx
        .key_text()
        .or(ctx.log_lines.last().copied())
        .map(|l| format!(" Its last log line: «{l}»."))
        .unwrap_or_default();
    Some(
        Clue::new(
            Category::CodeBug,
            1,
            format!(
                "Nothing around the app explains the exit (no missing Secret or ConfigMap, no Service without endpoints, no probe kill, no OOM kill), so the cause is most likely in the app itself.{last}"
            ),
        )
        .fix("Read the app's last log lines and its exit code; if the crash started with a new version, roll back to the previous one."),
    )
}

fn lead_sentence(ctx: &Ctx) -> String {
    let what = ctx.what();
    let who = format!(
        "{}{} of pod {}",
        what[..1].to_uppercase(),
        &what[1..],
        ctx.pod
    );
    let restarts = match ctx.restart_count() {
        0 => "never restarted".to_owned(),
        1 => "restarted once".to_owned(),
        n => format!("restarted {n} times"),
    };
    if let Some(t) = ctx.termination() {
        let now = match ctx.waiting_reason() {
            Some(r) => format!(", now in {r}"),
            None => String::new(),
        };
        // Ready by a readiness probe: without one, any running instance counts as ready, also
        // one that is about to crash again.
        let recovered = ctx.spec.is_some_and(|c| c.readiness_probe.is_some())
            && ctx.status.is_some_and(|s| {
                s.ready && s.state.as_ref().is_some_and(|st| st.running.is_some())
            });
        let verb = if ctx.restart_count() > 0 && recovered {
            "is running and ready again, after it kept stopping"
        } else if ctx.restart_count() > 0 {
            "keeps stopping"
        } else {
            "stopped"
        };
        let role = role_sentence(ctx);
        return format!(
            "{who} {verb}: {}, {restarts}{now}.{role}",
            crate::expect::describe_exit(t.exit_code, t.reason.as_deref())
        );
    }
    match ctx.waiting_reason() {
        Some(r) => {
            let msg = ctx
                .waiting_message()
                .map(|m| format!(" ({m})"))
                .unwrap_or_default();
            format!("{who} is not running: it is waiting in {r}{msg}, {restarts}.")
        }
        None if ctx.status.is_none() => {
            let phase = ctx
                .input
                .pod
                .status
                .as_ref()
                .and_then(|s| s.phase.as_deref())
                .map(|p| format!(" (pod phase {p})"))
                .unwrap_or_default();
            format!("{who} has no status yet{phase}.")
        }
        None => {
            let ready = match ctx.status.map(|s| s.ready) {
                Some(false) => ", but it is not ready",
                _ => "",
            };
            format!("{who} is running and has {restarts}{ready}.")
        }
    }
}

/// What an init container's or a sidecar's failure does to the rest of the pod.
fn role_sentence(ctx: &Ctx) -> String {
    let app_containers: Vec<String> = ctx
        .input
        .pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .into_iter()
        .flatten()
        .map(|s| {
            let running = s.state.as_ref().is_some_and(|st| st.running.is_some());
            match (running, s.ready) {
                (true, true) => format!("{} is running and ready", s.name),
                (true, false) => format!("{} is running, not ready", s.name),
                _ => format!("{} is not running", s.name),
            }
        })
        .collect();
    if ctx.sidecar {
        let others = if app_containers.is_empty() {
            String::new()
        } else {
            format!(
                "; the pod's app containers are not the ones failing ({})",
                app_containers.join(", ")
            )
        };
        format!(
            " It is a native sidecar (an init container with restartPolicy: Always), restarted on its own{others}."
        )
    } else if ctx.init && ctx.termination().is_some_and(|t| t.exit_code != 0) {
        " As an init container it must exit 0 before the pod's app containers start, so they never start while it fails (Init:CrashLoopBackOff).".to_owned()
    } else {
        String::new()
    }
}

fn generic_commands(ctx: &Ctx) -> Vec<NextCommand> {
    let mut out = vec![NextCommand::new(
        ctx.kubectl(&format!("describe pod {}", ctx.pod)),
        "state, last state, exit code and events in one view",
    )];
    if ctx.termination().is_some() {
        out.push(NextCommand::new(
            ctx.kubectl(&format!("logs {} -c {} --previous", ctx.pod, ctx.container)),
            "what the crashed instance printed",
        ));
    }
    out.push(NextCommand::new(
        ctx.kubectl(&format!(
            "get events --field-selector involvedObject.name={} --sort-by=.lastTimestamp",
            ctx.pod
        )),
        "what the kubelet and the scheduler reported, in order",
    ));
    out
}
