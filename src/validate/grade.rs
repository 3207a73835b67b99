//! Grading one diagnosis against a scenario's ground truth, deterministically:
//!
//! score = 0.5 × (category right) + 0.5 × (key facts named ÷ key facts) − 0.25 × (wrong
//! answers given), clamped to 0..1. The category comes from a JSON field when the output is
//! a JSON document that has it, else from the first phrase of the text that names one. Key
//! facts and wrong answers are the ground truth's case-insensitive patterns (each lists its
//! synonyms), matched against the text. A tool that timed out, could not start, was killed
//! or exited non-zero without output scores 0.
//!
//! What the tool was handed (its namespace, `crashlab-oom-x7k2p`) and the scenario's name are
//! masked in its output before anything is matched: echoing them names the scenario, not the
//! cause. What the tool copied from the cluster (log lines, event messages, reasons:
//! [`ClusterWords`]) is taken out before the category is read from text and before wrong
//! advice is looked for: the category is the tool's conclusion, not the cluster's words. Key
//! facts count either way, and say whether the tool concluded or quoted them, as long as the
//! answer concluded something: with no category and no fact stated in words other than the
//! incident's object names and the cluster's quotations, no fact is credited (a listing of
//! the namespace names the pod called postgres without saying anything about it).

use crate::expect::pattern;

use crate::scenario::{Category, GroundTruth, KeyFact};

use super::category_text::{category_from_value_with, category_in_text_with};
use super::cluster_words::{ClusterWords, replace_word};
use super::contradiction::Recorded;
use super::diagnosis_text::{field_at, read_diagnosis};
use super::grade_result::{CategoryGrade, CategorySource, FactMatch, Grade};
use super::tool_output::{ToolEnding, ToolOutput};

pub const CATEGORY_WEIGHT: f64 = 0.5;
pub const FACTS_WEIGHT: f64 = 0.5;
pub const WRONG_ANSWER_PENALTY: f64 = 0.25;
/// Per stated fact the recording contradicts ([`super::contradiction`]).
pub const CONTRADICTION_PENALTY: f64 = 0.25;
/// `--category-field` default.
pub const DEFAULT_CATEGORY_FIELD: &str = "category";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GradeOptions {
    /// Dotted path of the category in a JSON output (`--category-field`).
    pub category_field: String,
    /// The tool's own labels and the category each names (`--category-map`); `None`: the
    /// label names no category (`crash_loop_unknown_cause`).
    pub category_map: Vec<(String, Option<Category>)>,
}

impl Default for GradeOptions {
    fn default() -> Self {
        Self {
            category_field: DEFAULT_CATEGORY_FIELD.to_owned(),
            category_map: Vec::new(),
        }
    }
}

/// What the tool's output is read against besides the ground truth.
#[derive(Debug, Clone, Copy, Default)]
pub struct Given<'a> {
    /// Strings the tool was handed (its namespace), masked wherever they appear.
    pub strings: &'a [&'a str],
    /// Names masked as whole words (the scenario's name).
    pub words: &'a [&'a str],
    /// What the cluster said during the incident.
    pub cluster: Option<&'a ClusterWords>,
    /// What the incident's containers did: claims against it are checked.
    pub recorded: Option<&'a Recorded>,
}

/// What replaces the strings the tool was given.
const MASK: &str = "⟨given⟩";

/// Grades the output `out` of a tool that was handed the strings `given` (its namespace).
pub fn grade(truth: &GroundTruth, out: &ToolOutput, opts: &GradeOptions, given: &[&str]) -> Grade {
    grade_in(
        truth,
        out,
        opts,
        &Given {
            strings: given,
            ..Given::default()
        },
    )
}

