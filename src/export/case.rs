//! One exported fixture, whatever the suite: the scenario's fixed namespace, the prompt that
//! names it, what a right answer says (from `spec.groundTruth`), how hard it is, and the shell
//! lines that bring the incident up through `crashlab reproduce` and remove it through
//! `crashlab gc`.

use crate::scenario::{Category, GroundTruth, KeyFact, Scenario, WorkloadKind};

use super::difficulty::Difficulty;
use super::error::{Error, Result};

/// File name of a scenario file copied into a case (scenarios that are not built in).
pub const SCENARIO_FILE: &str = "scenario.yaml";

/// What the target container of a live incident shows, as the scenario expects it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evidence {
    /// `state.waiting.reason` (e.g. `CrashLoopBackOff`).
    pub waiting: Option<String>,
    /// `lastState.terminated.reason` (e.g. `OOMKilled`).
    pub last_termination: Option<String>,
    /// The container is expected never to become ready.
    pub not_ready: bool,
    /// Reasons of events the scenario expects (e.g. `FailedScheduling`).
    pub events: Vec<String>,
}

/// Everything the formats share about one scenario.
#[derive(Debug, Clone)]
pub struct Case {
    pub scenario: String,
    pub summary: String,
    pub namespace: String,
    /// `deployment app`, `pod app`, ...
    pub workload: String,
    pub container: String,
    pub truth: GroundTruth,
    /// The first paragraph of the explanation ("What broke: ..."), for people reading the case.
    pub what_broke: String,
    /// What the live incident shows (from `spec.expect`), for a check with kubectl.
    pub evidence: Evidence,
    /// Set when the scenario comes from a file: its text, copied into the case as
    /// [`SCENARIO_FILE`] so the case does not depend on where it was exported from.
    pub scenario_file: Option<String>,
    pub difficulty: Difficulty,
    /// Longest a setup may take before crashlab itself gives up, in seconds: deleting what an
    /// earlier run left, then the scenario's deploy and observe phases and, when it did not
    /// reproduce, its cleanup (each phase's timeout), plus a margin.
    pub setup_budget_s: u64,
    /// Shell patterns of kube contexts the setup may run against besides crashlab's own
    /// (`crashlab export --allow-context`); `$CRASHLAB_ALLOW_CONTEXT` adds more at run time.
    pub allow_contexts: Vec<String>,
}

/// Added to the sum of a scenario's phase timeouts for the suite's setup timeout.
const SETUP_MARGIN_S: u64 = 30;

impl Case {
    pub fn new(scenario: &Scenario, scenario_file: Option<String>) -> Result<Case> {
        let name = scenario.metadata.name.clone();
        let truth = scenario
            .spec
            .ground_truth
            .clone()
            .ok_or_else(|| Error::NoGroundTruth {
                scenario: name.clone(),
            })?;
        let w = scenario.spec.target.workload();
        let expect = &scenario.spec.expect;
        let kind = match w.kind {
            WorkloadKind::Pod => "pod",
            WorkloadKind::Deployment => "deployment",
            WorkloadKind::StatefulSet => "statefulset",
            WorkloadKind::DaemonSet => "daemonset",
            WorkloadKind::Job => "job",
            WorkloadKind::CronJob => "cronjob",
        };
        let what_broke = scenario
            .spec
            .explanation
            .split("\n\n")
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        Ok(Case {
            namespace: crate::runner::fixture_namespace(&name),
            scenario: name,
            summary: scenario.metadata.summary.clone(),
            workload: format!("{kind} {}", w.name),
            container: scenario.spec.target.container.clone(),
            truth,
            what_broke,
            evidence: Evidence {
                waiting: expect.waiting_reason.as_ref().map(|w| w.reason.clone()),
                // `lastState` holds a termination only once the container was restarted; a
                // container that never is (`restartPolicy: Never`: `restarts.max: 0`) keeps it
                // in `state`, so the check falls to the events.
                last_termination: expect
                    .last_termination
                    .as_ref()
                    .filter(|_| expect.restarts.as_ref().and_then(|r| r.max) != Some(0))
                    .and_then(|t| t.reason.clone()),
                not_ready: expect.ready == Some(false),
                events: expect.events.iter().map(|e| e.reason.clone()).collect(),
            },
            scenario_file,
            difficulty: Difficulty::of(scenario),
            setup_budget_s: {
                let t = &scenario.spec.timeouts;
                t.deploy.as_secs()
                    + t.observe_on_default_kubelet().as_secs()
                    + 2 * t.cleanup.as_secs()
                    + SETUP_MARGIN_S
            },
            allow_contexts: Vec::new(),
        })
    }

