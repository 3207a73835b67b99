//! `crashlab report FILE`: tells which crashlab result a file holds (a run, a validation, a
//! matrix, a recording) from its top-level fields, reads it, and renders its report.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::matrix::MatrixRun;
use crate::scenario::Scenario;
use crate::timeline::Recording;

use super::html_error::{HtmlError, Result};
use super::matrix_chart::render_matrix;
use super::recorded_report::run_of_recording;
use super::run_page::{RunResult, render_run};
use super::validate_table::{ValidateResult, render_validate};

/// What a result file holds.
#[derive(Debug)]
pub enum ResultFile {
    Run(RunResult),
    Validate(ValidateResult),
    Matrix(Vec<MatrixRun>),
    Recording(Box<Recording>),
}

#[derive(serde::Deserialize)]
struct MatrixDoc {
    runs: Vec<MatrixRun>,
}

/// Reads `file` and tells what it holds.
pub fn read_result(file: &Path) -> Result<ResultFile> {
    let text = std::fs::read_to_string(file).map_err(|source| HtmlError::Read {
        file: file.to_path_buf(),
        source,
    })?;
    parse_result(&text, file)
}

/// Tells what `text` holds; `file` names it in errors.
pub fn parse_result(text: &str, file: &Path) -> Result<ResultFile> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| syntax(file, &e))?;
    let Some(obj) = value.as_object() else {
        let found = match value {
            serde_json::Value::Array(_) => "an array",
            serde_json::Value::String(_) => "a string",
            serde_json::Value::Number(_) => "a number",
            serde_json::Value::Bool(_) => "a boolean",
            _ => "null",
        };
        return Err(HtmlError::Unknown {
            file: file.to_path_buf(),
            found: found.to_owned(),
        });
    };
    let has = |k: &str| obj.contains_key(k);
    if has("runs") {
        let doc: MatrixDoc = typed(text, file, "a matrix result")?;
        Ok(ResultFile::Matrix(doc.runs))
    } else if has("observations") {
        Ok(ResultFile::Recording(Box::new(typed(
            text,
            file,
            "a recording",
        )?)))
    } else if has("command") && has("min_score") {
        Ok(ResultFile::Validate(typed(
            text,
            file,
            "a validation result",
        )?))
    } else if has("scenarios") && has("summary") {
        Ok(ResultFile::Run(typed(text, file, "a run result")?))
    } else {
        let mut keys: Vec<&str> = obj.keys().map(String::as_str).take(8).collect();
        keys.sort_unstable();
        Err(HtmlError::Unknown {
            file: file.to_path_buf(),
            found: if keys.is_empty() {
                "an empty object".to_owned()
            } else {
                format!("an object with the fields {}", keys.join(", "))
            },
        })
    }
}

/// The HTML report of a result. `scenarios`: the catalogue (built-ins and `-f` files), for
/// explanations and expected curves, and to judge a recording.
pub fn render_result(result: &ResultFile, scenarios: &[Scenario], file: &Path) -> Result<String> {
    Ok(match result {
        ResultFile::Run(run) => render_run(run, scenarios),
        ResultFile::Validate(v) => render_validate(v),
        ResultFile::Matrix(runs) => render_matrix(runs),
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

/// `text` read as `T`; errors name the file, line, column and field path.
pub fn typed<T: DeserializeOwned>(text: &str, file: &Path, kind: &'static str) -> Result<T> {
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        HtmlError::Shape {
            file: file.to_path_buf(),
            kind,
            line: inner.line(),
            column: inner.column(),
            path: if path == "." { String::new() } else { path },
            message: strip_location(&inner),
        }
    })
}

fn syntax(file: &Path, e: &serde_json::Error) -> HtmlError {
    HtmlError::Syntax {
        file: file.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: strip_location(e),
    }
}

/// serde_json's message without its own " at line L column C" (the error says it first).
fn strip_location(e: &serde_json::Error) -> String {
    let message = e.to_string();
    message
        .strip_suffix(&format!(" at line {} column {}", e.line(), e.column()))
        .unwrap_or(&message)
        .to_owned()
}
