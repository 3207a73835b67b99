//! The HTML reporter of `crashlab run --html FILE`: consumes the run's events like the other
//! reporters and writes the whole document when the run ends, however it ended.

use std::io::Write;

use crate::report::{JsonReporter, Reporter, Result};
use crate::runner::RunEvent;
use crate::scenario::Scenario;

use super::run_page::render_run;

/// The run's facts are collected as the JSON reporter collects them (it is the same
/// document, drawn); only the drawing is this reporter's.
pub struct HtmlReporter<W: Write> {
    out: W,
    /// The scenarios of the run, as chosen (the curve is fitted to the cluster at the end).
    scenarios: Vec<Scenario>,
    collected: JsonReporter<std::io::Sink>,
    written: bool,
}

impl<W: Write> HtmlReporter<W> {
    pub fn new(out: W, scenarios: Vec<Scenario>) -> Self {
        Self {
            out,
            scenarios,
            collected: JsonReporter::new(std::io::sink()),
            written: false,
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<W: Write> Reporter for HtmlReporter<W> {
    fn handle(&mut self, ev: &RunEvent) -> Result<()> {
        self.collected.handle(ev)
    }

    /// Writes the document (once, however often it is called).
    fn finish(&mut self) -> Result<()> {
        if self.written {
            return Ok(());
        }
        self.written = true;
        let result = self.collected.document();
        self.out
            .write_all(render_run(&result, &self.scenarios).as_bytes())?;
        self.out.flush()?;
        Ok(())
    }
}
