//! `crashlab validate --diagnose COMMAND`: reproduce each scenario, run COMMAND on the live
//! crash loop once its signal contract holds, grade the answer against the scenario's ground
//! truth, report, and exit with the documented code.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use super::args::{OutputFormat, ValidateArgs};
use super::catalogue_cmd::{catalogue_with, pick};
use super::cli_error::{CliError, Exit};
use super::target_cluster;
use crate::expect::Outcome as CheckOutcome;
use crate::runner::{
    OnReproduced, Reproduced, RunEvent, RunOptions, Runner, ScenarioReport, Verdict,
};
use crate::scenario::{GroundTruth, Scenario, humantime_secs};
use crate::validate::{
    GROUND_TRUTH_ENV, GradeOptions, JudgeResult, Outcome, ScenarioValidation, ToolCall, ToolOutput,
    ValidationExit, ValidationReport, grade, render_human, render_json, render_junit, run_tool,
};

/// Validated arguments: nothing here has touched a cluster.
struct Plan {
    scenarios: Vec<Scenario>,
    truths: HashMap<String, GroundTruth>,
    timeout: Duration,
    grading: GradeOptions,
}

pub fn run(args: ValidateArgs) -> Result<Exit, CliError> {
    let plan = plan(&args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::env(format!("cannot start the async runtime: {e}")))?;
    let report = runtime.block_on(validate(&args, &plan))?;

    if let Some(path) = &args.junit {
        let xml = render_junit(&report)
            .map_err(|e| CliError::env(format!("writing the JUnit report: {e}")))?;
        std::fs::write(path, xml)
            .map_err(|e| CliError::usage(format!("--junit {}: {e}", path.display())))?;
    }
    let text = match args.output {
        OutputFormat::Human => render_human(&report),
        OutputFormat::Json => render_json(&report),
    };
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(CliError::env(format!("writing the report: {e}")));
    }
    Ok(match report.exit() {
        ValidationExit::Pass => Exit::Pass,
        ValidationExit::ToolBelow => Exit::Fail,
        ValidationExit::Incomplete => Exit::Environment,
    })
}

/// Scenarios (each with a ground truth), time limit and score: usage errors exit 2 before any
/// cluster is touched.
fn plan(args: &ValidateArgs) -> Result<Plan, CliError> {
    let cat = catalogue_with(&args.files)?;
    let scenarios = pick(
        &cat,
        &args.scenarios,
        args.all,
        "crashlab validate --diagnose CMD oom",
    )?;
    let mut truths = HashMap::new();
    for s in &scenarios {
        let name = &s.metadata.name;
        let truth = s.spec.ground_truth.clone().ok_or_else(|| {
            CliError::usage(format!(
                "scenario \"{name}\" has no groundTruth, so there is nothing to grade a diagnosis against"
            ))
            .with_hint("add spec.groundTruth (category, keyFacts, wrongAnswers) to its file; `crashlab show oom` shows one")
        })?;
        truths.insert(name.clone(), truth);
    }
    if args.diagnose.trim().is_empty() {
        return Err(CliError::usage("--diagnose needs a command line"));
    }
    let timeout = humantime_secs::parse(&args.timeout)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| {
            CliError::usage(format!(
                "--timeout {:?}: expected a positive duration such as 60s, 2m or 1m30s",
                args.timeout
            ))
        })?;
    if !(0.0..=1.0).contains(&args.min_score) {
        return Err(CliError::usage(format!(
            "--min-score {}: expected a score from 0 to 1 (e.g. 0.75)",
            args.min_score
        )));
    }
    if args.category_field.trim().is_empty() {
        return Err(CliError::usage(
            "--category-field needs a dotted path, e.g. category or root_cause.category",
        ));
    }
    Ok(Plan {
        scenarios,
        truths,
        timeout,
        grading: GradeOptions {
            category_field: args.category_field.clone(),
        },
    })
}

/// What the hook needs, shared by every scenario's call.
struct HookContext {
    command: String,
    judge: Option<String>,
    timeout: Duration,
    /// Environment every call gets: KUBECONFIG and PATH.
    base_env: Vec<(String, String)>,
    truths: HashMap<String, GroundTruth>,
    save_output: Option<PathBuf>,
    results: Mutex<HashMap<String, (ToolOutput, Option<JudgeResult>)>>,
}

