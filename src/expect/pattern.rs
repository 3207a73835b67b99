//! Regular expressions of scenario files: how they match and how they are shown.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use regex::{Regex, RegexBuilder};

/// Compiles a scenario pattern. Patterns are searched for anywhere in the text (not
/// anchored); `^` and `$` also match at line boundaries, so a log line can be anchored.
pub fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    cached(pattern, Flags::MULTI_LINE)
}

/// How a pattern is compiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Flags {
    pub multi_line: bool,
    pub case_insensitive: bool,
}

impl Flags {
    /// As `Regex::new`.
    pub const PLAIN: Flags = Flags {
        multi_line: false,
        case_insensitive: false,
    };
    /// Scenario patterns ([`compile`]).
    pub const MULTI_LINE: Flags = Flags {
        multi_line: true,
        case_insensitive: false,
    };
    /// Ground-truth patterns, matched against a tool's words.
    pub const CASE_INSENSITIVE: Flags = Flags {
        multi_line: false,
        case_insensitive: true,
    };
}

/// Patterns compiled so far, by text and flags. The same few patterns are matched again and
/// again (each scenario check after every observation, each key fact against every answer),
/// and compiling one that is case-insensitive costs milliseconds: its Unicode classes are
/// case-folded (measured: three quarters of a grading test's time went there).
static CACHE: LazyLock<Mutex<HashMap<(String, Flags), Regex>>> = LazyLock::new(Mutex::default);
/// More patterns than any catalogue and ground truth have; past it the cache starts again.
const CACHE_MAX: usize = 4096;

/// `pattern` compiled with `flags`, once per process ([`Regex`] clones share the compiled
/// program). Invalid patterns are not kept.
pub fn cached(pattern: &str, flags: Flags) -> Result<Regex, regex::Error> {
    let key = (pattern.to_owned(), flags);
    if let Some(re) = CACHE.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return Ok(re.clone());
    }
    let re = RegexBuilder::new(pattern)
        .multi_line(flags.multi_line)
        .case_insensitive(flags.case_insensitive)
        .build()?;
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    if cache.len() >= CACHE_MAX {
        cache.clear();
    }
    cache.insert(key, re.clone());
    Ok(re)
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
