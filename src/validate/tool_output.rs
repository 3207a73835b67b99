//! What one call of a tool left behind: its output, how it ended, how long it took.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolOutput {
    pub stdout: String,
    pub stderr: String,
    pub ending: ToolEnding,
    pub elapsed_s: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ToolEnding {
    /// The process exited with this code.
    Exited { code: i32 },
    /// The process was killed by this signal (not by crashlab).
    Killed { signal: i32 },
    /// It ran past the per-call limit and crashlab killed its process group.
    TimedOut { limit_s: u64 },
    /// It could not be started (no shell, bad working directory).
    NotStarted { error: String },
}

impl ToolEnding {
    pub fn describe(&self) -> String {
        match self {
            ToolEnding::Exited { code } => format!("exit {code}"),
            ToolEnding::Killed { signal } => format!("killed by signal {signal}"),
            ToolEnding::TimedOut { limit_s } => format!("timed out after {limit_s}s"),
            ToolEnding::NotStarted { error } => format!("could not start: {error}"),
        }
    }
}

impl ToolOutput {
    /// A finished call with exit code 0, for tests.
    pub fn ok(stdout: impl Into<String>) -> Self {
        Self {
            stdout: stdout.into(),
            stderr: String::new(),
            ending: ToolEnding::Exited { code: 0 },
            elapsed_s: 0.0,
        }
    }
}
