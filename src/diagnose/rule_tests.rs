//! The rule list: well formed, one file a rule, and every rule deciding a recorded scenario or
//! a pod written for it, so that a rule no test reaches, or one that a change of order hides,
//! fails here.

use std::collections::BTreeSet;
use std::path::Path;

use crate::timeline::recorded;

use super::reasoning::strongest;
use super::recorded_input::input_from_recording;
use super::rule::Rule;
use super::rules::{FALLBACK, RULES};
use super::tests::{CRASHING, event, image_rollout, input, logs, never_started, pod};
use super::*;

/// The rule whose clue names each recorded scenario's cause.
const RECORDED: [(&str, &str); 35] = [
    ("abort", "abort"),
    ("bad-config", "bad-config-source"),
    ("bad-rollout", "rollout-changed-env"),
    ("cronjob-backup", "missing-env"),
    ("dependency-later", "dependency-came-up-later"),
    ("exit-0-always", "exit-zero-restarted"),
    ("exit-1", "missing-file"),
    ("exit-1@v1.35.4-reduced-decay", "missing-file"),
    ("exit-1@v1.36.3", "missing-file"),
    ("go-panic", "app-crash"),
    ("image-never-pull", "image-never-pull"),
    ("init-crash", "schema-mismatch"),
    ("java-exception", "service-not-serving"),
    ("job-never-restart", "missing-env"),
    ("liveness-sigkill", "probe-kill"),
    ("liveness-timeout", "probe-kill"),
    ("liveness", "probe-kill"),
    ("missing-binary", "start-failed"),
    ("missing-configmap-ref", "create-container-config-error"),
    ("missing-secret-ref", "create-container-config-error"),
    ("missing-secret-volume", "missing-object-event"),
    ("missing-secret", "missing-ref"),
    ("node-heap-oom", "heap-limit"),
    ("oom", "oom-killed"),
    ("oom@v1.35.4-max-restart-20s", "oom-killed"),
    ("port-conflict", "port-in-use"),
    ("postgres-down", "service-not-serving"),
    ("python-keyerror", "missing-env"),
    ("readiness-only", "readiness-probe"),
    ("readonly-fs", "read-only-fs"),
    ("segfault", "segfault"),
    ("sidecar-crash", "connection-failed"),
    ("slow-start-no-startup-probe", "probe-kill"),
    ("startup-probe-fails", "probe-kill"),
    ("unschedulable", "unschedulable"),
];

/// Pods written for the rules whose clue is in no recorded scenario's diagnosis, each decided
/// by its rule.
fn written_for(rule: &str) -> Option<DiagnoseInput> {
    let crashing = || pod(CRASHING);
    Some(match rule {
        "image-pull-failed" => input(
            never_started(crashing(), "ErrImagePull", "manifest unknown"),
            Vec::new(),
            Logs::NoInstance,
        ),
        "create-container-error" => input(
            never_started(crashing(), "CreateContainerError", "no command specified"),
            Vec::new(),
            Logs::NoInstance,
        ),
        "app-out-of-memory" => input(
            crashing(),
            Vec::new(),
            logs("loading catalogue\nfatal: cannot allocate memory\n"),
        ),
        "eviction" => input(
            crashing(),
            vec![event("Evicted", "The node was low on resource: memory.")],
            Logs::NoInstance,
        ),
        "rollout-changed-image" => {
            let mut i = input(crashing(), Vec::new(), Logs::NoInstance);
            i.owners = Fetched::Got(image_rollout());
            i
        }
        "app-itself" => input(crashing(), Vec::new(), logs("starting\n")),
        _ => return None,
    })
}

fn all_rules() -> impl Iterator<Item = &'static Rule> {
    RULES
        .iter()
        .flat_map(|(_, rules)| rules.iter())
        .chain([&FALLBACK])
}

/// The rule whose clue names `d`'s cause: its strongest clue's, else the fallback's.
fn decided_by(d: &Diagnosis) -> Option<&'static str> {
    let clues = d.evidence.iter().flat_map(|s| &s.clues);
    strongest(clues)
        .map(|c| c.rule)
        .or(d.category.map(|_| FALLBACK.name))
}

#[test]
fn the_rules_are_listed_per_step_with_unique_names_and_what_they_need() {
    assert_eq!(RULES.map(|(step, _)| step), StepKind::ALL);
    let mut names = BTreeSet::new();
    for rule in all_rules() {
        assert!(names.insert(rule.name), "{}: listed twice", rule.name);
        assert!(
            !rule.name.is_empty()
                && rule
                    .name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-'),
            "{}: not kebab-case",
            rule.name
        );
        assert!(!rule.needs.is_empty(), "{}: needs nothing", rule.name);
        assert!(
            !rule.gives.trim().is_empty(),
            "{}: gives nothing",
            rule.name
        );
    }
}

#[test]
fn every_rule_is_one_file_named_after_it() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/diagnose/rules");
    let files: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f != "mod.rs")
        .collect();
    let expected: BTreeSet<String> = all_rules()
        .map(|r| format!("{}.rs", r.name.replace('-', "_")))
        .collect();
    assert_eq!(
        files,
        expected,
        "files in {} vs rules listed",
        dir.display()
    );
}

#[test]
fn each_recorded_scenario_is_decided_by_its_rule() {
    let decided: Vec<(String, Option<&str>)> = recorded()
        .into_iter()
        .map(|(name, rec)| {
            let d = diagnose(&input_from_recording(&rec)).unwrap();
            (name, decided_by(&d))
        })
        .collect();
    let expected: Vec<(String, Option<&str>)> = RECORDED
        .iter()
        .map(|(scenario, rule)| (scenario.to_string(), Some(*rule)))
        .collect();
    assert_eq!(decided, expected);
}

/// The rules whose clue a diagnosis's summary holds: those that agree with the cause named.
fn in_summary(d: &Diagnosis) -> Vec<&'static str> {
    d.evidence
        .iter()
        .flat_map(|s| &s.clues)
        .filter(|c| d.summary.contains(&c.sentence))
        .map(|c| c.rule)
        .collect()
}

#[test]
fn every_rule_speaks_in_a_recorded_diagnosis_or_decides_a_pod_written_for_it() {
    let spoke: BTreeSet<&str> = recorded()
        .into_iter()
        .flat_map(|(_, rec)| in_summary(&diagnose(&input_from_recording(&rec)).unwrap()))
        .collect();
    let unreached: Vec<String> = all_rules()
        .filter(|r| !spoke.contains(r.name))
        .filter_map(|rule| {
            let Some(input) = written_for(rule.name) else {
                return Some(format!("{}: no recording or pod of the tests", rule.name));
            };
            let d = diagnose(&input).unwrap();
            let decided = decided_by(&d);
            (decided != Some(rule.name)).then(|| {
                format!(
                    "{}: its pod is decided by {decided:?}\n{}",
                    rule.name,
                    render_human(&d)
                )
            })
        })
        .collect();
    assert!(unreached.is_empty(), "{}", unreached.join("\n"));
}
