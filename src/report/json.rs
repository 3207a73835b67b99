//! The JSON reporter: one document at the end, `{"scenarios": [...], "summary": {...}}`.
//! Each scenario is a [`ScenarioReport`]; its field names, and those of the summary, are a
//! public contract: add, never rename.

use std::io::Write;

use serde::{Deserialize, Serialize};

use crate::runner::{RunEvent, ScenarioReport, Verdict};
use crate::timeline::kubelet_backoff::KubeletBackoff;

use super::{Reporter, Result};

pub struct JsonReporter<W: Write> {
    out: W,
    scenarios: Vec<ScenarioReport>,
    context: Option<String>,
    server_version: Option<String>,
    kubelet_backoff: Option<KubeletBackoff>,
    elapsed_s: Option<f64>,
    leftovers: Vec<Leftover>,
    written: bool,
}

/// A namespace of a dead run, deleted before this run began.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Leftover {
    pub namespace: String,
    pub reason: String,
}

/// The whole document.
#[derive(Debug, Serialize)]
pub struct Document<'a> {
    pub scenarios: &'a [ScenarioReport],
    pub summary: Summary,
    /// Namespaces of this host's dead crashlab runs, deleted before the run.
    #[serde(skip_serializing_if = "<[Leftover]>::is_empty")]
    pub leftovers_collected: &'a [Leftover],
}

/// Totals of a run (read back by `crashlab report`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    /// Scenarios that ended (a cancelled run may end fewer than it started).
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    /// Seconds the whole run took; absent when the run did not finish (Ctrl-C).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elapsed_s: Option<f64>,
    /// Kube context the run used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// `gitVersion` of the API server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_version: Option<String>,
    /// The restart back-off of the node's kubelet, as crashlab derived it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubelet_backoff: Option<KubeletBackoff>,
}

impl<W: Write> JsonReporter<W> {
    pub fn new(out: W) -> Self {
        Self {
            out,
            scenarios: Vec::new(),
            context: None,
            server_version: None,
            kubelet_backoff: None,
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
                ..
            } => {
                self.context = Some(context.clone());
                self.server_version = Some(server_version.clone());
                self.kubelet_backoff = kubelet_backoff.clone();
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
        let doc = Document {
            scenarios: &self.scenarios,
            summary: self.summary(),
            leftovers_collected: &self.leftovers,
        };
        serde_json::to_writer_pretty(&mut self.out, &doc)?;
        writeln!(self.out)?;
        self.out.flush()?;
        Ok(())
    }
}