    /// Also allows kube contexts matching these shell patterns (`vcluster_*`, `gke_my-proj_*`,
    /// or a plain name); refuses a pattern the scripts could not quote.
    pub fn allowing(mut self, patterns: &[String]) -> Result<Case> {
        for p in patterns {
            if p.is_empty()
                || p.chars()
                    .any(|c| c == '\'' || c.is_whitespace() || c.is_control())
            {
                return Err(Error::BadContextPattern { pattern: p.clone() });
            }
        }
        self.allow_contexts = patterns.to_vec();
        Ok(self)
    }

    /// The question asked: names the namespace and the workload, never the cause.
    pub fn prompt(&self) -> String {
        format!(
            "The {} in namespace {} is not healthy. What is the root cause, and how should it be fixed?",
            self.workload, self.namespace
        )
    }

    /// Criteria a correct answer meets, in words (for an LLM judge).
    pub fn expected_statements(&self) -> Vec<String> {
        let mut out = vec![format!(
            "The root cause is {} (category {})",
            category_words(self.truth.category),
            self.truth.category
        )];
        out.extend(
            self.truth
                .key_facts
                .iter()
                .map(|f| format!("Mentions {}", f.name)),
        );
        out.extend(
            self.truth
                .wrong_answers
                .iter()
                .map(|f| format!("Does not recommend to {}", f.name)),
        );
        out
    }

    /// `crashlab` itself, or `$CRASHLAB`; `$CRASHLAB_CONTEXT` picks a kube context.
    fn crashlab(&self, subcommand: &str) -> String {
        format!(
            "\"${{CRASHLAB:-crashlab}}\" {subcommand} ${{CRASHLAB_CONTEXT:+--context \"$CRASHLAB_CONTEXT\"}}"
        )
    }

    /// Deletes what an earlier run of this case left (nothing when there is nothing).
    pub fn gc_line(&self) -> String {
        self.crashlab(&format!("gc --namespace {}", self.namespace))
    }

    /// POSIX shell lines that set `allow` to the kube context crashlab will use
    /// (`$CRASHLAB_CONTEXT`, else the kubeconfig's current one) when it matches a pattern of
    /// [`Case::allow_contexts`] or of `$CRASHLAB_ALLOW_CONTEXT` (space-separated shell
    /// patterns): a suite's own vcluster or managed cluster, which `crashlab reproduce`
    /// refuses without `--allow-context`.
    pub fn allow_lines(&self) -> String {
        let baked: String = self
            .allow_contexts
            .iter()
            .map(|p| format!("'{p}' "))
            .collect();
        let body = format!(
            "context=\"${{CRASHLAB_CONTEXT:-$(kubectl config current-context 2>/dev/null || true)}}\"\n\
             set -f\n\
             for pattern in {baked}${{CRASHLAB_ALLOW_CONTEXT:-}}; do\n\
             \x20 case \"$context\" in $pattern) allow=\"$context\" ;; esac\n\
             done\n\
             set +f\n"
        );
        if baked.is_empty() {
            let indented: String = body.lines().map(|l| format!("  {l}\n")).collect();
            format!("allow=\"\"\nif [ -n \"${{CRASHLAB_ALLOW_CONTEXT:-}}\" ]; then\n{indented}fi\n")
        } else {
            format!("allow=\"\"\n{body}")
        }
    }

    /// Brings the incident up and exits non-zero when it did not reproduce; `file_dir` is how
    /// the script names its own directory (for a copied scenario file). Follows
    /// [`Case::allow_lines`].
    pub fn reproduce_line(&self, file_dir: &str) -> String {
        let file = if self.scenario_file.is_some() {
            format!(" -f \"{file_dir}/{SCENARIO_FILE}\"")
        } else {
            String::new()
        };
        self.crashlab(&format!(
            "reproduce {}{file} --namespace {}",
            self.scenario, self.namespace
        )) + " ${allow:+--allow-context \"$allow\"}"
    }
}

