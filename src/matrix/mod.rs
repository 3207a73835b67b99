//! `crashlab matrix`: the same scenarios on several clusters (Kubernetes versions, kubelet
//! settings), compared side by side. This module is pure: it turns finished runs into a
//! comparison and renders it; the CLI brings the clusters up and runs the scenarios.

mod comparison;
mod markdown;

pub use comparison::{
    Cell, Comparison, EventDifference, MatrixRun, Row, compare, normalize_message,
};
pub use markdown::to_markdown;
