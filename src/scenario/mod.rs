//! Scenario files: format, loading with precise errors, and the built-in catalogue.

mod catalogue;
mod expectations;
mod explain;
mod field_path;
mod format_rules;
mod ground_truth;
mod loader;
mod locate;
mod must_not_window;
mod problem;
mod resolve;
#[allow(clippy::module_inception)]
mod scenario;
mod scenario_error;
mod step;
mod target;
mod version_req;

pub use catalogue::{BUILTINS, BuiltIn, Catalogue, Entry, Origin};
pub use expectations::*;
pub use explain::{explain, json_schema, show_text};
pub use field_path::{FieldPath, PathSegment};
pub use ground_truth::{Category, GroundTruth, KeyFact};
pub use loader::{load_file, load_str};
pub use locate::{Location, locate, locate_nearest};
pub use must_not_window::{MustNotWindow, WindowStart};
pub use problem::Problem;
pub use resolve::{ClusterFacts, requeue_floor};
pub use scenario::{
    API_VERSION, KIND, MAX_NAME_LEN, Metadata, Scenario, ScenarioSpec, StepRef, Timeouts,
    humantime_secs,
};
pub use scenario_error::{InvalidScenario, Result, ScenarioError};
pub use step::{Step, WaitFor};
pub use target::{Target, Workload, WorkloadKind};
pub use version_req::VersionReq;
