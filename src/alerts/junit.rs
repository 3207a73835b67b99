//! The alert rules suite of `crashlab validate --junit`: one test case per rule and scenario,
//! passing whether or not the rule fires (that is a measurement, in the case's properties); a
//! scenario that could not be judged is an error.

use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};

use super::alerts_report::{AlertsOutcome, AlertsReport, DERIVED_NOTE};

pub const ALERTS_SUITE: &str = "crashlab validate alert rules";

pub fn alerts_junit_suite(r: &AlertsReport) -> TestSuite {
    let mut suite = TestSuite::new(ALERTS_SUITE);
    suite
        .add_property(Property::new("rule_file", r.rule_file.clone()))
        .add_property(Property::new("promtool", r.promtool.clone()))
        .add_property(Property::new("series", DERIVED_NOTE));
    for s in &r.scenarios {
        match &s.outcome {
            AlertsOutcome::NotEvaluated { reason } => {
                let mut st = TestCaseStatus::non_success(NonSuccessKind::Error);
                st.set_message(format!("not evaluated: {reason}"))
                    .set_type("not evaluated");
                let mut case = TestCase::new(s.scenario.clone(), st);
                case.set_classname(ALERTS_SUITE);
                suite.add_test_case(case);
            }
            AlertsOutcome::Evaluated { rules, .. } => {
                for rule in rules {
                    let mut case = TestCase::new(
                        format!("{} / {}", s.scenario, rule.alert),
                        TestCaseStatus::success(),
                    );
                    case.set_classname(ALERTS_SUITE)
                        .add_property(Property::new("fires", rule.fires.to_string()));
                    if let Some(t) = rule.first_firing_s {
                        case.add_property(Property::new("first_firing_s", t.to_string()));
                    }
                    if let Some(t) = rule.after_loop_started_s {
                        case.add_property(Property::new("after_loop_started_s", t.to_string()));
                    }
                    suite.add_test_case(case);
                }
            }
        }
    }
    suite
}
