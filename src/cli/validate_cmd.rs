//! `crashlab validate --diagnose COMMAND`: reproduce each scenario, run COMMAND on the live
//! crash loop once it is ready for diagnosis (while the rest of its signal contract is still
//! judged), grade the answer against the scenario's ground truth, report, and exit with the
//! documented code. `--repeat N` runs COMMAND N times per incident (`--fresh`: on N incidents).
//! With `--alert-rules`, the rules are judged on each reproduced scenario's timeline too
//! (src/cli/alert_rules.rs).

use std::collections::HashMap;
use std::io::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use super::alert_rules;
use super::args::{OutputFormat, ToolScopeArg, ValidateArgs};
use super::catalogue_cmd::{catalogue_with, pick};
use super::cli_error::{CliError, Exit};
use super::target_cluster;
use crate::alerts::RuleJudge;
use crate::expect::moment::{self, Moment};
use crate::expect::{Call, Outcome as CheckOutcome, Sight};
use crate::runner::tool_access::{self, NamespaceGrants};
use crate::runner::{
    OnReproduced, Reproduced, RunEvent, RunOptions, Runner, ScenarioReport, ScenarioRun, Verdict,
};
use crate::scenario::{GroundTruth, Scenario, humantime_secs};
use crate::validate::{
    ClusterWords, GROUND_TRUTH_ENV, Given, GradeOptions, JudgeResult, Outcome, Recorded, RunResult,
    ScenarioValidation, ToolCall, ToolEnding, ToolOutput, ValidationExit, ValidationReport,
    grade_in, parse_category_map, render_json, run_tool,
};

/// Validated arguments: nothing here has touched a cluster.
struct Plan {
    scenarios: Vec<Scenario>,
    truths: HashMap<String, GroundTruth>,
    timeout: Duration,
    grading: GradeOptions,
    /// `--moment`/`--moments`, in time order, and `--tool-window`.
    moments: Vec<Moment>,
    tool_window: Duration,
    /// `--alert-rules`: promtool and the checked rule file.
    alert_rules: Option<RuleJudge>,
}

pub fn run(args: ValidateArgs) -> Result<Exit, CliError> {
    if let (true, Some(rules)) = (args.check_rules, &args.alert_rules) {
        let judge = alert_rules::prepare(rules, args.promtool.as_deref(), &args.alerts_hold)?;
        println!(
            "{}: {} alerting rule{}, accepted by {} ({})",
            rules.display(),
            judge.rules.len(),
            if judge.rules.len() == 1 { "" } else { "s" },
            judge.promtool.version,
            judge.promtool.path.display()
        );
        return Ok(Exit::Pass);
    }
    if args.html.is_some() && args.diagnose.is_none() {
        return Err(CliError::usage(
            "--html draws the score table of a tool, so it needs --diagnose",
        )
        .with_hint("the alert rules' results are in the human, JSON and JUnit outputs"));
    }
    let plan = plan(&args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::env(format!("cannot start the async runtime: {e}")))?;
    let (report, runs) = runtime.block_on(validate(&args, &plan))?;
    let alerts = plan.alert_rules.as_ref().zip(args.alert_rules.as_deref());
    let alerts = alerts.map(|(judge, file)| alert_rules::judge_all(judge, file, &runs));

    if let Some(path) = &args.junit {
        let xml = alert_rules::render_junit_with(report.as_ref(), alerts.as_ref())
            .map_err(|e| CliError::env(format!("writing the JUnit report: {e}")))?;
        std::fs::write(path, xml)
            .map_err(|e| CliError::usage(format!("--junit {}: {e}", path.display())))?;
    }
    if let (Some(path), Some(report)) = (&args.html, &report) {
        let doc: crate::html::ValidateResult = serde_json::from_str(&render_json(report))
            .map_err(|e| CliError::env(format!("reading back the validation document: {e}")))?;
        super::report_cmd::write_html(path, &crate::html::render_validate(&doc))?;
    }
    let text = match args.output {
        OutputFormat::Human => alert_rules::render_human_with(report.as_ref(), alerts.as_ref()),
        OutputFormat::Json => alert_rules::render_json_with(report.as_ref(), alerts.as_ref()),
    };
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(CliError::env(format!("writing the report: {e}")));
    }
    let tool_exit = report.as_ref().map_or(ValidationExit::Pass, |r| r.exit());
    let alerts_incomplete = alerts.as_ref().is_some_and(|a| a.not_evaluated() > 0);
    Ok(match tool_exit {
        ValidationExit::ToolBelow => Exit::Fail,
        ValidationExit::Incomplete => Exit::Environment,
        ValidationExit::Pass if alerts_incomplete => Exit::Environment,
        ValidationExit::Pass => Exit::Pass,
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
    for s in scenarios.iter().filter(|_| args.diagnose.is_some()) {
        let name = &s.metadata.name;
        let truth = s.spec.ground_truth.clone().ok_or_else(|| {
            CliError::usage(format!(
                "scenario \"{name}\" has no groundTruth, so there is nothing to grade a diagnosis against"
            ))
            .with_hint("add spec.groundTruth (category, keyFacts, wrongAnswers) to its file; `crashlab show oom` shows one")
        })?;
        truths.insert(name.clone(), truth);
    }
    if args
        .diagnose
        .as_deref()
        .is_some_and(|d| d.trim().is_empty())
    {
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
    let category_map = match &args.category_map {
        Some(spec) => {
            parse_category_map(spec).map_err(|e| CliError::usage(format!("--category-map: {e}")))?
        }
        None => Vec::new(),
    };
    let moments = match &args.moments {
        Some(list) if list.trim() == "all" => Moment::ALL.to_vec(),
        Some(list) => list
            .split(',')
            .map(Moment::parse)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| CliError::usage(format!("--moments: {e}")))?,
        None => vec![
            Moment::parse(&args.moment).map_err(|e| CliError::usage(format!("--moment: {e}")))?,
        ],
    };
    let tool_window = humantime_secs::parse(&args.tool_window)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| {
            CliError::usage(format!(
                "--tool-window {:?}: expected a positive duration such as 10s or 1m",
                args.tool_window
            ))
        })?;
    if moments.contains(&Moment::Crashloop) {
        check_tool_window(&scenarios, tool_window)?;
    }
    // Last: it may build promtool, which takes minutes the first time.
    let alert_rules = match &args.alert_rules {
        Some(file) => Some(alert_rules::prepare(
            file,
            args.promtool.as_deref(),
            &args.alerts_hold,
        )?),
        None => None,
    };
    Ok(Plan {
        scenarios,
        truths,
        timeout,
        grading: GradeOptions {
            category_field: args.category_field.clone(),
            category_map,
        },
        moments,
        tool_window,
        alert_rules,
    })
}

