//! `crashlab validate --diagnose COMMAND`: reproduce each scenario, run COMMAND on the live
//! crash loop once it is ready for diagnosis (while the rest of its signal contract is still
//! judged), grade the answer against the scenario's ground truth, report, and exit with the
//! documented code. `--repeat N` runs COMMAND N times per incident (`--fresh`: on N incidents).
//! With `--alert-rules`, the rules are judged on each reproduced scenario's timeline too
//! (src/cli/alert_rules.rs).

use std::collections::HashMap;
use std::io::Write as _;
use std::time::Duration;

use super::alert_rules;
use super::args::{OutputFormat, ToolScopeArg, ValidateArgs};
use super::catalogue_cmd::{catalogue_with, pick};
use super::cli_error::{CliError, Exit};
use super::target_cluster;
use crate::alerts::RuleJudge;
use crate::expect::moment::Moment;
use crate::runner::ScenarioReport;
use crate::runner::tool_access::ToolScope;
use crate::scenario::{GroundTruth, Scenario, humantime_secs};
use crate::validate::{
    GradeOptions, Session, ValidationExit, ValidationReport, check_tool_window, parse_category_map,
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
        super::report_cmd::write_html(path, &crate::html::render_validate(report))?;
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
        check_tool_window(&scenarios, tool_window)
            .map_err(|e| CliError::usage(e.message).with_hint(e.hint))?;
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

/// Connects (bringing a cluster up when none answers) and runs the validation.
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
    let session = Session {
        scenarios: plan.scenarios.clone(),
        truths: plan.truths.clone(),
        command: args.diagnose.clone(),
        judge: args.judge.clone(),
        timeout: plan.timeout,
        grading: plan.grading.clone(),
        moments: plan.moments.clone(),
        tool_window: plan.tool_window,
        repeat: usize::from(args.repeat),
        fresh: args.fresh,
        tell_scenario: args.tell_scenario,
        tool_scope: match args.tool_scope {
            ToolScopeArg::Namespace => ToolScope::Namespace,
            ToolScopeArg::Cluster => ToolScope::Cluster,
        },
        parallel: args.parallel,
        save_output: args.save_output.clone(),
        min_score: args.min_score,
    };
    session
        .run(cluster.client.clone(), &cluster.context)
        .await
        .map_err(|e| {
            let err = CliError::env(e.message);
            match e.hint {
                Some(h) => err.with_hint(h),
                None => err,
            }
        })
}
