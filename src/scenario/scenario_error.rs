//! Errors from loading scenario files and looking scenarios up in the catalogue.

use std::fmt;
use std::path::PathBuf;

use super::field_path::FieldPath;
use super::locate::Location;
use super::problem::{Problem, did_you_mean};

pub type Result<T, E = ScenarioError> = std::result::Result<T, E>;

/// Why a scenario could not be loaded or found.
///
/// `Display` prints the whole message: a headline and, on the next line, `  hint: ...`.
/// Use [`ScenarioError::headline`] and [`ScenarioError::hint`] to lay them out differently.
#[derive(Debug)]
pub enum ScenarioError {
    /// The file is not a valid scenario; pinned to a line, column and field.
    Invalid(Box<InvalidScenario>),
    /// The file could not be read.
    Read {
        file: PathBuf,
        source: std::io::Error,
    },
    /// No scenario by that name in the catalogue.
    UnknownScenario { name: String, known: Vec<String> },
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.headline())?;
        if let Some(hint) = self.hint() {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ScenarioError::Read { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// A problem at one place in a scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidScenario {
    /// The file name as given (a path, or `scenarios/oom.yaml` for a built-in).
    pub file: String,
    pub location: Location,
    /// The field concerned; the root for problems with the file as a whole.
    pub path: FieldPath,
    pub problem: Problem,
}

impl InvalidScenario {
    /// `file:line:col: path: message` (the path is left out at the root).
    pub fn headline(&self) -> String {
        let Self {
            file,
            location,
            path,
            problem,
        } = self;
        if path.is_root() {
            format!("{file}:{location}: {problem}")
        } else {
            format!("{file}:{location}: {path}: {problem}")
        }
    }
}

impl fmt::Display for InvalidScenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\n  hint: {}", self.headline(), self.problem.hint())
    }
}

impl ScenarioError {
    pub(crate) fn invalid(
        file: &str,
        location: Location,
        path: FieldPath,
        problem: Problem,
    ) -> Self {
        ScenarioError::Invalid(Box::new(InvalidScenario {
            file: file.to_owned(),
            location,
            path,
            problem,
        }))
    }

    /// The first line of the message, without the hint.
    pub fn headline(&self) -> String {
        match self {
            ScenarioError::Invalid(invalid) => invalid.headline(),
            ScenarioError::Read { file, source } => {
                format!("cannot read scenario file {}: {source}", file.display())
            }
            ScenarioError::UnknownScenario { name, known } => {
                match did_you_mean(name, known.iter().map(String::as_str)) {
                    Some(best) => format!("unknown scenario {name:?}; did you mean {best:?}?"),
                    None => format!("unknown scenario {name:?}"),
                }
            }
        }
    }

    /// The suggested next step.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            ScenarioError::Invalid(invalid) => invalid.problem.hint(),
            ScenarioError::Read { .. } => "check the path given to --file".into(),
            ScenarioError::UnknownScenario { known, .. } => format!(
                "known scenarios: {}; `crashlab list` describes them, `--file PATH` loads your own",
                known.join(", ")
            ),
        })
    }

    /// The located problem, when the error is about the content of a file.
    pub fn as_invalid(&self) -> Option<&InvalidScenario> {
        match self {
            ScenarioError::Invalid(invalid) => Some(invalid),
            _ => None,
        }
    }
}
