//! Reading an application's last log lines the way a person skims them: find the line that
//! explains the exit, and what kind of failure it describes. A runtime's crash report (a
//! Python traceback, a Go panic, a Java stack trace with its `Caused by:` chain, V8's fatal
//! error) is read as a whole: its headline, or its root cause, is the line that explains it.

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
    /// A configuration file is there but does not parse: its path and the line number, when
    /// the line names them.
    BadConfig {
        file: Option<String>,
        line: Option<String>,
    },
    /// The address the app wants to listen on is taken (`host:port`, when named).
    PortInUse(Option<String>),
    /// A write failed because the file system is read-only (the path, when named).
    ReadOnlyFs(Option<String>),
    /// A connection to a dependency failed; `target` is `host:port` when named, `name` the
    /// dependency's name when the line gives one (`could not connect to postgres at ...`).
    Connection {
        target: Option<String>,
        name: Option<String>,
    },
    /// The program's SQL does not match the database's schema: a migration or query expects
    /// a table or column that is not there (`relation "customers"`), in the migration named.
    Schema {
        object: String,
        migration: Option<String>,
    },
    /// A crash of the program itself: panic, uncaught exception, failed assertion,
    /// segmentation fault.
    Crash,
    /// The language runtime hit its own heap limit (V8's `--max-old-space-size`, the JVM's
    /// `-Xmx`): the program ran out of the memory its runtime allows, whatever the container's
    /// limit.
    HeapLimit,
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
            LineKind::MissingEnv(_)
            | LineKind::MissingFile(_)
            | LineKind::BadConfig { .. }
            | LineKind::PortInUse(_)
            | LineKind::ReadOnlyFs(_) => Some(Category::MissingConfig),
            LineKind::Connection { .. } => Some(Category::DependencyDown),
            LineKind::Crash | LineKind::Schema { .. } => Some(Category::CodeBug),
            LineKind::HeapLimit | LineKind::OutOfMemory => Some(Category::ResourceLimits),
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

