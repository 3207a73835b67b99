//! Tells which crashlab result a file holds (a run, a validation, a matrix, a recording) from
//! its top-level fields, checks its `schemaVersion`, and reads it with the type that wrote it.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::conformance::{
    CONFORMANCE_SCHEMA_VERSION, ConformanceReport, ConformanceSet, Observations,
};
use crate::matrix::{MATRIX_SCHEMA_VERSION, MatrixDocument, MatrixRun};
use crate::report::{RUN_SCHEMA_VERSION, RunDocument};
use crate::timeline::Recording;
use crate::validate::{VALIDATION_SCHEMA_VERSION, ValidationReport};

use super::result_error::{Result, ResultError};
use super::typed::{syntax, typed};

/// What a result file holds.
#[derive(Debug)]
pub enum ResultFile {
    Run(RunDocument),
    Validate(Box<ValidationReport>),
    Matrix(MatrixDocument),
    Recording(Box<Recording>),
    Conformance(Box<ConformanceReport>),
    /// Several clusters' conformance reports.
    ConformanceSet(ConformanceSet),
    /// What `crashlab conformance --record` saved.
    ConformanceObservations(Box<Observations>),
}

impl ResultFile {
    /// What it is, as errors and messages call it.
    pub fn kind(&self) -> &'static str {
        match self {
            ResultFile::Run(_) => RUN,
            ResultFile::Validate(_) => VALIDATION,
            ResultFile::Matrix(_) => MATRIX,
            ResultFile::Recording(_) => RECORDING,
            ResultFile::Conformance(_) => CONFORMANCE,
            ResultFile::ConformanceSet(_) => CONFORMANCE_SET,
            ResultFile::ConformanceObservations(_) => CONFORMANCE_OBSERVATIONS,
        }
    }
}

const RUN: &str = "a run result";
const VALIDATION: &str = "a validation result";
const MATRIX: &str = "a matrix result";
const RECORDING: &str = "a recording";
const CONFORMANCE: &str = "a conformance result";
const CONFORMANCE_SET: &str = "a conformance result of several clusters";
const CONFORMANCE_OBSERVATIONS: &str = "a conformance recording";

/// Reads `file` and tells what it holds.
pub fn read_result(file: &Path) -> Result<ResultFile> {
    parse_result(&read(file)?, file)
}

/// The runs of every matrix result (`crashlab matrix --merge`), in the order given. Another
/// crashlab result is refused by what it is, before its fields are read.
pub fn read_matrix_results(files: &[PathBuf]) -> Result<Vec<MatrixRun>> {
    let mut runs = Vec::new();
    for file in files {
        let text = read(file)?;
        let found = kind_of(&text, file)?;
        if found != MATRIX {
            return Err(ResultError::NotThisKind {
                file: file.clone(),
                expected: MATRIX,
                found,
            });
        }
        if let ResultFile::Matrix(doc) = parse_result(&text, file)? {
            runs.extend(doc.runs);
        }
    }
    Ok(runs)
}

/// The reports of every conformance result (`crashlab conformance --merge`), in the order
/// given; another crashlab result is refused by what it is.
pub fn read_conformance_results(files: &[PathBuf]) -> Result<Vec<ConformanceReport>> {
    let mut reports = Vec::new();
    for file in files {
        let text = read(file)?;
        match kind_of(&text, file)? {
            CONFORMANCE => reports.push(typed(&text, file, CONFORMANCE)?),
            CONFORMANCE_SET => {
                let set: ConformanceSet = typed(&text, file, CONFORMANCE_SET)?;
                reports.extend(set.reports);
            }
            found => {
                return Err(ResultError::NotThisKind {
                    file: file.clone(),
                    expected: CONFORMANCE,
                    found,
                });
            }
        }
    }
    Ok(reports)
}

