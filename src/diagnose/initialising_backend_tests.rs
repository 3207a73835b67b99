//! A dependency still initialising, on the database logs of a real `dependency-later` run
//! (`tests/fixtures/diagnoses/backends/`) and the app's recording cut at its first
//! `CrashLoopBackOff`, the moment `crashlab validate` now runs a tool.

use std::path::Path;

use crate::expect::fixtures::scenario_of;
use crate::expect::ready_for_diagnosis::CRASH_LOOP_BACK_OFF;
use crate::timeline::{Observed, Recording, recorded};
use crate::validate::{GradeOptions, ToolOutput, grade};

use super::initialising_backend::{initialising, ready_backend};
use super::recorded_input::input_from_recording;
use super::*;

fn db_log(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/diagnoses/backends")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_owned).collect()
}

/// The `dependency-later` recording up to the first observation of the app in
/// `CrashLoopBackOff` and of its previous instance's logs: the database was still
/// initialising then.
fn at_first_crash_loop() -> Recording {
    let (_, mut rec) = recorded()
        .into_iter()
        .find(|(n, _)| n == "dependency-later")
        .expect("dependency-later recording");
    let cut = rec
        .observations
        .iter()
        .position(|o| match &o.what {
            Observed::Pod { object } => object
                .status
                .iter()
                .flat_map(|s| s.container_statuses.iter().flatten())
                .any(|c| {
                    c.state
                        .as_ref()
                        .and_then(|s| s.waiting.as_ref())
                        .and_then(|w| w.reason.as_deref())
                        == Some(CRASH_LOOP_BACK_OFF)
                }),
            _ => false,
        })
        .expect("the recording shows CrashLoopBackOff");
    // The runner reads the previous instance's logs after the pod status that shows it ended.
    let logs = rec
        .observations
        .iter()
        .position(|o| matches!(o.what, Observed::PreviousLogs { .. }))
        .expect("the recording holds previous logs");
    rec.observations.truncate(cut.max(logs) + 1);
    rec
}

/// The input at that moment, with Service postgres answering as the API did: one ready
/// endpoint, its pod's log being `db_log`.
fn input_with_db(db: &str) -> DiagnoseInput {
    let mut input = input_from_recording(&at_first_crash_loop());
    let Fetched::Got(services) = &mut input.services else {
        panic!("recorded services")
    };
    let postgres = services
        .iter_mut()
        .find(|s| s.name == "postgres")
        .expect("Service postgres");
    postgres.ready_endpoints = Some(1);
    postgres.backends = vec![ready_backend(
        "db-5f844db6cb-t6grm",
        "postgres",
        &db_log(db),
    )];
    input
}

#[test]
fn the_database_log_shows_it_initialising_until_it_listens() {
    let during = lines(&db_log("postgres-initialising.log"));
    let init = initialising(&during).expect("still initialising");
    assert_eq!(
        init.under_way,
        "/usr/local/bin/docker-entrypoint.sh: running /docker-entrypoint-initdb.d/10-schema.sql"
    );
    assert_eq!(init.last, Some("INSERT 0 5000"));
    // The same log once it has initialised and listens: it ends in "ready to accept
    // connections" after "init process complete".
    assert_eq!(
        initialising(&lines(&db_log("postgres-listening.log"))),
        None
    );
    // Cut just before "init process complete", it is still under way.
    let listening = lines(&db_log("postgres-listening.log"));
    let complete = listening
        .iter()
        .position(|l| l.contains("init process complete"))
        .unwrap();
    assert!(initialising(&listening[..complete]).is_some());
}

#[test]
fn at_the_first_crash_loop_the_diagnosis_says_the_database_is_still_initialising() {
    let rec = at_first_crash_loop();
    let truth = scenario_of(&rec).spec.ground_truth.unwrap();
    let d = diagnose(&input_with_db("postgres-initialising.log")).unwrap();
    assert_eq!(d.category, Some(truth.category), "{}", d.summary);
    assert!(
        d.summary.contains("postgres is still initialising"),
        "{}",
        d.summary
    );
    super::tests::assert_full_score(&truth, &d, &rec.namespace, "dependency-later");
    insta::assert_snapshot!("human__dependency-later@first-crash-loop", render_human(&d));
}

#[test]
fn without_the_databases_log_the_crash_loop_diagnosis_misses_the_cold_start() {
    // What the diagnoser said before it read the pods behind a Service, and still says when
    // the log cannot be read: the refused connection, not why it is refused.
    let mut input = input_with_db("postgres-initialising.log");
    if let Fetched::Got(services) = &mut input.services {
        for s in services.iter_mut() {
            for b in &mut s.backends {
                b.log_tail = None;
                b.log_error = Some("forbidden".to_owned());
            }
        }
    }
    let rec = at_first_crash_loop();
    let truth = scenario_of(&rec).spec.ground_truth.unwrap();
    let d = diagnose(&input).unwrap();
    let g = grade(
        &truth,
        &ToolOutput::ok(serde_json::to_string(&d).unwrap()),
        &GradeOptions::default(),
        &[&rec.namespace],
    );
    let missed: Vec<_> = g.missed().map(|f| f.name.as_str()).collect();
    assert_eq!(
        missed,
        ["the database is still initialising (it comes up later)"]
    );
}

#[test]
fn a_database_that_listens_is_not_blamed_on_initialisation() {
    let d = diagnose(&input_with_db("postgres-listening.log")).unwrap();
    assert!(!d.summary.contains("initialising"), "{}", d.summary);
}