async fn validate(args: &ValidateArgs, plan: &Plan) -> Result<ValidationReport, CliError> {
    let cluster = target_cluster::connect_with_images(
        args.context.as_deref(),
        &args.allow_context,
        &args.bring_up,
    )
    .await?;
    if let Some(dir) = &args.save_output {
        std::fs::create_dir_all(dir)
            .map_err(|e| CliError::usage(format!("--save-output {}: {e}", dir.display())))?;
    }

    // The tool reaches the same cluster through its own kubeconfig, whatever the current
    // context is; it lives as long as this run.
    let kube_dir = tempfile::Builder::new()
        .prefix("crashlab-validate-")
        .tempdir()
        .map_err(|e| CliError::env(format!("creating a temporary directory: {e}")))?;
    let kubeconfig = write_kubeconfig(&cluster.context, kube_dir.path())?;
    let mut base_env = vec![("KUBECONFIG".to_owned(), kubeconfig.display().to_string())];
    if let Some(path) = path_with_own_dir() {
        base_env.push(("PATH".to_owned(), path));
    }

    let ctx = Arc::new(HookContext {
        command: args.diagnose.clone(),
        judge: args.judge.clone(),
        timeout: plan.timeout,
        base_env,
        truths: plan.truths.clone(),
        save_output: args.save_output.clone(),
        results: Mutex::default(),
    });
    let hook_ctx = ctx.clone();
    let hook = OnReproduced(Arc::new(move |live: Reproduced| {
        let ctx = hook_ctx.clone();
        Box::pin(async move { call_tool(&ctx, live).await })
    }));

    let runner = Runner::new(
        cluster.client.clone(),
        RunOptions {
            context: cluster.context.clone(),
            parallelism: usize::from(args.parallel),
            keep_namespaces: false,
            namespace: None,
            record_dir: None,
            on_reproduced: Some(hook),
        },
    );
    let (tx, rx) = mpsc::unbounded_channel();
    let progress = tokio::spawn(progress(rx));
    let result = runner.run(&plan.scenarios, tx).await;
    // Every sender is gone once the run is over; do not hang on a straggler regardless.
    let _ = tokio::time::timeout(Duration::from_secs(2), progress).await;
    let reports = result.map_err(|e| {
        CliError::env(e).with_hint("is the cluster running? try `crashlab cluster status`")
    })?;

    let mut results = std::mem::take(&mut *ctx.results.lock().unwrap_or_else(|p| p.into_inner()));
    let scenarios = plan
        .scenarios
        .iter()
        .zip(reports)
        .map(|(s, r)| {
            let truth = &plan.truths[&s.metadata.name];
            let outcome = outcome_of(&r, results.remove(&r.name), truth, &plan.grading);
            ScenarioValidation {
                name: r.name.clone(),
                namespace: r.namespace.clone(),
                expected_category: truth.category,
                outcome,
            }
        })
        .collect();
    Ok(ValidationReport {
        command: args.diagnose.clone(),
        judge: args.judge.clone(),
        min_score: args.min_score,
        scenarios,
    })
}

