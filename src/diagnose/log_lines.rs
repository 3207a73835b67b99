//! Reading an application's last log lines the way a person skims them: find the line that
//! explains the exit, and what kind of failure it describes.

use std::sync::LazyLock;

use regex::{Regex, RegexBuilder};

use crate::scenario::Category;

/// What one log line says about the failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineKind {
    /// A required environment variable is not set (its name).
    MissingEnv(String),
    /// A configuration file is missing (its path, when the line names one).
    MissingFile(Option<String>),
    /// A connection to a dependency failed; `target` is `host:port` when named, `name` the
    /// dependency's name when the line gives one (`could not connect to postgres at ...`).
    Connection {
        target: Option<String>,
        name: Option<String>,
    },
    /// A crash of the program itself: panic, stack trace, segmentation fault.
    Crash,
    /// The program ran out of memory by its own account.
    OutOfMemory,
    /// The program says it received SIGTERM and is stopping.
    GotSigterm,
    /// The program says it ignores SIGTERM.
    IgnoresSigterm,
    /// An error of another kind.
    OtherError,
}

impl LineKind {
    pub fn category(&self) -> Option<Category> {
        match self {
            LineKind::MissingEnv(_) | LineKind::MissingFile(_) => Some(Category::MissingConfig),
            LineKind::Connection { .. } => Some(Category::DependencyDown),
            LineKind::Crash => Some(Category::CodeBug),
            LineKind::OutOfMemory => Some(Category::ResourceLimits),
            LineKind::GotSigterm | LineKind::IgnoresSigterm | LineKind::OtherError => None,
        }
    }
}

fn re(pattern: &str) -> Regex {
    RegexBuilder::new(pattern)
        .case_insensitive(true)
        .build()
        .expect("built-in pattern")
}

static MISSING_ENV: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?:environment variable|env var(?:iable)?)s?:?\s+["'`]?([A-Z_][A-Z0-9_]*)["'`]?\s+(?:is\s+)?(?:not set|unset|missing|empty|not defined|required)"#,
    )
});
static MISSING_ENV_2: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"missing (?:required )?(?:environment variable|env var(?:iable)?)s?:?\s+["'`]?([A-Z_][A-Z0-9_]*)"#,
    )
});
static MISSING_FILE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?:config(?:uration)?|settings)(?: file)?\s+["'`]?(/\S*?|\S+\.(?:ya?ml|json|toml|ini|conf|properties))?["'`]?:?\s+(?:not found|does not exist|is missing|missing|no such file)"#,
    )
});
static NO_SUCH_FILE: LazyLock<Regex> = LazyLock::new(|| {
    re(r#"(?:open |read |stat )?["'`]?(/\S+?)["'`]?:\s+no such file or directory"#)
});
static CONNECTION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"connection refused|econnrefused|could not connect|couldn't connect|cannot connect to|failed to connect|unable to connect|connection timed out|no route to host|i/o timeout|could not resolve|no such host|name or service not known|temporary failure in name resolution|dial tcp",
    )
});
static HOST_PORT: LazyLock<Regex> = LazyLock::new(|| {
    re(r"\b((?:\d{1,3}\.){3}\d{1,3}|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?):(\d{1,5})\b")
});
static DEPENDENCY_NAME: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:connect(?:ing)? to|reach(?:ing)?)\s+([a-z][a-z0-9-]*)\s+(?:at|on)\b"));
static CRASH: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"panicked at|^panic:|\bgoroutine \d+ \[|traceback \(most recent call last\)|unhandled exception|uncaught exception|exception in thread|segmentation fault|sigsegv|nullpointerexception|nil pointer dereference|stack overflow|assertion failed",
    )
});
static OUT_OF_MEMORY: LazyLock<Regex> = LazyLock::new(|| {
    re(r"out of memory|cannot allocate memory|outofmemoryerror|memoryerror|could not allocate")
});
static GOT_SIGTERM: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:received|got|caught|handling) (?:signal )?(?:sigterm|terminated)"));
static IGNORES_SIGTERM: LazyLock<Regex> = LazyLock::new(|| re(r"ignor\w* sigterm"));
static ERROR: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b(?:error|fatal|failed|failure|exception|refused)\b"));

