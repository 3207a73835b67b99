//! The raw human reporter (`--events`): a line per signal as it arrives, then each scenario's
//! checks with expected vs observed, then a tally. The default on a terminal is the story
//! ([`super::StoryReporter`]); this one shows every event the watch delivered.
//!
//! Colour is the caller's decision (off under `NO_COLOR` or when the output is not a
//! terminal); times are shown in the time zone the caller passes (the system's for people,
//! UTC in tests).

use std::collections::HashMap;
use std::io::Write;

use jiff::tz::TimeZone;
use owo_colors::Style;

use crate::runner::RunEvent;
use crate::scenario::Target;
use crate::timeline::Signal;

use super::line::signal_line;
use super::paint::Painter;
use super::run_text::{Tally, write_leftovers, write_run_started, write_tally, write_verdict};
use super::{Reporter, Result};

pub struct HumanReporter<W: Write> {
    out: W,
    p: Painter,
    tz: TimeZone,
    targets: HashMap<String, Target>,
    tally: Tally,
}

impl<W: Write> HumanReporter<W> {
    pub fn new(out: W, color: bool, tz: TimeZone) -> Self {
        Self {
            out,
            p: Painter { color },
            tz,
            targets: HashMap::new(),
            tally: Tally::default(),
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<W: Write> Reporter for HumanReporter<W> {
    fn handle(&mut self, ev: &RunEvent) -> Result<()> {
        let p = self.p;
        match ev {
            RunEvent::LeftoversCollected { namespaces } => {
                write_leftovers(&mut self.out, namespaces)?
            }
            RunEvent::RunStarted {
                count,
                context,
                server_version,
                kubelet_backoff,
                parallel,
            } => write_run_started(
                &mut self.out,
                *count,
                context,
                server_version,
                kubelet_backoff.as_ref(),
                parallel.as_ref(),
            )?,
            RunEvent::ScenarioStarted {
                scenario,
                namespace,
                target,
                ..
            } => {
                let name = p.paint(scenario, Style::new().bold());
                writeln!(
                    self.out,
                    "{name}  deployed to namespace {namespace}; watching {}, container {}",
                    target.workload(),
                    target.container
                )?;
                self.targets.insert(scenario.clone(), target.clone());
            }
            // Where each pod runs is said with the verdict, for a target of several pods.
            RunEvent::Signal { entry, .. } if matches!(entry.signal, Signal::Scheduled { .. }) => {}
            RunEvent::Signal { scenario, entry } => {
                let (text, tone) = signal_line(&entry.signal, self.targets.get(scenario));
                let time = entry
                    .at
                    .to_zoned(self.tz.clone())
                    .strftime("%H:%M:%S")
                    .to_string();
                let time = p.paint(&time, Style::new().dimmed());
                let text = p.tone(&text, tone);
                writeln!(self.out, "{scenario}  {time}  {text}")?;
            }
            RunEvent::Observed { .. } => {}
            RunEvent::ScenarioFinished { report } => {
                write_verdict(&mut self.out, p, report, &mut self.tally)?
            }
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
                let text = p.paint(&text, Style::new().dimmed());
                writeln!(self.out, "{scenario}  {text}")?;
            }
            RunEvent::RunFinished { elapsed_s } => {
                write_tally(&mut self.out, p, self.tally, *elapsed_s)?
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        self.out.flush()?;
        Ok(())
    }
}
