//! What can go wrong rendering a report from a file: reading it (a [`ResultError`]), judging a
//! recording, writing the HTML. Every message names the file and says what to do next.

use std::path::PathBuf;

use thiserror::Error;

use crate::results::ResultError;

pub type Result<T, E = HtmlError> = std::result::Result<T, E>;

#[derive(Debug, Error)]
pub enum HtmlError {
    #[error(transparent)]
    Result(#[from] ResultError),
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

impl HtmlError {
    /// What to do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            HtmlError::Result(e) => e.hint(),
            HtmlError::UnknownScenario { .. } => {
                "`crashlab report RECORDING -f SCENARIO.yaml` judges a recording of your own scenario"
            }
            HtmlError::Write { .. } => "check that the directory exists and is writable",
        }
    }
}
