//! `--junit FILE`: one test case per row; a difference fails, a row that could not be measured
//! is skipped with its reason, so CI never counts it as a pass.

use quick_junit::{
    NonSuccessKind, Property as JProperty, Report, TestCase, TestCaseStatus, TestSuite,
};

use super::conformance_report::ConformanceReport;
use super::verdict::Verdict;

pub const SUITE: &str = "crashlab conformance";

pub fn render_junit(r: &ConformanceReport) -> Result<String, quick_junit::SerializeError> {
    let mut suite = TestSuite::new(SUITE);
    suite
        .add_property(JProperty::new("context", r.cluster.context.clone()))
        .add_property(JProperty::new(
            "server_version",
            r.cluster.server_version.clone(),
        ));
    for p in &r.properties {
        for row in &p.rows {
            let status = match row.verdict {
                Verdict::Conforms => TestCaseStatus::success(),
                Verdict::Differs => {
                    let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    st.set_message(format!(
                        "upstream: {}; this cluster: {}{}",
                        row.upstream,
                        row.observed,
                        row.why
                            .as_deref()
                            .map(|w| format!(" ({w})"))
                            .unwrap_or_default()
                    ))
                    .set_type("differs from upstream");
                    st
                }
                Verdict::NotMeasurable => {
                    let mut st = TestCaseStatus::skipped();
                    st.set_message(
                        row.why
                            .clone()
                            .unwrap_or_else(|| "not measurable here".into()),
                    );
                    st
                }
            };
            let mut case = TestCase::new(format!("{}: {}", p.property.name(), row.case), status);
            case.set_classname(format!("{SUITE}.{}", p.property.name()));
            suite.add_test_case(case);
        }
    }
    let mut report = Report::new(SUITE);
    report.add_test_suite(suite);
    report.to_string()
}
