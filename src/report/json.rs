//! The JSON reporter: one [`RunDocument`] at the end, written when the run ends.

use std::io::Write;

use crate::runner::capacity::ParallelChoice;
use crate::runner::{RunEvent, ScenarioReport, Verdict};
use crate::timeline::kubelet_backoff::KubeletBackoff;

use super::run_document::{Leftover, RUN_SCHEMA_VERSION, RunDocument, Summary};
use super::{Reporter, Result};

pub struct JsonReporter<W: Write> {
    out: W,
    scenarios: Vec<ScenarioReport>,
    context: Option<String>,
    server_version: Option<String>,
    kubelet_backoff: Option<KubeletBackoff>,
    parallel: Option<ParallelChoice>,
    elapsed_s: Option<f64>,
    leftovers: Vec<Leftover>,
    written: bool,
}

impl<W: Write> JsonReporter<W> {
    pub fn new(out: W) -> Self {
        Self {
            out,
            scenarios: Vec::new(),
            context: None,
            server_version: None,
            kubelet_backoff: None,
            parallel: None,
            elapsed_s: None,
            leftovers: Vec::new(),
            written: false,
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    /// The scenarios that ended so far, in order.
    pub fn reports(&self) -> &[ScenarioReport] {
        &self.scenarios
    }

    /// The document so far (the whole of it once the run has finished).
    pub fn document(&self) -> RunDocument {
        RunDocument {
            schema_version: RUN_SCHEMA_VERSION,
            scenarios: self.scenarios.clone(),
            summary: self.summary(),
            leftovers_collected: self.leftovers.clone(),
        }
    }

    pub fn summary(&self) -> Summary {
        let count = |v| self.scenarios.iter().filter(|s| s.verdict == v).count();
        Summary {
            total: self.scenarios.len(),
            passed: count(Verdict::Pass),
            failed: count(Verdict::Fail),
            errors: count(Verdict::Error),
            elapsed_s: self.elapsed_s,
            context: self.context.clone(),
            server_version: self.server_version.clone(),
            kubelet_backoff: self.kubelet_backoff.clone(),
            kubelet_profile: crate::report::kubelet_profile_of(self.kubelet_backoff.as_ref()),
            parallel: self.parallel.clone(),
        }
    }
}

impl<W: Write> Reporter for JsonReporter<W> {
    fn handle(&mut self, ev: &RunEvent) -> Result<()> {
        match ev {
            RunEvent::RunStarted {
                context,
                server_version,
                kubelet_backoff,
                parallel,
                ..
            } => {
                self.context = Some(context.clone());
                self.server_version = Some(server_version.clone());
                self.kubelet_backoff = kubelet_backoff.clone();
                self.parallel = parallel.clone();
            }
            RunEvent::ScenarioFinished { report } => self.scenarios.push((**report).clone()),
            RunEvent::RunFinished { elapsed_s } => self.elapsed_s = Some(*elapsed_s),
            RunEvent::LeftoversCollected { namespaces } => {
                self.leftovers
                    .extend(namespaces.iter().map(|(namespace, reason)| Leftover {
                        namespace: namespace.clone(),
                        reason: reason.clone(),
                    }));
            }
            RunEvent::ScenarioStarted { .. }
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
        let doc = self.document();
        serde_json::to_writer_pretty(&mut self.out, &doc)?;
        writeln!(self.out)?;
        self.out.flush()?;
        Ok(())
    }
}