/// Grades the output `out` of a tool on an incident: see [`Given`].
pub fn grade_in(
    truth: &GroundTruth,
    out: &ToolOutput,
    opts: &GradeOptions,
    given: &Given,
) -> Grade {
    let mut notes = Vec::new();
    let failure = match &out.ending {
        ToolEnding::Exited { code: 0 } => None,
        ToolEnding::Exited { code } if !out.stdout.trim().is_empty() => {
            notes.push(format!("exited {code}; its output was graded anyway"));
            None
        }
        ToolEnding::Exited { code } => Some(format!(
            "exited {code} without output{}",
            last_line(&out.stderr)
                .map(|l| format!(" (stderr: {l})"))
                .unwrap_or_default()
        )),
        ToolEnding::TimedOut { limit_s } => Some(format!("timed out after {limit_s}s")),
        ToolEnding::Killed { signal } => Some(format!("killed by signal {signal}")),
        ToolEnding::NotStarted { error } => Some(format!("could not start: {error}")),
    };

    let mut read = read_diagnosis(&out.stdout);
    // Quotations first: the cluster's messages hold the namespace too.
    let mut own = given
        .cluster
        .map_or_else(|| read.text.clone(), |c| c.strip(&read.text));
    for g in given.strings.iter().filter(|g| !g.trim().is_empty()) {
        read.text = read.text.replace(g, MASK);
        own = own.replace(g, MASK);
    }
    for w in given.words.iter().filter(|w| !w.trim().is_empty()) {
        read.text = replace_word(&read.text, w, MASK);
        own = replace_word(&own, w, MASK);
    }
    let from_field = read.json.as_ref().and_then(|j| {
        let v = field_at(j, &opts.category_field)?;
        let value = match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        Some((category_from_value_with(&value, &opts.category_map), value))
    });
    let (found, source) = match from_field {
        Some((c, value)) => (
            c,
            CategorySource::Field {
                path: opts.category_field.clone(),
                value,
            },
        ),
        None => {
            if read.json.is_some() {
                notes.push(format!(
                    "JSON output without a `{}` field: category read from its text",
                    opts.category_field
                ));
            }
            match category_in_text_with(&own, &opts.category_map) {
                Some((c, phrase)) => (c, CategorySource::Text { phrase }),
                None => (None, CategorySource::None),
            }
        }
    };
    let category = CategoryGrade {
        expected: truth.category,
        found,
        correct: found == Some(truth.category),
        source,
    };
    let key_facts: Vec<FactMatch> = truth
        .key_facts
        .iter()
        .map(|f| {
            let concluded = match_fact(f, &own);
            if concluded.found {
                return concluded;
            }
            let quoted = match_fact(f, &read.text);
            FactMatch {
                quoted: quoted.found,
                ..quoted
            }
        })
        .collect();
    // Advice is the tool's own: a log line it quoted gives none.
    let wrong_answers: Vec<FactMatch> = truth
        .wrong_answers
        .iter()
        .map(|f| match_fact(f, &own))
        .collect();

    let contradictions = match (given.recorded, &failure) {
        (Some(r), None) => r.contradictions(&read.text),
        _ => Vec::new(),
    };
    // An answer that names no category and states no fact in words other than the incident's
    // names and the cluster's quotations concluded nothing: listing what is in the namespace
    // (a pod called postgres, an init container called migrate) earns no fact.
    let named = key_facts.iter().filter(|f| f.found).count();
    let concluded_nothing = category.found.is_none()
        && named > 0
        && given.cluster.is_some_and(|c| {
            let own_words = c.strip_names(&own);
            !truth
                .key_facts
                .iter()
                .any(|f| match_fact(f, &own_words).found)
        });
    if concluded_nothing {
        notes.push(format!(
            "concluded nothing: no category, and the {named} key fact(s) it named are only the \
             incident's names or quotations of the cluster; no fact is credited without a \
             conclusion"
        ));
    }
    let score = if failure.is_some() {
        0.0
    } else {
        let facts = if key_facts.is_empty() {
            1.0
        } else if concluded_nothing {
            0.0
        } else {
            named as f64 / key_facts.len() as f64
        };
        let wrong = wrong_answers.iter().filter(|f| f.found).count() as f64;
        let raw = CATEGORY_WEIGHT * f64::from(u8::from(category.correct)) + FACTS_WEIGHT * facts
            - WRONG_ANSWER_PENALTY * wrong
            - CONTRADICTION_PENALTY * contradictions.len() as f64;
        (raw.clamp(0.0, 1.0) * 1000.0).round() / 1000.0
    };
    Grade {
        score,
        category,
        key_facts,
        wrong_answers,
        contradictions,
        failure,
        notes,
    }
}

/// The first pattern of `fact` that matches, with the text it matched.
fn match_fact(fact: &KeyFact, text: &str) -> FactMatch {
    let matched = fact.any_of.iter().find_map(|p| {
        pattern::cached(p, pattern::Flags::CASE_INSENSITIVE)
            .ok()?
            .find(text)
            .map(|m| m.as_str().to_owned())
    });
    FactMatch {
        name: fact.name.clone(),
        found: matched.is_some(),
        matched,
        quoted: false,
    }
}

