//! The app's last log line says the address it listens on is already in use: containers of a
//! pod share one network namespace, so another container of the pod on the same port is the
//! usual culprit.

use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::log_lines::LineKind;
use crate::diagnose::log_words::says;
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "port-in-use",
    needs: &[Needs::Logs, Needs::Spec],
    gives: "missing-config (2) when the line that explains the exit says its address is in use, naming the pod's containers on the same port",
    check: Check::One(clue),
};

fn clue(ctx: &Ctx) -> Option<Clue> {
    let Some((LineKind::PortInUse(address), text)) = ctx.explaining_line() else {
        return None;
    };
    let port: Option<i32> = address
        .as_deref()
        .and_then(|a| a.rsplit(':').next())
        .and_then(|p| p.parse().ok());
    let shown = address.as_deref().unwrap_or("its port");
    let others: Vec<String> = match (port, ctx.input.pod.spec.as_ref()) {
        (Some(port), Some(spec)) => spec
            .init_containers
            .iter()
            .flatten()
            .filter(|c| c.restart_policy.as_deref() == Some("Always"))
            .chain(spec.containers.iter())
            .filter(|c| c.name != ctx.container)
            .filter(|c| {
                c.ports.iter().flatten().any(|p| p.container_port == port)
                    || c.command
                        .iter()
                        .flatten()
                        .chain(c.args.iter().flatten())
                        .any(|a| a == &port.to_string() || a.ends_with(&format!(":{port}")))
            })
            .map(|c| c.name.clone())
            .collect(),
        _ => Vec::new(),
    };
    let mut sentence = format!(
        "{}: the address {shown} is already in use.",
        says(ctx, text)
    );
    let fix = match others.as_slice() {
        [] => {
            sentence.push_str(" Another process in the pod's network namespace (the containers of a pod share one) or a second server in the app already listens there.");
            format!(
                "Make container {} listen on a port of its own (its args and containerPort), one that no other container of the pod uses.",
                ctx.container
            )
        }
        others => {
            let list = others.join(", ");
            let port = port.map(|p| p.to_string()).unwrap_or_default();
            sentence.push_str(&format!(
                " The containers of a pod share one network namespace, and container {list} of this pod already listens on port {port}: both are configured for the same port."
            ));
            format!(
                "Give container {} a port of its own (its args and containerPort), different from {list}'s {port}.",
                ctx.container
            )
        }
    };
    Some(Clue::new(Category::MissingConfig, 2, sentence).fix(fix))
}
