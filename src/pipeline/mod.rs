//! The engine's runs as commands use them, below the CLI: a run whose events stream to the
//! reporters the command chose ([`run_reported`]), and a matrix's columns, each cluster
//! brought up in turn, the scenarios run on it and the cluster taken down, reporting progress
//! as typed events ([`measure_columns`]), and the conformance probes on each of those
//! columns ([`conformance_columns`]). Knows nothing of arguments or output formats.

mod columns;
mod conformance_columns;
mod matrix_columns;
mod matrix_event;
mod pipeline_error;
mod reported_run;

pub use columns::{ColumnCluster, ColumnPlan, for_each_column};
pub use conformance_columns::conformance_columns;
pub use matrix_columns::{MatrixPlan, measure_columns};
pub use matrix_event::MatrixEvent;
pub use pipeline_error::PipelineError;
pub use reported_run::{Reported, run_reported};