/// A tool window as long as the longest `CrashLoopBackOff` wait a scenario can reach within
/// its observe window (on the kubelet's default curve) would never come: exit 2.
fn check_tool_window(scenarios: &[Scenario], window: Duration) -> Result<(), CliError> {
    let curve = crate::timeline::kubelet_backoff::KubeletBackoff::defaults("");
    for s in scenarios
        .iter()
        .filter(|s| moment::expects_crash_loop(&s.spec.expect))
    {
        let longest = moment::longest_reachable_backoff(
            s.spec.timeouts.observe,
            curve.initial_s,
            curve.max_s,
        );
        if window >= longest {
            return Err(CliError::usage(format!(
                "--tool-window {}: scenario \"{}\" reaches back-off waits of at most {} within its observe window ({}), so no CrashLoopBackOff moment that long would come",
                humantime_secs::format(window),
                s.metadata.name,
                humantime_secs::format(longest),
                humantime_secs::format(s.spec.timeouts.observe),
            ))
            .with_hint(format!(
                "use a --tool-window below {}, or --moment evidence",
                humantime_secs::format(longest)
            )));
        }
    }
    Ok(())
}

/// One call of the tool (and of the judge) on a live incident: when and where it ran, its
/// output and the judge's.
#[derive(Debug, Clone)]
struct ToolResult {
    call: Call,
    tool: ToolOutput,
    judge: Option<JudgeResult>,
}

/// What the hook needs, shared by every scenario's call.
struct HookContext {
    /// The run numbers (from 1) each call of the hook makes: `1..N+1` on one incident, one
    /// number per round with `--fresh`.
    runs: Range<usize>,
    /// Name save-output files after the run (`--repeat` > 1).
    numbered: bool,
    command: String,
    judge: Option<String>,
    timeout: Duration,
    /// Environment every call gets: KUBECONFIG and PATH.
    base_env: Vec<(String, String)>,
    /// `--tool-scope namespace`: the KUBECONFIG of each incident's tool.
    grants: Option<Arc<NamespaceGrants>>,
    truths: HashMap<String, GroundTruth>,
    save_output: Option<PathBuf>,
    /// `--tell-scenario`: CRASHLAB_SCENARIO is exported to the tool.
    tell_scenario: bool,
    /// Name save-output files after the moment too (`--moments`).
    by_moment: bool,
    results: Mutex<HashMap<String, Vec<ToolResult>>>,
}

