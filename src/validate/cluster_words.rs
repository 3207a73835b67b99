//! What the cluster itself said during an incident: the app's log lines, event messages and
//! reasons, waiting and termination messages and reasons, as the timeline recorded them. A
//! tool that copies these into its output has surfaced evidence, not concluded anything: a
//! dump of `config file /etc/app/config.yaml not found` names no cause by itself, and
//! `Warning Unhealthy …` is kubectl's line, not a diagnosis. The category is read from what
//! is left once they are taken out ([`ClusterWords::strip`]); key facts may still be met by
//! the quoted evidence, and are reported as quoted.

use crate::timeline::{Signal, Timeline};

/// What replaces a quotation of the cluster.
pub const QUOTED: &str = "⟨quoted⟩";
/// Shorter lines are too common to be a quotation (`Error`, `OK`).
const MIN_LINE: usize = 6;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClusterWords {
    /// Whole lines and messages, longest first.
    lines: Vec<String>,
    /// Reasons (`OOMKilled`, `Unhealthy`, `CreateContainerConfigError`), taken out as
    /// whole words.
    reasons: Vec<String>,
}

impl ClusterWords {
    pub fn of(timeline: &Timeline) -> ClusterWords {
        let mut lines = Vec::new();
        let mut reasons = Vec::new();
        let add_text = |text: &str, lines: &mut Vec<String>| {
            for line in text.lines().map(str::trim).filter(|l| l.len() >= MIN_LINE) {
                lines.push(line.to_owned());
            }
        };
        for e in &timeline.entries {
            match &e.signal {
                Signal::PreviousLogs { text, .. } => add_text(text, &mut lines),
                Signal::Event {
                    reason, message, ..
                } => {
                    add_text(message, &mut lines);
                    reasons.push(reason.clone());
                }
                Signal::Waiting {
                    reason, message, ..
                } => {
                    add_text(message.as_deref().unwrap_or_default(), &mut lines);
                    reasons.push(reason.clone());
                }
                Signal::Terminated {
                    reason, message, ..
                } => {
                    add_text(message.as_deref().unwrap_or_default(), &mut lines);
                    reasons.extend(reason.clone());
                }
                _ => {}
            }
        }
        lines.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        lines.dedup();
        reasons.retain(|r| !r.is_empty());
        reasons.sort();
        reasons.dedup();
        ClusterWords { lines, reasons }
    }

    /// Whether nothing was recorded (a grade then reads the whole output).
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty() && self.reasons.is_empty()
    }

    /// `text` without what it quoted of the cluster.
    pub fn strip(&self, text: &str) -> String {
        let mut out = text.to_owned();
        // As whole words: the log line `Killed` is not the end of the tool's `OOMKilled`.
        for line in &self.lines {
            if out.contains(line.as_str()) {
                out = replace_word(&out, line, QUOTED);
            }
        }
        for reason in &self.reasons {
            out = replace_word(&out, reason, QUOTED);
        }
        out
    }
}

/// `text` with each whole-word occurrence of `word` (not inside a longer word of letters,
/// digits, `-` or `_`) replaced.
pub fn replace_word(text: &str, word: &str, with: &str) -> String {
    if word.is_empty() || !text.contains(word) {
        return text.to_owned();
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(word) {
        let before = rest[..i].chars().next_back().or(out.chars().next_back());
        let after = rest[i + word.len()..].chars().next();
        out.push_str(&rest[..i]);
        if before.is_some_and(is_word) || after.is_some_and(is_word) {
            out.push_str(word);
        } else {
            out.push_str(with);
        }
        rest = &rest[i + word.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_log_line_is_not_cut_out_of_a_longer_word() {
        let words = ClusterWords {
            lines: vec!["Killed".to_owned()],
            reasons: Vec::new(),
        };
        assert_eq!(
            words.strip("terminated (exit 137): OOMKilled\nKilled"),
            format!("terminated (exit 137): OOMKilled\n{QUOTED}")
        );
    }

    #[test]
    fn whole_words_only() {
        assert_eq!(
            replace_word("exit-1 and exit-10", "exit-1", "X"),
            "X and exit-10"
        );
        assert_eq!(replace_word("OOMKilled, oom", "oom", "X"), "OOMKilled, X");
        assert_eq!(
            replace_word("crashlab-oom-x7k2p", "oom", "X"),
            "crashlab-oom-x7k2p"
        );
    }
}