fn last_line(s: &str) -> Option<&str> {
    s.lines().rev().map(str::trim).find(|l| !l.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Category;

    fn truth() -> GroundTruth {
        serde_yaml::from_str(
            r#"
category: resource-limits
keyFacts:
  - {name: OOMKilled, anyOf: ['OOMKilled', 'out of memory']}
  - {name: exit code 137, anyOf: ['\b137\b']}
wrongAnswers:
  - {name: add the missing Secret, anyOf: ['(create|add) (the )?secret']}
"#,
        )
        .unwrap()
    }

    #[test]
    fn a_complete_json_answer_scores_1() {
        let g = grade(
            &truth(),
            &ToolOutput::ok(
                r#"{"category":"resource-limits","summary":"OOMKilled, exit code 137"}"#,
            ),
            &GradeOptions::default(),
            &[],
        );
        assert_eq!(g.score, 1.0);
        assert!(g.category.correct);
        assert_eq!(
            g.category.source,
            CategorySource::Field {
                path: "category".into(),
                value: "resource-limits".into()
            }
        );
        assert_eq!(g.key_facts[1].matched.as_deref(), Some("137"));
    }

    #[test]
    fn partial_answers_lose_what_they_miss_and_pay_for_wrong_advice() {
        let opts = GradeOptions::default();
        // Right category from the text, one fact of two.
        let g = grade(
            &truth(),
            &ToolOutput::ok("It ran out of memory."),
            &opts,
            &[],
        );
        assert_eq!(g.score, 0.75);
        assert!(matches!(g.category.source, CategorySource::Text { .. }));
        // Wrong category, no facts, wrong advice.
        let g = grade(
            &truth(),
            &ToolOutput::ok(r#"{"category":"missing-config","fix":"create the secret"}"#),
            &opts,
            &[],
        );
        assert_eq!(g.score, 0.0);
        assert_eq!(g.category.found, Some(Category::MissingConfig));
        assert_eq!(g.wrong_given().count(), 1);
        // Right category and facts, but wrong advice too.
        let g = grade(
            &truth(),
            &ToolOutput::ok("OOMKilled with 137; also create the secret"),
            &opts,
            &[],
        );
        assert_eq!(g.score, 0.75);
    }

    #[test]
    fn the_category_field_is_configurable_and_falls_back_to_text() {
        let out = ToolOutput::ok(r#"{"root_cause":{"category":"ResourceLimits"},"text":"137"}"#);
        let nested = GradeOptions {
            category_field: "root_cause.category".into(),
            ..GradeOptions::default()
        };
        assert!(grade(&truth(), &out, &nested, &[]).category.correct);
        let g = grade(&truth(), &out, &GradeOptions::default(), &[]);
        assert!(!g.category.correct);
        assert_eq!(g.category.source, CategorySource::None);
        assert_eq!(
            g.notes,
            ["JSON output without a `category` field: category read from its text"]
        );
    }

    #[test]
    fn failures_score_0_and_say_why() {
        let opts = GradeOptions::default();
        let mut out = ToolOutput::ok("OOMKilled 137 resource-limits");
        out.ending = ToolEnding::TimedOut { limit_s: 60 };
        let g = grade(&truth(), &out, &opts, &[]);
        assert_eq!(
            (g.score, g.failure.as_deref()),
            (0.0, Some("timed out after 60s"))
        );

        let out = ToolOutput {
            stdout: String::new(),
            stderr: "error: pods \"app\" not found\n".into(),
            ending: ToolEnding::Exited { code: 2 },
            elapsed_s: 0.1,
        };
        let g = grade(&truth(), &out, &opts, &[]);
        assert_eq!(
            g.failure.as_deref(),
            Some(r#"exited 2 without output (stderr: error: pods "app" not found)"#)
        );

        // A non-zero exit with an answer is graded, and noted.
        let mut out = ToolOutput::ok(r#"{"category":"resource-limits","s":"OOMKilled 137"}"#);
        out.ending = ToolEnding::Exited { code: 1 };
        let g = grade(&truth(), &out, &opts, &[]);
        assert_eq!(g.score, 1.0);
        assert_eq!(g.notes, ["exited 1; its output was graded anyway"]);
    }

    #[test]
    fn echoing_the_namespace_earns_nothing() {
        // The namespace names the scenario: `oom` in it must not read as "OOM".
        let out = ToolOutput::ok("pod crashlab-oom-x7k2p/app: look at it");
        let g = grade(&truth(), &out, &GradeOptions::default(), &[]);
        assert_eq!(g.category.found, Some(Category::ResourceLimits));
        let g = grade(
            &truth(),
            &out,
            &GradeOptions::default(),
            &["crashlab-oom-x7k2p"],
        );
        assert_eq!((g.category.found, g.score), (None, 0.0));
    }
}
