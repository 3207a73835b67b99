//! Test support: matrix runs made from the recordings of real runs
//! (`tests/fixtures/recordings/`), and the matrix results committed under
//! `tests/fixtures/matrix/`, which are made from them.

use std::path::{Path, PathBuf};

use super::{MatrixRun, arrange, column_label};
use crate::expect::fixtures::scenario_of;
use crate::expect::{Decision, evaluate, summarize};
use crate::runner::ScenarioReport;
use crate::timeline::{Recording, Timeline};

pub(crate) fn recording(name: &str) -> Recording {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("tests/fixtures/recordings/{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The report the runner would have made had it watched the whole recording: the scenario's
/// expectations (for that server version and kubelet curve) judged at the end of the watch.
pub(crate) fn report_of(rec: &Recording) -> ScenarioReport {
    let scenario = scenario_of(rec);
    let target = scenario.spec.target.clone();
    let timeline = Timeline::from_recording(rec);
    let evaluation = evaluate(&scenario.spec.expect, &target, &timeline, true);
    let error = (evaluation.decided == Decision::Pending).then(|| {
        format!(
            "observe phase timed out with expectations undecided; pending checks: {}",
            evaluation.pending().join(", ")
        )
    });
    let end = rec
        .observations
        .last()
        .map_or(rec.started_at, |o| o.received_at);
    let elapsed_s = (end.duration_since(rec.started_at).as_secs_f64() * 10.0).round() / 10.0;
    ScenarioReport {
        name: rec.scenario.clone(),
        namespace: rec.namespace.clone(),
        verdict: evaluation.verdict(),
        error,
        checks: evaluation.checks,
        observed: summarize(&target, &timeline),
        elapsed_s,
        ready_after_s: None,
        crashloop_after_s: None,
        timeline,
    }
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
