//! Progress of the slow preparation steps of every provider (downloads, the Kubernetes build,
//! kind's node image). The steps only report what happens; implementations of [`Progress`]
//! decide how it looks.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// Receives the progress of a preparation step.
pub trait Progress {
    /// A step starts: "building Kubernetes v1.34.4 from Go modules".
    fn step(&mut self, what: &str);
    /// The current step is still running: time since it started and its latest output
    /// (a package being compiled, bytes downloaded). Called often; throttle in the sink.
    fn running(&mut self, elapsed: Duration, latest: &str);
    /// The current step finished.
    fn done(&mut self, summary: &str, elapsed: Duration);
    /// A remark between steps: "release host https://dl.k8s.io/release not reachable (connection
    /// refused); building Kubernetes v1.34.4 from Go modules".
    fn note(&mut self, message: &str);
}

/// Shows nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct Quiet;

impl Progress for Quiet {
    fn step(&mut self, _: &str) {}
    fn running(&mut self, _: Duration, _: &str) {}
    fn done(&mut self, _: &str, _: Duration) {}
    fn note(&mut self, _: &str) {}
}

/// Plain lines, for logs and CI: one line per step, then a "still running" line at most every
/// `interval` (30 s by default), so a 6-minute build shows it is alive without flooding.
pub struct Lines<W: Write> {
    out: W,
    interval: Duration,
    last_line: Option<Instant>,
}

impl<W: Write> Lines<W> {
    pub fn new(out: W) -> Self {
        Self {
            out,
            interval: Duration::from_secs(30),
            last_line: None,
        }
    }

    pub fn with_interval(out: W, interval: Duration) -> Self {
        Self {
            out,
            interval,
            last_line: None,
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

// Progress output is best effort: a closed stderr must not fail the build it describes.
impl<W: Write> Progress for Lines<W> {
    fn step(&mut self, what: &str) {
        let _ = writeln!(self.out, "==> {what}");
        self.last_line = Some(Instant::now());
    }

    fn running(&mut self, elapsed: Duration, latest: &str) {
        let due = self.last_line.is_none_or(|t| t.elapsed() >= self.interval);
        if due {
            let _ = writeln!(self.out, "    {}  {latest}", format_elapsed(elapsed));
            self.last_line = Some(Instant::now());
        }
    }

    fn done(&mut self, summary: &str, elapsed: Duration) {
        let _ = writeln!(self.out, "    {summary} ({})", format_elapsed(elapsed));
    }

    fn note(&mut self, message: &str) {
        let _ = writeln!(self.out, "    {message}");
    }
}

/// A spinner on the terminal with the step, its elapsed time and the latest output.
pub struct Spinner {
    bar: Option<ProgressBar>,
    what: String,
}

impl Spinner {
    pub fn new() -> Self {
        Self {
            bar: None,
            what: String::new(),
        }
    }
}

impl Default for Spinner {
    fn default() -> Self {
        Self::new()
    }
}

impl Progress for Spinner {
    fn step(&mut self, what: &str) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix} [{elapsed}] {wide_msg}")
                .expect("valid template"),
        );
        bar.set_prefix(what.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        self.bar = Some(bar);
        self.what = what.to_string();
    }

    fn running(&mut self, _elapsed: Duration, latest: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(latest.to_string());
        }
    }

    fn done(&mut self, summary: &str, elapsed: Duration) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        eprintln!("✓ {}: {summary} ({})", self.what, format_elapsed(elapsed));
    }

    fn note(&mut self, message: &str) {
        match &self.bar {
            Some(bar) => bar.println(format!("  {message}")),
            None => eprintln!("  {message}"),
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

/// A spinner when stderr is a terminal and `styled` (the caller's colour decision for stderr:
/// `--color`, `NO_COLOR`), plain lines otherwise.
pub fn stderr(styled: bool) -> Box<dyn Progress> {
    if std::io::stderr().is_terminal() && styled {
        Box::new(Spinner::new())
    } else {
        Box::new(Lines::new(std::io::stderr()))
    }
}

/// `42s`, `5m42s`, `1h02m05s`.
pub fn format_elapsed(d: Duration) -> String {
    let s = d.as_secs();
    match (s / 3600, s / 60 % 60, s % 60) {
        (0, 0, sec) => format!("{sec}s"),
        (0, min, sec) => format!("{min}m{sec:02}s"),
        (h, min, sec) => format!("{h}h{min:02}m{sec:02}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elapsed_formatting() {
        assert_eq!(format_elapsed(Duration::from_millis(42_900)), "42s");
        assert_eq!(format_elapsed(Duration::from_secs(342)), "5m42s");
        assert_eq!(format_elapsed(Duration::from_secs(3725)), "1h02m05s");
    }

    #[test]
    fn lines_throttle_running_updates() {
        let mut p = Lines::with_interval(Vec::new(), Duration::from_secs(3600));
        p.step("building Kubernetes v1.34.4 from Go modules");
        p.running(Duration::from_secs(1), "k8s.io/api/core/v1");
        p.running(Duration::from_secs(2), "k8s.io/kubernetes/pkg/kubelet");
        p.note("full log: /cache/build.log");
        p.done("6 binaries", Duration::from_secs(342));
        let text = String::from_utf8(p.into_inner()).unwrap();
        assert_eq!(
            text,
            "==> building Kubernetes v1.34.4 from Go modules\n    full log: /cache/build.log\n    6 binaries (5m42s)\n"
        );

        let mut p = Lines::with_interval(Vec::new(), Duration::ZERO);
        p.step("x");
        p.running(Duration::from_secs(75), "k8s.io/api/core/v1");
        assert_eq!(
            String::from_utf8(p.into_inner()).unwrap(),
            "==> x\n    1m15s  k8s.io/api/core/v1\n"
        );
    }
}
