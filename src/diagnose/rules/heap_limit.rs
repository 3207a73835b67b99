//! The language runtime hit its own heap limit (V8's `--max-old-space-size`, the JVM's
//! `-Xmx`): the program ran out of the memory its runtime allows, whatever the container's
//! limit.

use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::log_lines::{LineKind, Runtime};
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "heap-limit",
    needs: &[Needs::Logs, Needs::ExitCode],
    gives: "resource-limits (2) when the line that explains the exit is a runtime's heap limit",
    check: Check::One(clue),
};

fn clue(ctx: &Ctx) -> Option<Clue> {
    let Some((LineKind::HeapLimit, text)) = ctx.explaining_line() else {
        return None;
    };
    let exit = ctx
        .termination()
        .map(|t| format!(" (exit code {})", t.exit_code))
        .unwrap_or_default();
    let (runtime, flag) = match ctx.crash.as_ref().map(|r| r.runtime) {
        Some(Runtime::Java) => ("The JVM", "-Xmx"),
        _ => ("The Node.js runtime (V8)", "--max-old-space-size"),
    };
    let killed = if ctx.oom_killed() {
        ""
    } else {
        " The kernel did not OOM-kill the container: the runtime gave up by itself when its heap was full, and aborted"
    };
    Some(
        Clue::new(
            Category::ResourceLimits,
            2,
            format!("{runtime} runs out of heap: «{text}». Its heap limit ({flag}) is reached.{killed}{exit}."),
        )
        .fix(format!(
            "Find out why the heap grows (a leak, an unbounded cache, too much data loaded at once) and fix it; if the app really needs more, raise {flag} together with the container's limits.memory, keeping the heap below the container limit."
        )),
    )
}
