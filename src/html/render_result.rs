//! `crashlab report FILE --html`: the HTML report of a result read back by
//! [`crate::results`] (a run, a validation, a matrix, a recording, a conformance result or its
//! saved observations).

use std::path::Path;

use crate::results::ResultFile;
use crate::scenario::Scenario;

use super::conformance_page::render_conformance;
use super::html_error::{HtmlError, Result};
use super::matrix_chart::render_matrix;
use super::recorded_report::run_of_recording;
use super::run_page::render_run;
use super::validate_table::render_validate;

/// The HTML report of a result. `scenarios`: the catalogue (built-ins and `-f` files), for
/// explanations and expected curves, and to judge a recording; `file` names the result in
/// errors.
pub fn render_result(result: &ResultFile, scenarios: &[Scenario], file: &Path) -> Result<String> {
    Ok(match result {
        ResultFile::Run(run) => render_run(run, scenarios),
        ResultFile::Validate(v) => render_validate(v),
        ResultFile::Matrix(doc) => render_matrix(&doc.runs),
        ResultFile::Conformance(report) => render_conformance(report, None),
        ResultFile::ConformanceSet(set) => {
            super::conformance_page::render_conformance_set(&set.reports)
        }
        ResultFile::ConformanceObservations(obs) => {
            let all = crate::conformance::Property::ALL;
            render_conformance(&crate::conformance::judge(obs, &all, None), Some(obs))
        }
        ResultFile::Recording(rec) => {
            let scenario = scenarios
                .iter()
                .find(|s| s.metadata.name == rec.scenario)
                .ok_or_else(|| HtmlError::UnknownScenario {
                    file: file.to_path_buf(),
                    name: rec.scenario.clone(),
                })?;
            render_run(&run_of_recording(rec, scenario), scenarios)
        }
    })
}
