//! Reporters: human text, one JSON document, JUnit XML. Each consumes [`RunEvent`]s and
//! nothing else, so the runner knows no output format.

pub mod color;
mod error;
mod human;
mod json;
mod junit;
pub mod line;
mod paint;
mod reproduced;
mod run_document;
mod run_text;
pub mod story;

#[cfg(test)]
mod tests;

pub use error::{Error, Result};
pub use human::HumanReporter;
pub use json::JsonReporter;
pub use junit::JunitReporter;
pub use reproduced::{ReproducedReport, Verified};
pub use run_document::{Leftover, RUN_SCHEMA_VERSION, RunDocument, Summary, kubelet_profile_of};
pub use story::{StoryOptions, StoryReporter};

use crate::runner::RunEvent;

/// Consumes the events of a run, in order, and writes to a writer the caller chose.
pub trait Reporter {
    /// Takes one event as it happens (live output is written here).
    fn handle(&mut self, ev: &RunEvent) -> Result<()>;
    /// Called about four times a second while a run is live, between events (countdowns).
    fn tick(&mut self) -> Result<()> {
        Ok(())
    }
    /// Ends the report: writes what only the end can write (the JSON and JUnit documents)
    /// and flushes. Call it also when the run was cut short, to keep what was reported.
    fn finish(&mut self) -> Result<()>;
}

/// Several reporters fed the same events (e.g. human text on stderr, JSON on stdout).
/// Every reporter sees every event; the first error is returned.
impl Reporter for Vec<Box<dyn Reporter + Send>> {
    fn handle(&mut self, ev: &RunEvent) -> Result<()> {
        let mut first = Ok(());
        for r in self.iter_mut() {
            let res = r.handle(ev);
            if first.is_ok() {
                first = res;
            }
        }
        first
    }

    fn tick(&mut self) -> Result<()> {
        let mut first = Ok(());
        for r in self.iter_mut() {
            let res = r.tick();
            if first.is_ok() {
                first = res;
            }
        }
        first
    }

    fn finish(&mut self) -> Result<()> {
        let mut first = Ok(());
        for r in self.iter_mut() {
            let res = r.finish();
            if first.is_ok() {
                first = res;
            }
        }
        first
    }
}
