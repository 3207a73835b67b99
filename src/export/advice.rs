//! Wrong advice as k8s-ai-bench's `expect[].notContains`: a ground truth's wrong-answer
//! patterns, matched only where the answer *gives* the advice, not where it rules it out.
//!
//! The patterns of a wrong answer (`(increase|raise|…) (the )?memory`) also match a right
//! answer that rejects it: "do not increase memory", "Kubernetes will not restart the
//! container". Go's RE2 has no look-behind to exclude a preceding "not", so the advice must
//! instead follow a place where a recommendation starts: the start of a line, sentence,
//! bullet or label (`Fix: `, `- `, `1. `, `**`), or a modal that recommends (`should`,
//! `must`, `can`, `could`, `please`, `then`, `so`), optionally through `just`, `simply`,
//! `also`, `first`, `temporarily`. A negation between them ("should not increase", "don't
//! just increase") breaks the match. Advice in other positions ("I'd suggest you increase…")
//! then goes unpenalised: a `notContains` that fails a correct answer costs more than one
//! that misses some wrong ones.

use crate::scenario::KeyFact;

/// Where a recommendation may start (multi-line mode: `^` is any line's start).
const OPENING: &str = r"(?:^|[.!?:;*>#-]\s*|\b(?:should|must|can|could|please|then|so)\s+)(?:(?:just|simply|also|first|then|temporarily)\s+)*";

/// The wrong answer's patterns, matched as advice only.
pub fn pattern(fact: &KeyFact) -> String {
    format!("(?im){OPENING}(?:{})", fact.any_of.join("|"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raise_memory() -> regex::Regex {
        let fact = KeyFact {
            name: "raise the memory limit".into(),
            any_of: vec![
                r"(increase|raise|bump|double|more) (the )?(memory|limits\.memory)".into(),
            ],
        };
        regex::Regex::new(&pattern(&fact)).unwrap()
    }

    #[test]
    fn advice_is_caught_where_a_recommendation_starts() {
        let re = raise_memory();
        for text in [
            "Increase the memory limit to 128Mi.",
            "Fix: increase memory (set limits.memory to 512Mi).",
            "The app crashes. Raise the memory limit.",
            "- bump the memory\n",
            "1. Double the memory",
            "**Fix:** increase the memory limit",
            "You should increase the memory limit.",
            "You can simply raise the memory limit.",
            "Check the logs, then increase memory.",
        ] {
            assert!(re.is_match(text), "{text}");
        }
    }

    #[test]
    fn advice_ruled_out_is_not_caught() {
        let re = raise_memory();
        for text in [
            "Do not increase memory.",
            "Don't just increase the memory limit: it leaks.",
            "You should not increase the memory limit.",
            "There is no need to raise the memory limit.",
            "Increasing the memory limit would not help.",
            "It would not help to increase memory.",
            "Rather than increase the memory, fix the leak.",
            "I would not raise the memory limit.",
        ] {
            assert!(!re.is_match(text), "{text}");
        }
    }
}
