//! How hard a case is, derived from where its scenario says the evidence is, for the
//! difficulty tags both suites select by (HolmesGPT's `easy`/`medium`/`hard` pytest markers,
//! k8s-ai-bench's `difficulty`).
//!
//! The rule counts the places a diagnosis must look, from the scenario's own expectations:
//! - easy: the kubelet or the scheduler states the cause on the failing container or its
//!   pod (a reason such as OOMKilled or CreateContainerConfigError, an event such as
//!   FailedScheduling or FailedMount): one `kubectl describe` shows it. The scenario expects
//!   no log lines.
//! - medium: the cause is in what the container printed: the scenario expects its previous
//!   logs, and the status only says Error or Completed.
//! - hard: the cause is outside the failing container: in a dependency (category
//!   dependency-down: a database, a Service without endpoints, a collector) or in another
//!   container of the pod (the scenario has per-container expectations).
//!
//! It is a rule about evidence, not a measured pass rate: HolmesGPT's own `easy` marks evals
//! that pass 20 of 20 runs (its pyproject.toml), which no crashlab case has been measured
//! against.

use crate::scenario::{Category, Scenario};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Difficulty {
    Easy,
    Medium,
    Hard,
}

impl Difficulty {
    pub fn of(scenario: &Scenario) -> Difficulty {
        let spec = &scenario.spec;
        let category = spec.ground_truth.as_ref().map(|t| t.category);
        if category == Some(Category::DependencyDown) || !spec.expect.containers.is_empty() {
            Difficulty::Hard
        } else if !spec.expect.previous_logs.is_empty() {
            Difficulty::Medium
        } else {
            Difficulty::Easy
        }
    }

    /// The tag and the value both suites use.
    pub fn as_str(self) -> &'static str {
        match self {
            Difficulty::Easy => "easy",
            Difficulty::Medium => "medium",
            Difficulty::Hard => "hard",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Catalogue;

    #[test]
    fn the_catalogue_by_difficulty() {
        let cat = Catalogue::builtin();
        let names = |d: Difficulty| -> Vec<&str> {
            let mut names: Vec<&str> = cat
                .entries()
                .iter()
                .filter(|e| Difficulty::of(&e.scenario) == d)
                .map(|e| e.scenario.metadata.name.as_str())
                .collect();
            names.sort_unstable();
            names
        };
        assert_eq!(
            names(Difficulty::Easy),
            [
                "image-never-pull",
                "missing-binary",
                "missing-configmap-ref",
                "missing-secret-ref",
                "missing-secret-volume",
                "oom",
                "readiness-only",
                "unschedulable"
            ]
        );
        assert_eq!(
            names(Difficulty::Hard),
            [
                "dependency-later",
                "init-crash",
                "java-exception",
                "port-conflict",
                "postgres-down",
                "sidecar-crash"
            ]
        );
        assert_eq!(names(Difficulty::Medium).len(), 18);
    }
}
