//! One validation on a connected cluster: reproduce each scenario (as many rounds as
//! `--fresh` asks), run the tool through [`super::tool_hook`] at the moments asked for, grade
//! every answer and put the typed report together. Knows nothing of flags or output formats:
//! the CLI builds a [`Session`] and renders what comes back.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use crate::expect::moment::Moment;
use crate::runner::tool_access::{self, NamespaceGrants, ToolScope};
use crate::runner::{
    OnReproduced, Parallelism, Reproduced, RunEvent, RunOptions, Runner, ScenarioReport,
    ScenarioRun, Verdict,
};
use crate::scenario::{GroundTruth, Scenario};

use super::cluster_words::ClusterWords;
use super::contradiction::Recorded;
use super::grade::GradeOptions;
use super::outcome_of::outcome_of;
use super::repeats::RunResult;
use super::tool_hook::{HookContext, ToolResult, call_tool, path_with_own_dir};
use super::validation::{ScenarioValidation, ValidationReport};
use super::validation_outcome::ValidationOutcome;

/// Everything a validation needs, checked: nothing here has touched a cluster.
pub struct Session {
    pub scenarios: Vec<Scenario>,
    /// Each scenario's ground truth (with a tool to grade).
    pub truths: HashMap<String, GroundTruth>,
    /// The tool's command line (`--diagnose`); none: the scenarios only (alert rules).
    pub command: Option<String>,
    pub judge: Option<String>,
    /// Per call of the tool and of the judge.
    pub timeout: Duration,
    pub grading: GradeOptions,
    /// In time order.
    pub moments: Vec<Moment>,
    pub tool_window: Duration,
    pub repeat: usize,
    /// A new incident for every run of `repeat`.
    pub fresh: bool,
    pub tell_scenario: bool,
    pub tool_scope: ToolScope,
    pub parallel: Parallelism,
    pub save_output: Option<PathBuf>,
    pub min_score: f64,
}

/// What went wrong, and what to try next.
#[derive(Debug)]
pub struct SessionError {
    pub message: String,
    pub hint: Option<String>,
}

impl SessionError {
    fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: None,
        }
    }
}

