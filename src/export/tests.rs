//! The exported files carry the field names HolmesGPT and k8s-ai-bench read, for every
//! built-in scenario; the scripts are valid shell and pass what the suites give them on; the
//! k8s-ai-bench expectations pass right answers and fail kubectl's own output (recorded from
//! live incidents, tests/fixtures/kubectl) and wrong answers; one case of each format is
//! pinned by a snapshot.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use regex::Regex;
use serde_yaml::Value;

use super::*;
use crate::expect::pattern::{Flags, cached};
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
        // AskHolmesTestCase (tests/llm/utils/test_case_utils.py), which forbids other keys.
        assert_eq!(
            keys(&doc),
            set(&[
                "user_prompt",
                "expected_output",
                "tags",
                "before_test",
                "after_test",
                "setup_timeout"
            ]),
            "{folder}"
        );
        let tags: Vec<&str> = doc["tags"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        for t in &tags {
            assert!(
                HOLMESGPT_MARKERS.contains(t),
                "{folder}: tag {t} is no marker"
            );
        }
        let difficulty: Vec<&&str> = tags
            .iter()
            .filter(|t| ["easy", "medium", "hard"].contains(t))
            .collect();
        assert_eq!(difficulty, [&case.difficulty.as_str()], "{folder}");
        assert!(doc["setup_timeout"].as_u64().unwrap() >= 300, "{folder}");
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
        assert_eq!(task["difficulty"].as_str(), Some(case.difficulty.as_str()));
        let script = task["script"].as_sequence().unwrap();
        assert_eq!(script.len(), 1);
        assert_eq!(keys(&script[0]), set(&["prompt"]));
        let expect = task["expect"].as_sequence().unwrap();
        assert_eq!(
            expect.len(),
            1 + case.truth.key_facts.len() + case.truth.wrong_answers.len()
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

/// The markers of HolmesGPT's pyproject.toml (`[tool.pytest.ini_options] markers`, at
/// c1ee1d43): `tags` must be among them (`tests/llm/utils/constants.py`, ALLOWED_EVAL_TAGS).
const HOLMESGPT_MARKERS: [&str; 28] = [
    "datetime",
    "logs",
    "metrics",
    "context_window",
    "network",
    "runbooks",
    "chain-of-causation",
    "slackbot",
    "numerical",
    "counting",
    "kubernetes",
    "easy",
    "medium",
    "hard",
    "transparency",
    "kafka",
    "leaked-information",
    "port-forward",
    "toolset-limitation",
    "database",
    "traces",
    "datadog",
    "storage",
    "question-answer",
    "prometheus",
    "newrelic",
    "no-cicd",
    "compaction",
];

/// A k8s-ai-bench task's `expect`, compiled.
struct Expect {
    contains: Vec<Regex>,
    not_contains: Vec<Regex>,
}

impl Expect {
    fn of(case: &Case) -> Expect {
        let (_, files) = Format::K8sAiBench.render(case);
        let task: Value = serde_yaml::from_str(&file(&files, "task.yaml").text).unwrap();
        let mut e = Expect {
            contains: Vec::new(),
            not_contains: Vec::new(),
        };
        for x in task["expect"].as_sequence().unwrap() {
            if let Some(re) = x["contains"].as_str() {
                e.contains.push(cached(re, Flags::PLAIN).unwrap());
            }
            if let Some(re) = x["notContains"].as_str() {
                e.not_contains.push(cached(re, Flags::PLAIN).unwrap());
            }
        }
        e
    }

    /// What k8s-ai-bench concludes from `output` (eval.go: every `contains` matches and no
    /// `notContains` does), or why not.
    fn verdict(&self, output: &str) -> std::result::Result<(), String> {
        if let Some(re) = self.contains.iter().find(|re| !re.is_match(output)) {
            return Err(format!("contains {re} did not match"));
        }
        if let Some(m) = self.not_contains.iter().find_map(|re| re.find(output)) {
            return Err(format!("notContains matched {:?}", m.as_str()));
        }
        Ok(())
    }
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// kubectl's views of the live incident of `scenario` (tests/fixtures/kubectl/<scenario>/):
/// file name and text.
fn kubectl_views(scenario: &str) -> Vec<(String, String)> {
    let dir = fixtures().join("kubectl").join(scenario);
    let mut views: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e}; record them: tests/fixtures/kubectl/record.sh {scenario}",
                dir.display()
            )
        })
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    views.sort();
    assert!(views.len() >= 8, "{scenario}: {views:?}");
    views
}

