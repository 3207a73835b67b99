//! The HTML reporter of `crashlab run --html FILE`: consumes the run's events like the other
//! reporters and writes the whole document when the run ends, however it ended.

use std::io::Write;

use crate::report::{Reporter, Result, Summary};
use crate::runner::kubelet_backoff::KubeletBackoff;
use crate::runner::{RunEvent, ScenarioReport, Verdict};
use crate::scenario::Scenario;

use super::run_page::{RunResult, render_run};

pub struct HtmlReporter<W: Write> {
    out: W,
    /// The scenarios of the run, as chosen (the curve is fitted to the cluster at the end).
    scenarios: Vec<Scenario>,
    reports: Vec<ScenarioReport>,
    context: Option<String>,
    server_version: Option<String>,
    kubelet_backoff: Option<KubeletBackoff>,
    elapsed_s: Option<f64>,
    written: bool,
}

impl<W: Write> HtmlReporter<W> {
    pub fn new(out: W, scenarios: Vec<Scenario>) -> Self {
        Self {
            out,
            scenarios,
            reports: Vec::new(),
            context: None,
            server_version: None,
            kubelet_backoff: None,
            elapsed_s: None,
            written: false,
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<W: Write> Reporter for HtmlReporter<W> {
    fn handle(&mut self, ev: &RunEvent) -> Result<()> {
        match ev {
            RunEvent::RunStarted {
                context,
                server_version,
                kubelet_backoff,
                ..
            } => {
                self.context = Some(context.clone());
                self.server_version = Some(server_version.clone());
                self.kubelet_backoff = kubelet_backoff.clone();
            }
            RunEvent::ScenarioFinished { report } => self.reports.push((**report).clone()),
            RunEvent::RunFinished { elapsed_s } => self.elapsed_s = Some(*elapsed_s),
            RunEvent::LeftoversCollected { .. }
            | RunEvent::ScenarioStarted { .. }
            | RunEvent::Signal { .. }
            | RunEvent::CleanedUp { .. }
            | RunEvent::Observed { .. } => {}
        }
        Ok(())
    }

    /// Writes the document (once, however often it is called).
    fn finish(&mut self) -> Result<()> {
        if self.written {
            return Ok(());
        }
        self.written = true;
        let count = |v| self.reports.iter().filter(|r| r.verdict == v).count();
        let result = RunResult {
            summary: Summary {
                total: self.reports.len(),
                passed: count(Verdict::Pass),
                failed: count(Verdict::Fail),
                errors: count(Verdict::Error),
                elapsed_s: self.elapsed_s,
                context: self.context.clone(),
                server_version: self.server_version.clone(),
                kubelet_backoff: self.kubelet_backoff.clone(),
            },
            scenarios: std::mem::take(&mut self.reports),
        };
        self.out
            .write_all(render_run(&result, &self.scenarios).as_bytes())?;
        self.out.flush()?;
        Ok(())
    }
}
