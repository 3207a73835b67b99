//! What can go wrong while writing a report.

/// A reporter could not write its output.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot write the report: {0}")]
    Write(#[from] std::io::Error),
    #[error("cannot serialize the JSON report: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot serialize the JUnit report: {0}")]
    Junit(#[from] quick_junit::SerializeError),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The reader went away (`crashlab run | head`): not worth an error message; the CLI
    /// exits as it would have (ripgrep does the same).
    pub fn is_broken_pipe(&self) -> bool {
        match self {
            Error::Write(e) => e.kind() == std::io::ErrorKind::BrokenPipe,
            Error::Json(e) => e.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe),
            Error::Junit(_) => false,
        }
    }
}
