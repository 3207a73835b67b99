//! A Service the app talks to that cannot answer: it has no ready endpoints, or its ready
//! endpoint is still initialising (a first start) while the app's connections are refused.

use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::initialising_backend;
use crate::diagnose::input::Fetched;
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::diagnose::service_use::{address, refused, selector, used_services, why_no_endpoints};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "service-not-serving",
    needs: &[Needs::Services, Needs::Backends, Needs::Logs, Needs::Spec],
    gives: "dependency-down (3), per Service the app uses: it has no ready endpoints, or, when the app's connection was refused, a ready backend's log shows it still initialising",
    check: Check::Each(clues),
};

fn clues(ctx: &Ctx) -> Vec<Clue> {
    let Fetched::Got(services) = used_services(ctx) else {
        return Vec::new();
    };
    let mut clues = Vec::new();
    for s in services {
        let addr = address(s);
        match s.ready_endpoints {
            Some(0) => {
                let selector = selector(s);
                let why = why_no_endpoints(&selector);
                let mut clue = Clue::new(
                    Category::DependencyDown,
                    3,
                    format!("Service {}{addr} has no ready endpoints: {why}, so connections to it are refused.", s.name),
                )
                .fix(format!(
                    "Bring {} back: a pod matching {} must be running and ready (check the workload behind it). Make the app retry instead of exiting, so it survives the next outage.",
                    s.name,
                    if selector.is_empty() { "the Service" } else { &selector }
                ))
                .command(
                    ctx.kubectl(&format!("get endpointslices -l kubernetes.io/service-name={}", s.name)),
                    "the Service's endpoints (none ready)",
                );
                if !selector.is_empty() {
                    clue = clue.command(
                        ctx.kubectl(&format!("get pods -l {selector}")),
                        "the pods that should back the Service",
                    );
                }
                clues.push(clue);
            }
            Some(_) if refused(ctx) => clues.extend(initialising_backend::clue(ctx, s, &addr)),
            _ => {}
        }
    }
    clues
}
