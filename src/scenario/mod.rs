//! Scenario files: format, loading with precise errors, and the built-in catalogue.

mod expectations;
mod ground_truth;
#[allow(clippy::module_inception)]
mod scenario;

pub use expectations::*;
pub use ground_truth::{Category, GroundTruth, KeyFact};
pub use scenario::{API_VERSION, KIND, Metadata, Scenario, ScenarioSpec, Target, Timeouts, humantime_secs};
