//! The runtime could not start the container's process (`StartError`, `ContainerCannotRun`,
//! or `RunContainerError` naming an exec failure): no process of the app ever ran, so there
//! are no logs; usually the image and the command do not match.

use std::sync::LazyLock;

use regex::Regex;

use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "start-failed",
    needs: &[Needs::ExitCode, Needs::Waiting, Needs::Spec],
    gives: "image-problem (3) when the runtime's message says the program is not in the image, else missing-config (2): the last instance ended in StartError or ContainerCannotRun, or the container waits in RunContainerError over an exec failure",
    check: Check::One(clue),
};

fn clue(ctx: &Ctx) -> Option<Clue> {
    match ctx.termination() {
        Some(t) => {
            let reason = t.reason.as_deref().unwrap_or("");
            matches!(reason, "ContainerCannotRun" | "StartError").then(|| {
                let msg = t.message.as_deref().unwrap_or("").trim();
                start_failure(ctx, &format!("{reason}, exit code {}", t.exit_code), msg)
            })
        }
        None => {
            let reason = ctx.waiting_reason()?;
            let msg = ctx.waiting_message().unwrap_or("");
            (reason == "RunContainerError" && exec_failure(msg).is_some())
                .then(|| start_failure(ctx, reason, msg))
        }
    }
}

/// The program the runtime could not execute, from its message: `exec: "/app/server": stat
/// /app/server: no such file or directory` (runc), `exec: "server": executable file not found
/// in $PATH`, `exec format error`, `permission denied`.
pub(in crate::diagnose) fn exec_failure(message: &str) -> Option<(Option<String>, &'static str)> {
    static EXEC: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"exec(?::)? "([^"]+)""#).expect("built-in pattern"));
    let why = if message.contains("executable file not found") {
        "executable file not found in $PATH"
    } else if message.contains("no such file or directory") {
        "no such file or directory"
    } else if message.contains("exec format error") {
        "exec format error: built for another CPU architecture, or a script without its interpreter"
    } else if message.contains("permission denied") && message.contains("exec") {
        "permission denied: the file is not executable"
    } else {
        return None;
    };
    Some((EXEC.captures(message).map(|c| c[1].to_owned()), why))
}

fn start_failure(ctx: &Ctx, shown: &str, msg: &str) -> Clue {
    let image = ctx.image();
    match exec_failure(msg) {
        Some((program, why)) => {
            let program = program
                .or_else(|| {
                    ctx.spec
                        .and_then(|c| c.command.as_ref().or(c.args.as_ref()))
                        .and_then(|c| c.first().cloned())
                })
                .unwrap_or_else(|| "its entrypoint".to_owned());
            let source = match ctx.spec.and_then(|c| c.command.as_ref()) {
                Some(_) => "the container's command",
                None => "the image's entrypoint",
            };
            Clue::new(
                Category::ImageProblem,
                3,
                format!(
                    "The runtime cannot start the container: {program} ({source}) is not in the image {image} ({why}; {shown}: «{msg}»). No process of the app ever ran, so there are no logs; the image and the command do not match."
                ),
            )
            .fix(format!(
                "Make {source} point at a program that exists in {image} (check its path), or rebuild the image so that it contains {program}."
            ))
            .command(ctx.spec_field_command("command"), "the command the pod runs")
        }
        None => Clue::new(
            Category::MissingConfig,
            2,
            format!("The runtime could not start the container ({shown}: {msg})."),
        )
        .fix("Correct the container's command, args or image so that its entrypoint exists."),
    }
}
