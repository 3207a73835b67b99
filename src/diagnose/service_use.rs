//! The Services the app talks to, by what its key log line and its spec name, and how one is
//! shown; shared by the recent-changes step and the Service rule.

use super::ctx::Ctx;
use super::input::{Fetched, ServiceFacts};
use super::log_lines::LineKind;

/// The namespace's Services the app uses, when they could be listed.
pub(super) fn used_services<'a>(ctx: &Ctx<'a>) -> Fetched<Vec<&'a ServiceFacts>> {
    match &ctx.input.services {
        Fetched::Got(s) => Fetched::Got(s.iter().filter(|s| used_by(ctx, s)).collect()),
        Fetched::Failed(m) => Fetched::Failed(m.clone()),
    }
}

/// ` (10.96.0.9:5432)`, ` (port 5432)`, or nothing.
pub(super) fn address(s: &ServiceFacts) -> String {
    match (&s.cluster_ip, s.ports.first()) {
        (Some(ip), Some(p)) => format!(" ({ip}:{p})"),
        (None, Some(p)) => format!(" (port {p})"),
        _ => String::new(),
    }
}

/// `app=db,tier=data`, empty for a Service without a selector.
pub(super) fn selector(s: &ServiceFacts) -> String {
    let selector: Vec<String> = s.selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
    selector.join(",")
}

/// Why a Service has no ready endpoints.
pub(super) fn why_no_endpoints(selector: &str) -> String {
    if selector.is_empty() {
        "it has no selector and nobody added endpoints by hand".to_owned()
    } else {
        format!("no ready pod matches its selector {selector}")
    }
}

/// Whether the key log line is a refused connection (not a timeout or a name that does not
/// resolve): what a server that does not listen yet answers.
pub(super) fn refused(ctx: &Ctx) -> bool {
    matches!(ctx.key_line, Some((_, LineKind::Connection { .. })))
        && ctx
            .key_text()
            .is_some_and(|t| t.to_ascii_lowercase().contains("refused"))
}

/// Whether the app uses Service `s`: its name or address in the key log line, or its
/// environment variables (`$(POSTGRES_SERVICE_HOST)`) in the container's command, args or env.
fn used_by(ctx: &Ctx, s: &ServiceFacts) -> bool {
    let env_prefix = format!("{}_SERVICE_", s.name.to_uppercase().replace('-', "_"));
    let in_spec = ctx.spec.is_some_and(|c| {
        c.command
            .iter()
            .flatten()
            .chain(c.args.iter().flatten())
            .chain(c.env.iter().flatten().filter_map(|e| e.value.as_ref()))
            .any(|a| a.contains(&env_prefix))
    });
    let in_logs = match &ctx.key_line {
        Some((i, LineKind::Connection { target, name })) => {
            let line = ctx.log_lines[*i];
            name.as_deref() == Some(s.name.as_str())
                || s.cluster_ip.as_ref().is_some_and(|ip| {
                    target
                        .as_deref()
                        .is_some_and(|t| t.starts_with(&format!("{ip}:")))
                })
                || target
                    .as_deref()
                    .is_some_and(|t| t.split(':').next() == Some(s.name.as_str()))
                || line.contains(&format!("{}.", s.name))
        }
        _ => false,
    };
    in_logs || in_spec
}
