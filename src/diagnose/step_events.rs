//! Step 3, events: what the kubelet and the scheduler said about the pod.

use std::sync::LazyLock;

use k8s_openapi::api::core::v1::Probe;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use regex::Regex;

use crate::scenario::Category;

use super::diagnosis::{Clue, Step, StepKind};
use super::reasoning::{Ctx, EventGroup};

/// Events every pod gets; they say nothing about a failure.
const ROUTINE: [&str; 5] = ["Scheduled", "Pulling", "Pulled", "Created", "Started"];

static NOT_FOUND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(secret|configmap)s? "([^"]+)" not found|couldn't find key (\S+) in (Secret|ConfigMap) (\S+)"#)
        .expect("built-in pattern")
});
static STATUS_CODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"statuscode: (\d{3})").expect("built-in pattern"));

pub(super) fn step(ctx: &Ctx) -> Step {
    let mut details = Vec::new();
    let mut clues = Vec::new();
    let found = match ctx.input.events.ok() {
        None => {
            let why = match &ctx.input.events {
                super::input::Fetched::Failed(m) => m.as_str(),
                super::input::Fetched::Got(_) => "",
            };
            format!("could not be listed: {why}")
        }
        Some(_) if ctx.events.is_empty() => {
            "none (events expire after an hour by default)".to_owned()
        }
        Some(_) => {
            let notable: Vec<&EventGroup> = ctx
                .events
                .iter()
                .filter(|e| !ROUTINE.contains(&e.reason.as_str()))
                .collect();
            for e in &notable {
                details.push(format!(
                    "{} {} ×{}: {}",
                    e.type_, e.reason, e.count, e.message
                ));
            }
            probe_clues(ctx, &mut details, &mut clues);
            config_clues(ctx, &mut clues);
            resource_clues(ctx, &mut clues);
            if ctx.events_with("BackOff").next().is_some() {
                details.push("BackOff: the kubelet waits longer before each restart (10s, 20s, 40s … up to 5m): a crash loop".to_owned());
            }
            if notable.is_empty() {
                "only routine events (Scheduled, Pulled, Created, Started)".to_owned()
            } else {
                let mut seen: Vec<(String, i32)> = Vec::new();
                for e in &notable {
                    match seen.iter_mut().find(|(r, _)| *r == e.reason) {
                        Some((_, n)) => *n += e.count,
                        None => seen.push((e.reason.clone(), e.count)),
                    }
                }
                seen.iter()
                    .map(|(r, n)| format!("{r} ×{n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        }
    };
    Step {
        step: StepKind::Events,
        found,
        details,
        points_to: None,
        clues,
    }
}

/// A failing liveness or startup probe with the kubelet killing the container for it.
fn probe_clues(ctx: &Ctx, details: &mut Vec<String>, clues: &mut Vec<Clue>) {
    let unhealthy = |kind: &str| {
        ctx.events_with("Unhealthy")
            .find(|e| e.message.starts_with(&format!("{kind} probe failed")))
    };
    let killed_for = |kind: &str| {
        ctx.events_with("Killing").find(|e| {
            e.message
                .contains(&format!("failed {} probe", kind.to_lowercase()))
        })
    };
    if unhealthy("Readiness").is_some() {
        details.push("readiness probe failures take the pod out of its Services' endpoints but never restart it".to_owned());
    }
    for (kind, probe) in [
        ("Liveness", ctx.spec.and_then(|c| c.liveness_probe.as_ref())),
        ("Startup", ctx.spec.and_then(|c| c.startup_probe.as_ref())),
    ] {
        let Some(failed) = unhealthy(kind) else {
            continue;
        };
        let killing = killed_for(kind);
        let exit = ctx.termination().map(|t| t.exit_code);
        if killing.is_none() && !matches!(exit, Some(137 | 143)) {
            continue;
        }
        let what = probe.map(describe_probe).unwrap_or_default();
        let lower = kind.to_lowercase();
        let mut sentence = format!(
            "The {lower} probe{what} fails ({}), so the kubelet kills container {} and restarts it.",
            failed.message, ctx.container
        );
        let grace = ctx
            .input
            .pod
            .spec
            .as_ref()
            .and_then(|s| s.termination_grace_period_seconds)
            .unwrap_or(30);
        match ctx.termination() {
            Some(t) if t.exit_code == 143 => {
                sentence.push_str(" It stops on SIGTERM (exit code 143).")
            }
            Some(t) if t.exit_code == 137 && t.reason.as_deref() != Some("OOMKilled") => {
                sentence.push_str(&format!(" It ignores SIGTERM, so the kubelet kills it with SIGKILL after the grace period of {grace}s (exit code 137, reason {}: not an OOM kill).", t.reason.as_deref().unwrap_or("Error")))
            }
            _ => {}
        }
        let endpoint = probe
            .and_then(|p| p.http_get.as_ref())
            .and_then(|h| h.path.clone())
            .unwrap_or_else(|| "the health check".to_owned());
        let status = STATUS_CODE
            .captures(&failed.message)
            .map(|c| format!(" (it answers {})", &c[1]))
            .unwrap_or_default();
        let mut fix = format!(
            "Make {endpoint} report healthy when the app is{status}; if the app is fine and only the check is wrong, correct the probe (path, port, timeoutSeconds, failureThreshold)."
        );
        if ctx.termination().is_some_and(|t| t.exit_code == 137) {
            fix.push_str(" Also make the app exit on SIGTERM, so that it stops cleanly.");
        }
        clues.push(
            Clue::new(Category::ProbeFailure, 3, sentence)
                .fix(fix)
                .command(
                ctx.kubectl(&format!(
                    "get pod {} -o jsonpath='{{.spec.containers[?(@.name==\"{}\")].{lower}Probe}}'",
                    ctx.pod, ctx.container
                )),
                "the probe as configured",
            ),
        );
    }
}

/// `HTTP GET /healthz on port 8080, every 2s, 2 failures in a row` (in parentheses, with a
/// leading space), or nothing when the probe has no handler crashlab knows.
fn describe_probe(p: &Probe) -> String {
    let port = |p: &IntOrString| match p {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s.clone(),
    };
    let handler = if let Some(h) = &p.http_get {
        format!(
            "HTTP GET {} on port {}",
            h.path.as_deref().unwrap_or("/"),
            port(&h.port)
        )
    } else if let Some(t) = &p.tcp_socket {
        format!("TCP connect to port {}", port(&t.port))
    } else if let Some(e) = &p.exec {
        format!("exec `{}`", e.command.clone().unwrap_or_default().join(" "))
    } else if let Some(g) = &p.grpc {
        format!("gRPC health check on port {}", g.port)
    } else {
        return String::new();
    };
    format!(
        " ({handler}, every {}s, {} failures in a row)",
        p.period_seconds.unwrap_or(10),
        p.failure_threshold.unwrap_or(3)
    )
}

/// The kubelet naming a missing Secret or ConfigMap (or key), an image it cannot pull.
fn config_clues(ctx: &Ctx, clues: &mut Vec<Clue>) {
    for e in ctx
        .events
        .iter()
        .filter(|e| matches!(e.reason.as_str(), "Failed" | "FailedMount"))
    {
        if NOT_FOUND.is_match(&e.message) {
            let message = e.message.trim_end_matches('.');
            // Step 1 already quoted the waiting message: say what the events add, the retries.
            let sentence = if ctx.waiting_message().is_some_and(|w| message.contains(w)) {
                format!(
                    "The kubelet keeps retrying and failing ({} ×{}: {message}).",
                    e.reason, e.count
                )
            } else {
                format!("The kubelet reports: {message}.")
            };
            clues.push(Clue::new(Category::MissingConfig, 3, sentence));
            return;
        }
        if e.message.contains("pull") || e.message.contains("ErrImage") {
            clues.push(
                Clue::new(
                    Category::MissingConfig,
                    2,
                    format!("The kubelet reports: {}.", e.message.trim_end_matches('.')),
                )
                .fix("Correct the image reference (name, tag) or the registry credentials (imagePullSecrets)."),
            );
            return;
        }
    }
}

/// Evictions, node-level OOM kills and scheduling failures for lack of CPU or memory.
fn resource_clues(ctx: &Ctx, clues: &mut Vec<Clue>) {
    for e in &ctx.events {
        let resource = match e.reason.as_str() {
            "Evicted" | "OOMKilling" => true,
            "FailedScheduling" => e.message.contains("Insufficient"),
            _ => false,
        };
        if resource {
            clues.push(Clue::new(
                Category::ResourceLimits,
                2,
                format!("{}: {}.", e.reason, e.message.trim_end_matches('.')),
            ));
            return;
        }
    }
}
