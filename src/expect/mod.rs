//! Expectations as pure functions from (expectations, timeline) to check results.

mod check_result;

pub use check_result::CheckResult;
