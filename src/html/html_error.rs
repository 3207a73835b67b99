//! What can go wrong rendering a report from a file: reading it, telling what it is, and
//! writing the HTML. Every message names the file and says what to do next.

use std::path::PathBuf;

use thiserror::Error;

pub type Result<T, E = HtmlError> = std::result::Result<T, E>;

#[derive(Debug, Error)]
pub enum HtmlError {
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
    /// Recognised as `kind`, but a field does not have the shape crashlab writes.
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
        "{}: not a crashlab result: expected the JSON of `crashlab run -o json` (scenarios, summary), `crashlab validate -o json` (command, min_score, scenarios), `crashlab matrix -o json` (runs) or a recording of `crashlab run --record` (scenario, observations); found {found}",
        file.display()
    )]
    Unknown { file: PathBuf, found: String },
    #[error(
        "{}: a recording of scenario `{name}`, which is not in the catalogue: give its scenario file with `-f FILE`",
        file.display()
    )]
    UnknownScenario { file: PathBuf, name: String },
    #[error("cannot write the HTML report {}: {source}", file.display())]
    Write {
        file: PathBuf,
        source: std::io::Error,
    },
}