/// What `line` says, if anything.
pub fn classify(line: &str) -> Option<LineKind> {
    if let Some(c) = MISSING_ENV
        .captures(line)
        .or_else(|| MISSING_ENV_2.captures(line))
    {
        return Some(LineKind::MissingEnv(c[1].to_owned()));
    }
    if let Some(c) = MISSING_FILE.captures(line) {
        return Some(LineKind::MissingFile(
            c.get(1).map(|m| m.as_str().to_owned()),
        ));
    }
    if let Some(c) = NO_SUCH_FILE.captures(line) {
        return Some(LineKind::MissingFile(Some(c[1].to_owned())));
    }
    // Before crashes: a panic on a refused connection is the dependency's fault first.
    if CONNECTION.is_match(line) {
        let target = HOST_PORT
            .captures(line)
            .map(|c| format!("{}:{}", &c[1], &c[2]));
        let name = DEPENDENCY_NAME.captures(line).map(|c| c[1].to_owned());
        return Some(LineKind::Connection { target, name });
    }
    if CRASH.is_match(line) {
        return Some(LineKind::Crash);
    }
    if OUT_OF_MEMORY.is_match(line) {
        return Some(LineKind::OutOfMemory);
    }
    if IGNORES_SIGTERM.is_match(line) {
        return Some(LineKind::IgnoresSigterm);
    }
    if GOT_SIGTERM.is_match(line) {
        return Some(LineKind::GotSigterm);
    }
    if ERROR.is_match(line) {
        return Some(LineKind::OtherError);
    }
    None
}

/// The line that explains the exit: the last one that names a cause, else the last error,
/// else `None`. (stdout and stderr interleave, so it is not always the last line.)
pub fn key_line(lines: &[&str]) -> Option<(usize, LineKind)> {
    let classified: Vec<(usize, LineKind)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| classify(l).map(|k| (i, k)))
        .collect();
    classified
        .iter()
        .rev()
        .find(|(_, k)| k.category().is_some())
        .or_else(|| {
            classified
                .iter()
                .rev()
                .find(|(_, k)| *k == LineKind::OtherError)
        })
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_from_the_catalogue_and_elsewhere() {
        let cases: &[(&str, Option<LineKind>)] = &[
            (
                "fatal: config file /etc/app/config.yaml not found",
                Some(LineKind::MissingFile(Some("/etc/app/config.yaml".into()))),
            ),
            (
                "error: required environment variable DATABASE_URL is not set; cannot connect to database",
                Some(LineKind::MissingEnv("DATABASE_URL".into())),
            ),
            (
                "error: could not connect to postgres at 10.96.194.96:5432: connection refused (os error 111)",
                Some(LineKind::Connection {
                    target: Some("10.96.194.96:5432".into()),
                    name: Some("postgres".into()),
                }),
            ),
            (
                "dial tcp 10.0.0.1:6379: connect: connection refused",
                Some(LineKind::Connection {
                    target: Some("10.0.0.1:6379".into()),
                    name: None,
                }),
            ),
            (
                "open /config/app.toml: no such file or directory",
                Some(LineKind::MissingFile(Some("/config/app.toml".into()))),
            ),
            (
                "thread 'main' panicked at src/main.rs:3:5:",
                Some(LineKind::Crash),
            ),
            ("Traceback (most recent call last):", Some(LineKind::Crash)),
            (
                "received SIGTERM, shutting down",
                Some(LineKind::GotSigterm),
            ),
            (
                "graceful shutdown disabled: ignoring SIGTERM",
                Some(LineKind::IgnoresSigterm),
            ),
            ("allocated 56 MiB", None),
            ("starting app v1.4.2", None),
            (
                "request failed: upstream said no",
                Some(LineKind::OtherError),
            ),
        ];
        for (line, want) in cases {
            assert_eq!(&classify(line), want, "{line}");
        }
    }

    #[test]
    fn the_key_line_is_the_last_that_names_a_cause() {
        // As recorded (exit-1): stderr's fatal line came out first.
        let lines = [
            "fatal: config file /etc/app/config.yaml not found",
            "starting app v1.4.2",
            "loading configuration",
        ];
        assert_eq!(key_line(&lines).map(|(i, _)| i), Some(0));
        assert_eq!(key_line(&["allocated 8 MiB", "allocated 16 MiB"]), None);
        assert_eq!(
            key_line(&["error: x", "fine"]),
            Some((0, LineKind::OtherError))
        );
    }
}
