//! A dependency that is Ready but does not listen yet: the pod behind the Service runs, has no
//! readiness probe (so it became an endpoint as soon as it started), and its log shows a
//! first-start initialisation still going on (Postgres's `initdb` and
//! `/docker-entrypoint-initdb.d` scripts, migrations, a warm-up). Connections to it are refused
//! until the initialisation ends, and the app that exits on the refusal crash-loops until then.
//!
//! Read from the log alone: the last line that says an initialisation is under way, with no
//! line after it that says the server is done or listens. The official `postgres` image starts
//! a temporary server on the Unix socket only (it logs "ready to accept connections") before
//! it runs the init scripts, so a "ready" line before the last init line does not count.

use std::sync::LazyLock;

use regex::Regex;

use crate::scenario::Category;

use super::ctx::Ctx;
use super::diagnosis::Clue;
use super::input::{Backend, ServiceFacts};

/// A line that says a first-start initialisation is under way.
static UNDER_WAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\binitdb\b|docker-entrypoint-initdb\.d|will be initiali[sz]ed|\binitiali[sz]ing\b|\brunning (database )?migrations?\b|\bapplying migrations?\b|\bwarming up\b",
    )
    .expect("valid regex")
});

/// A line that says the server is done initialising or listens for clients.
static DONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)init(iali[sz]ation)? (process )?complete|ready to accept connections|ready for connections|\blistening on\b|\bserver (is )?listening\b|\bstartup complete\b",
    )
    .expect("valid regex")
});

/// Where a backend's log shows an initialisation still going on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Initialising<'a> {
    /// The last line saying the initialisation is under way.
    pub under_way: &'a str,
    /// The log's last line (what it is doing now), when it is another line.
    pub last: Option<&'a str>,
}

/// Whether `lines` (a log tail, oldest first) end in an initialisation still going on.
pub fn initialising(lines: &[String]) -> Option<Initialising<'_>> {
    let marker = lines.iter().rposition(|l| UNDER_WAY.is_match(l))?;
    if lines[marker..].iter().any(|l| DONE.is_match(l)) {
        return None;
    }
    let last = lines
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .filter(|i| *i > marker)
        .map(|i| lines[i].trim());
    Some(Initialising {
        under_way: lines[marker].trim(),
        last,
    })
}

/// The clue for a refused connection to `service`, when one of its backends is Ready and its
/// log shows it still initialising.
pub fn clue(ctx: &Ctx, service: &ServiceFacts, addr: &str) -> Option<Clue> {
    let (backend, init) = service.backends.iter().find_map(|b| {
        let init = initialising(b.log_tail.as_deref()?)?;
        b.ready.then_some((b, init))
    })?;
    let port = service
        .ports
        .first()
        .map(|p| format!(" on port {p}"))
        .unwrap_or_default();
    let why_ready = if backend.readiness_probe {
        "its readiness probe passes"
    } else {
        "it has no readiness probe, so the kubelet reports it ready as soon as it runs"
    };
    let now = init
        .last
        .map(|l| format!(", and its last line is «{l}»"))
        .unwrap_or_default();
    let sentence = format!(
        "Service {name}{addr} has a ready endpoint, pod {pod} (Ready: {why_ready}), but nothing listens there yet: its log says «{under_way}»{now}. {name} is still initialising (a first start), not listening yet, so connections to it are refused until it finishes; it comes up later on its own, and the app's first restart after that connects.",
        name = service.name,
        pod = backend.pod,
        under_way = init.under_way,
    );
    let fix = format!(
        "Nothing needs to be brought back: once {name} has initialised, the app's next restart connects (the kubelet's back-off wait grows with each failure, up to 5 minutes). So that the next cold start does not crash-loop the app: give the pods behind Service {name} (container {container}) a readiness probe that passes only once it listens{port} (a TCP check, or the server's own check such as pg_isready), and make the app retry its connection with a back-off instead of exiting.",
        name = service.name,
        container = backend.container,
    );
    Some(
        Clue::new(Category::DependencyDown, 3, sentence)
            .fix(fix)
            .command(
                ctx.kubectl(&format!(
                    "logs {} -c {} --tail=20",
                    backend.pod, backend.container
                )),
                "what the dependency is doing now",
            ),
    )
}

/// A detail line for a backend: its readiness and what its log shows.
pub fn detail(service: &str, b: &Backend) -> String {
    let ready = match (b.ready, b.readiness_probe) {
        (true, false) => "Ready (no readiness probe)",
        (true, true) => "Ready",
        (false, _) => "not Ready",
    };
    let log = match (&b.log_tail, &b.log_error) {
        (Some(lines), _) => match initialising(lines) {
            Some(i) => format!("its log shows it still initialising («{}»)", i.under_way),
            None => match lines.iter().rev().find(|l| !l.trim().is_empty()) {
                Some(l) => format!("its last log line: «{}»", l.trim()),
                None => "its log is empty".to_owned(),
            },
        },
        (None, Some(e)) => format!("its log could not be read ({e})"),
        (None, None) => "its log was not read".to_owned(),
    };
    format!(
        "Service {service} → pod {} ({}): {ready}; {log}",
        b.pod, b.container
    )
}

/// For tests: a Ready backend without a readiness probe, with `log`.
#[cfg(test)]
pub fn ready_backend(pod: &str, container: &str, log: &str) -> Backend {
    Backend {
        pod: pod.to_owned(),
        container: container.to_owned(),
        ready: true,
        readiness_probe: false,
        log_tail: Some(log.lines().map(str::to_owned).collect()),
        log_error: None,
    }
}
