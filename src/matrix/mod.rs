//! `crashlab matrix`: the same scenarios on several clusters (providers, Kubernetes versions,
//! kubelet settings), compared side by side. This module is pure: it turns finished runs into
//! a comparison, renders it, writes the result document (read back by [`crate::results`]),
//! and places given node images;
//! the CLI brings the clusters up and runs the scenarios.

mod columns;
mod comparison;
mod crash_loop;
mod differences;
mod markdown;
mod matrix_document;
mod matrix_error;
mod matrix_run;
mod node_images;
mod row;

#[cfg(test)]
pub(crate) mod fixtures;

pub use columns::{arrange, column_label};
pub use comparison::{Comparison, EventDifference, compare, normalize_message};
pub use crash_loop::crash_loop_after_s;
pub use differences::FacetDifference;
pub use markdown::to_markdown;
pub use matrix_document::{MATRIX_SCHEMA_VERSION, MatrixDocument, to_json};
pub use matrix_error::MatrixError;
pub use matrix_run::MatrixRun;
pub use node_images::{GivenImage, NodeImagePlan, plan_node_images};
pub use row::{Cell, Row};
