//! The JSON result of `crashlab matrix -o json` (`{"schemaVersion": 1, "comparison": …,
//! "runs": […]}`): written at the end of a run, and read back (by [`crate::results`]) for
//! `crashlab matrix --merge` to compare the runs of several results (one per CI job) as one
//! matrix, and for `crashlab report`.

use serde::{Deserialize, Serialize};

use super::comparison::Comparison;
use super::matrix_run::MatrixRun;

/// The version of the matrix document this crashlab writes.
pub const MATRIX_SCHEMA_VERSION: u32 = 1;

/// The document. Read back, only the runs count: the comparison is made again from them (so
/// a result written by an older crashlab is compared as this one compares).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MatrixDocument {
    /// [`MATRIX_SCHEMA_VERSION`] when written; 0 when read from a file written before versions.
    #[serde(rename = "schemaVersion", default)]
    pub schema_version: u32,
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<Comparison>,
    pub runs: Vec<MatrixRun>,
}

/// The result document, pretty-printed, ending in a newline.
pub fn to_json(comparison: &Comparison, runs: &[MatrixRun]) -> String {
    let doc = MatrixDocument {
        schema_version: MATRIX_SCHEMA_VERSION,
        comparison: Some(comparison.clone()),
        runs: runs.to_vec(),
    };
    serde_json::to_string_pretty(&doc).expect("serializes") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::fixtures::{committed_results, result_path};
    use crate::matrix::{arrange, compare, to_markdown};

    /// The committed results are what `crashlab matrix -o json` writes for runs made from the
    /// committed recordings. To refresh them:
    /// `CRASHLAB_UPDATE_FIXTURES=1 cargo test --lib matrix::result_file`.
    #[test]
    fn committed_results_are_current() {
        for (file, runs) in committed_results() {
            let path = result_path(file);
            let written = to_json(&compare(&runs), &runs);
            if std::env::var_os("CRASHLAB_UPDATE_FIXTURES").is_some() {
                std::fs::write(&path, &written).unwrap();
            }
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                committed == written,
                "{} is out of date; run `CRASHLAB_UPDATE_FIXTURES=1 cargo test --lib matrix::result_file` and commit it",
                path.display()
            );
            let read: MatrixDocument = serde_json::from_str(&committed).unwrap();
            assert_eq!(read.runs, runs, "{file}");
        }
    }

    /// Two CI jobs' results, given newest first, make one comparison in version order.
    #[test]
    fn two_results_merge_into_one_comparison() {
        let files = [
            result_path("local-1.35-1.36.json"),
            result_path("local-1.34.json"),
        ];
        let runs = arrange(
            files
                .iter()
                .flat_map(|f| {
                    let text = std::fs::read_to_string(f).unwrap();
                    serde_json::from_str::<MatrixDocument>(&text).unwrap().runs
                })
                .collect(),
        );
        let c = compare(&runs);
        assert_eq!(
            c.columns,
            [
                "local v1.34.4",
                "local v1.35.4 (tuned: 1s → 300s)",
                "local v1.36.3"
            ]
        );
        insta::assert_snapshot!("merged_markdown", to_markdown(&c));
        insta::assert_json_snapshot!("merged_comparison", c);
    }
}
