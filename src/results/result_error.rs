//! What can go wrong reading a result file: reading it, parsing it, telling what it is, its
//! version. Every message names the file (and the line, column and field where there is one);
//! [`ResultError::hint`] says what to do next.

use std::path::PathBuf;

use thiserror::Error;

pub type Result<T, E = ResultError> = std::result::Result<T, E>;

#[derive(Debug, Error)]
pub enum ResultError {
    #[error("cannot read {}: {source}", file.display())]
    Read {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}:{column}: not valid JSON: {message}", file.display())]
    Syntax {
        file: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// Recognised as `kind`, but a field does not have the shape crashlab writes. `path` is
    /// the field (`runs[0].reports[2].verdict`), empty for the document itself.
    #[error(
        "{}:{line}:{column}: {}{message} (read as {kind})",
        file.display(),
        if path.is_empty() { String::new() } else { format!("{path}: ") }
    )]
    Shape {
        file: PathBuf,
        kind: &'static str,
        line: usize,
        column: usize,
        path: String,
        message: String,
    },
    #[error(
        "{}: not a crashlab result: expected the JSON of `crashlab run -o json` (scenarios, summary), `crashlab validate -o json` (command, min_score, scenarios), `crashlab matrix -o json` (runs), `crashlab conformance -o json` (cluster, properties), a recording of `crashlab run --record` (scenario, observations) or of `crashlab conformance --record` (cluster, probes, node); found {found}",
        file.display()
    )]
    Unknown { file: PathBuf, found: String },
    /// A crashlab result, but not the one the command reads.
    #[error("{}: {found}, where {expected} was expected", file.display())]
    NotThisKind {
        file: PathBuf,
        expected: &'static str,
        found: &'static str,
    },
    #[error(
        "{}: {kind} of schemaVersion {version}, written by a newer crashlab; this one reads up to version {known}",
        file.display()
    )]
    Newer {
        file: PathBuf,
        kind: &'static str,
        version: u64,
        known: u32,
    },
}

impl ResultError {
    /// What to do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            ResultError::Read { .. } => {
                "give a file written by `crashlab run|validate|matrix|conformance -o json`, `crashlab run --record DIR` or `crashlab conformance --record FILE`"
            }
            ResultError::Syntax { .. } => {
                "give the whole JSON output; an empty or cut-off file comes from a run that stopped before it printed its result"
            }
            ResultError::Shape { .. } | ResultError::Unknown { .. } => {
                "crashlab reads what `crashlab run|validate|matrix|conformance -o json` print and what `crashlab run --record DIR` and `crashlab conformance --record FILE` write"
            }
            ResultError::NotThisKind { .. } => {
                "`crashlab matrix --merge` reads what `crashlab matrix -o json` writes; `crashlab report FILE` reads any result"
            }
            ResultError::Newer { .. } => {
                "read it with the crashlab that wrote it, or upgrade this one (`cargo install --path .` in a newer checkout)"
            }
        }
    }
}