impl Session {
    /// Runs the validation on the cluster `client` reaches as `context`: the tool's grades
    /// (with a command) and every scenario's report (of the first round).
    pub async fn run(
        &self,
        client: kube::Client,
        context: &str,
    ) -> Result<(Option<ValidationReport>, Vec<ScenarioReport>), SessionError> {
        // The tool reaches the same cluster through its own kubeconfig, whatever the current
        // context is; it lives as long as this run.
        let kube_dir = tempfile::Builder::new()
            .prefix("crashlab-validate-")
            .tempdir()
            .map_err(|e| SessionError::new(format!("creating a temporary directory: {e}")))?;
        let kubeconfig = tool_access::write_admin_kubeconfig(context, kube_dir.path())
            .map_err(|e| SessionError::new(format!("writing a kubeconfig for the tool: {e}")))?;
        // By default each incident's tool reads its own namespace only (a token per namespace).
        let grants = match self.tool_scope {
            ToolScope::Cluster => None,
            ToolScope::Namespace => Some(Arc::new(
                NamespaceGrants::new(client.clone(), &kubeconfig, kube_dir.path().join("scoped"))
                    .map_err(|e| SessionError::new(format!("reading the tool's kubeconfig: {e}")))?,
            )),
        };
        let parallelism = match self.tool_scope {
            ToolScope::Cluster
                if self.parallel != Parallelism::Fixed(1) && self.command.is_some() =>
            {
                let asked = match self.parallel {
                    Parallelism::Fixed(n) => n.to_string(),
                    Parallelism::Auto => "auto".to_owned(),
                };
                eprintln!(
                    "crashlab: --tool-scope cluster: the tool can read every namespace, so incidents \
                     run one at a time (--parallel {asked} ignored)"
                );
                Parallelism::Fixed(1)
            }
            _ => self.parallel,
        };
        let mut base_env = vec![("KUBECONFIG".to_owned(), kubeconfig.display().to_string())];
        if let Some(path) = path_with_own_dir() {
            base_env.push(("PATH".to_owned(), path));
        }

        let repeat = self.repeat;
        let rounds = if self.fresh { repeat } else { 1 };
        let (per_round, side_by_side) = self
            .rounds_parallelism(&client, context, parallelism, rounds)
            .await;
        let env = RoundEnv {
            client: &client,
            context,
            parallelism: per_round,
            base_env: &base_env,
            grants: &grants,
            rounds: if side_by_side { rounds } else { 1 },
        };
        // Per round: the runner's reports, and the tool's runs on each incident by scenario.
        let mut done: Vec<RoundResult> = Vec::new();
        if side_by_side {
            // Independent incidents, each in its own namespace, read by tools scoped to it: the
            // rounds run at once, in the room one run would have had.
            let all = futures::future::join_all((0..rounds).map(|r| self.round(&env, r))).await;
            for r in all {
                done.push(r?);
            }
        } else {
            for round in 0..rounds {
                let r = self.round(&env, round).await?;
                let cancelled = r.0.iter().any(|r| is_cancelled(&r.report));
                done.push(r);
                if cancelled {
                    break;
                }
            }
        }
        // Per scenario, per round: the runner's report and the tool's runs on that incident.
        let mut seen: HashMap<String, Vec<(ScenarioRun, Vec<ToolResult>)>> = HashMap::new();
        // The first round's reports: what the alert rules are judged on.
        let first_reports: Option<Vec<ScenarioReport>> = done
            .first()
            .map(|(runs, _)| runs.iter().map(|r| r.report.clone()).collect());
        for (runs, mut results) in done {
            for r in runs {
                let tools = results.remove(&r.report.name).unwrap_or_default();
                seen.entry(r.report.name.clone())
                    .or_default()
                    .push((r, tools));
            }
        }

        let reports = first_reports.unwrap_or_default();
        let Some(command) = self.command.clone() else {
            return Ok((None, reports));
        };
        let scenarios = self
            .scenarios
            .iter()
            .map(|s| {
                let name = &s.metadata.name;
                let truth = &self.truths[name];
                // Every run: (namespace, outcome); an incident the tool never ran on counts once.
                let mut runs: Vec<(String, ValidationOutcome)> = Vec::new();
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
                            outcome_of(&r, None, truth, &self.grading, self.tell_scenario),
                        ));
                    }
                    let cluster = ClusterWords::of(&r.report.timeline)
                        .with_manifest_names(s.spec.all_manifests(), name);
                    let recorded = Recorded::of(&r.report.timeline);
                    for tool in tools {
                        let outcome = outcome_of(
                            &r,
                            Some((tool, &cluster, &recorded)),
                            truth,
                            &self.grading,
                            self.tell_scenario,
                        );
                        runs.push((ns.clone(), outcome));
                    }
                }
                let (namespace, outcome) = runs.first().cloned().unwrap_or_else(|| {
                    let reason = "cancelled before it started".to_owned();
                    (String::new(), ValidationOutcome::NotRun { reason })
                });
                let runs = if runs.len() > 1 {
                    runs.iter()
                        .enumerate()
                        .map(|(i, (ns, o))| RunResult::new(i + 1, ns, o, self.min_score))
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
            judge: self.judge.clone(),
            min_score: self.min_score,
            scenarios,
            cluster_unreachable: None,
        };
        // Scenarios that ended in an error may only mean the cluster went away: ask it.
        if report.scenarios.iter().any(|s| {
            matches!(
                s.outcome,
                ValidationOutcome::NotReproduced {
                    verdict: Verdict::Error,
                    ..
                }
            )
        }) {
            let probe =
                tokio::time::timeout(Duration::from_secs(10), client.apiserver_version()).await;
            report.cluster_unreachable = match probe {
                Ok(Ok(_)) => None,
                Ok(Err(e)) => Some(e.to_string()),
                Err(_) => Some("no answer within 10s".to_owned()),
            };
            // Their fixtures did not break: the run could not finish them.
            if let Some(why) = &report.cluster_unreachable {
                for s in &mut report.scenarios {
                    if let ValidationOutcome::NotReproduced {
                        verdict: Verdict::Error,
                        reason,
                        ..
                    } = &s.outcome
                    {
                        s.outcome = ValidationOutcome::NotRun {
                            reason: format!("the cluster became unreachable ({why}): {reason}"),
                        };
                    }
                }
            }
        }
        Ok((Some(report), reports))
    }
}

/// One round's reports, and the tool's results on its incidents by scenario.
type RoundResult = (Vec<ScenarioRun>, HashMap<String, Vec<ToolResult>>);

/// What every round of a validation shares.
struct RoundEnv<'a> {
    client: &'a kube::Client,
    context: &'a str,
    /// Each round's own.
    parallelism: Parallelism,
    base_env: &'a [(String, String)],
    grants: &'a Option<Arc<NamespaceGrants>>,
    /// How many rounds run at once (their progress lines say which is which).
    rounds: usize,
}

