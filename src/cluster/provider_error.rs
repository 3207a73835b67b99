//! The error every provider's operations return through the [`super::Provider`] interface: the
//! provider's own error (its message is the headline), what to try next, and whether it is
//! the user's input that was wrong.

use std::fmt;

#[derive(Debug)]
pub struct ProviderError {
    /// The provider's own error, as it said it.
    pub source: Box<dyn std::error::Error + Send + Sync>,
    /// What to try next.
    pub hint: Option<String>,
    /// The user asked for something that cannot be (a version not pinned, a flag that does
    /// not apply), rather than the machine lacking something.
    pub bad_usage: bool,
}

impl ProviderError {
    /// A failure of the machine or the cluster.
    pub fn env(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self {
            source: error.into(),
            hint: None,
            bad_usage: false,
        }
    }

    /// Something the user asked for that cannot be.
    pub fn usage(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self {
            bad_usage: true,
            ..Self::env(error)
        }
    }

    pub fn with_hint(mut self, hint: impl fmt::Display) -> Self {
        self.hint = Some(hint.to_string());
        self
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.source.fmt(f)
    }
}

impl std::error::Error for ProviderError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.source()
    }
}
