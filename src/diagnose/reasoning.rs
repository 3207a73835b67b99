//! The five steps in their fixed order, each with what it found and the clues of its rules
//! ([`super::rules::RULES`]), and the conclusion drawn from the clues: the strongest clue names
//! the category (ties go to the earlier rule, as a person stops at the first thing that
//! explains the crash); the summary strings together every clue that agrees.

use super::container_pick::pick_container;
use super::ctx::Ctx;
use super::diagnosis::{Clue, Confidence, Diagnosis, EvidenceStep, NextCommand, StepKind};
use super::error::Result;
use super::input::DiagnoseInput;
use super::rules::{FALLBACK, RULES};
use super::{step_changes, step_events, step_exit_code, step_logs, step_resources};

/// Diagnoses `input`'s pod. Fails only when the container asked for does not exist.
pub fn diagnose(input: &DiagnoseInput) -> Result<Diagnosis> {
    let container = pick_container(&input.pod, input.container.as_deref())?;
    let ctx = Ctx::new(input, &container);
    let steps = RULES
        .iter()
        .map(|(kind, rules)| {
            let mut details = Vec::new();
            let found = match kind {
                StepKind::ExitCode => step_exit_code::found(&ctx, &mut details),
                StepKind::PreviousLogs => step_logs::found(&ctx, &mut details),
                StepKind::Events => step_events::found(&ctx, &mut details),
                StepKind::RecentChanges => step_changes::found(&ctx, &mut details),
                StepKind::Resources => step_resources::found(&ctx, &mut details),
            };
            EvidenceStep {
                step: *kind,
                found,
                details,
                points_to: None,
                clues: rules.iter().flat_map(|r| r.clues(&ctx)).collect(),
            }
        })
        .collect();
    Ok(conclude(&ctx, steps))
}

fn conclude(ctx: &Ctx, mut steps: Vec<EvidenceStep>) -> Diagnosis {
    for step in &mut steps {
        step.points_to = strongest(&step.clues).map(|c| c.category);
    }
    let best = strongest(steps.iter().flat_map(|s| &s.clues));
    let fallback = best
        .is_none()
        .then(|| FALLBACK.clues(ctx).into_iter().next())
        .flatten();
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
pub(super) fn strongest<'c>(clues: impl IntoIterator<Item = &'c Clue>) -> Option<&'c Clue> {
    let mut best: Option<&Clue> = None;
    for clue in clues {
        if best.is_none_or(|b| clue.strength > b.strength) {
            best = Some(clue);
        }
    }
    best
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
            && ctx.status.is_some_and(|s| s.ready)
            && ctx.running();
        let verb = if ctx.restart_count() > 0 && recovered {
            "is running and ready again, after it kept stopping"
        } else if ctx.restart_count() > 0 {
            "keeps stopping"
        } else {
            "stopped"
        };
        let role = role_sentence(ctx);
        return format!(
            "{who} {verb}: {}, {restarts}{now}.{role}{}",
            crate::expect::describe_exit(t.exit_code, t.reason.as_deref()),
            job_gave_up(ctx)
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
                .pod_phase()
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
/// ` Its Job has given up: BackoffLimitExceeded (…).` when the pod belongs to a Job that
/// failed: no attempt follows, whatever the container does.
fn job_gave_up(ctx: &Ctx) -> String {
    let Some(owners) = ctx.input.owners.ok() else {
        return String::new();
    };
    if !owners.chain.iter().any(|o| o.kind == "Job") {
        return String::new();
    }
    owners
        .events
        .iter()
        .find_map(|e| e.strip_prefix("Failed: "))
        .map(|f| match f.split_once(": ") {
            Some((reason, message)) => format!(" Its Job has given up: {reason} ({message})."),
            None => format!(" Its Job has given up: {f}."),
        })
        .unwrap_or_default()
}

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