/// How k8s-ai-bench sees an agent whose last tool call printed `view`: kubectl-ai's
/// `Running: …` line, the tool's output, then the answer (eval.go keeps what follows the
/// last `Running:` line).
fn agent_output(command: &str, view: &str, answer: &str) -> String {
    format!("  Running: kubectl {command}\n{view}\n{answer}\n")
}

/// Answers that conclude nothing, as agents word them.
const NON_ANSWERS: [&str; 4] = [
    "I could not determine the root cause.",
    "The pod is in CrashLoopBackOff. Please check the logs and events for more details.",
    "The pod is not healthy: it keeps restarting. I was unable to find the root cause from \
     the available information.",
    "I ran kubectl describe and kubectl logs but could not determine the root cause.",
];

#[test]
fn kubectl_output_offered_as_the_answer_passes_no_case() {
    let cases = cases();
    for scenario in &cases {
        let views = kubectl_views(&scenario.scenario);
        let all = views
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        for case in &cases {
            // No conclusion of any category in anything kubectl printed.
            let conclusion = cached(
                &super::conclusion::pattern(case.truth.category),
                Flags::PLAIN,
            )
            .unwrap();
            for (name, text) in &views {
                if let Some(m) = conclusion.find(text) {
                    panic!(
                        "kubectl/{}/{name} holds the {} conclusion {:?}",
                        scenario.scenario,
                        case.truth.category,
                        m.as_str()
                    );
                }
            }
        }
        // Its own case fails on each view and on all of them, followed by a non-answer.
        let expect = Expect::of(scenario);
        for answer in NON_ANSWERS {
            for (name, text) in views.iter().chain([&("all".to_owned(), all.clone())]) {
                let out = agent_output(name, text, answer);
                assert!(
                    expect.verdict(&out).is_err(),
                    "{}: kubectl {name} and {answer:?} pass",
                    scenario.scenario
                );
            }
        }
    }
}

/// Right answers: the built-in diagnoser's on a live incident (its summary and fix,
/// tests/fixtures/diagnoses/builtin), and ones written as an LLM agent words them
/// (tests/fixtures/export-answers).
fn right_answers(scenario: &str) -> Vec<(String, String)> {
    let builtin = fixtures().join(format!("diagnoses/builtin/{scenario}.stdout"));
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(builtin).unwrap()).unwrap();
    let builtin = format!(
        "{}\n\nFix: {}",
        doc["summary"].as_str().unwrap(),
        doc["fix"].as_str().unwrap()
    );
    let path = fixtures().join(format!("export-answers/{scenario}.md"));
    let written = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; write a right answer as an agent would (see its README)",
            path.display()
        )
    });
    vec![("builtin".into(), builtin), ("written".into(), written)]
}

#[test]
fn right_answers_pass_their_case_whatever_kubectl_printed_before() {
    for case in cases() {
        let expect = Expect::of(&case);
        for (who, answer) in right_answers(&case.scenario) {
            // The answer alone carries the conclusion, the key facts and no wrong advice ...
            if let Err(why) = expect.verdict(&answer) {
                panic!("{} ({who}): {why}\n{answer}", case.scenario);
            }
            // ... and no view kubectl printed before it turns it into a failure.
            for (name, text) in kubectl_views(&case.scenario) {
                let out = agent_output(&name, &text, &answer);
                if let Err(why) = expect.verdict(&out) {
                    panic!("{} ({who}) after kubectl {name}: {why}", case.scenario);
                }
            }
        }
    }
}

#[test]
fn the_explanations_of_the_ground_truth_pass_the_k8s_ai_bench_expectations() {
    // The scenario's own explanation satisfies its ground truth (catalogue tests), so it must
    // satisfy every `contains` too, and a blank answer none of them. Its lines are joined:
    // the file wraps them, an answer would not.
    for entry in Catalogue::builtin().entries() {
        let case = Case::new(&entry.scenario, None).unwrap();
        let expect = Expect::of(&case);
        let explanation = entry
            .scenario
            .spec
            .explanation
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        for re in &expect.contains {
            assert!(re.is_match(&explanation), "{}: {re}", case.scenario);
            assert!(!re.is_match("I do not know."));
        }
    }
}

