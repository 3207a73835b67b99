//! Deploys a scenario into its own namespace, watches it, records a timeline, evaluates the
//! expectations and always cleans up, emitting [`RunEvent`]s as it goes.

mod event;
mod report;

pub use event::RunEvent;
pub use report::{EventSummary, ObservedSummary, ScenarioReport, Verdict};
