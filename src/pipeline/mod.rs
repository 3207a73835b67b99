//! The engine's runs across clusters, below the CLI: bringing each cluster of a matrix up in
//! turn, running the scenarios on it and taking it down, reporting progress as typed events
//! (the CLI decides how they look). Knows nothing of arguments or output formats.

mod matrix_columns;
mod matrix_event;
mod pipeline_error;

pub use matrix_columns::{MatrixPlan, measure_columns};
pub use matrix_event::MatrixEvent;
pub use pipeline_error::PipelineError;