impl Session {
    /// How each of `rounds` runs its scenarios, and whether the rounds run side by side: they
    /// do when every round's scenarios fit at once in what one run may have at once
    /// (`--parallel N`, or with `auto` what the nodes have room for, counting every round's
    /// scenarios); otherwise one round after another, each as wide as before, which is as
    /// fast. A tool that reads the whole cluster (`--parallel 1`) keeps them apart.
    async fn rounds_parallelism(
        &self,
        client: &kube::Client,
        context: &str,
        parallelism: Parallelism,
        rounds: usize,
    ) -> (Parallelism, bool) {
        if rounds < 2 {
            return (parallelism, false);
        }
        let at_once = match parallelism {
            Parallelism::Fixed(n) => n,
            Parallelism::Auto => {
                let probe = Runner::new(
                    client.clone(),
                    RunOptions {
                        context: context.to_owned(),
                        ..Default::default()
                    },
                );
                let all: Vec<Scenario> = (0..rounds)
                    .flat_map(|_| self.scenarios.iter().cloned())
                    .collect();
                probe.parallel_choice(&all).await.parallel
            }
        };
        match side_by_side(at_once, rounds, self.scenarios.len()) {
            Some(each) => (each, true),
            None => (parallelism, false),
        }
    }

    /// Reproduces every scenario once (round `round`, from 0) and runs the tool on each
    /// incident through the hook.
    async fn round(&self, env: &RoundEnv<'_>, round: usize) -> Result<RoundResult, SessionError> {
        let repeat = self.repeat;
        let ctx = Arc::new(HookContext {
            runs: if self.fresh {
                round + 1..round + 2
            } else {
                1..repeat + 1
            },
            numbered: repeat > 1,
            command: self.command.clone().unwrap_or_default(),
            judge: self.judge.clone(),
            timeout: self.timeout,
            base_env: env.base_env.to_vec(),
            grants: env.grants.clone(),
            truths: self.truths.clone(),
            save_output: self.save_output.clone(),
            tell_scenario: self.tell_scenario,
            by_moment: self.moments.len() > 1,
            results: Mutex::default(),
        });
        let hook_ctx = ctx.clone();
        let hook = OnReproduced(Arc::new(move |live: Reproduced| {
            let ctx = hook_ctx.clone();
            Box::pin(async move { call_tool(&ctx, live).await })
        }));
        let runner = Runner::new(
            env.client.clone(),
            RunOptions {
                context: env.context.to_owned(),
                parallelism: env.parallelism,
                keep_namespaces: false,
                namespace: None,
                record_dir: None,
                on_reproduced: self.command.is_some().then_some(hook),
                moments: self.moments.clone(),
                tool_window: self.tool_window,
                blind: !self.tell_scenario,
            },
        );
        let (tx, rx) = mpsc::unbounded_channel();
        let label = (env.rounds > 1).then(|| format!("incident {} of {}", round + 1, env.rounds));
        let progress = tokio::spawn(progress(rx, label));
        let result = runner.run_scenarios(&self.scenarios, tx).await;
        // Every sender is gone once the run is over; do not hang on a straggler regardless.
        let _ = tokio::time::timeout(Duration::from_secs(2), progress).await;
        let runs = result.map_err(|e| SessionError {
            message: e.to_string(),
            hint: Some("is the cluster running? try `crashlab cluster status`".to_owned()),
        })?;
        let results = std::mem::take(&mut *ctx.results.lock().unwrap_or_else(|p| p.into_inner()));
        Ok((runs, results))
    }
}

/// Each round's parallelism when `rounds` rounds of `scenarios` scenarios all fit in
/// `at_once` together; `None`: one round after another.
fn side_by_side(at_once: usize, rounds: usize, scenarios: usize) -> Option<Parallelism> {
    let scenarios = scenarios.max(1);
    (rounds > 1 && at_once >= rounds * scenarios).then_some(Parallelism::Fixed(scenarios))
}

fn is_cancelled(r: &ScenarioReport) -> bool {
    r.verdict == Verdict::Error
        && r.error
            .as_deref()
            .is_some_and(|e| e.starts_with("cancelled"))
}

/// One line per scenario on stderr, so a long validation shows it is moving.
/// `label` names the round when several run at once.
async fn progress(mut rx: mpsc::UnboundedReceiver<RunEvent>, label: Option<String>) {
    let label = label.map(|l| format!(" ({l})")).unwrap_or_default();
    while let Some(ev) = rx.recv().await {
        match ev {
            RunEvent::RunStarted {
                count,
                context,
                server_version,
                ..
            } => eprintln!(
                "crashlab: reproducing {count} scenario{} on `{context}` ({server_version}){label}",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_rounds_run_side_by_side_only_when_they_all_fit_at_once() {
        // validate's default --parallel 4: three incidents of one scenario at once.
        assert_eq!(side_by_side(4, 3, 1), Some(Parallelism::Fixed(1)));
        // Two scenarios, three rounds: six do not fit in four, so round after round.
        assert_eq!(side_by_side(4, 3, 2), None);
        assert_eq!(side_by_side(32, 3, 10), Some(Parallelism::Fixed(10)));
        // A tool that reads the whole cluster runs one incident at a time.
        assert_eq!(side_by_side(1, 3, 1), None);
        // One round is not a choice.
        assert_eq!(side_by_side(32, 1, 1), None);
    }
}
