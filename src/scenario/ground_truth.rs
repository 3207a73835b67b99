//! The verified answer to "why is this pod crash-looping?", stated in the scenario file and
//! used to grade diagnostic tools.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The root-cause categories that account for most crash loops in practice, plus probe failure
/// and image problems (an image that is not there, or lacks the program the spec runs: the
/// cause sits in the build or the registry, not in the app's config, code or dependencies).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    MissingConfig,
    DependencyDown,
    ResourceLimits,
    CodeBug,
    ProbeFailure,
    ImageProblem,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::MissingConfig,
        Category::DependencyDown,
        Category::ResourceLimits,
        Category::CodeBug,
        Category::ProbeFailure,
        Category::ImageProblem,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::MissingConfig => "missing-config",
            Category::DependencyDown => "dependency-down",
            Category::ResourceLimits => "resource-limits",
            Category::CodeBug => "code-bug",
            Category::ProbeFailure => "probe-failure",
            Category::ImageProblem => "image-problem",
        }
    }
}

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroundTruth {
    pub category: Category,
    /// Facts a correct diagnosis names. Each fact matches when any of its patterns
    /// (case-insensitive regular expressions) appears in the diagnosis.
    pub key_facts: Vec<KeyFact>,
    /// Advice that is wrong for this incident (e.g. "increase memory" for a missing Secret).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wrong_answers: Vec<KeyFact>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyFact {
    /// Short name shown in reports, e.g. `OOMKilled`.
    pub name: String,
    /// Case-insensitive regular expressions; any one matching counts.
    pub any_of: Vec<String>,
}