/// The tool's grades (with `--diagnose`) and every scenario's report.
async fn validate(
    args: &ValidateArgs,
    plan: &Plan,
) -> Result<(Option<ValidationReport>, Vec<ScenarioReport>), CliError> {
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
    let kubeconfig = tool_access::write_admin_kubeconfig(&cluster.context, kube_dir.path())
        .map_err(|e| CliError::env(format!("writing a kubeconfig for the tool: {e}")))?;
    // By default each incident's tool reads its own namespace only (a token per namespace).
    let grants = match args.tool_scope {
        ToolScopeArg::Cluster => None,
        ToolScopeArg::Namespace => Some(Arc::new(
            NamespaceGrants::new(
                cluster.client.clone(),
                &kubeconfig,
                kube_dir.path().join("scoped"),
            )
            .map_err(|e| CliError::env(format!("reading the tool's kubeconfig: {e}")))?,
        )),
    };
    let parallelism = match args.tool_scope {
        ToolScopeArg::Cluster if args.parallel > 1 && args.diagnose.is_some() => {
            eprintln!(
                "crashlab: --tool-scope cluster: the tool can read every namespace, so incidents \
                 run one at a time (--parallel {} ignored)",
                args.parallel
            );
            1
        }
        _ => usize::from(args.parallel),
    };
    let mut base_env = vec![("KUBECONFIG".to_owned(), kubeconfig.display().to_string())];
    if let Some(path) = path_with_own_dir() {
        base_env.push(("PATH".to_owned(), path));
    }

    let repeat = usize::from(args.repeat);
    let rounds = if args.fresh { repeat } else { 1 };
    // Per scenario, per round: the runner's report and the tool's runs on that incident.
    let mut seen: HashMap<String, Vec<(ScenarioRun, Vec<ToolResult>)>> = HashMap::new();
    // The first round's reports: what the alert rules are judged on.
    let mut first_reports: Option<Vec<ScenarioReport>> = None;
    for round in 0..rounds {
        let ctx = Arc::new(HookContext {
            runs: if args.fresh {
                round + 1..round + 2
            } else {
                1..repeat + 1
            },
            numbered: repeat > 1,
            command: args.diagnose.clone().unwrap_or_default(),
            judge: args.judge.clone(),
            timeout: plan.timeout,
            base_env: base_env.clone(),
            grants: grants.clone(),
            truths: plan.truths.clone(),
            save_output: args.save_output.clone(),
            tell_scenario: args.tell_scenario,
            by_moment: plan.moments.len() > 1,
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
                parallelism,
                keep_namespaces: false,
                namespace: None,
                record_dir: None,
                on_reproduced: args.diagnose.is_some().then_some(hook),
                moments: plan.moments.clone(),
                tool_window: plan.tool_window,
                blind: !args.tell_scenario,
            },
        );
        let (tx, rx) = mpsc::unbounded_channel();
        let progress = tokio::spawn(progress(rx));
        let result = runner.run_scenarios(&plan.scenarios, tx).await;
        // Every sender is gone once the run is over; do not hang on a straggler regardless.
        let _ = tokio::time::timeout(Duration::from_secs(2), progress).await;
        let runs = result.map_err(|e| {
            CliError::env(e).with_hint("is the cluster running? try `crashlab cluster status`")
        })?;
        let mut results =
            std::mem::take(&mut *ctx.results.lock().unwrap_or_else(|p| p.into_inner()));
        let cancelled = runs.iter().any(|r| is_cancelled(&r.report));
        if first_reports.is_none() {
            first_reports = Some(runs.iter().map(|r| r.report.clone()).collect());
        }
        for r in runs {
            let tools = results.remove(&r.report.name).unwrap_or_default();
            seen.entry(r.report.name.clone())
                .or_default()
                .push((r, tools));
        }
        if cancelled {
            break;
        }
    }

    let reports = first_reports.unwrap_or_default();
    let Some(command) = args.diagnose.clone() else {
        return Ok((None, reports));
    };
    let scenarios = plan
        .scenarios
        .iter()
        .map(|s| {
            let name = &s.metadata.name;
            let truth = &plan.truths[name];
            // Every run: (namespace, outcome); an incident the tool never ran on counts once.
            let mut runs: Vec<(String, Outcome)> = Vec::new();
            let rounds = seen.remove(name).unwrap_or_default();
            let first = rounds
                .first()
                .map(|(r, _)| (r.report.ready_after_s, r.report.crashloop_after_s));
            let (ready_after_s, crashloop_after_s) = first.unwrap_or_default();
            for (r, tools) in rounds {
                let ns = r.report.namespace.clone();
                if tools.is_empty() {
                    runs.push((
                        ns.clone(),
                        outcome_of(&r, None, truth, &plan.grading, args.tell_scenario),
                    ));
                }
                let cluster = ClusterWords::of(&r.report.timeline)
                    .with_manifest_names(s.spec.all_manifests());
                let recorded = Recorded::of(&r.report.timeline);
                for tool in tools {
                    let outcome = outcome_of(
                        &r,
                        Some((tool, &cluster, &recorded)),
                        truth,
                        &plan.grading,
                        args.tell_scenario,
                    );
                    runs.push((ns.clone(), outcome));
                }
            }
            let (namespace, outcome) = runs.first().cloned().unwrap_or_else(|| {
                let reason = "cancelled before it started".to_owned();
                (String::new(), Outcome::NotRun { reason })
            });
            let runs = if runs.len() > 1 {
                runs.iter()
                    .enumerate()
                    .map(|(i, (ns, o))| RunResult::new(i + 1, ns, o, args.min_score))
                    .collect()
            } else {
                Vec::new()
            };
            ScenarioValidation {
                name: name.clone(),
                namespace,
                expected_category: truth.category,
                outcome,
                runs,
                ready_after_s,
                crashloop_after_s,
            }
        })
        .collect();
    let mut report = ValidationReport {
        command,
        judge: args.judge.clone(),
        min_score: args.min_score,
        scenarios,
        cluster_unreachable: None,
    };
    // Scenarios that ended in an error may only mean the cluster went away: ask it.
    if report.scenarios.iter().any(|s| {
        matches!(
            s.outcome,
            Outcome::NotReproduced {
                verdict: Verdict::Error,
                ..
            }
        )
    }) {
        let probe =
            tokio::time::timeout(Duration::from_secs(10), cluster.client.apiserver_version()).await;
        report.cluster_unreachable = match probe {
            Ok(Ok(_)) => None,
            Ok(Err(e)) => Some(e.to_string()),
            Err(_) => Some("no answer within 10s".to_owned()),
        };
        // Their fixtures did not break: the run could not finish them.
        if let Some(why) = &report.cluster_unreachable {
            for s in &mut report.scenarios {
                if let Outcome::NotReproduced {
                    verdict: Verdict::Error,
                    reason,
                    ..
                } = &s.outcome
                {
                    s.outcome = Outcome::NotRun {
                        reason: format!("the cluster became unreachable ({why}): {reason}"),
                    };
                }
            }
        }
    }
    Ok((Some(report), reports))
}

