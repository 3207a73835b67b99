//! The exported files carry the field names HolmesGPT and k8s-ai-bench read, for every
//! built-in scenario; the scripts are valid shell; one case of each format is pinned by a
//! snapshot.

use std::collections::BTreeSet;
use std::process::Command;

use serde_yaml::Value;

use super::*;
use crate::scenario::Catalogue;

fn cases() -> Vec<Case> {
    Catalogue::builtin()
        .entries()
        .iter()
        .map(|e| Case::new(&e.scenario, None).unwrap())
        .collect()
}

fn file<'a>(files: &'a [CaseFile], name: &str) -> &'a CaseFile {
    files.iter().find(|f| f.name == name).unwrap()
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_mapping()
        .unwrap()
        .keys()
        .map(|k| k.as_str().unwrap().to_owned())
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

/// `sh -n` / `bash -n`: the shell parses the script.
fn parses(shell: &str, script: &str) {
    let out = Command::new(shell)
        .args(["-n", "-c", script])
        .output()
        .unwrap();
    assert!(out.status.success(), "{shell} -n: {out:?}\n{script}");
}

#[test]
fn holmesgpt_test_cases_have_its_fields() {
    let test_id = regex::Regex::new("^[a-z0-9]+(_[a-z0-9]+)*$").unwrap();
    for case in cases() {
        let (folder, files) = Format::Holmesgpt.render(&case);
        assert!(test_id.is_match(&folder), "{folder}");
        let doc: Value = serde_yaml::from_str(&file(&files, "test_case.yaml").text).unwrap();
        // AskHolmesTestCase (tests/llm/utils/test_case_utils.py).
        assert_eq!(
            keys(&doc),
            set(&[
                "user_prompt",
                "expected_output",
                "before_test",
                "after_test"
            ]),
            "{folder}"
        );
        let prompt = doc["user_prompt"].as_str().unwrap();
        assert!(prompt.contains(&case.namespace), "{prompt}");
        let expected: Vec<&str> = doc["expected_output"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(
            expected.len(),
            1 + case.truth.key_facts.len() + case.truth.wrong_answers.len()
        );
        for fact in &case.truth.key_facts {
            assert!(expected.contains(&format!("Mentions {}", fact.name).as_str()));
        }
        let before = doc["before_test"].as_str().unwrap();
        let after = doc["after_test"].as_str().unwrap();
        assert!(before.starts_with("set -e\n"), "{before}");
        assert!(
            before.contains(&format!(
                "reproduce {} --namespace {}",
                case.scenario, case.namespace
            )),
            "{before}"
        );
        assert!(after.contains(&format!("gc --namespace {}", case.namespace)));
        // HolmesGPT runs them with subprocess(shell=True): /bin/sh.
        parses("sh", before);
        parses("sh", after);
    }
}

#[test]
fn k8s_ai_bench_tasks_have_its_fields_and_layout() {
    for case in cases() {
        let (folder, files) = Format::K8sAiBench.render(&case);
        assert_eq!(folder, case.namespace);
        let names: BTreeSet<&str> = files.iter().map(|f| f.name).collect();
        assert_eq!(
            names,
            BTreeSet::from(["task.yaml", "setup.sh", "verify.sh", "cleanup.sh"])
        );
        let task: Value = serde_yaml::from_str(&file(&files, "task.yaml").text).unwrap();
        // Task (main.go): no verifier, on purpose (see k8s_ai_bench.rs).
        assert_eq!(
            keys(&task),
            set(&["script", "setup", "cleanup", "difficulty", "expect"])
        );
        assert_eq!(task["setup"].as_str(), Some("setup.sh"));
        assert_eq!(task["cleanup"].as_str(), Some("cleanup.sh"));
        let script = task["script"].as_sequence().unwrap();
        assert_eq!(script.len(), 1);
        assert_eq!(keys(&script[0]), set(&["prompt"]));
        let expect = task["expect"].as_sequence().unwrap();
        assert_eq!(
            expect.len(),
            case.truth.key_facts.len() + case.truth.wrong_answers.len()
        );
        for e in expect {
            let k = keys(e);
            assert!(
                k == set(&["contains"]) || k == set(&["notContains"]),
                "{k:?}"
            );
            let re = e["contains"]
                .as_str()
                .or(e["notContains"].as_str())
                .unwrap();
            regex::Regex::new(re).unwrap();
        }
        for f in &files {
            assert_eq!(f.executable, f.name.ends_with(".sh"), "{}", f.name);
            if f.executable {
                assert!(f.text.starts_with("#!/usr/bin/env bash\n"), "{}", f.name);
                parses("bash", &f.text);
            }
        }
        let setup = &file(&files, "setup.sh").text;
        assert!(setup.contains("set -euo pipefail"));
        assert!(setup.trim_end().ends_with("\"$here/verify.sh\""), "{setup}");
    }
}

#[test]
fn the_answers_of_the_ground_truth_pass_the_k8s_ai_bench_expectations() {
    // The scenario's own explanation satisfies its ground truth (catalogue tests), so it must
    // satisfy every `contains` too, and a blank answer none of them.
    for entry in Catalogue::builtin().entries() {
        let case = Case::new(&entry.scenario, None).unwrap();
        let (_, files) = Format::K8sAiBench.render(&case);
        let task: Value = serde_yaml::from_str(&file(&files, "task.yaml").text).unwrap();
        for e in task["expect"].as_sequence().unwrap() {
            if let Some(re) = e["contains"].as_str() {
                let re = regex::Regex::new(re).unwrap();
                assert!(
                    re.is_match(&entry.scenario.spec.explanation),
                    "{}: {re}",
                    case.scenario
                );
                assert!(!re.is_match("I do not know."));
            }
        }
    }
}

#[test]
fn verify_checks_what_the_scenario_promises() {
    let by_name = |n: &str| {
        cases()
            .into_iter()
            .find(|c| c.scenario == n)
            .map(|c| {
                file(&Format::K8sAiBench.render(&c).1, "verify.sh")
                    .text
                    .clone()
            })
            .unwrap()
    };
    let oom = by_name("oom");
    assert!(oom.contains(r#"{ [ "$last" = "OOMKilled" ]; }"#), "{oom}");
    let never_pull = by_name("image-never-pull");
    assert!(never_pull.contains(r#"[ "$waiting" = "ErrImageNeverPull" ]"#));
    assert!(oom.contains(r#"[ "$name" = "app" ]"#));
    let readiness = by_name("readiness-only");
    assert!(
        readiness.contains(r#"[ "$ready" = "false" ]"#),
        "{readiness}"
    );
    let unschedulable = by_name("unschedulable");
    assert!(
        unschedulable.contains("--field-selector reason=FailedScheduling"),
        "{unschedulable}"
    );
}

#[test]
fn snapshots_of_one_case_per_format() {
    let case = cases().into_iter().find(|c| c.scenario == "oom").unwrap();
    for (format, tag) in [
        (Format::Holmesgpt, "holmesgpt"),
        (Format::K8sAiBench, "k8s-ai-bench"),
    ] {
        let (folder, files) = format.render(&case);
        let text: String = files
            .iter()
            .map(|f| {
                format!(
                    "==> {folder}/{} ({})\n{}",
                    f.name,
                    if f.executable { "0755" } else { "0644" },
                    f.text
                )
            })
            .collect();
        insta::assert_snapshot!(format!("oom_{tag}"), text);
    }
}

#[test]
fn writing_refuses_a_non_empty_case_directory_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let case = cases()
        .into_iter()
        .find(|c| c.scenario == "exit-1")
        .unwrap();
    let written = write(
        Format::K8sAiBench,
        dir.path(),
        std::slice::from_ref(&case),
        false,
    )
    .unwrap();
    assert_eq!(written, [dir.path().join("crashlab-exit-1")]);
    let setup = written[0].join("setup.sh");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&setup).unwrap().permissions().mode() & 0o777,
        0o755
    );
    let stray = written[0].join("stray.txt");
    std::fs::write(&stray, "x").unwrap();
    let e = write(
        Format::K8sAiBench,
        dir.path(),
        std::slice::from_ref(&case),
        false,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("{} exists and is not empty", written[0].display())
    );
    assert!(stray.exists(), "a refusal writes nothing");
    write(
        Format::K8sAiBench,
        dir.path(),
        std::slice::from_ref(&case),
        true,
    )
    .unwrap();
    assert!(!stray.exists(), "--force replaces the case directory");
    assert!(setup.exists());
}

#[test]
fn scenarios_from_files_travel_with_the_case() {
    let cat = Catalogue::builtin();
    let case = Case::new(
        &cat.get("oom").unwrap().scenario,
        Some("kind: Scenario\n".into()),
    )
    .unwrap();
    for format in [Format::Holmesgpt, Format::K8sAiBench] {
        let (_, files) = format.render(&case);
        assert_eq!(file(&files, SCENARIO_FILE).text, "kind: Scenario\n");
    }
    let (_, files) = Format::K8sAiBench.render(&case);
    assert!(
        file(&files, "setup.sh")
            .text
            .contains("-f \"$here/scenario.yaml\"")
    );
}
