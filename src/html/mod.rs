//! The HTML report: one self-contained file (no script, nothing fetched) whose centre is an
//! SVG timeline per container, with the back-off measured against the kubelet's curve, the
//! checks, the logs, the explanation and the diagnosis steps; for `validate` the score
//! table; for `matrix` the back-off of every column on one chart. Pure functions from data
//! crashlab already has (the result documents of [`crate::results`]) to a string; the
//! [`HtmlReporter`] feeds them from a run's events.

mod axis;
mod backoff_chart;
mod call_strip;
mod chart_frame;
mod conformance_page;
mod escape;
mod html_error;
mod html_reporter;
mod lane;
mod matrix_chart;
mod measured_delays;
mod page;
mod recorded_report;
mod render_result;
mod run_page;
mod stagger;
mod timeline_svg;
mod validate_table;

#[cfg(test)]
mod tests;

pub use conformance_page::{render_conformance, render_conformance_set};
pub use escape::esc;
pub use html_error::{HtmlError, Result};
pub use html_reporter::HtmlReporter;
pub use matrix_chart::render_matrix;
pub use recorded_report::{report_from_recording, run_of_recording};
pub use render_result::render_result;
pub use run_page::render_run;
pub use validate_table::render_validate;
