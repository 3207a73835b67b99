//! `crashlab validate --junit FILE`: one test case per scenario. A score below the minimum is
//! a failure; a fixture that did not reproduce (or a scenario not run) is an error, so CI tells
//! "the tool is wrong" from "the test bed is broken".

use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::percent::pct;
use super::validation::{ScenarioValidation, ValidationOutcome, ValidationReport};

pub const SUITE: &str = "crashlab validate";

pub fn render_junit(r: &ValidationReport) -> Result<String, quick_junit::SerializeError> {
    let mut report = Report::new(SUITE);
    report.add_test_suite(validation_suite(r));
    report.to_string()
}

/// The suite of [`render_junit`], for a report that holds more suites.
pub fn validation_suite(r: &ValidationReport) -> TestSuite {
    let mut suite = TestSuite::new(SUITE);
    suite
        .add_property(Property::new("command", r.command.clone()))
        .add_property(Property::new("min_score", r.min_score.to_string()));
    for s in &r.scenarios {
        let status = match (&s.outcome, s.repeats()) {
            (ValidationOutcome::Graded { .. }, Some(x)) if x.right < x.graded => {
                let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
                st.set_message(format!(
                    "{} of {} runs reached the minimum of {} (pass@1 {}, pass@{n} {}, pass^{n} {})",
                    x.right,
                    x.graded,
                    pct(r.min_score),
                    pct(x.pass_at_1),
                    pct(x.pass_at_n),
                    pct(x.pass_all_n),
                    n = x.graded
                ))
                .set_type("score below minimum");
                st
            }
            _ => status_of(s, r.min_score),
        };
        let mut case = TestCase::new(s.name.clone(), status);
        case.set_classname(SUITE).add_property(Property::new(
            "expected_category",
            s.expected_category.to_string(),
        ));
        if let Some(score) = s.score() {
            case.add_property(Property::new("score", score.to_string()));
        }
        if let Some(x) = s.repeats() {
            for (name, value) in [
                ("runs".to_owned(), x.runs.to_string()),
                ("graded".to_owned(), x.graded.to_string()),
                ("right".to_owned(), x.right.to_string()),
                ("pass@1".to_owned(), x.pass_at_1.to_string()),
                (format!("pass@{}", x.graded), x.pass_at_n.to_string()),
                (format!("pass^{}", x.graded), x.pass_all_n.to_string()),
                ("score_min".to_owned(), x.score_min.to_string()),
                ("score_mean".to_owned(), x.score_mean.to_string()),
                ("score_max".to_owned(), x.score_max.to_string()),
            ] {
                case.add_property(Property::new(name, value));
            }
        }
        if let Some(sight) = s.outcome.sight() {
            case.add_property(Property::new("moment", sight.moment.as_str()));
            case.add_property(Property::new("tool_saw", sight.describe()));
            if let Some(note) = &sight.note {
                case.add_property(Property::new("moment_note", note.as_str()));
            }
        }
        for (m, x) in s.by_moment() {
            let score = x.map_or("not graded".to_owned(), |x| x.score_mean.to_string());
            case.add_property(Property::new(format!("score@{m}"), score));
        }
        if let ValidationOutcome::Graded { tool, .. } = &s.outcome {
            case.set_time(Duration::from_secs_f64(tool.elapsed_s.max(0.0)));
            if !tool.stdout.is_empty() {
                case.set_system_out(tool.stdout.clone());
            }
            if !tool.stderr.is_empty() {
                case.set_system_err(tool.stderr.clone());
            }
        }
        suite.add_test_case(case);
    }
    suite
}

/// A scenario's status from its (first) run.
fn status_of(s: &ScenarioValidation, min_score: f64) -> TestCaseStatus {
    {
        match &s.outcome {
            ValidationOutcome::Graded { grade, judge, .. } => {
                let judge_error = judge.as_ref().and_then(|j| j.error.clone());
                match (s.passed(min_score), judge_error) {
                    (_, Some(e)) => {
                        let mut st = TestCaseStatus::non_success(NonSuccessKind::Error);
                        st.set_message(format!("the judge failed: {e}"))
                            .set_type("judge failed");
                        st
                    }
                    (Some(true), None) => TestCaseStatus::success(),
                    (_, None) => {
                        let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
                        let score = s.score().unwrap_or(0.0);
                        let lines = match &grade.failure {
                            Some(f) => vec![format!("failed: {f}")],
                            None => {
                                let mut lines = vec![format!(
                                    "category: expected {}, tool said {}",
                                    grade.category.expected,
                                    grade
                                        .category
                                        .found
                                        .map_or("none".to_owned(), |c| c.to_string())
                                )];
                                for f in grade.missed() {
                                    lines.push(format!("missed: {}", f.name));
                                }
                                for f in grade.wrong_given() {
                                    lines.push(format!("wrong advice: {}", f.name));
                                }
                                for c in &grade.contradictions {
                                    lines.push(format!(
                                        "contradicted: {:?} ({}), recorded {}",
                                        c.claim, c.fact, c.recorded
                                    ));
                                }
                                lines
                            }
                        };
                        st.set_message(format!(
                            "scored {}, below the minimum of {}",
                            pct(score),
                            pct(min_score)
                        ))
                        .set_type("score below minimum")
                        .set_description(lines.join("\n"));
                        st
                    }
                }
            }
            ValidationOutcome::NotReproduced {
                reason,
                unmet_checks,
                ..
            } => {
                let mut st = TestCaseStatus::non_success(NonSuccessKind::Error);
                let details: Vec<String> = unmet_checks
                    .iter()
                    .map(|c| {
                        format!(
                            "{}: expected {}, observed {}",
                            c.name, c.expected, c.observed
                        )
                    })
                    .collect();
                st.set_message(format!("fixture did not reproduce: {reason}"))
                    .set_type("fixture did not reproduce");
                if !details.is_empty() {
                    st.set_description(details.join("\n"));
                }
                st
            }
            ValidationOutcome::NotRun { reason } => {
                let mut st = TestCaseStatus::non_success(NonSuccessKind::Error);
                st.set_message(format!("not run: {reason}"))
                    .set_type("not run");
                st
            }
        }
    }
}