#[test]
fn a_diagnoser_that_always_blames_memory_fails_every_case_but_oom() {
    // examples/bad-diagnoser.sh's answers on live incidents (tests/fixtures/diagnoses/bad).
    for case in cases() {
        let answer = std::fs::read_to_string(
            fixtures().join(format!("diagnoses/bad/{}.stdout", case.scenario)),
        )
        .unwrap();
        let expect = Expect::of(&case);
        for (name, text) in kubectl_views(&case.scenario) {
            let out = agent_output(&name, &text, &answer);
            let verdict = expect.verdict(&out);
            if case.scenario == "oom" {
                // Right in part: out of memory, with the facts from describe.
                if name == "describe-pods.txt" {
                    assert_eq!(verdict, Ok(()));
                }
            } else {
                assert!(verdict.is_err(), "{} after kubectl {name}", case.scenario);
            }
        }
    }
}

#[test]
fn wrong_advice_ruled_out_in_a_right_answer_is_no_failure() {
    // The issue's examples, on the cases whose wrong answers they name.
    let by_name = |n: &str| cases().into_iter().find(|c| c.scenario == n).unwrap();
    let readiness = Expect::of(&by_name("readiness-only"));
    let oom_free = Expect::of(&by_name("missing-secret"));
    for (expect, sentence) in [
        (
            &readiness,
            "A failing readiness probe means Kubernetes will not restart the container.",
        ),
        (
            &readiness,
            "Do not delete the pod: it would come back the same.",
        ),
        (
            &oom_free,
            "It is not a memory problem, so do not increase memory.",
        ),
        (&oom_free, "Don't raise the memory limit."),
    ] {
        for re in &expect.not_contains {
            assert!(!re.is_match(sentence), "{re} matches {sentence:?}");
        }
    }
    // Every wrong answer whose patterns match its own name as advice: caught when given,
    // not when ruled out.
    let mut checked = 0;
    for case in cases() {
        for wrong in &case.truth.wrong_answers {
            let advice = wrong
                .name
                .split(" (")
                .next()
                .unwrap()
                .split(" / ")
                .next()
                .unwrap();
            if !Regex::new(&super::case::pattern(wrong))
                .unwrap()
                .is_match(advice)
            {
                continue;
            }
            checked += 1;
            let re = Regex::new(&super::advice::pattern(wrong)).unwrap();
            for given in [
                format!("Fix: {advice}."),
                format!("You should {advice}."),
                format!("- {advice}"),
            ] {
                assert!(re.is_match(&given), "{}: {given}", case.scenario);
            }
            for ruled_out in [
                format!("Do not {advice}."),
                format!("You should not {advice}: it would not help."),
                format!("Kubernetes will not {advice}."),
                format!("There is no need to {advice}."),
                format!("I wouldn't {advice}."),
            ] {
                assert!(!re.is_match(&ruled_out), "{}: {ruled_out}", case.scenario);
            }
        }
    }
    assert!(checked >= 60, "{checked}");
}

/// Runs `script` with `shell` in `dir`, a `crashlab` and a `kubectl` on PATH that append
/// their arguments to `dir/calls` (kubectl answers `current-context` with `current`), and
/// `env`; returns the calls.
fn run_with_fakes(shell: &str, script: &str, dir: &Path, env: &[(&str, &str)]) -> String {
    let (ok, calls) = try_with_fakes(shell, script, dir, env);
    assert!(ok, "{script}");
    calls
}

/// [`run_with_fakes`], also when the script fails: whether it succeeded, and the calls.
fn try_with_fakes(shell: &str, script: &str, dir: &Path, env: &[(&str, &str)]) -> (bool, String) {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for tool in ["crashlab", "kubectl"] {
        crate::cluster::stand_in_program::write_stand_in(
            &bin.join(tool),
            &format!(
                "#!/bin/sh\necho \"{tool} $*\" >> \"{calls}\"\n\
                 if [ \"$*\" = \"config current-context\" ]; then echo \"${{FAKE_CURRENT:-current}}\"; fi\n",
                calls = dir.join("calls").display()
            ),
        );
    }
    let _ = std::fs::remove_file(dir.join("calls"));
    let path = format!("{}:/usr/bin:/bin", bin.display());
    let mut cmd = Command::new(shell);
    cmd.args(["-c", script])
        .current_dir(dir)
        .env_clear()
        .env("PATH", path);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let calls = std::fs::read_to_string(dir.join("calls")).unwrap_or_default();
    (out.status.success(), calls)
}