/// Runs the tool (and the judge) on a live crash loop and keeps the outputs.
async fn call_tool(ctx: &HookContext, live: Reproduced) {
    eprintln!(
        "crashlab: {}: signals confirmed; running the tool on pod {}/{}",
        live.scenario, live.namespace, live.pod
    );
    let mut env = ctx.base_env.clone();
    env.extend([
        ("CRASHLAB_NAMESPACE".to_owned(), live.namespace.clone()),
        ("CRASHLAB_POD".to_owned(), live.pod.clone()),
        (
            "CRASHLAB_CONTAINER".to_owned(),
            live.target.container.clone(),
        ),
        ("CRASHLAB_SCENARIO".to_owned(), live.scenario.clone()),
    ]);
    let out = run_tool(&ToolCall {
        command: ctx.command.clone(),
        env: env.clone(),
        stdin: None,
        timeout: ctx.timeout,
    })
    .await;
    eprintln!(
        "crashlab: {}: the tool finished ({}, {:.1}s)",
        live.scenario,
        out.ending.describe(),
        out.elapsed_s
    );
    if let Some(dir) = &ctx.save_output {
        save(dir, &live.scenario, &out);
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
    ctx.results
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(live.scenario, (out, judge));
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

fn outcome_of(
    r: &ScenarioReport,
    result: Option<(ToolOutput, Option<JudgeResult>)>,
    truth: &GroundTruth,
    grading: &GradeOptions,
) -> Outcome {
    let unmet = || {
        r.checks
            .iter()
            .filter(|c| c.outcome != CheckOutcome::Met)
            .cloned()
            .collect::<Vec<_>>()
    };
    match (r.verdict, result) {
        (Verdict::Pass, Some((tool, judge))) => Outcome::Graded {
            grade: grade(truth, &tool, grading, &[&r.namespace]),
            tool,
            judge,
        },
        (Verdict::Pass, None) => Outcome::NotRun {
            reason: "cancelled before the tool finished".to_owned(),
        },
        // Ctrl-C is nobody's fault: neither the fixture's nor the tool's.
        (Verdict::Error, _)
            if r.error
                .as_deref()
                .is_some_and(|e| e.starts_with("cancelled")) =>
        {
            Outcome::NotRun {
                reason: r.error.clone().unwrap_or_default(),
            }
        }
        (Verdict::Fail, _) => {
            let contradicted: Vec<String> = r
                .checks
                .iter()
                .filter(|c| c.outcome == CheckOutcome::Contradicted)
                .map(|c| c.name.clone())
                .collect();
            Outcome::NotReproduced {
                verdict: Verdict::Fail,
                reason: r.error.clone().unwrap_or_else(|| {
                    format!(
                        "the cluster did something other than the scenario promised: {}",
                        contradicted.join(", ")
                    )
                }),
                unmet_checks: unmet(),
            }
        }
        (Verdict::Error, _) => Outcome::NotReproduced {
            verdict: Verdict::Error,
            reason: r
                .error
                .clone()
                .unwrap_or_else(|| "the run could not decide".to_owned()),
            unmet_checks: unmet(),
        },
    }
}

/// One line per scenario on stderr, so a long validation shows it is moving.
async fn progress(mut rx: mpsc::UnboundedReceiver<RunEvent>) {
    while let Some(ev) = rx.recv().await {
        match ev {
            RunEvent::RunStarted {
                count,
                context,
                server_version,
                ..
            } => eprintln!(
                "crashlab: reproducing {count} scenario{} on `{context}` ({server_version})",
                if count == 1 { "" } else { "s" }
            ),
            RunEvent::ScenarioFinished { report } if report.verdict != Verdict::Pass => eprintln!(
                "crashlab: {}: fixture did not reproduce ({}); the tool is not run",
                report.name,
                match report.verdict {
                    Verdict::Fail => "an expectation failed",
                    _ => "undecided",
                }
            ),
            _ => {}
        }
    }
}

/// A kubeconfig holding only `context` (as the current one), its cluster and its user, mode
/// 0600 in `dir`.
fn write_kubeconfig(context: &str, dir: &Path) -> Result<PathBuf, CliError> {
    let fail = |m: String| CliError::env(format!("writing a kubeconfig for the tool: {m}"));
    let mut kc = kube::config::Kubeconfig::read().map_err(|e| fail(e.to_string()))?;
    let named = kc
        .contexts
        .iter()
        .find(|c| c.name == context)
        .cloned()
        .ok_or_else(|| fail(format!("context `{context}` is not in the kubeconfig")))?;
    if let Some(c) = &named.context {
        kc.clusters.retain(|x| x.name == c.cluster);
        kc.auth_infos.retain(|u| Some(&u.name) == c.user.as_ref());
    }
    kc.contexts = vec![named];
    kc.current_context = Some(context.to_owned());
    let yaml = serde_yaml::to_string(&kc).map_err(|e| fail(e.to_string()))?;
    let path = dir.join("kubeconfig");
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| fail(format!("{}: {e}", path.display())))?;
        f.write_all(yaml.as_bytes())
            .map_err(|e| fail(format!("{}: {e}", path.display())))?;
    }
    Ok(path)
}

/// PATH with crashlab's own directory first, so `crashlab` in the tool's command is this one.
fn path_with_own_dir() -> Option<String> {
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
