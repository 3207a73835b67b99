//! The one error type of the binary: a headline, an optional hint, and the documented exit code.

use std::fmt;
use std::process::ExitCode;

/// Documented exit codes (see `crashlab --help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Pass = 0,
    Fail = 1,
    Usage = 2,
    Environment = 3,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e as u8)
    }
}

#[derive(Debug)]
pub struct CliError {
    pub exit: Exit,
    pub message: String,
    pub hint: Option<String>,
}

impl CliError {
    pub fn usage(message: impl fmt::Display) -> Self {
        Self {
            exit: Exit::Usage,
            message: message.to_string(),
            hint: None,
        }
    }
    pub fn env(message: impl fmt::Display) -> Self {
        Self {
            exit: Exit::Environment,
            message: message.to_string(),
            hint: None,
        }
    }
    pub fn with_hint(mut self, hint: impl fmt::Display) -> Self {
        self.hint = Some(hint.to_string());
        self
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

impl From<crate::cluster::local::LocalError> for CliError {
    fn from(e: crate::cluster::local::LocalError) -> Self {
        let hint = e.hint();
        CliError {
            hint,
            ..CliError::env(e)
        }
    }
}

impl From<crate::pipeline::PipelineError> for CliError {
    fn from(e: crate::pipeline::PipelineError) -> Self {
        use crate::pipeline::PipelineError;
        match e {
            PipelineError::Provider(e) => e.into(),
            other => CliError::env(other),
        }
    }
}

impl From<crate::cluster::ProviderError> for CliError {
    fn from(e: crate::cluster::ProviderError) -> Self {
        let hint = e.hint.clone();
        let mut out = if e.bad_usage {
            CliError::usage(&e)
        } else {
            CliError::env(&e)
        };
        out.hint = hint;
        out
    }
}

impl From<crate::cluster::kind::KindError> for CliError {
    fn from(e: crate::cluster::kind::KindError) -> Self {
        crate::cluster::ProviderError::from(e).into()
    }
}

impl From<crate::cluster::ConnectError> for CliError {
    fn from(e: crate::cluster::ConnectError) -> Self {
        let hint = e.hint();
        let mut out = if e.is_usage() {
            CliError::usage(&e)
        } else {
            CliError::env(&e)
        };
        out.hint = hint;
        out
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use crate::cluster::ProviderError;
    use crate::cluster::local::LocalError;
    use crate::cluster::local::binaries::BinariesError;

    /// A release host that serves a file unlike its checksum stops `cluster up` (through the
    /// provider) and `cluster fetch` (directly) with exit 3 and what to try.
    #[test]
    fn a_checksum_mismatch_is_an_environment_error_with_a_hint() {
        let mismatch = || {
            LocalError::Binaries(BinariesError::Checksum {
                url: "http://127.0.0.1:9/release/v1.34.4/bin/linux/amd64/kubelet".into(),
                expected: "0".repeat(64),
                actual: "1".repeat(64),
            })
        };
        for error in [
            CliError::from(ProviderError::from(mismatch())),
            CliError::from(mismatch()),
        ] {
            assert_eq!(error.exit, Exit::Environment);
            let hint = error.hint.unwrap();
            assert!(
                hint.ends_with("or set it to `off` to build Kubernetes from Go modules"),
                "{hint}"
            );
        }
    }
}
