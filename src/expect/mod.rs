//! Expectations as pure functions from (expectations, timeline) to check results, and the
//! decision of when a scenario has seen enough. Nothing here calls the API or reads a clock.

pub mod backoff;
mod check_result;
pub mod duration;
mod evaluate;
mod events;
mod logs;
pub mod moment;
mod observed_summary;
pub mod pattern;
mod ready;
pub mod ready_for_diagnosis;
mod restarts;
mod sight;
mod summary;
mod target_pods;
mod termination;
mod verdict;
mod view;
mod waiting;

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod multi_node_tests;
#[cfg(test)]
mod ready_for_diagnosis_tests;
#[cfg(test)]
mod tests;

pub use check_result::{CheckResult, Outcome};
pub use evaluate::{Decision, Evaluation, Watch, evaluate, only_absence_left};
pub use observed_summary::{EventSummary, ObservedSummary};
pub use ready::target_recovered;
pub use ready_for_diagnosis::{crash_loop_at, ready_for_diagnosis};
pub use sight::{Call, Sight};
pub use summary::summarize;
pub use target_pods::TargetPods;
pub use termination::describe_exit;
pub use verdict::Verdict;
pub use view::field_path_container;
