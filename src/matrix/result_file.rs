//! The JSON result of `crashlab matrix -o json` (`{"comparison": …, "runs": […]}`): written
//! at the end of a run, and read back by `crashlab matrix --merge` to compare the runs of
//! several results (one per CI job) as one matrix.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::comparison::Comparison;
use super::matrix_error::{MatrixError, Result};
use super::matrix_run::MatrixRun;

/// The document, as written.
#[derive(Debug, Serialize)]
struct Written<'a> {
    comparison: &'a Comparison,
    runs: &'a [MatrixRun],
}

/// The document, as read: only the runs count, the comparison is made again from them (so a
/// result written by an older crashlab is compared as this one compares).
#[derive(Debug, Deserialize)]
struct Read {
    runs: Vec<MatrixRun>,
}

/// The result document, pretty-printed, ending in a newline.
pub fn to_json(comparison: &Comparison, runs: &[MatrixRun]) -> String {
    serde_json::to_string_pretty(&Written { comparison, runs }).expect("serializes") + "\n"
}

/// The runs of one result; `file` names it in errors.
pub fn parse_result(text: &str, file: &Path) -> Result<Vec<MatrixRun>> {
    let mut de = serde_json::Deserializer::from_str(text);
    let read: Read = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        located(file, err.into_inner(), path)
    })?;
    // Trailing characters after the document (two results pasted into one file).
    de.end().map_err(|err| located(file, err, String::new()))?;
    Ok(read.runs)
}

/// The runs of every result, in the order given.
pub fn read_results(files: &[PathBuf]) -> Result<Vec<MatrixRun>> {
    let mut runs = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).map_err(|source| MatrixError::Read {
            file: file.clone(),
            source,
        })?;
        runs.extend(parse_result(&text, file)?);
    }
    Ok(runs)
}

/// A serde_json error as a syntax or a shape error, its location taken out of the message.
fn located(file: &Path, err: serde_json::Error, path: String) -> MatrixError {
    let (line, column) = (err.line(), err.column());
    let message = err.to_string();
    let message = message
        .strip_suffix(&format!(" at line {line} column {column}"))
        .unwrap_or(&message)
        .to_string();
    match err.classify() {
        serde_json::error::Category::Data => MatrixError::Shape {
            file: file.to_path_buf(),
            line,
            column,
            path: if path == "." { String::new() } else { path },
            message,
        },
        _ => MatrixError::Syntax {
            file: file.to_path_buf(),
            line,
            column,
            message,
        },
    }
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
            assert_eq!(parse_result(&committed, &path).unwrap(), runs, "{file}");
        }
    }

    /// Two CI jobs' results, given newest first, make one comparison in version order.
    #[test]
    fn two_results_merge_into_one_comparison() {
        let files = [
            result_path("local-1.35-1.36.json"),
            result_path("local-1.34.json"),
        ];
        let runs = arrange(read_results(&files).unwrap());
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

    #[test]
    fn a_result_without_providers_still_merges() {
        // As written before providers were a dimension: no `provider`, no `node_image`, and
        // cells without `crash_loop_after_s` in the (ignored) comparison.
        let text = r#"{"comparison": {"columns": ["v1.34.4"]}, "runs": [
            {"label": "v1.34.4", "server_version": "v1.34.4", "kubelet_backoff": null, "reports": []}
        ]}"#;
        let runs = parse_result(text, Path::new("old.json")).unwrap();
        assert_eq!(runs[0].label, "v1.34.4");
        assert_eq!(runs[0].provider, None);
    }

    #[test]
    fn errors_name_the_file_the_place_and_the_field() {
        let file = Path::new("matrix-1.35.json");
        let err = parse_result("{\n  \"runs\": [\n    {\"label\": 1,}\n", file).unwrap_err();
        assert!(matches!(err, MatrixError::Shape { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            "matrix-1.35.json:3:15: runs[0].label: invalid type: integer `1`, expected a string"
        );
        let err = parse_result("{\n  \"runs\": [\n    {\"label\": \"a\",}\n", file).unwrap_err();
        assert_eq!(
            err.to_string(),
            "matrix-1.35.json:3:19: not valid JSON: trailing comma"
        );
        let err = parse_result("", file).unwrap_err();
        assert_eq!(
            err.to_string(),
            "matrix-1.35.json:1:0: not valid JSON: EOF while parsing a value"
        );
        let err = parse_result(r#"{"scenarios": [], "summary": {}}"#, file).unwrap_err();
        assert_eq!(
            err.to_string(),
            "matrix-1.35.json:1:32: missing field `runs`"
        );
        let err = parse_result(r#"{"runs": []} {"runs": []}"#, file).unwrap_err();
        assert!(matches!(err, MatrixError::Syntax { .. }), "{err:?}");
        let err = read_results(&[PathBuf::from("/nonexistent/matrix.json")]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("cannot read matrix result /nonexistent/matrix.json: "),
            "{err}"
        );
    }
}
