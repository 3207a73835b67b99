//! The reader of result files: what it recognises, the versions it reads, and errors that
//! name the file, the place and the field. The documents are those crashlab writes (the
//! committed matrix results, a validation pinned by `validate::tests`) or what older
//! crashlabs wrote.

use std::path::{Path, PathBuf};

use super::*;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

#[test]
fn each_document_is_read_by_the_type_that_wrote_it() {
    let kind = |rel: &str| read_result(&fixture(rel)).unwrap().kind();
    assert_eq!(kind("matrix/local-1.34.json"), "a matrix result");
    assert_eq!(kind("validate/bad-diagnoser.json"), "a validation result");
    assert_eq!(kind("recordings/oom.json"), "a recording");
    assert_eq!(
        kind("conformance/local-v1.34.4.json"),
        "a conformance recording"
    );
    let ResultFile::Matrix(doc) = read_result(&fixture("matrix/local-1.34.json")).unwrap() else {
        panic!("not a matrix")
    };
    assert_eq!(doc.schema_version, crate::matrix::MATRIX_SCHEMA_VERSION);
    assert!(
        doc.comparison.is_none(),
        "the comparison is made again, not read"
    );
}

/// A conformance result is told from its recording, and a newer one is refused by name.
#[test]
fn conformance_results_and_recordings_are_told_apart() {
    let ResultFile::ConformanceObservations(obs) =
        read_result(&fixture("conformance/local-v1.34.4.json")).unwrap()
    else {
        panic!("not conformance observations")
    };
    let report = crate::conformance::judge(&obs, &crate::conformance::Property::ALL, None);
    let json = serde_json::to_string(&report).unwrap();
    let ResultFile::Conformance(back) = parse_result(&json, Path::new("c.json")).unwrap() else {
        panic!("not a conformance result")
    };
    assert_eq!(*back, report);
    let newer = json.replacen("\"schemaVersion\":1", "\"schemaVersion\":2", 1);
    assert_eq!(
        parse_result(&newer, Path::new("c.json"))
            .unwrap_err()
            .to_string(),
        "c.json: a conformance result of schemaVersion 2, written by a newer crashlab; this one reads up to version 1"
    );
}

/// A document written before versions existed has no `schemaVersion`: version 0, read as
/// before. One written by a newer crashlab is refused, saying so.
#[test]
fn versions_old_documents_are_version_0_and_newer_ones_are_refused() {
    // As written before providers were a dimension: no `provider`, no `node_image`, and
    // cells without `crash_loop_after_s` in the (ignored) comparison.
    let old = r#"{"comparison": {"columns": ["v1.34.4"]}, "runs": [
        {"label": "v1.34.4", "server_version": "v1.34.4", "kubelet_backoff": null, "reports": []}
    ]}"#;
    let ResultFile::Matrix(doc) = parse_result(old, Path::new("old.json")).unwrap() else {
        panic!("not a matrix")
    };
    assert_eq!(doc.schema_version, 0);
    assert_eq!(doc.runs[0].label, "v1.34.4");
    assert_eq!(doc.runs[0].provider, None);
    let run =
        r#"{"scenarios": [], "summary": {"total": 0, "passed": 0, "failed": 0, "errors": 0}}"#;
    let ResultFile::Run(doc) = parse_result(run, Path::new("run.json")).unwrap() else {
        panic!("not a run")
    };
    assert_eq!(doc.schema_version, 0);
    let newer = r#"{"schemaVersion": 7, "scenarios": [], "summary": {}}"#;
    let err = parse_result(newer, Path::new("new.json")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "new.json: a run result of schemaVersion 7, written by a newer crashlab; this one reads up to version 1"
    );
}

#[test]
fn other_files_are_refused_with_their_name_and_place() {
    let f = Path::new("x.json");
    let err = |text: &str| parse_result(text, f).unwrap_err().to_string();
    assert_eq!(
        err("{\"items\": [], \"kind\": \"List\"}"),
        "x.json: not a crashlab result: expected the JSON of `crashlab run -o json` (scenarios, summary), `crashlab validate -o json` (command, min_score, scenarios), `crashlab matrix -o json` (runs), `crashlab conformance -o json` (cluster, properties), a recording of `crashlab run --record` (scenario, observations) or of `crashlab conformance --record` (cluster, probes, node); found an object with the fields items, kind"
    );
    assert!(err("[1]").ends_with("found an array"), "{}", err("[1]"));
    assert_eq!(
        err("{\n  \"runs\": 3,\n"),
        "x.json:3:0: not valid JSON: EOF while parsing a value"
    );
    assert_eq!(
        err("{\"scenarios\": [], \"summary\": {\"total\": \"one\"}}"),
        "x.json:1:44: summary.total: invalid type: string \"one\", expected usize (read as a run result)"
    );
}

#[test]
fn matrix_results_to_merge_name_the_file_the_place_and_the_field() {
    let file = Path::new("matrix-1.35.json");
    let err = |text: &str| parse_result(text, file).unwrap_err();
    let e = err("{\n  \"runs\": [\n    {\"label\": 1}\n  ]\n}");
    assert!(matches!(e, ResultError::Shape { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "matrix-1.35.json:3:15: runs[0].label: invalid type: integer `1`, expected a string (read as a matrix result)"
    );
    assert_eq!(
        err("{\n  \"runs\": [\n    {\"label\": \"a\",}\n").to_string(),
        "matrix-1.35.json:3:19: not valid JSON: trailing comma"
    );
    assert_eq!(
        err("").to_string(),
        "matrix-1.35.json:1:0: not valid JSON: EOF while parsing a value"
    );
    assert!(matches!(
        err(r#"{"runs": []} {"runs": []}"#),
        ResultError::Syntax { .. }
    ));
    // A run result given to --merge: which file, what it is, what was wanted.
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run.json");
    std::fs::write(
        &run,
        r#"{"scenarios": [], "summary": {"total": 0, "passed": 0, "failed": 0, "errors": 0}}"#,
    )
    .unwrap();
    let e = read_matrix_results(&[fixture("matrix/local-1.34.json"), run.clone()]).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}: a run result, where a matrix result was expected",
            run.display()
        )
    );
    let e = read_matrix_results(&[PathBuf::from("/nonexistent/matrix.json")]).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("cannot read /nonexistent/matrix.json: "),
        "{e}"
    );
}