/// A key fact's patterns as one case-insensitive regular expression, in the syntax Go's RE2
/// and Rust's regex share.
pub fn pattern(fact: &KeyFact) -> String {
    format!("(?i)(?:{})", fact.any_of.join("|"))
}

fn category_words(c: Category) -> &'static str {
    match c {
        Category::MissingConfig => {
            "missing or wrong configuration (a ConfigMap, Secret, file or setting)"
        }
        Category::DependencyDown => "a dependency the app needs at start-up is down or unreachable",
        Category::ResourceLimits => "a resource limit (memory or CPU) that the app exceeds",
        Category::CodeBug => "a bug in the application's code",
        Category::ProbeFailure => "a failing or misconfigured probe",
        Category::ImageProblem => {
            "the container image (missing, or lacking the program the spec runs)"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oom() -> Case {
        let cat = crate::scenario::Catalogue::builtin();
        Case::new(&cat.get("oom").unwrap().scenario, None).unwrap()
    }

    #[test]
    fn the_prompt_names_the_place_not_the_cause() {
        let c = oom();
        assert_eq!(c.namespace, "crashlab-oom");
        assert_eq!(
            c.prompt(),
            "The pod app in namespace crashlab-oom is not healthy. What is the root cause, and how should it be fixed?"
        );
        for fact in &c.truth.key_facts {
            let re = regex::Regex::new(&pattern(fact)).unwrap();
            assert!(
                !re.is_match(&c.prompt().replace(&c.namespace, "")),
                "{}",
                fact.name
            );
        }
    }

    #[test]
    fn key_fact_patterns_match_what_they_promise_case_insensitively() {
        let c = oom();
        let oom = &c.truth.key_facts[0];
        let re = regex::Regex::new(&pattern(oom)).unwrap();
        assert!(re.is_match("the container was oomkilled"));
        assert!(re.is_match("an OOM kill"));
        assert!(!re.is_match("exit code 1"));
    }

    #[test]
    fn commands_honour_crashlab_and_crashlab_context() {
        let c = oom();
        assert_eq!(
            c.reproduce_line("$here"),
            "\"${CRASHLAB:-crashlab}\" reproduce oom --namespace crashlab-oom ${CRASHLAB_CONTEXT:+--context \"$CRASHLAB_CONTEXT\"} ${allow:+--allow-context \"$allow\"}"
        );
        let with_file = Case {
            scenario_file: Some(String::new()),
            ..c
        };
        assert!(
            with_file
                .reproduce_line("$here")
                .contains("reproduce oom -f \"$here/scenario.yaml\" --namespace crashlab-oom")
        );
    }

    #[test]
    fn context_patterns_the_scripts_cannot_quote_are_refused() {
        for bad in ["", "a b", "it's", "a\tb"] {
            let e = oom().allowing(&[bad.to_owned()]).unwrap_err();
            assert!(e.to_string().starts_with("--allow-context `"), "{e}");
        }
        let c = oom()
            .allowing(&[
                "vcluster_*".to_owned(),
                "arn:aws:eks:eu-west-1:1:cluster/x".to_owned(),
            ])
            .unwrap();
        assert!(c.allow_lines().contains("for pattern in 'vcluster_*' 'arn:aws:eks:eu-west-1:1:cluster/x' ${CRASHLAB_ALLOW_CONTEXT:-}; do"));
    }

    #[test]
    fn the_setup_budget_covers_every_phase_crashlab_may_use() {
        // deploy 60 + observe 240 + cleanup 120, twice (the earlier run's and a failed one's),
        // + 30: above HolmesGPT's EVAL_SETUP_TIMEOUT of 300 s, which would kill it first.
        assert_eq!(oom().setup_budget_s, 570);
    }

    #[test]
    fn a_scenario_without_ground_truth_is_refused() {
        let cat = crate::scenario::Catalogue::builtin();
        let mut s = cat.get("oom").unwrap().scenario.clone();
        s.spec.ground_truth = None;
        let e = Case::new(&s, None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "scenario oom has no spec.groundTruth, so there is nothing to grade an answer against"
        );
    }
}