/// Case-sensitive: exception class names are CamelCase.
fn re_exact(pattern: &str) -> Regex {
    Regex::new(pattern).expect("built-in pattern")
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
/// Python's wording: `[Errno 2] No such file or directory: '/etc/app/settings.toml'`.
static NO_SUCH_FILE_2: LazyLock<Regex> =
    LazyLock::new(|| re(r#"no such file or directory:\s+["'`]?(/[^"'`\s]+)"#));
static READ_ONLY: LazyLock<Regex> =
    LazyLock::new(|| re(r"read-only file ?system|\bEROFS\b|os error 30\b"));
static PATH: LazyLock<Regex> = LazyLock::new(|| re(r#"["'`]?(/[\w.@+-]+(?:/[\w.@+-]+)*)"#));
static PORT_IN_USE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"address already in use|\bEADDRINUSE\b|port \d+ is already (?:in use|allocated)")
});
static CONNECTION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"connection refused|econnrefused|could not connect|couldn't connect|cannot connect to|failed to connect|unable to connect|cannot reach|could not reach|unable to reach|connection timed out|no route to host|i/o timeout|could not resolve|no such host|name or service not known|temporary failure in name resolution|dial tcp|connectexception|unknownhostexception",
    )
});
static HOST_PORT: LazyLock<Regex> = LazyLock::new(|| {
    re(r"\b((?:\d{1,3}\.){3}\d{1,3}|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?):(\d{1,5})\b")
});
static DEPENDENCY_NAME: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:connect(?:ing)? to|reach(?:ing)?)\s+([a-z][a-z0-9-]*(?: [a-z][a-z0-9-]*)?)\s+(?:at|on)\b",
    )
});
/// A parse error: a parsing word, a configuration file, and an error.
static BAD_CONFIG: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\bpars(?:e|ing|er)\b|\bsyntax\b|\bmalformed\b|\binvalid (?:yaml|json|toml|config\w*|syntax|line)\b|\bunmarshal\w*\b|\b(?:yaml|json|toml): line \d+|\bmapping values are not allowed\b|\bcould not find expected\b",
    )
});
static CONFIG_FILE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\bconfig\w*|\bsettings\b|\.(?:ya?ml|json|toml|ini|conf|cfg|properties)\b|\b(?:yaml|json|toml):",
    )
});
static CONFIG_PATH: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"["'`]?((?:/[\w.@+-]+)+\.(?:ya?ml|json|toml|ini|conf|cfg|properties)|/[\w.@+-]*(?:/[\w.@+-]+)*/config[\w.-]*)\b"#,
    )
});
static LINE_NUMBER: LazyLock<Regex> = LazyLock::new(|| re(r"\bline (\d+)\b"));
static CRASH: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"panicked at|^panic: |^fatal error: |traceback \(most recent call last\)|unhandled exception|uncaught exception|exception in thread|^caused by: |segmentation fault|sigsegv|nullpointerexception|nil pointer dereference|stack overflow|assertion failed|assertion .{1,200} failed",
    )
});
/// Lines that only say a crash happened, after the line that says which: the shell's report
/// of a signal, a traceback's or a goroutine dump's header, Go's fault line.
static CRASH_TRAILER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:aborted|segmentation fault|bus error|illegal instruction|floating point exception)(?: \(core dumped\))?$|traceback \(most recent call last\)|\bgoroutine \d+ \[|^\[signal sig\w+",
    )
});
static SCHEMA: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"\b((?:relation|table|column|index|constraint|type|function) ["'`]?[\w.]+["'`]?)(?: of relation ["'`]?[\w.]+["'`]?)? (?:does not exist|doesn't exist|not found)|\bno such (table|column): ([\w.]+)|\bunknown column ['"`]?([\w.]+)"#,
    )
});
static MIGRATION: LazyLock<Regex> = LazyLock::new(|| re(r"\bmigration ([\w.-]+)"));
static HEAP_LIMIT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"javascript heap out of memory|reached heap limit|outofmemoryerror: (?:java heap space|gc overhead)",
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

/// `KeyError: 'DATABASE_URL'`, `psycopg2.OperationalError: ...`: the exception line that ends a
/// Python traceback (also a bare `KeyboardInterrupt`).
static PY_EXCEPTION: LazyLock<Regex> = LazyLock::new(|| {
    re_exact(
        r"^(?:[a-z_][\w]*\.)*([A-Z]\w*(?:Error|Exception|Exit|Interrupt|Warning))(?::\s*(.*))?$",
    )
});
/// A Java exception line (`java.lang.IllegalStateException: ...`), also after `Caused by: `
/// or `Exception in thread "main" `.
static JAVA_EXCEPTION: LazyLock<Regex> = LazyLock::new(|| {
    re_exact(
        r#"^(?:Exception in thread "[^"]*" |Caused by: )?((?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable))(?::\s*(.*))?$"#,
    )
});
/// An environment variable name, as `os.environ["X"]` reads it.
static ENV_NAME: LazyLock<Regex> = LazyLock::new(|| re_exact(r#"^['"]([A-Z_][A-Z0-9_]*)['"]$"#));

/// What `line` says, if anything.
pub fn classify(line: &str) -> Option<LineKind> {
    let line = line.trim();
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
    if let Some(c) = NO_SUCH_FILE
        .captures(line)
        .or_else(|| NO_SUCH_FILE_2.captures(line))
    {
        return Some(LineKind::MissingFile(Some(c[1].to_owned())));
    }
    if READ_ONLY.is_match(line) {
        let path = PATH.captures(line).map(|c| c[1].to_owned());
        return Some(LineKind::ReadOnlyFs(path));
    }
    if PORT_IN_USE.is_match(line) {
        let address = HOST_PORT
            .captures_iter(line)
            .last()
            .map(|c| format!("{}:{}", &c[1], &c[2]))
            .or_else(|| {
                Regex::new(r"port (\d+)")
                    .ok()?
                    .captures(line)
                    .map(|c| format!(":{}", &c[1]))
            });
        return Some(LineKind::PortInUse(address));
    }
    // Before crashes: a panic on a refused connection is the dependency's fault first.
    if CONNECTION.is_match(line) {
        let target = HOST_PORT
            .captures(line)
            .map(|c| format!("{}:{}", &c[1], &c[2]));
        let name = DEPENDENCY_NAME.captures(line).map(|c| c[1].to_owned());
        return Some(LineKind::Connection { target, name });
    }
    if BAD_CONFIG.is_match(line) && CONFIG_FILE.is_match(line) && !CRASH.is_match(line) {
        return Some(LineKind::BadConfig {
            file: CONFIG_PATH.captures(line).map(|c| c[1].to_owned()),
            line: LINE_NUMBER.captures(line).map(|c| c[1].to_owned()),
        });
    }
    if let Some(c) = SCHEMA.captures(line) {
        let object = c
            .get(1)
            .map(|m| m.as_str().to_owned())
            .or_else(|| Some(format!("{} {}", c.get(2)?.as_str(), c.get(3)?.as_str())))
            .or_else(|| c.get(4).map(|m| format!("column {}", m.as_str())))
            .unwrap_or_default();
        let migration = MIGRATION
            .captures(line)
            .map(|m| m[1].to_owned())
            .filter(|m| m != "failed");
        return Some(LineKind::Schema { object, migration });
    }
    if HEAP_LIMIT.is_match(line) {
        return Some(LineKind::HeapLimit);
    }
    if CRASH.is_match(line) || CRASH_TRAILER.is_match(line) {
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

/// The runtime whose crash report the logs end with, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    Python,
    Go,
    Java,
    Node,
}

impl Runtime {
    pub fn name(self) -> &'static str {
        match self {
            Runtime::Python => "Python",
            Runtime::Go => "Go",
            Runtime::Java => "Java",
            Runtime::Node => "Node.js",
        }
    }
}

/// A runtime's crash report found in the logs: which runtime, the line that explains it (the
/// exception, the panic, the root cause) and what that line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrashReport {
    pub runtime: Runtime,
    /// Index of the explaining line.
    pub line: usize,
    pub kind: LineKind,
    /// The report's first line (the exception thrown, when the explaining line is its root
    /// cause), when it differs from the explaining line.
    pub headline: Option<usize>,
}

/// The crash report the logs end with: the last one, read as a whole.
pub fn crash_report(lines: &[&str]) -> Option<CrashReport> {
    [
        python_report(lines),
        go_report(lines),
        java_report(lines),
        node_report(lines),
    ]
    .into_iter()
    .flatten()
    .max_by_key(|r| r.line)
}

fn python_report(lines: &[&str]) -> Option<CrashReport> {
    let start = lines
        .iter()
        .rposition(|l| l.contains("Traceback (most recent call last)"))?;
    let (offset, caps) = lines[start + 1..].iter().enumerate().find_map(|(i, l)| {
        if l.starts_with([' ', '\t']) {
            return None;
        }
        PY_EXCEPTION.captures(l.trim()).map(|c| (i, c))
    })?;
    let index = start + 1 + offset;
    let exception = caps.get(1).map_or("", |m| m.as_str());
    let message = caps.get(2).map_or("", |m| m.as_str()).trim();
    let frames = &lines[start..index];
    let reads_environ = frames
        .iter()
        .any(|l| l.contains("os.environ") || l.contains("<frozen os>") || l.contains("getenv"));
    let kind = match (exception, ENV_NAME.captures(message)) {
        ("KeyError", Some(name)) if reads_environ => LineKind::MissingEnv(name[1].to_owned()),
        _ => match classify(lines[index]) {
            Some(k) if k.category().is_some() && k != LineKind::Crash => k,
            _ => LineKind::Crash,
        },
    };
    Some(CrashReport {
        runtime: Runtime::Python,
        line: index,
        kind,
        headline: None,
    })
}

fn go_report(lines: &[&str]) -> Option<CrashReport> {
    let index = lines
        .iter()
        .rposition(|l| l.starts_with("panic: ") || l.starts_with("fatal error: "))?;
    // A Go panic is followed by its goroutine dump; a line that merely starts with "panic: "
    // elsewhere is not a Go crash.
    let dump = lines[index..]
        .iter()
        .any(|l| l.starts_with("goroutine ") || l.starts_with("[signal "));
    if !dump {
        return None;
    }
    let kind = match classify(lines[index]) {
        Some(k @ LineKind::Connection { .. }) => k,
        Some(k @ LineKind::MissingEnv(_)) | Some(k @ LineKind::MissingFile(_)) => k,
        _ => LineKind::Crash,
    };
    Some(CrashReport {
        runtime: Runtime::Go,
        line: index,
        kind,
        headline: None,
    })
}

fn java_report(lines: &[&str]) -> Option<CrashReport> {
    // The exception thrown: a line naming an exception class, followed by a stack frame.
    let is_frame = |l: &str| l.trim_start().starts_with("at ");
    let top = lines.iter().enumerate().rposition(|(i, l)| {
        !l.starts_with("Caused by: ")
            && JAVA_EXCEPTION.is_match(l.trim())
            && lines.get(i + 1).is_some_and(|n| is_frame(n))
    })?;
    // Its root cause: the last `Caused by:` of the chain.
    let mut root = top;
    for (i, l) in lines.iter().enumerate().skip(top + 1) {
        let t = l.trim();
        if t.starts_with("Caused by: ") {
            root = i;
        } else if !(is_frame(t) || t.starts_with("...") || t.starts_with("Suppressed: ")) {
            break;
        }
    }
    let kind_of = |i: usize| classify(lines[i]).filter(|k| k.category().is_some());
    let kind = match (kind_of(root), kind_of(top)) {
        (
            Some(LineKind::Connection { target, name }),
            Some(LineKind::Connection {
                target: top_target,
                name: top_name,
            }),
        ) => LineKind::Connection {
            target: target.or(top_target),
            name: name.or(top_name),
        },
        (Some(k), _) if k != LineKind::Crash => k,
        (_, Some(k)) if k != LineKind::Crash => k,
        _ => LineKind::Crash,
    };
    Some(CrashReport {
        runtime: Runtime::Java,
        line: root,
        kind,
        headline: (root != top).then_some(top),
    })
}

fn node_report(lines: &[&str]) -> Option<CrashReport> {
    let index = lines.iter().rposition(|l| l.starts_with("FATAL ERROR: "))?;
    let kind = match classify(lines[index]) {
        Some(LineKind::HeapLimit) => LineKind::HeapLimit,
        _ => LineKind::Crash,
    };
    Some(CrashReport {
        runtime: Runtime::Node,
        line: index,
        kind,
        headline: None,
    })
}

/// The line that explains the exit: the explaining line of a crash report the logs end with,
/// else the last one that names a cause (a line that only reports a crash, such as the shell's
/// `Aborted (core dumped)`, counts only when no line says more), else the last error, else
/// `None`. (stdout and stderr interleave, so it is not always the last line.)
pub fn key_line(lines: &[&str]) -> Option<(usize, LineKind)> {
    if let Some(report) = crash_report(lines) {
        return Some((report.line, report.kind));
    }
    let classified: Vec<(usize, LineKind)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| classify(l).map(|k| (i, k)))
        .collect();
    let trailer = |i: usize| CRASH_TRAILER.is_match(lines[i].trim());
    classified
        .iter()
        .rev()
        .find(|(i, k)| k.category().is_some() && !trailer(*i))
        .or_else(|| {
            classified
                .iter()
                .rev()
                .find(|(_, k)| k.category().is_some())
        })
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
            (
                "error: listen tcp 0.0.0.0:8080: bind: address already in use (os error 98)",
                Some(LineKind::PortInUse(Some("0.0.0.0:8080".into()))),
            ),
            (
                "error: mkdir /var/lib/app: read-only file system (os error 30)",
                Some(LineKind::ReadOnlyFs(Some("/var/lib/app".into()))),
            ),
            (
                r#"error: parsing /etc/app/config.yaml: line 3: expected "key: value", found "port 8080""#,
                Some(LineKind::BadConfig {
                    file: Some("/etc/app/config.yaml".into()),
                    line: Some("3".into()),
                }),
            ),
            (
                "yaml: line 7: mapping values are not allowed in this context",
                Some(LineKind::BadConfig {
                    file: None,
                    line: Some("7".into()),
                }),
            ),
            (
                r#"error: migration 0042_add_orders failed: relation "customers" does not exist"#,
                Some(LineKind::Schema {
                    object: r#"relation "customers""#.into(),
                    migration: Some("0042_add_orders".into()),
                }),
            ),
            (
                "error: cannot reach log collector at fluentd:24224: connection refused",
                Some(LineKind::Connection {
                    target: Some("fluentd:24224".into()),
                    name: Some("log collector".into()),
                }),
            ),
            (
                "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
                Some(LineKind::HeapLimit),
            ),
            (
                "app: src/cache/lru.c:214: lru_evict: Assertion `entry->refcount > 0' failed.",
                Some(LineKind::Crash),
            ),
            ("loading configuration from /etc/app/config.yaml", None),
            ("warming caches before serving traffic", None),
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

    #[test]
    fn crash_reports_are_read_as_a_whole() {
        // Python: the exception line; a KeyError of os.environ is a missing variable.
        let python = [
            "starting app v1.4.2",
            "Traceback (most recent call last):",
            r#"  File "/app/settings.py", line 17, in load_settings"#,
            r#"    database_url = os.environ["DATABASE_URL"]"#,
            r#"  File "<frozen os>", line 714, in __getitem__"#,
            "KeyError: 'DATABASE_URL'",
        ];
        let r = crash_report(&python).unwrap();
        assert_eq!(
            (r.runtime, r.line, r.kind),
            (
                Runtime::Python,
                5,
                LineKind::MissingEnv("DATABASE_URL".into())
            )
        );
        // Go: the panic line, not the goroutine dump after it.
        let go = [
            "panic: runtime error: invalid memory address or nil pointer dereference",
            "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x6f8e2d]",
            "",
            "goroutine 1 [running]:",
            "main.main()",
        ];
        assert_eq!(key_line(&go), Some((0, LineKind::Crash)));
        // Java: the root cause, with the address the exception thrown names.
        let java = [
            r#"Exception in thread "main" java.lang.IllegalStateException: Could not connect to database at postgres:5432"#,
            "\tat com.acme.app.Application.main(Application.java:31)",
            "Caused by: java.net.ConnectException: Connection refused",
            "\tat java.base/sun.nio.ch.Net.pollConnect(Native Method)",
            "\t... 2 more",
        ];
        let r = crash_report(&java).unwrap();
        assert_eq!(r.line, 2);
        assert_eq!(r.headline, Some(0));
        assert_eq!(
            r.kind,
            LineKind::Connection {
                target: Some("postgres:5432".into()),
                name: Some("database".into())
            }
        );
        // The shell's report of the signal says less than the assertion before it.
        let abort = [
            "app: src/cache/lru.c:214: lru_evict: Assertion `entry->refcount > 0' failed.",
            "Aborted (core dumped)",
        ];
        assert_eq!(key_line(&abort), Some((0, LineKind::Crash)));
        assert_eq!(crash_report(&["panic: not go, no dump"]), None);
    }
}