fn is_cancelled(r: &ScenarioReport) -> bool {
    r.verdict == Verdict::Error
        && r.error
            .as_deref()
            .is_some_and(|e| e.starts_with("cancelled"))
}

/// Runs the tool (and the judge) on a live crash loop, once per run number, and keeps the
/// outputs.
async fn call_tool(ctx: &HookContext, live: Reproduced) {
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

fn outcome_of(
    run: &ScenarioRun,
    result: Option<(ToolResult, &ClusterWords, &Recorded)>,
    truth: &GroundTruth,
    grading: &GradeOptions,
    tell_scenario: bool,
) -> Outcome {
    let r = &run.report;
    let unmet = || {
        r.checks
            .iter()
            .filter(|c| c.outcome != CheckOutcome::Met)
            .cloned()
            .collect::<Vec<_>>()
    };
    // The tool ran at the moment the incident was ready for diagnosis; if the contract broke
    // afterwards, its answer was about a fixture that was not what the scenario promised.
    let tool_ran = result.is_some() && r.verdict != Verdict::Pass;
    let broke_after = |reason: String| {
        if tool_ran {
            format!(
                "the tool ran on a fixture that later broke, so its answer is not graded: {reason}"
            )
        } else {
            reason
        }
    };
    match (r.verdict, result) {
        (Verdict::Pass, Some((result, cluster, recorded))) => {
            // A name with a dash or a digit is masked as a word; a plain word (`oom`,
            // `liveness`) is what a diagnosis says, and a blind incident does not tell it.
            // Told its name (`--tell-scenario`), a tool can echo any of them; blind, it
            // cannot, and a plain word (`oom`) is what a diagnosis says.
            let scenario = [r.name.as_str()];
            let words: &[&str] =
                if tell_scenario || r.name.contains(|c: char| c == '-' || c.is_ascii_digit()) {
                    &scenario
                } else {
                    &[]
                };
            let given = Given {
                strings: &[&r.namespace],
                words,
                cluster: Some(cluster),
                recorded: Some(recorded),
            };
            Outcome::Graded {
                grade: grade_in(truth, &result.tool, grading, &given),
                saw: Some(Sight::of(
                    &result.call,
                    &r.timeline,
                    run.applied_at,
                    run.watch_ended_at,
                )),
                tool: result.tool,
                judge: result.judge,
            }
        }
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
                reason: broke_after(r.error.clone().unwrap_or_else(|| {
                    format!(
                        "the cluster did something other than the scenario promised: {}",
                        contradicted.join(", ")
                    )
                })),
                unmet_checks: unmet(),
            }
        }
        (Verdict::Error, _) => Outcome::NotReproduced {
            verdict: Verdict::Error,
            reason: broke_after(
                r.error
                    .clone()
                    .unwrap_or_else(|| "the run could not decide".to_owned()),
            ),
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
                "crashlab: {}: fixture did not reproduce ({}); the tool's answer is not graded",
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
