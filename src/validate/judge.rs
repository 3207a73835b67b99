//! An external judge (`--judge CMD`): given the tool's stdout on stdin and the ground truth as
//! JSON in [`GROUND_TRUTH_ENV`], it prints a score from 0 to 1, which then replaces the
//! deterministic score. crashlab needs none: the judge is whatever the user plugs in.

use serde::{Deserialize, Serialize};

use super::tool_output::ToolOutput;

/// The environment variable that carries the ground truth (category, keyFacts, wrongAnswers).
pub const GROUND_TRUTH_ENV: &str = "CRASHLAB_GROUND_TRUTH";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JudgeResult {
    /// The judge's score, when it gave a valid one.
    pub score: Option<f64>,
    /// Why there is no score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub output: ToolOutput,
}

impl JudgeResult {
    pub fn from_output(output: ToolOutput) -> Self {
        let parsed = match &output.ending {
            super::ToolEnding::Exited { code: 0 } => parse_judge_score(&output.stdout),
            super::ToolEnding::Exited { code } => Err(format!("the judge exited {code}")),
            other => Err(format!("the judge {}", other.describe())),
        };
        match parsed {
            Ok(s) => Self {
                score: Some(s),
                error: None,
                output,
            },
            Err(e) => Self {
                score: None,
                error: Some(e),
                output,
            },
        }
    }
}

/// The first word of the judge's first non-empty line, as a number from 0 to 1.
pub fn parse_judge_score(stdout: &str) -> Result<f64, String> {
    let word = stdout
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .and_then(|l| l.split_whitespace().next())
        .ok_or_else(|| "the judge printed nothing; it must print a score from 0 to 1".to_owned())?;
    match word.parse::<f64>() {
        Ok(s) if (0.0..=1.0).contains(&s) => Ok(s),
        _ => Err(format!(
            "the judge printed {word:?}; it must print a score from 0 to 1"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_numbers_from_0_to_1() {
        assert_eq!(parse_judge_score("0.5\n"), Ok(0.5));
        assert_eq!(parse_judge_score("\n1 perfect\n"), Ok(1.0));
        assert!(parse_judge_score("1.5").unwrap_err().contains("\"1.5\""));
        assert!(parse_judge_score("great").is_err());
        assert!(
            parse_judge_score("")
                .unwrap_err()
                .contains("printed nothing")
        );
    }

    #[test]
    fn a_failing_judge_gives_no_score() {
        let mut out = ToolOutput::ok("0.9");
        out.ending = crate::validate::ToolEnding::Exited { code: 1 };
        let j = JudgeResult::from_output(out);
        assert_eq!(j.score, None);
        assert_eq!(j.error.as_deref(), Some("the judge exited 1"));
    }
}