#[test]
fn setups_pass_the_context_and_the_allowed_context_on() {
    let dir = tempfile::tempdir().unwrap();
    let oom = cases().into_iter().find(|c| c.scenario == "oom").unwrap();
    let baked = oom.clone().allowing(&["gke_proj_*".to_owned()]).unwrap();
    let holmes = |c: &Case| {
        let (_, files) = Format::Holmesgpt.render(c);
        let doc: Value = serde_yaml::from_str(&file(&files, "test_case.yaml").text).unwrap();
        doc["before_test"].as_str().unwrap().to_owned()
    };
    let reproduce = |calls: &str| {
        calls
            .lines()
            .find(|l| l.starts_with("crashlab reproduce"))
            .unwrap()
            .to_owned()
    };
    let plain = "crashlab reproduce oom --namespace crashlab-oom";
    // HolmesGPT runs before_test with /bin/sh.
    let calls = run_with_fakes("sh", &holmes(&oom), dir.path(), &[]);
    assert_eq!(reproduce(&calls), plain);
    assert!(
        !calls.contains("kubectl"),
        "nothing to allow, nothing to ask: {calls}"
    );
    let calls = run_with_fakes(
        "sh",
        &holmes(&oom),
        dir.path(),
        &[
            ("CRASHLAB_ALLOW_CONTEXT", "other vcluster_*"),
            ("FAKE_CURRENT", "vcluster_k8s-ai-bench-x_h"),
        ],
    );
    assert_eq!(
        reproduce(&calls),
        format!("{plain} --allow-context vcluster_k8s-ai-bench-x_h")
    );
    let calls = run_with_fakes(
        "sh",
        &holmes(&oom),
        dir.path(),
        &[
            ("CRASHLAB_ALLOW_CONTEXT", "vcluster_*"),
            ("FAKE_CURRENT", "prod-eu"),
        ],
    );
    assert_eq!(reproduce(&calls), plain, "a context no pattern matches");
    let calls = run_with_fakes(
        "sh",
        &holmes(&oom),
        dir.path(),
        &[
            ("CRASHLAB_ALLOW_CONTEXT", "suite"),
            ("CRASHLAB_CONTEXT", "suite"),
        ],
    );
    assert_eq!(
        reproduce(&calls),
        "crashlab reproduce oom --namespace crashlab-oom --context suite --allow-context suite"
    );
    // A pattern given at export, with none at run time; `*` is not expanded against files.
    std::fs::write(dir.path().join("gke_proj_file"), "").unwrap();
    let calls = run_with_fakes(
        "sh",
        &holmes(&baked),
        dir.path(),
        &[("FAKE_CURRENT", "gke_proj_zone_c1")],
    );
    assert_eq!(
        reproduce(&calls),
        format!("{plain} --allow-context gke_proj_zone_c1")
    );
    // k8s-ai-bench's setup.sh (bash), then its verify.sh on the same context.
    let (_, files) = Format::K8sAiBench.render(&oom);
    for f in &files {
        std::fs::write(dir.path().join(f.name), &f.text).unwrap();
    }
    let setup = file(&files, "setup.sh")
        .text
        .replace("\"$here/verify.sh\"", "true");
    let env = [
        ("CRASHLAB_ALLOW_CONTEXT", "suite"),
        ("CRASHLAB_CONTEXT", "suite"),
    ];
    let calls = run_with_fakes("bash", &setup, dir.path(), &env);
    assert!(
        calls.contains("--context suite --allow-context suite"),
        "{calls}"
    );
    let verify = file(&files, "verify.sh")
        .text
        .replace("for _ in $(seq 30)", "for _ in 1")
        .replace("sleep 2", "true");
    let (live, calls) = try_with_fakes("bash", &verify, dir.path(), &env);
    assert!(!live, "the fake kubectl shows no pod");
    assert_eq!(
        calls.matches("kubectl ").count(),
        calls.matches("kubectl --context suite get ").count(),
        "{calls}"
    );
    assert!(
        calls.contains("get pods -n crashlab-oom -o jsonpath"),
        "{calls}"
    );
    // The fake shows no namespace either: gone, so the check stops at once, without the
    // pods' listing it prints after waiting in vain.
    assert!(
        calls.contains("get namespace crashlab-oom --ignore-not-found"),
        "{calls}"
    );
    assert!(
        !calls.contains("get pods -n crashlab-oom -o wide"),
        "{calls}"
    );
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
