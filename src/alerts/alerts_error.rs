//! The errors of judging alert rules: bad rule files (the user's to fix, exit 2) and a
//! promtool that cannot be found, built or run (the environment's, exit 3).

use std::path::PathBuf;

use thiserror::Error;

use super::promtool_version::PROMTOOL_VERSION;

#[derive(Debug, Error)]
pub enum AlertsError {
    #[error("{}: {message}", path.display())]
    RuleFile { path: PathBuf, message: String },
    #[error("promtool check rules rejected {}:\n{output}", path.display())]
    RulesRejected { path: PathBuf, output: String },
    #[error(
        "promtool is not cached at {} and go was not found on PATH to build it: install Go or pass --promtool PATH",
        cached.display()
    )]
    GoNotFound { cached: PathBuf },
    #[error(
        "building promtool (github.com/prometheus/prometheus {PROMTOOL_VERSION}) failed ({status}); full log: {}\nlast lines:\n{tail}",
        log.display()
    )]
    BuildFailed {
        status: String,
        log: PathBuf,
        tail: String,
    },
    #[error("promtool {} does not run: {message}", path.display())]
    NotRunnable { path: PathBuf, message: String },
    #[error("promtool test rules failed on the derived series of {scenario}: {output}")]
    TestFailed { scenario: String, output: String },
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
}

impl AlertsError {
    /// Whether the user's input is at fault (exit 2) rather than the environment (exit 3).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            AlertsError::RuleFile { .. } | AlertsError::RulesRejected { .. }
        )
    }
}

pub type Result<T, E = AlertsError> = std::result::Result<T, E>;
