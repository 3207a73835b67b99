//! Regular expressions of scenario files: how they match and how they are shown.

use regex::{Regex, RegexBuilder};

/// Compiles a scenario pattern. Patterns are searched for anywhere in the text (not
/// anchored); `^` and `$` also match at line boundaries, so a log line can be anchored.
pub fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern).multi_line(true).build()
}

/// Whether `text` matches `pattern`; the error says why the pattern is invalid.
pub fn matches(pattern: &str, text: &str) -> Result<bool, String> {
    compile(pattern).map(|re| re.is_match(text)).map_err(|e| {
        format!(
            "invalid pattern /{pattern}/: {}",
            first_line(&e.to_string())
        )
    })
}

/// Checks that a pattern compiles; the error says why it does not. Checks call this first,
/// so a broken pattern fails at once instead of waiting for text to match against.
pub fn validate(pattern: &str) -> Result<(), String> {
    matches(pattern, "").map(|_| ())
}

/// A pattern as shown to people: `/pattern/`.
pub fn show(pattern: &str) -> String {
    format!("/{pattern}/")
}

/// Text quoted for a person: first line only, at most `max` characters, in “quotes”.
pub fn quote(text: &str, max: usize) -> String {
    let line = first_line(text);
    let more = line.len() < text.trim_end().len();
    let mut out: String = line.chars().take(max).collect();
    if more || line.chars().count() > max {
        out.push('…');
    }
    format!("“{out}”")
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("").trim_end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_searched_not_anchored() {
        let msg = "Back-off restarting failed container app in pod oom_ns(uid)";
        assert_eq!(matches("restarting failed container", msg), Ok(true));
        assert_eq!(matches("^Back-off", msg), Ok(true));
        assert_eq!(matches("^restarting", msg), Ok(false));
        assert_eq!(
            matches(r"back-off \d+s", "back-off 10s restarting failed"),
            Ok(true)
        );
    }

    #[test]
    fn anchors_match_at_line_boundaries() {
        let logs = "starting\nallocating 64 MiB\npanic: out of memory\n";
        assert_eq!(matches("^panic: out of memory$", logs), Ok(true));
        assert_eq!(matches("^allocating", logs), Ok(true));
        assert_eq!(matches("^memory", logs), Ok(false));
    }

    #[test]
    fn invalid_pattern_says_which() {
        let err = matches("exit (1", "exit 1").unwrap_err();
        assert!(err.starts_with("invalid pattern /exit (1/: "), "{err}");
        assert!(!err.contains('\n'), "{err}");
    }

    #[test]
    fn quote_keeps_the_first_line_and_marks_cuts() {
        assert_eq!(quote("hello", 10), "“hello”");
        assert_eq!(quote("hello world", 5), "“hello…”");
        assert_eq!(quote("first\nsecond", 80), "“first…”");
        assert_eq!(quote("only\n", 80), "“only”");
        assert_eq!(show("a.b"), "/a.b/");
    }
}
