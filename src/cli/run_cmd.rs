//! `crashlab run`: choose scenarios, reach a test cluster, run, report, and exit with the
//! documented code.

use super::args::{OutputFormat, RunArgs};
use super::catalogue_cmd::{catalogue_with, pick};
use super::cli_error::{CliError, Exit};
use super::target_cluster;
use std::io::IsTerminal as _;

use crate::html::HtmlReporter;
use crate::pipeline::{Reported, run_reported};
use crate::report::story::Pause;
use crate::report::{
    HumanReporter, JsonReporter, JunitReporter, Reporter, StoryOptions, StoryReporter,
};
use crate::runner::{RunOptions, Runner, ScenarioReport, Verdict};
use crate::scenario::Scenario;

pub fn run(args: RunArgs) -> Result<Exit, CliError> {
    if args.pause && (!std::io::stdin().is_terminal() || !std::io::stdout().is_terminal()) {
        return Err(CliError::usage(
            "--pause waits for Enter between phases, so it needs a terminal on stdin and stdout",
        )
        .with_hint("run it in a terminal, or leave --pause out"));
    }
    if args.pause && (args.events || args.output != OutputFormat::Human) {
        return Err(CliError::usage(
            "--pause belongs to the narrated story; it cannot be combined with --events, -v or -o json",
        ));
    }
    let scenarios = select(&args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::env(format!("cannot start the async runtime: {e}")))?;
    let reports = runtime.block_on(run_async(&args, scenarios))?;
    Ok(exit_for(&reports))
}

/// 1 when any expectation failed, else 3 when any scenario could not be decided, else 0.
pub fn exit_for(reports: &[ScenarioReport]) -> Exit {
    if reports.iter().any(|r| r.verdict == Verdict::Fail) {
        Exit::Fail
    } else if reports.iter().any(|r| r.verdict == Verdict::Error) {
        Exit::Environment
    } else {
        Exit::Pass
    }
}

/// The scenarios named (or all), with `--backoff` applied. Invalid input → exit 2, before any
/// cluster is touched.
fn select(args: &RunArgs) -> Result<Vec<Scenario>, CliError> {
    let cat = catalogue_with(&args.files)?;
    let mut chosen = pick(&cat, &args.scenarios, args.all, "crashlab run oom")?;
    if let Some(n) = args.backoff_delays {
        set_backoff_delays(&mut chosen, n);
    }
    if let Some(spec) = &args.backoff {
        let (initial, max) = parse_backoff(spec)?;
        for s in &mut chosen {
            if let Some(b) = s.spec.expect.backoff.as_mut() {
                b.initial_seconds = Some(initial);
                b.max_seconds = Some(max);
            }
        }
    }
    Ok(chosen)
}

/// Judges `n` restart delays in every scenario that checks the back-off.
pub fn set_backoff_delays(scenarios: &mut [Scenario], n: u32) {
    for s in scenarios {
        if let Some(b) = s.spec.expect.backoff.as_mut() {
            b.delays = n;
        }
    }
}

/// `INITIAL:MAX` in seconds, e.g. `10:20`.
pub fn parse_backoff(spec: &str) -> Result<(u32, u32), CliError> {
    let bad = || {
        CliError::usage(format!(
            "--backoff {spec:?}: expected INITIAL:MAX in whole seconds, e.g. 10:300 or 10:20"
        ))
    };
    let (a, b) = spec.split_once(':').ok_or_else(bad)?;
    let (a, b): (u32, u32) = (
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    );
    if a == 0 || b == 0 {
        return Err(bad());
    }
    // The kubelet uses the cap as the initial delay when the cap is smaller
    // (pkg/kubelet/kubelet.go newCrashLoopBackOff).
    Ok((a.min(b), b))
}

async fn run_async(
    args: &RunArgs,
    scenarios: Vec<Scenario>,
) -> Result<Vec<ScenarioReport>, CliError> {
    let cluster = target_cluster::connect_with_images(
        args.context.as_deref(),
        &args.allow_context,
        &args.bring_up,
    )
    .await?;

    let mut reporters: Vec<Box<dyn Reporter + Send>> = Vec::new();
    match args.output {
        OutputFormat::Human if args.events => {
            reporters.push(Box::new(HumanReporter::new(
                std::io::stdout(),
                crate::report::color::stdout(),
                jiff::tz::TimeZone::system(),
            )));
        }
        OutputFormat::Human => {
            let live = std::io::stdout().is_terminal();
            reporters.push(Box::new(StoryReporter::new(
                std::io::stdout(),
                StoryOptions {
                    color: crate::report::color::stdout(),
                    live,
                    tz: jiff::tz::TimeZone::system(),
                    pause: args.pause.then(|| Box::new(wait_for_enter) as Pause),
                },
            )));
        }
        OutputFormat::Json => reporters.push(Box::new(JsonReporter::new(std::io::stdout()))),
    }
    if let Some(path) = &args.junit {
        let file = std::fs::File::create(path)
            .map_err(|e| CliError::usage(format!("--junit {}: {e}", path.display())))?;
        reporters.push(Box::new(JunitReporter::new(std::io::BufWriter::new(file))));
    }
    if let Some(path) = &args.html {
        let file = std::fs::File::create(path)
            .map_err(|e| CliError::usage(format!("--html {}: {e}", path.display())))?;
        reporters.push(Box::new(HtmlReporter::new(
            std::io::BufWriter::new(file),
            scenarios.clone(),
        )));
    }

    let runner = Runner::new(
        cluster.client.clone(),
        RunOptions {
            context: cluster.context.clone(),
            parallelism: args.parallel,
            keep_namespaces: args.keep,
            namespace: None,
            record_dir: args.record.clone(),
            on_reproduced: None,
            ..Default::default()
        },
    );
    let Reported { reports, written } = run_reported(&runner, &scenarios, reporters).await;
    let reports = reports.map_err(|e| {
        CliError::env(e).with_hint("is the cluster running? try `crashlab cluster status`")
    })?;
    written.map_err(|e| CliError::env(format!("writing the report: {e}")))?;
    Ok(reports)
}

/// `--pause`: says what comes next and waits for Enter (stdin is a terminal, checked first).
fn wait_for_enter(next: &str) {
    use std::io::Write as _;
    let mut err = std::io::stderr();
    let _ = write!(err, "  ⏸  next: {next}. Press Enter to go on… ");
    let _ = err.flush();
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
}
