//! Test support: matrix runs made from the recordings of real runs
//! (`tests/fixtures/recordings/`), and the matrix results committed under
//! `tests/fixtures/matrix/`, which are made from them.

use std::path::{Path, PathBuf};

use super::{MatrixRun, arrange, column_label};
use crate::runner::replay_cluster::ReplayCluster;
use crate::runner::replay_run::replay_blocking;
use crate::runner::{RunOptions, ScenarioReport};
use crate::scenario::Catalogue;
use crate::timeline::Recording;

pub(crate) fn recording(name: &str) -> Recording {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("tests/fixtures/recordings/{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The report the runner made of the recording: the real runner replaying it
/// ([`crate::runner::replay_run`]), so a matrix fixture judges as `crashlab run` does.
pub(crate) fn report_of(rec: &Recording) -> ScenarioReport {
    let scenario = Catalogue::builtin()
        .get(&rec.scenario)
        .unwrap_or_else(|e| panic!("{}: not a built-in scenario: {e}", rec.scenario))
        .scenario
        .clone();
    let options = RunOptions {
        context: "local".into(),
        ..Default::default()
    };
    replay_blocking(|| ReplayCluster::new(rec.clone()), &[scenario], options)
        .report()
        .clone()
}

/// A run on the local provider of these recordings (all of one server version), labelled as
/// `crashlab matrix` labels it; `tuned`: the recordings were made with kubelet settings.
pub(crate) fn local_run(names: &[&str], tuned: bool) -> MatrixRun {
    let recs: Vec<Recording> = names.iter().map(|n| recording(n)).collect();
    let server_version = recs[0].server_version.clone();
    let kubelet_backoff = recs[0].kubelet_backoff.clone();
    assert!(
        recs.iter().all(|r| r.server_version == server_version),
        "one run is one cluster: {names:?}"
    );
    MatrixRun {
        label: column_label(
            "local",
            &server_version,
            kubelet_backoff.as_ref().filter(|_| tuned),
        ),
        provider: Some("local".into()),
        server_version,
        node_image: None,
        kubelet_backoff,
        reports: recs.iter().map(report_of).collect(),
    }
}

/// Where the committed matrix results live.
pub(crate) fn result_path(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/matrix")
        .join(file)
}

/// The committed results and the runs each holds: one result of one run (three scenarios on
/// v1.34.4), one of two runs (a tuned v1.35.4 and v1.36.3), as two CI jobs would write them.
pub(crate) fn committed_results() -> Vec<(&'static str, Vec<MatrixRun>)> {
    vec![
        (
            "local-1.34.json",
            vec![local_run(&["exit-1", "oom", "missing-secret-ref"], false)],
        ),
        (
            "local-1.35-1.36.json",
            arrange(vec![
                local_run(&["exit-1@v1.35.4-reduced-decay"], true),
                local_run(&["exit-1@v1.36.3"], false),
            ]),
        ),
    ]
}
