//! Step 3, events: what the kubelet and the scheduler said about the pod.

use std::sync::LazyLock;

use k8s_openapi::api::core::v1::Probe;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use regex::Regex;

use crate::scenario::Category;

use super::ctx::{Ctx, EventGroup};
use super::diagnosis::{Clue, Step, StepKind};

/// Events every pod gets; they say nothing about a failure.
const ROUTINE: [&str; 5] = ["Scheduled", "Pulling", "Pulled", "Created", "Started"];

static NOT_FOUND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(secret|configmap)s? "([^"]+)" not found|couldn't find key (\S+) in (Secret|ConfigMap) (\S+)"#)
        .expect("built-in pattern")
});
static STATUS_CODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"statuscode: (\d{3})").expect("built-in pattern"));
static TIMED_OUT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)deadline exceeded|timed? ?out|timeout").expect("built-in pattern")
});
static REFUSED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)connection refused").expect("built-in pattern"));
static WARMING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)warm(?:ing)?[ -]?up|warming|starting|loading|initiali[sz]ing|migrating")
        .expect("built-in pattern")
});
static SERVING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\blistening on\b|^ready\b|\bready (?:to|for)\b|server started|started server|now serving")
        .expect("built-in pattern")
});
static WARM_DONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:warm|loaded|started|initiali[sz]ed|done|complete[d]?)\b")
        .expect("built-in pattern")
});
static GOT_SIGTERM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)sigterm|shutting down|terminat").expect("built-in pattern"));

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

