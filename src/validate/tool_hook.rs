//! The hook `validate` gives the runner: on each live incident, at the moment asked for, run
//! the tool (and the judge) with the incident's environment and the kubeconfig it may use,
//! save its output when asked, and keep what it said and when it ran.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::expect::Call;
use crate::runner::Reproduced;
use crate::runner::tool_access::NamespaceGrants;
use crate::scenario::GroundTruth;

use super::GROUND_TRUTH_ENV;
use super::judge::JudgeResult;
use super::tool_output::{ToolEnding, ToolOutput};
use super::tool_run::{ToolCall, run_tool};

/// One call of the tool (and of the judge) on a live incident: when and where it ran, its
/// output and the judge's.
#[derive(Debug, Clone)]
pub(super) struct ToolResult {
    pub call: Call,
    pub tool: ToolOutput,
    pub judge: Option<JudgeResult>,
}

/// What the hook needs, shared by every scenario's call.
pub(super) struct HookContext {
    /// The run numbers (from 1) each call of the hook makes: `1..N+1` on one incident, one
    /// number per round with `--fresh`.
    pub(super) runs: Range<usize>,
    /// Name save-output files after the run (`--repeat` > 1).
    pub(super) numbered: bool,
    pub(super) command: String,
    pub(super) judge: Option<String>,
    pub(super) timeout: Duration,
    /// Environment every call gets: KUBECONFIG and PATH.
    pub(super) base_env: Vec<(String, String)>,
    /// `--tool-scope namespace`: the KUBECONFIG of each incident's tool.
    pub(super) grants: Option<Arc<NamespaceGrants>>,
    pub(super) truths: HashMap<String, GroundTruth>,
    pub(super) save_output: Option<PathBuf>,
    /// `--tell-scenario`: CRASHLAB_SCENARIO is exported to the tool.
    pub(super) tell_scenario: bool,
    /// Name save-output files after the moment too (`--moments`).
    pub(super) by_moment: bool,
    pub(super) results: Mutex<HashMap<String, Vec<ToolResult>>>,
}

/// Runs the tool (and the judge) on a live crash loop, once per run number, and keeps the
/// outputs.
pub(super) async fn call_tool(ctx: &HookContext, live: Reproduced) {
    for run in ctx.runs.clone() {
        let result = call_once(ctx, &live, run).await;
        ctx.results
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(live.scenario.clone())
            .or_default()
            .push(result);
    }
}

async fn call_once(ctx: &HookContext, live: &Reproduced, run: usize) -> ToolResult {
    let which = match (ctx.numbered, ctx.by_moment) {
        (true, true) => format!(" (run {run} at {})", live.moment),
        (true, false) => format!(" (run {run})"),
        (false, true) => format!(" (at {})", live.moment),
        (false, false) => String::new(),
    };
    let why = live
        .note
        .as_deref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    eprintln!(
        "crashlab: {}: {} moment{why}; running the tool{which} on pod {}/{}",
        live.scenario, live.moment, live.namespace, live.pod
    );
    let mut env = ctx.base_env.clone();
    env.extend([
        ("CRASHLAB_NAMESPACE".to_owned(), live.namespace.clone()),
        ("CRASHLAB_POD".to_owned(), live.pod.clone()),
        (
            "CRASHLAB_CONTAINER".to_owned(),
            live.target.container.clone(),
        ),
    ]);
    if ctx.numbered {
        env.push(("CRASHLAB_RUN".to_owned(), run.to_string()));
    }
    if ctx.tell_scenario {
        env.push(("CRASHLAB_SCENARIO".to_owned(), live.scenario.clone()));
    }
    let scoped = match &ctx.grants {
        Some(g) => Some(g.kubeconfig_for(&live.namespace).await),
        None => None,
    };
    if let Some(Ok(path)) = &scoped {
        env.retain(|(k, _)| k != "KUBECONFIG");
        env.push(("KUBECONFIG".to_owned(), path.display().to_string()));
    }
    let started_at = jiff::Timestamp::now();
    let out = match scoped {
        Some(Err(e)) => ToolOutput {
            stdout: String::new(),
            stderr: String::new(),
            ending: ToolEnding::NotStarted {
                error: format!(
                    "crashlab could not give it a kubeconfig scoped to {}: {e}",
                    live.namespace
                ),
            },
            elapsed_s: 0.0,
        },
        _ => {
            run_tool(&ToolCall {
                command: ctx.command.clone(),
                env: env.clone(),
                stdin: None,
                timeout: ctx.timeout,
            })
            .await
        }
    };
    let ended_at = jiff::Timestamp::now();
    eprintln!(
        "crashlab: {}: the tool finished{which} ({}, {:.1}s)",
        live.scenario,
        out.ending.describe(),
        out.elapsed_s
    );
    if let Some(dir) = &ctx.save_output {
        let mut stem = live.scenario.clone();
        if ctx.by_moment {
            stem = format!("{stem}.{}", live.asked);
        }
        if ctx.numbered {
            stem = format!("{stem}.{run}");
        }
        save(dir, &stem, &out);
    }
    let judge = match (&ctx.judge, ctx.truths.get(&live.scenario)) {
        (Some(judge), Some(truth)) => {
            env.push((
                GROUND_TRUTH_ENV.to_owned(),
                serde_json::to_string(truth).unwrap_or_default(),
            ));
            let verdict = run_tool(&ToolCall {
                command: judge.clone(),
                env,
                stdin: Some(out.stdout.clone().into_bytes()),
                timeout: ctx.timeout,
            })
            .await;
            Some(JudgeResult::from_output(verdict))
        }
        _ => None,
    };
    ToolResult {
        call: Call {
            moment: live.moment,
            asked: live.asked,
            note: live.note.clone(),
            pod: live.pod.clone(),
            container: live.target.container.clone(),
            started_at,
            ended_at,
        },
        tool: out,
        judge,
    }
}

fn save(dir: &Path, scenario: &str, out: &ToolOutput) {
    for (ext, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let path = dir.join(format!("{scenario}.{ext}"));
        if ext == "stderr" && text.is_empty() {
            let _ = std::fs::remove_file(&path);
            continue;
        }
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("crashlab: could not save {}: {e}", path.display());
        }
    }
}

/// PATH with crashlab's own directory first, so `crashlab` in the tool's command is this one.
pub(super) fn path_with_own_dir() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?.to_path_buf();
    let mut dirs = vec![dir];
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs)
        .ok()
        .map(|p| p.to_string_lossy().into_owned())
}