/// What `crashlab conformance --record` saved, for `--from`; another crashlab result is
/// refused by what it is.
pub fn read_conformance_observations(file: &Path) -> Result<Observations> {
    let text = read(file)?;
    let found = kind_of(&text, file)?;
    if found != CONFORMANCE_OBSERVATIONS {
        return Err(ResultError::NotThisKind {
            file: file.to_path_buf(),
            expected: CONFORMANCE_OBSERVATIONS,
            found,
        });
    }
    typed(&text, file, CONFORMANCE_OBSERVATIONS)
}

/// Tells what `text` holds and reads it; `file` names it in errors.
pub fn parse_result(text: &str, file: &Path) -> Result<ResultFile> {
    Ok(match kind_of(text, file)? {
        MATRIX => ResultFile::Matrix(typed(text, file, MATRIX)?),
        RECORDING => ResultFile::Recording(Box::new(typed(text, file, RECORDING)?)),
        VALIDATION => ResultFile::Validate(Box::new(typed(text, file, VALIDATION)?)),
        CONFORMANCE => ResultFile::Conformance(Box::new(typed(text, file, CONFORMANCE)?)),
        CONFORMANCE_SET => ResultFile::ConformanceSet(typed(text, file, CONFORMANCE_SET)?),
        CONFORMANCE_OBSERVATIONS => ResultFile::ConformanceObservations(Box::new(typed(
            text,
            file,
            CONFORMANCE_OBSERVATIONS,
        )?)),
        _ => ResultFile::Run(typed(text, file, RUN)?),
    })
}

fn read(file: &Path) -> Result<String> {
    std::fs::read_to_string(file).map_err(|source| ResultError::Read {
        file: file.to_path_buf(),
        source,
    })
}

/// Which result `text` is, from its top-level fields, its version checked.
fn kind_of(text: &str, file: &Path) -> Result<&'static str> {
    let value: Value = serde_json::from_str(text).map_err(|e| syntax(file, &e))?;
    let Some(obj) = value.as_object() else {
        let found = match value {
            Value::Array(_) => "an array",
            Value::String(_) => "a string",
            Value::Number(_) => "a number",
            Value::Bool(_) => "a boolean",
            _ => "null",
        };
        return Err(ResultError::Unknown {
            file: file.to_path_buf(),
            found: found.to_owned(),
        });
    };
    let has = |k: &str| obj.contains_key(k);
    let (kind, known) = if has("runs") {
        (MATRIX, MATRIX_SCHEMA_VERSION)
    } else if has("observations") {
        // Recordings are observations, not results: they carry no version.
        return Ok(RECORDING);
    } else if has("probes") && has("node") && has("cluster") {
        // Observations, like recordings, carry no version.
        return Ok(CONFORMANCE_OBSERVATIONS);
    } else if has("properties") && has("cluster") {
        (CONFORMANCE, CONFORMANCE_SCHEMA_VERSION)
    } else if has("reports") && obj.len() <= 2 {
        (CONFORMANCE_SET, CONFORMANCE_SCHEMA_VERSION)
    } else if has("command") && has("min_score") {
        (VALIDATION, VALIDATION_SCHEMA_VERSION)
    } else if has("scenarios") && has("summary") {
        (RUN, RUN_SCHEMA_VERSION)
    } else {
        let mut keys: Vec<&str> = obj.keys().map(String::as_str).take(8).collect();
        keys.sort_unstable();
        return Err(ResultError::Unknown {
            file: file.to_path_buf(),
            found: if keys.is_empty() {
                "an empty object".to_owned()
            } else {
                format!("an object with the fields {}", keys.join(", "))
            },
        });
    };
    version(obj, file, kind, known)?;
    Ok(kind)
}
/// A document's `schemaVersion` (0 when absent: written before versions) must be one this
/// crashlab reads. A version that is not a number is left to the typed read to report.
fn version(obj: &Map<String, Value>, file: &Path, kind: &'static str, known: u32) -> Result<()> {
    match obj.get("schemaVersion").and_then(Value::as_u64) {
        Some(v) if v > u64::from(known) => Err(ResultError::Newer {
            file: file.to_path_buf(),
            kind,
            version: v,
            known,
        }),
        _ => Ok(()),
    }
}
