//! The result documents crashlab writes (`run`, `validate`, `matrix -o json`, and recordings)
//! read back by the types that wrote them: one reader that tells which document a file holds,
//! checks its `schemaVersion` (a document without one is version 0, as written before
//! versions existed) and reports every problem with the file, line, column and field.

mod result_error;
mod result_file;
mod typed;

pub use result_error::{Result, ResultError};
pub use result_file::{
    ResultFile, parse_result, read_conformance_observations, read_conformance_results,
    read_matrix_results, read_result,
};
pub use typed::typed;

#[cfg(test)]
mod tests;
