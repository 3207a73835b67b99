//! Where upstream's behaviour is written: a file of a project at a version, and the symbol.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// `kubernetes v1.34.4`, `containerd v2.3.4`.
    pub project: String,
    /// `pkg/kubelet/kuberuntime/helpers.go`.
    pub file: String,
    /// `GetBackoffKey`.
    pub symbol: String,
}

impl Source {
    pub fn kubernetes(version: &str, file: &str, symbol: &str) -> Self {
        Self {
            project: format!("kubernetes {version}"),
            file: file.to_owned(),
            symbol: symbol.to_owned(),
        }
    }

    pub fn other(project: &str, file: &str, symbol: &str) -> Self {
        Self {
            project: project.to_owned(),
            file: file.to_owned(),
            symbol: symbol.to_owned(),
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} `{}`", self.project, self.file, self.symbol)
    }
}