/// A failing liveness or startup probe with the kubelet killing the container for it; a
/// failing readiness probe, which never restarts anything.
fn probe_clues(ctx: &Ctx, details: &mut Vec<String>, clues: &mut Vec<Clue>) {
    let unhealthy = |kind: &str| {
        ctx.events_with("Unhealthy")
            .filter(|e| e.message.starts_with(&format!("{kind} probe failed")))
            .max_by_key(|e| e.count)
    };
    let killed_for = |kind: &str| {
        ctx.events_with("Killing").find(|e| {
            e.message
                .contains(&format!("failed {} probe", kind.to_lowercase()))
        })
    };
    if let Some(failed) = unhealthy("Readiness") {
        details.push("readiness probe failures take the pod out of its Services' endpoints but never restart it".to_owned());
        readiness_clue(ctx, failed, clues);
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
        let timeout = probe.and_then(|p| p.timeout_seconds).unwrap_or(1);
        let starting = still_starting(ctx);
        let has_startup = ctx.spec.is_some_and(|c| c.startup_probe.is_some());
        let mut fix = if TIMED_OUT.is_match(&failed.message) {
            sentence.push_str(&format!(
                " The probe times out: {endpoint} does not answer within the probe's timeoutSeconds ({timeout}s), and a probe that times out counts as a failure."
            ));
            format!(
                "Make {endpoint} answer within timeoutSeconds ({timeout}s): a health check should not wait on slow work. If the endpoint is slow by design, raise the {lower} probe's timeoutSeconds above its real response time."
            )
        } else if kind == "Startup" {
            let budget = probe
                .map(|p| p.failure_threshold.unwrap_or(3) * p.period_seconds.unwrap_or(10))
                .unwrap_or(30);
            let warm = if starting {
                " Its log shows it still warming up when it was killed: it needs longer than that to start."
            } else {
                ""
            };
            sentence.push_str(&format!(
                " The startup probe gives the app failureThreshold × periodSeconds = {budget}s to become healthy; it is killed when that runs out.{warm}"
            ));
            format!(
                "Give the startup probe a budget (failureThreshold × periodSeconds, now {budget}s) longer than the app's real start time, e.g. raise its failureThreshold; make {endpoint} report healthy once the app is started{status}."
            )
        } else if REFUSED.is_match(&failed.message) {
            let port = probe.map(probe_port).unwrap_or_default();
            if starting && !has_startup {
                let delay = probe.and_then(|p| p.initial_delay_seconds).unwrap_or(0);
                sentence.push_str(&format!(
                    " Nothing listens on port {port} yet: the app is still starting (its log shows it warming up) when the liveness probe begins, {delay}s after the start, and no startup probe holds the liveness probe back until the app is up. It is killed before it ever serves."
                ));
                format!(
                    "Add a startupProbe on {endpoint} whose budget (failureThreshold × periodSeconds) covers the app's start time, so the liveness probe only begins once the app is up; or raise the liveness probe's initialDelaySeconds."
                )
            } else {
                sentence.push_str(&format!(
                    " The connection to port {port} is refused: nothing listens there when the probe runs."
                ));
                let slow = if has_startup {
                    String::new()
                } else {
                    " If the app only opens it after a slow start, add a startupProbe that covers the start-up time, so the liveness probe begins once the app is up.".to_owned()
                };
                format!(
                    "Make the probe's port ({port}) the one the app listens on, or find out why the app does not open it.{slow}"
                )
            }
        } else {
            format!(
                "Make {endpoint} report healthy when the app is{status}; if the app is fine and only the check is wrong, correct the probe (path, port, timeoutSeconds, failureThreshold)."
            )
        };
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

/// A readiness probe that fails while nothing restarts the container: the pod is never (or no
/// longer) Ready and gets no traffic from its Services, but it is not a crash loop.
fn readiness_clue(ctx: &Ctx, failed: &EventGroup, clues: &mut Vec<Clue>) {
    if ctx.restart_count() > 0 || ctx.termination().is_some() {
        return;
    }
    let running = ctx
        .status
        .and_then(|s| s.state.as_ref())
        .is_some_and(|s| s.running.is_some());
    if !running || ctx.status.is_some_and(|s| s.ready) {
        return;
    }
    let probe = ctx.spec.and_then(|c| c.readiness_probe.as_ref());
    let what = probe.map(describe_probe).unwrap_or_default();
    let endpoint = probe
        .and_then(|p| p.http_get.as_ref())
        .and_then(|h| h.path.clone())
        .unwrap_or_else(|| "the readiness check".to_owned());
    let status = STATUS_CODE
        .captures(&failed.message)
        .map(|c| format!(" (it answers {})", &c[1]))
        .unwrap_or_default();
    clues.push(
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
        .command(
            ctx.kubectl(&format!(
                "get pod {} -o jsonpath='{{.spec.containers[?(@.name==\"{}\")].readinessProbe}}'",
                ctx.pod, ctx.container
            )),
            "the probe as configured",
        ),
    );
}

/// Whether the last instance was still starting when it stopped: its last log line is a
/// warm-up or start-up line, and it never said it was listening or ready.
fn still_starting(ctx: &Ctx) -> bool {
    // The last line that says how far the start got (access logs and the shutdown say
    // nothing about it).
    ctx.log_lines
        .iter()
        .rev()
        .filter(|l| !GOT_SIGTERM.is_match(l))
        .find(|l| WARMING.is_match(l) || SERVING.is_match(l) || WARM_DONE.is_match(l))
        .is_some_and(|l| WARMING.is_match(l) && !SERVING.is_match(l))
}

fn probe_port(p: &Probe) -> String {
    let port = |p: &IntOrString| match p {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s.clone(),
    };
    if let Some(h) = &p.http_get {
        port(&h.port)
    } else if let Some(t) = &p.tcp_socket {
        port(&t.port)
    } else if let Some(g) = &p.grpc {
        g.port.to_string()
    } else {
        "?".to_owned()
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
    let delay = match p.initial_delay_seconds {
        Some(d) if d > 0 => format!(", from {d}s after the start"),
        _ => String::new(),
    };
    format!(
        " ({handler}, every {}s{delay}, timeout {}s, {} failures in a row)",
        p.period_seconds.unwrap_or(10),
        p.timeout_seconds.unwrap_or(1),
        p.failure_threshold.unwrap_or(3)
    )
}

/// The kubelet naming a missing Secret or ConfigMap (or key), an image it cannot pull.
fn config_clues(ctx: &Ctx, clues: &mut Vec<Clue>) {
    for e in ctx.events.iter().filter(|e| {
        matches!(
            e.reason.as_str(),
            "Failed" | "FailedMount" | "ErrImageNeverPull"
        )
    }) {
        if NOT_FOUND.is_match(&e.message) {
            let message = e.message.trim_end_matches('.');
            // Step 1 already quoted the waiting message: say what the events add, the retries.
            let mut sentence = if ctx.waiting_message().is_some_and(|w| message.contains(w)) {
                format!(
                    "The kubelet keeps retrying and failing ({} ×{}: {message}).",
                    e.reason, e.count
                )
            } else {
                format!("The kubelet reports: {} ×{}: {message}.", e.reason, e.count)
            };
            if e.reason == "FailedMount" {
                sentence.push_str(" It cannot mount the volume, so the pod stays in ContainerCreating: the container is never created and never runs, so this is not a crash loop and there are no logs.");
            }
            clues.push(Clue::new(Category::MissingConfig, 3, sentence));
            return;
        }
        if e.message.contains("pull") || e.message.contains("ErrImage") {
            // `Error: ErrImageNeverPull` only repeats the reason; the event of that reason says
            // more.
            if e.message
                .trim()
                .strip_prefix("Error: ")
                .is_some_and(|r| !r.contains(' '))
            {
                continue;
            }
            let message = e.message.trim_end_matches('.');
            if ctx
                .waiting_message()
                .is_some_and(|w| message.contains(w.trim_end_matches('.')))
            {
                clues.push(Clue::new(
                    Category::ImageProblem,
                    2,
                    format!(
                        "The kubelet keeps retrying and failing ({} ×{}).",
                        e.reason, e.count
                    ),
                ));
                return;
            }
            clues.push(
                Clue::new(
                    Category::ImageProblem,
                    2,
                    format!("The kubelet reports: {}.", e.message.trim_end_matches('.')),
                )
                .fix("Correct the image reference (name, tag) or the registry credentials (imagePullSecrets)."),
            );
            return;
        }
    }
}

/// Evictions and node-level OOM kills. (Scheduling failures are step 1's: the pod never ran.)
fn resource_clues(ctx: &Ctx, clues: &mut Vec<Clue>) {
    for e in &ctx.events {
        let resource = matches!(e.reason.as_str(), "Evicted" | "OOMKilling");
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
