//! Probes in words (`HTTP GET /healthz on port 8080, every 2s, …`), and their failures as the
//! kubelet's events report them; shared by the events step and the probe rules.

use std::sync::LazyLock;

use k8s_openapi::api::core::v1::Probe;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use regex::Regex;

use super::ctx::{Ctx, EventGroup};

static STATUS_CODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"statuscode: (\d{3})").expect("built-in pattern"));

/// The most repeated `Unhealthy` event of a `kind` probe (`Readiness`, `Liveness`, `Startup`).
pub(super) fn unhealthy<'c>(ctx: &'c Ctx, kind: &str) -> Option<&'c EventGroup> {
    ctx.events_with("Unhealthy")
        .filter(|e| e.message.starts_with(&format!("{kind} probe failed")))
        .max_by_key(|e| e.count)
}

/// The HTTP path a probe checks, or `otherwise`.
pub(super) fn endpoint(probe: Option<&Probe>, otherwise: &str) -> String {
    probe
        .and_then(|p| p.http_get.as_ref())
        .and_then(|h| h.path.clone())
        .unwrap_or_else(|| otherwise.to_owned())
}

/// ` (it answers 503)` when the failure names the HTTP status, else nothing.
pub(super) fn answers(failed: &EventGroup) -> String {
    STATUS_CODE
        .captures(&failed.message)
        .map(|c| format!(" (it answers {})", &c[1]))
        .unwrap_or_default()
}

fn port(p: &IntOrString) -> String {
    match p {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

/// The port a probe connects to, `?` for a probe without one.
pub(super) fn probe_port(p: &Probe) -> String {
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
pub(super) fn describe_probe(p: &Probe) -> String {
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
