//! The human reporter: a line per signal as it arrives, then each scenario's checks with
//! expected vs observed, then a tally.
//!
//! Colour is the caller's decision (off under `NO_COLOR` or when the output is not a
//! terminal); times are shown in the time zone the caller passes (the system's for people,
//! UTC in tests).

use std::collections::HashMap;
use std::io::Write;

use jiff::tz::TimeZone;
use owo_colors::{OwoColorize, Style};

use crate::expect::Outcome;
use crate::expect::duration::elapsed;
use crate::runner::{RunEvent, ScenarioReport, Verdict};
use crate::scenario::Target;

use super::line::{Tone, signal_line};
use super::{Reporter, Result};

pub struct HumanReporter<W: Write> {
    out: W,
    color: bool,
    tz: TimeZone,
    targets: HashMap<String, Target>,
    passed: usize,
    failed: usize,
    errors: usize,
}

impl<W: Write> HumanReporter<W> {
    pub fn new(out: W, color: bool, tz: TimeZone) -> Self {
        Self {
            out,
            color,
            tz,
            targets: HashMap::new(),
            passed: 0,
            failed: 0,
            errors: 0,
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    fn paint(&self, text: &str, style: Style) -> String {
        if self.color {
            text.style(style).to_string()
        } else {
            text.to_owned()
        }
    }

    fn tone(&self, text: &str, tone: Tone) -> String {
        let style = match tone {
            Tone::Good => Style::new().green(),
            Tone::Bad => Style::new().red(),
            Tone::Warn => Style::new().yellow(),
            Tone::Plain => return text.to_owned(),
            Tone::Dim => Style::new().dimmed(),
        };
        self.paint(text, style)
    }

    fn scenario_finished(&mut self, r: &ScenarioReport) -> Result<()> {
        let (word, style) = match r.verdict {
            Verdict::Pass => {
                self.passed += 1;
                ("PASS", Style::new().green().bold())
            }
            Verdict::Fail => {
                self.failed += 1;
                ("FAIL", Style::new().red().bold())
            }
            Verdict::Error => {
                self.errors += 1;
                ("ERROR", Style::new().magenta().bold())
            }
        };
        let name = self.paint(&r.name, Style::new().bold());
        let verdict = self.paint(word, style);
        writeln!(self.out, "{name}  {verdict} in {}", elapsed(r.elapsed_s))?;
        if let Some(e) = &r.error {
            let label = self.paint("error:", Style::new().magenta().bold());
            writeln!(self.out, "  {label} {e}")?;
        }
        for c in &r.checks {
            let mark = match c.outcome {
                Outcome::Met => self.paint("✓", Style::new().green()),
                Outcome::Contradicted => self.paint("✗", Style::new().red()),
                Outcome::Pending => self.paint("…", Style::new().yellow()),
            };
            let pending = if c.outcome == Outcome::Pending {
                self.paint(" (undecided)", Style::new().yellow())
            } else {
                String::new()
            };
            writeln!(self.out, "  {mark} {}{pending}", c.name)?;
            let dim = Style::new().dimmed();
            writeln!(
                self.out,
                "      {} {}",
                self.paint("expected", dim),
                c.expected
            )?;
            writeln!(
                self.out,
                "      {} {}",
                self.paint("observed", dim),
                c.observed
            )?;
        }
        Ok(())
    }
}

impl<W: Write> Reporter for HumanReporter<W> {
    fn handle(&mut self, ev: &RunEvent) -> Result<()> {
        match ev {
            RunEvent::LeftoversCollected { namespaces } => {
                let s = if namespaces.len() == 1 { "" } else { "s" };
                writeln!(
                    self.out,
                    "deleted {} namespace{s} left by crashlab runs that are gone:",
                    namespaces.len()
                )?;
                for (ns, why) in namespaces {
                    writeln!(self.out, "  {ns}: {why}")?;
                }
            }
            RunEvent::RunStarted {
                count,
                context,
                server_version,
                kubelet_backoff,
            } => {
                let s = if *count == 1 { "" } else { "s" };
                writeln!(
                    self.out,
                    "running {count} scenario{s} on {context} (Kubernetes {server_version})"
                )?;
                if let Some(b) = kubelet_backoff {
                    writeln!(
                        self.out,
                        "kubelet back-off: {} doubling up to {} ({})",
                        crate::expect::duration::go_duration(b.initial_s.into()),
                        crate::expect::duration::go_duration(b.max_s.into()),
                        b.because
                    )?;
                }
            }
            RunEvent::ScenarioStarted {
                scenario,
                namespace,
                target,
            } => {
                let name = self.paint(scenario, Style::new().bold());
                writeln!(
                    self.out,
                    "{name}  deployed to namespace {namespace}; watching {}, container {}",
                    target.workload(),
                    target.container
                )?;
                self.targets.insert(scenario.clone(), target.clone());
            }
            RunEvent::Signal { scenario, entry } => {
                let (text, tone) = signal_line(&entry.signal, self.targets.get(scenario));
                let time = entry
                    .at
                    .to_zoned(self.tz.clone())
                    .strftime("%H:%M:%S")
                    .to_string();
                let time = self.paint(&time, Style::new().dimmed());
                let text = self.tone(&text, tone);
                writeln!(self.out, "{scenario}  {time}  {text}")?;
            }
            RunEvent::ScenarioFinished { report } => self.scenario_finished(report)?,
            RunEvent::CleanedUp {
                scenario,
                namespace,
                kept,
            } => {
                let text = if *kept {
                    format!("kept namespace {namespace}")
                } else {
                    format!("deleted namespace {namespace}")
                };
                let text = self.paint(&text, Style::new().dimmed());
                writeln!(self.out, "{scenario}  {text}")?;
            }
            RunEvent::RunFinished { elapsed_s } => {
                let total = self.passed + self.failed + self.errors;
                let s = if total == 1 { "" } else { "s" };
                let mut parts =
                    vec![self.paint(&format!("{} passed", self.passed), Style::new().green())];
                let failed = format!("{} failed", self.failed);
                parts.push(if self.failed > 0 {
                    self.paint(&failed, Style::new().red().bold())
                } else {
                    failed
                });
                let errors = format!(
                    "{} error{}",
                    self.errors,
                    if self.errors == 1 { "" } else { "s" }
                );
                parts.push(if self.errors > 0 {
                    self.paint(&errors, Style::new().magenta().bold())
                } else {
                    errors
                });
                writeln!(self.out)?;
                writeln!(
                    self.out,
                    "{total} scenario{s}: {} in {}",
                    parts.join(", "),
                    elapsed(*elapsed_s)
                )?;
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        self.out.flush()?;
        Ok(())
    }
}
