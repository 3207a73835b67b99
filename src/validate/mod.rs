//! `crashlab validate`: grading a diagnostic tool on live crash loops. The runner reproduces
//! each scenario; once its signal contract holds, the tool runs against the live pod
//! ([`run_tool`]), and its answer is graded against the scenario's ground truth ([`grade`]):
//! the cause category (from a JSON field, else from the text) and the key facts it names,
//! minus wrong advice. [`Session`] runs a whole validation on a connected cluster; everything
//! but it and [`run_tool`] is pure and tested on recorded outputs.

mod category_text;
mod cluster_words;
mod contradiction;
mod diagnosis_text;
mod grade;
mod grade_result;
mod human;
mod human_moments;
mod human_repeats;
mod json;
mod judge;
mod junit;
mod outcome_of;
mod percent;
mod repeats;
mod session;
mod tool_hook;
mod tool_output;
mod tool_run;
mod tool_window;
mod validation;
mod validation_outcome;

#[cfg(test)]
mod tests;

pub use category_text::{
    category_from_value, category_from_value_with, category_in_text, category_in_text_with,
    parse_category_map,
};
pub use cluster_words::ClusterWords;
pub use contradiction::{Contradiction, Recorded};
pub use diagnosis_text::{DiagnosisText, field_at, read_diagnosis};
pub use grade::{
    CATEGORY_WEIGHT, CONTRADICTION_PENALTY, DEFAULT_CATEGORY_FIELD, FACTS_WEIGHT, Given,
    GradeOptions, WRONG_ANSWER_PENALTY, grade, grade_in,
};
pub use grade_result::{CategoryGrade, CategorySource, FactMatch, Grade};
pub use human::render_human;
pub use json::{VALIDATION_SCHEMA_VERSION, render_json};
pub use judge::{GROUND_TRUTH_ENV, JudgeResult, parse_judge_score};
pub use junit::{SUITE, render_junit, validation_suite};
pub use repeats::{Repeats, RunResult, pass_at_k, pass_hat_k};
pub use session::{Session, SessionError};
pub use tool_output::{ToolEnding, ToolOutput};
pub use tool_run::{MAX_OUTPUT_BYTES, ToolCall, run_tool};
pub use tool_window::{ToolWindowTooLong, check_tool_window};
pub use validation::{ScenarioValidation, ValidationExit, ValidationOutcome, ValidationReport};
