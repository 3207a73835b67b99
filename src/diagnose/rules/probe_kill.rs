//! A failing liveness or startup probe with the kubelet killing the container for it: why the
//! probe fails (it times out, nothing listens yet, the start takes longer than the startup
//! budget) and what to change.

use std::sync::LazyLock;

use k8s_openapi::api::core::v1::Probe;
use regex::Regex;

use crate::diagnose::ctx::{Ctx, EventGroup};
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::probe::{answers, describe_probe, endpoint, probe_port, unhealthy};
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "probe-kill",
    needs: &[Needs::Events, Needs::ExitCode, Needs::Spec, Needs::Logs],
    gives: "probe-failure (3), for the liveness and then the startup probe, when it fails and the kubelet killed the container for it (a Killing event, or exit code 137 or 143)",
    check: Check::Each(clues),
};

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

fn clues(ctx: &Ctx) -> Vec<Clue> {
    [
        ("Liveness", ctx.spec.and_then(|c| c.liveness_probe.as_ref())),
        ("Startup", ctx.spec.and_then(|c| c.startup_probe.as_ref())),
    ]
    .into_iter()
    .filter_map(|(kind, probe)| {
        let failed = unhealthy(ctx, kind)?;
        let killing = ctx.events_with("Killing").find(|e| {
            e.message
                .contains(&format!("failed {} probe", kind.to_lowercase()))
        });
        let exit = ctx.termination().map(|t| t.exit_code);
        if killing.is_none() && !matches!(exit, Some(137 | 143)) {
            return None;
        }
        Some(probe_kill(ctx, kind, probe, failed))
    })
    .collect()
}

fn probe_kill(ctx: &Ctx, kind: &str, probe: Option<&Probe>, failed: &EventGroup) -> Clue {
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
        Some(t) if t.exit_code == 143 => sentence.push_str(" It stops on SIGTERM (exit code 143)."),
        Some(t) if t.exit_code == 137 && t.reason.as_deref() != Some("OOMKilled") => {
            sentence.push_str(&format!(" It ignores SIGTERM, so the kubelet kills it with SIGKILL after the grace period of {grace}s (exit code 137, reason {}: not an OOM kill).", t.reason.as_deref().unwrap_or("Error")))
        }
        _ => {}
    }
    let endpoint = endpoint(probe, "the health check");
    let status = answers(failed);
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
    Clue::new(Category::ProbeFailure, 3, sentence)
        .fix(fix)
        .command(
            ctx.spec_field_command(&format!("{lower}Probe")),
            "the probe as configured",
        )
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
