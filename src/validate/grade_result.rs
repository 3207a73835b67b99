//! How one diagnosis was graded, part by part, so a report can say what it missed.
//! Field names are a public contract (`crashlab validate -o json`): add, never rename.

use serde::{Deserialize, Serialize};

use crate::scenario::Category;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grade {
    /// 0 to 1, rounded to three decimals.
    pub score: f64,
    pub category: CategoryGrade,
    /// Every key fact of the ground truth, found or not.
    pub key_facts: Vec<FactMatch>,
    /// Every wrong answer of the ground truth; `found` means the tool gave that advice.
    pub wrong_answers: Vec<FactMatch>,
    /// Facts the tool stated that the recording contradicts, each next to what was recorded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contradictions: Vec<super::contradiction::Contradiction>,
    /// Why the score is 0 whatever the output says (timed out, no output, not started).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// How the output was read (JSON or text, a non-zero exit).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Grade {
    pub fn facts_found(&self) -> usize {
        self.key_facts.iter().filter(|f| f.found).count()
    }

    /// Key facts found only in what the tool quoted of the cluster.
    pub fn facts_quoted(&self) -> usize {
        self.key_facts
            .iter()
            .filter(|f| f.found && f.quoted)
            .count()
    }

    pub fn missed(&self) -> impl Iterator<Item = &FactMatch> {
        self.key_facts.iter().filter(|f| !f.found)
    }

    pub fn wrong_given(&self) -> impl Iterator<Item = &FactMatch> {
        self.wrong_answers.iter().filter(|f| f.found)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryGrade {
    pub expected: Category,
    /// What the tool said, when it said one of the five.
    pub found: Option<Category>,
    pub correct: bool,
    pub source: CategorySource,
}

/// Where the tool's category was read from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum CategorySource {
    /// A field of its JSON output, with the value as written.
    Field { path: String, value: String },
    /// Its text, by the first phrase that names a category.
    Text { phrase: String },
    /// Nowhere: no field, no phrase.
    None,
}

impl CategorySource {
    pub fn describe(&self) -> String {
        match self {
            CategorySource::Field { path, value } => format!("field {path} = {value:?}"),
            CategorySource::Text { phrase } => format!("text: {phrase:?}"),
            CategorySource::None => "no category found".to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactMatch {
    pub name: String,
    pub found: bool,
    /// The text that matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matched: Option<String>,
    /// Found only in what the tool copied from the cluster (a log line, an event message),
    /// not in its own words.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub quoted: bool,
}
