//! One exported fixture, whatever the suite: the scenario's fixed namespace, the prompt that
//! names it, what a right answer says (from `spec.groundTruth`), and the shell lines that bring
//! the incident up through `crashlab reproduce` and remove it through `crashlab gc`.

use crate::scenario::{Category, GroundTruth, KeyFact, Scenario, WorkloadKind};

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
}

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
                last_termination: expect
                    .last_termination
                    .as_ref()
                    .and_then(|t| t.reason.clone()),
                not_ready: expect.ready == Some(false),
                events: expect.events.iter().map(|e| e.reason.clone()).collect(),
            },
            scenario_file,
        })
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

    /// Brings the incident up and exits non-zero when it did not reproduce; `file_dir` is how
    /// the script names its own directory (for a copied scenario file).
    pub fn reproduce_line(&self, file_dir: &str) -> String {
        let file = if self.scenario_file.is_some() {
            format!(" -f \"{file_dir}/{SCENARIO_FILE}\"")
        } else {
            String::new()
        };
        self.crashlab(&format!(
            "reproduce {}{file} --namespace {}",
            self.scenario, self.namespace
        ))
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
            "\"${CRASHLAB:-crashlab}\" reproduce oom --namespace crashlab-oom ${CRASHLAB_CONTEXT:+--context \"$CRASHLAB_CONTEXT\"}"
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
