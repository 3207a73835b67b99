//! Grading on outputs recorded from real runs (`tests/fixtures/diagnoses/`): the built-in
//! diagnoser's JSON and `examples/bad-diagnoser.sh`'s text, each taken while the scenario's
//! crash loop was live (`crashlab validate --save-output`). And every output format of a
//! validation, pinned by snapshots of fixed reports.

use std::path::{Path, PathBuf};

use crate::expect::{CheckResult, Outcome};
use crate::runner::Verdict;
use crate::scenario::{Catalogue, Category, GroundTruth};

use super::*;

/// A built-in scenario's ground truth.
fn truth_of(name: &str) -> GroundTruth {
    Catalogue::builtin()
        .get(name)
        .unwrap()
        .scenario
        .spec
        .ground_truth
        .clone()
        .unwrap()
}

fn diagnoses() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diagnoses")
}

/// One recorded call: the scenario, its ground truth, the namespace the tool was given
/// (found in its output: `crashlab-<scenario>-<5 characters>`) and its stdout.
#[derive(Clone)]
struct Recorded {
    name: String,
    truth: GroundTruth,
    namespace: String,
    stdout: String,
}

impl Recorded {
    fn grade(&self) -> Grade {
        grade(
            &self.truth,
            &ToolOutput::ok(self.stdout.clone()),
            &GradeOptions::default(),
            &[&self.namespace],
        )
    }
}

/// Every built-in scenario's recorded call of `tool` (`builtin` or `bad`), read once per
/// test process (a report of the catalogue asks for it once per scenario).
fn recorded(tool: &str) -> Vec<Recorded> {
    static READ: std::sync::Mutex<Vec<(String, Vec<Recorded>)>> = std::sync::Mutex::new(Vec::new());
    let mut read = READ.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, r)) = read.iter().find(|(t, _)| t == tool) {
        return r.clone();
    }
    let r = read_recorded(tool);
    read.push((tool.to_owned(), r.clone()));
    r
}

fn read_recorded(tool: &str) -> Vec<Recorded> {
    Catalogue::builtin()
        .entries()
        .iter()
        .map(|e| {
            let name = e.name().to_owned();
            let path = diagnoses().join(tool).join(format!("{name}.stdout"));
            let stdout = std::fs::read_to_string(&path).unwrap_or_else(|err| {
                panic!(
                    "{}: {err}; record it with `crashlab validate --save-output`",
                    path.display()
                )
            });
            let namespace = regex::Regex::new(&format!("crashlab-{name}-[a-z0-9]{{5}}"))
                .unwrap()
                .find(&stdout)
                .unwrap_or_else(|| panic!("{}: no namespace in it", path.display()))
                .as_str()
                .to_owned();
            Recorded {
                truth: e.scenario.spec.ground_truth.clone().unwrap(),
                name,
                namespace,
                stdout,
            }
        })
        .collect()
}

#[test]
fn the_builtin_diagnoser_scores_every_recorded_scenario_100_percent() {
    for r in recorded("builtin") {
        let (name, g) = (&r.name, r.grade());
        assert_eq!(
            g.score,
            1.0,
            "{name}: missed {:?}, wrong {:?}",
            g.missed().map(|f| &f.name).collect::<Vec<_>>(),
            g.wrong_given().map(|f| &f.matched).collect::<Vec<_>>()
        );
        assert!(
            matches!(&g.category.source, CategorySource::Field { path, .. } if path == "category"),
            "{name}: {:?}",
            g.category.source
        );
    }
}

#[test]
fn the_bad_diagnoser_scores_low_and_what_it_missed_is_named() {
    let mut scores = Vec::new();
    for r in recorded("bad") {
        let (name, g) = (r.name.as_str(), r.grade());
        assert_eq!(g.category.found, Some(Category::ResourceLimits), "{name}");
        // Always "out of memory": right by accident where the cause is a limit.
        let lucky = r.truth.category == Category::ResourceLimits;
        assert!(
            matches!(&g.category.source, CategorySource::Text { phrase } if phrase == "out of memory"),
            "{name}: {:?}",
            g.category.source
        );
        if name == "oom" {
            // Right category, "out of memory" counts as OOMKilled; no 137, no 64Mi.
            assert_eq!(g.score, 0.667);
            assert_eq!(
                g.missed().map(|f| f.name.as_str()).collect::<Vec<_>>(),
                ["exit code 137", "memory limit 64Mi"]
            );
        } else {
            // The category's half, less the memory advice, which is wrong where the limit
            // was not reached (V8's heap, a CPU request).
            assert_eq!(g.score, if lucky { 0.25 } else { 0.0 }, "{name}");
            // Its output echoes the namespace (`crashlab-liveness-sigkill-…`), which names the
            // scenario; masked, it earns no fact.
            assert_eq!(g.facts_found(), 0, "{name}: {:?}", g.key_facts);
            assert!(
                g.wrong_given()
                    .any(|f| f.name.starts_with("raise the") && f.name.contains("memory limit")),
                "{name}: {:?}",
                g.wrong_answers
            );
        }
        scores.push(g.score);
    }
    let mean = scores.iter().sum::<f64>() / scores.len() as f64;
    assert!(mean < 0.1, "{mean}");
}

// ------------------------------------------------------------------ reports

/// What a call at the evidence moment of the scenario's committed recording, lasting
/// `elapsed_s`, was shown.
fn sight(name: &str, elapsed_s: f64) -> Option<crate::expect::Sight> {
    use crate::expect::moment::{Moment, first_reached};
    let (_, rec) = crate::timeline::recorded()
        .into_iter()
        .find(|(n, _)| n == name)?;
    // The scenario as the recorded cluster's version selects its expectations.
    let s = crate::expect::fixtures::scenario_of(&rec);
    let timeline = crate::timeline::Timeline::from_recording(&rec);
    let (at, state) = first_reached(
        Moment::Evidence,
        &s.spec.expect,
        &s.spec.target,
        &timeline,
        std::time::Duration::from_secs(10),
    )?;
    let call = crate::expect::Call {
        moment: Moment::Evidence,
        asked: Moment::Evidence,
        note: None,
        pod: state.map_or_else(|| "app".to_owned(), |t| t.pod),
        container: s.spec.target.container.clone(),
        started_at: at,
        ended_at: at
            .checked_add(jiff::SignedDuration::from_secs_f64(elapsed_s))
            .unwrap(),
    };
    let last = timeline.entries.last().map(|e| e.at);
    Some(crate::expect::Sight::of(
        &call,
        &timeline,
        Some(rec.started_at),
        last,
    ))
}

fn graded(name: &str, tool: &str, elapsed_s: f64) -> ScenarioValidation {
    let r = recorded(tool).into_iter().find(|r| r.name == name).unwrap();
    let mut out = ToolOutput::ok(r.stdout.clone());
    out.elapsed_s = elapsed_s;
    ScenarioValidation {
        name: name.to_owned(),
        expected_category: r.truth.category,
        outcome: ValidationOutcome::Graded {
            grade: r.grade(),
            tool: out,
            judge: None,
            saw: sight(name, elapsed_s),
        },
        namespace: r.namespace,
        runs: Vec::new(),
        ready_after_s: None,
        crashloop_after_s: None,
    }
}

/// As reported for the sabotaged exit-1 (its container only sleeps) on a real kubelet
/// v1.34.4 (`crashlab validate --file tests/fixtures/scenarios/exit-1-sabotaged.yaml`).
fn sabotaged() -> ScenarioValidation {
    let pending = |name: &str, expected: &str, observed: &str| {
        CheckResult::new(name, Outcome::Pending, expected, observed)
    };
    ScenarioValidation {
        name: "exit-1-sabotaged".into(),
        namespace: "crashlab-exit-1-sabotaged-q9w3z".into(),
        expected_category: Category::MissingConfig,
        outcome: ValidationOutcome::NotReproduced {
            verdict: Verdict::Error,
            reason: "observe phase timed out after 1m with expectations undecided; pending checks: waiting_reason, last_termination, restarts.min, event BackOff, previous_logs /fatal: config file /etc/app/config\\.yaml not found/, backoff".into(),
            unmet_checks: vec![
                pending("waiting_reason", "waiting CrashLoopBackOff", "waiting ContainerCreating"),
                pending("last_termination", "exit code 1 (Error)", "no termination"),
                pending("restarts.min", "at least 2 restarts", "0 restarts"),
                pending(
                    "event BackOff",
                    "a BackOff event with a message matching /Back-off restarting failed container/",
                    "no BackOff event; seen: Scheduled, Pulled, Created, Started",
                ),
            ],
        },
        runs: Vec::new(),
        ready_after_s: None,
        crashloop_after_s: None,
    }
}

fn report(scenarios: Vec<ScenarioValidation>, command: &str) -> ValidationReport {
    ValidationReport {
        command: command.to_owned(),
        judge: None,
        min_score: 1.0,
        scenarios,
        cluster_unreachable: None,
    }
}

const BUILTIN: &str = "crashlab diagnose $CRASHLAB_POD -n $CRASHLAB_NAMESPACE -o json";

fn builtin_report() -> ValidationReport {
    let names: Vec<String> = Catalogue::builtin().names().map(str::to_owned).collect();
    report(
        names
            .iter()
            .enumerate()
            .map(|(i, n)| graded(n, "builtin", 0.2 + i as f64 / 10.0))
            .collect(),
        BUILTIN,
    )
}

fn bad_report() -> ValidationReport {
    let mut timed_out = graded("postgres-down", "bad", 60.0);
    if let ValidationOutcome::Graded { tool, grade: g, .. } = &mut timed_out.outcome {
        tool.ending = ToolEnding::TimedOut { limit_s: 60 };
        tool.stdout.clear();
        let truth = truth_of("postgres-down");
        *g = grade(&truth, tool, &GradeOptions::default(), &[]);
    }
    report(
        vec![
            graded("oom", "bad", 0.01),
            graded("missing-secret-ref", "bad", 0.01),
            timed_out,
            sabotaged(),
        ],
        "examples/bad-diagnoser.sh",
    )
}

#[test]
fn human_reports() {
    insta::assert_snapshot!("human__builtin", render_human(&builtin_report()));
    insta::assert_snapshot!("human__bad", render_human(&bad_report()));
}

#[test]
fn json_reports() {
    let doc: serde_json::Value = serde_json::from_str(&render_json(&bad_report())).unwrap();
    insta::assert_json_snapshot!("json__bad", doc);
    let doc: serde_json::Value = serde_json::from_str(&render_json(&builtin_report())).unwrap();
    assert_eq!(doc["summary"]["overall_score"], 1.0);
    assert_eq!(doc["summary"]["result"], "pass");
    assert!(
        doc["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["passed"] == true)
    );
}

#[test]
fn junit_report() {
    let xml = render_junit(&bad_report()).unwrap();
    let parsed = quick_junit::Report::deserialize_from_str(&xml).unwrap();
    // Two weak answers and a time-out fail; the sabotaged fixture is an error, not a failure.
    assert_eq!((parsed.tests, parsed.failures, parsed.errors), (4, 3, 1));
    insta::assert_snapshot!("junit__bad", xml);
}

#[test]
fn exit_decisions() {
    assert_eq!(builtin_report().exit(), ValidationExit::Pass);
    assert_eq!(bad_report().exit(), ValidationExit::ToolBelow);
    assert_eq!(
        report(vec![sabotaged()], BUILTIN).exit(),
        ValidationExit::Incomplete
    );
    let mut with_sabotage = builtin_report();
    with_sabotage.scenarios.push(sabotaged());
    assert_eq!(with_sabotage.exit(), ValidationExit::Incomplete);
    assert_eq!(
        with_sabotage.overall(),
        Some(1.0),
        "a fixture never counts against the tool"
    );
    let mut lenient = bad_report();
    lenient.min_score = 0.5;
    assert_eq!(lenient.below(), 2, "oom's 67% passes at 0.5");
}

#[test]
fn a_judge_score_replaces_the_rule_score() {
    let mut s = graded("oom", "bad", 0.1);
    if let ValidationOutcome::Graded { judge, .. } = &mut s.outcome {
        *judge = Some(JudgeResult::from_output(ToolOutput::ok("0.25\n")));
    }
    assert_eq!(s.score(), Some(0.25));
    let mut r = report(vec![s], "examples/bad-diagnoser.sh");
    r.judge = Some("my-judge".into());
    let text = render_human(&r);
    assert!(text.contains("25% (judge; rules 67%)  below"), "{text}");

    let mut s = graded("oom", "builtin", 0.1);
    if let ValidationOutcome::Graded { judge, .. } = &mut s.outcome {
        *judge = Some(JudgeResult::from_output(ToolOutput::ok("very good")));
    }
    assert_eq!(s.score(), None);
    assert_eq!(report(vec![s], BUILTIN).exit(), ValidationExit::Incomplete);
}

/// `--repeat 3`: exit-1 answered right, wrong, right (examples/flaky-diagnoser.sh's pattern,
/// here from recorded answers), oom right three times, and a fixture that never reproduced.
fn repeated_report() -> ValidationReport {
    let runs = |s: &ScenarioValidation, tools: &[&str]| -> Vec<RunResult> {
        tools
            .iter()
            .enumerate()
            .map(|(i, tool)| {
                let o = graded(&s.name, tool, 1.0 + i as f64).outcome;
                RunResult::new(i + 1, &s.namespace, &o, 1.0)
            })
            .collect()
    };
    let mut flaky = graded("exit-1", "builtin", 1.0);
    flaky.runs = runs(&flaky, &["builtin", "bad", "builtin"]);
    let mut steady = graded("oom", "builtin", 1.0);
    steady.runs = runs(&steady, &["builtin", "builtin", "builtin"]);
    let mut broken = sabotaged();
    broken.runs = vec![RunResult::new(1, &broken.namespace, &broken.outcome, 1.0)];
    let mut r = report(vec![flaky, steady, broken], "examples/flaky-diagnoser.sh");
    let again = r.scenarios[2].runs[0].clone();
    r.scenarios[2].runs.push(again);
    r
}

#[test]
fn repeated_runs_in_every_format() {
    let r = repeated_report();
    let flaky = r.scenarios[0].repeats().unwrap();
    assert_eq!((flaky.graded, flaky.right), (3, 2));
    assert_eq!(
        (flaky.pass_at_1, flaky.pass_at_n, flaky.pass_all_n),
        (0.667, 1.0, 0.0)
    );
    assert_eq!(r.scenarios[0].passed(1.0), Some(false), "pass^3 decides");
    assert_eq!(r.scenarios[1].passed(1.0), Some(true));
    assert_eq!(r.scenarios[2].repeats(), None);
    assert_eq!(r.exit(), ValidationExit::ToolBelow);

    insta::assert_snapshot!("human__repeated", render_human(&r));
    let mut doc: serde_json::Value = serde_json::from_str(&render_json(&r)).unwrap();
    assert_eq!(doc["summary"]["repeat"], 3);
    // The first run's grade and output are pinned by json__bad; here the repeats matter.
    for s in doc["scenarios"].as_array_mut().unwrap() {
        for field in ["grade", "tool", "unmet_checks"] {
            if let Some(v) = s.get_mut(field) {
                *v = serde_json::json!(format!("[{field}]"));
            }
        }
    }
    insta::assert_json_snapshot!("json__repeated", doc);
    let xml = render_junit(&r).unwrap();
    let parsed = quick_junit::Report::deserialize_from_str(&xml).unwrap();
    assert_eq!((parsed.tests, parsed.failures, parsed.errors), (3, 1, 1));
    insta::assert_snapshot!("junit__repeated", xml);
}

// ------------------------------------------------------------- quoted, not concluded

/// What a tool that only dumps the evidence prints: every event as `kubectl get events`
/// shows it, every previous log, the waiting and termination lines of `kubectl describe`.
fn evidence_dump(timeline: &crate::timeline::Timeline) -> String {
    use crate::timeline::Signal;
    let mut out = Vec::new();
    for e in &timeline.entries {
        match &e.signal {
            Signal::Event {
                reason,
                message,
                type_,
                object,
                ..
            } => out.push(format!("{type_}  {reason}  {object}  {message}")),
            Signal::PreviousLogs { text, .. } => out.extend(text.lines().map(str::to_owned)),
            Signal::Waiting {
                reason, message, ..
            } => out.push(format!(
                "State: Waiting\n  Reason: {reason}\n  Message: {}",
                message.as_deref().unwrap_or_default()
            )),
            Signal::Terminated {
                reason, exit_code, ..
            } => out.push(format!(
                "Last State: Terminated\n  Reason: {}\n  Exit Code: {exit_code}",
                reason.as_deref().unwrap_or_default()
            )),
            _ => {}
        }
    }
    out.join("\n")
}

#[test]
fn a_tool_that_only_dumps_logs_and_events_gets_no_category() {
    let catalogue = Catalogue::builtin();
    let mut named = Vec::new();
    for (name, rec) in crate::timeline::recorded() {
        let Ok(entry) = catalogue.get(&rec.scenario) else {
            continue;
        };
        let truth = entry.scenario.spec.ground_truth.clone().unwrap();
        let timeline = crate::timeline::Timeline::from_recording(&rec);
        let cluster = ClusterWords::of(&timeline);
        let recorded = super::Recorded::of(&timeline);
        let dump = evidence_dump(&timeline);
        let given = Given {
            strings: &[&rec.namespace],
            words: &[],
            cluster: Some(&cluster),
            recorded: Some(&recorded),
        };
        let g = grade_in(
            &truth,
            &ToolOutput::ok(dump.clone()),
            &GradeOptions::default(),
            &given,
        );
        if g.category.found.is_some() {
            named.push(format!("{name}: {:?}", g.category.source));
        }
        // The cluster's own evidence contradicts nothing.
        assert_eq!(g.contradictions, [], "{name}");
        // The log lines it surfaced still count as facts, marked as quoted.
        if name == "exit-1" {
            let quoted: Vec<&str> = g
                .key_facts
                .iter()
                .filter(|f| f.quoted)
                .map(|f| f.name.as_str())
                .collect();
            assert_eq!(quoted, ["config file /etc/app/config.yaml is missing"]);
        }
        // Without the cluster's words, the same dump named a category: the test can fail.
        if name == "exit-1" {
            let plain = grade(&truth, &ToolOutput::ok(dump), &GradeOptions::default(), &[]);
            assert_eq!(plain.category.found, Some(Category::MissingConfig));
        }
    }
    assert!(
        named.is_empty(),
        "categories read from quoted evidence: {named:#?}"
    );
}

#[test]
fn a_conclusion_in_the_tools_own_words_is_read_beside_the_quotes() {
    let (_, rec) = crate::timeline::recorded()
        .into_iter()
        .find(|(n, _)| n == "exit-1")
        .unwrap();
    let timeline = crate::timeline::Timeline::from_recording(&rec);
    let cluster = ClusterWords::of(&timeline);
    let truth = truth_of("exit-1");
    let out = format!(
        "{}\nRoot cause: the app's configuration file is missing (exit code 1); mount the ConfigMap.",
        evidence_dump(&timeline)
    );
    let recorded = super::Recorded::of(&timeline);
    let given = Given {
        strings: &[&rec.namespace],
        words: &["exit-1"],
        cluster: Some(&cluster),
        recorded: Some(&recorded),
    };
    let g = grade_in(
        &truth,
        &ToolOutput::ok(out),
        &GradeOptions::default(),
        &given,
    );
    assert_eq!(
        g.category.found,
        Some(Category::MissingConfig),
        "{:?}",
        g.category
    );
    assert!(
        g.key_facts.iter().all(|f| f.found && !f.quoted),
        "{:?}",
        g.key_facts
    );
}

#[test]
fn the_tools_own_labels_map_to_categories() {
    let truth = truth_of("missing-secret-ref");
    let opts = GradeOptions {
        category_field: "diagnosis".into(),
        category_map: parse_category_map(
            "config_error=missing-config, crash_loop_unknown_cause=none",
        )
        .unwrap(),
    };
    let g = grade(
        &truth,
        &ToolOutput::ok(r#"{"diagnosis":"config_error"}"#),
        &opts,
        &[],
    );
    assert!(g.category.correct, "{:?}", g.category);
    // A label that names no category stops the text search where it stands.
    let g = grade(
        &truth,
        &ToolOutput::ok("crash_loop_unknown_cause; see the events: secret missing"),
        &opts,
        &[],
    );
    assert_eq!(g.category.found, None);
    assert_eq!(
        parse_category_map("x=wrong").unwrap_err(),
        "\"x=wrong\": unknown category \"wrong\"; expected one of missing-config, dependency-down, resource-limits, code-bug, probe-failure, image-problem, or none"
    );
}

#[test]
fn the_scenarios_name_is_masked_as_a_word() {
    let truth = truth_of("sidecar-crash");
    let given = Given {
        words: &["sidecar-crash"],
        ..Given::default()
    };
    let g = grade_in(
        &truth,
        &ToolOutput::ok("sidecar-crash"),
        &GradeOptions::default(),
        &given,
    );
    assert_eq!((g.category.found, g.score), (None, 0.0));
}

// ------------------------------------------------------------- public diagnosers' words

/// What crashlab reads in the real outputs of public diagnosers (taken through their adapters
/// on live incidents, `tests/fixtures/tool-outputs/`): the category and the phrase or field
/// it came from, with the labels each adapter documents mapped as `--category-map` maps them.
#[test]
fn public_diagnosers_outputs_are_read_as_they_meant_them() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tool-outputs");
    let maps: &[(&str, &str, &str)] = &[
        (
            "triagekit-mcp-k8s-triage",
            "pods.0.containers.0.candidates.0.category",
            "oom_killed=resource-limits,image_pull_error=image-problem,config_error=missing-config,probe_failure=probe-failure,scheduling_failure=resource-limits,crash_loop_unknown_cause=none,healthy=none",
        ),
        (
            "k8s-sre-agent",
            "findings.0.detector",
            "oom-killed=resource-limits,config-error=missing-config,image-pull=image-problem,probe-failure=probe-failure,unschedulable=resource-limits,crash-loop=none,rollout=none,node=none",
        ),
    ];
    let mut tools: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        // A control, not a diagnoser: graded with the incident's names below.
        .filter(|p| !p.ends_with("name-echo-control"))
        .collect();
    tools.sort();
    let mut lines = Vec::new();
    for tool in tools {
        let name = tool.file_name().unwrap().to_str().unwrap().to_owned();
        let opts = maps.iter().find(|(t, _, _)| *t == name).map_or_else(
            GradeOptions::default,
            |(_, field, map)| GradeOptions {
                category_field: (*field).to_owned(),
                category_map: parse_category_map(map).unwrap(),
            },
        );
        let mut files: Vec<PathBuf> = std::fs::read_dir(&tool)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for f in files {
            let stem = f.file_stem().unwrap().to_str().unwrap().to_owned();
            let scenario = stem.split('.').next().unwrap();
            let truth = truth_of(scenario);
            let stdout = std::fs::read_to_string(&f).unwrap();
            let ns = regex::Regex::new(&format!("crashlab-{scenario}-[a-z0-9]{{5}}"))
                .unwrap()
                .find(&stdout)
                .map(|m| m.as_str().to_owned())
                .unwrap_or_default();
            let g = grade_in(
                &truth,
                &ToolOutput::ok(stdout.clone()),
                &opts,
                &Given {
                    strings: &[&ns],
                    words: &[scenario],
                    ..Given::default()
                },
            );
            lines.push(format!(
                "{name}/{stem}: {} ({}) facts {}/{} score {}",
                g.category
                    .found
                    .map_or("none".to_owned(), |c| c.to_string()),
                g.category.source.describe(),
                g.facts_found(),
                g.key_facts.len(),
                g.score
            ));
        }
    }
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn a_cluster_that_went_away_is_reported_as_that_not_as_broken_fixtures() {
    // As validate leaves it when the cluster does not answer after the run.
    let mut s = sabotaged();
    s.outcome = ValidationOutcome::NotRun {
        reason: "the cluster became unreachable (client error (Connect)): deploy phase timed out"
            .into(),
    };
    let mut r = report(vec![s], "true");
    r.cluster_unreachable = Some("client error (Connect)".to_owned());
    let text = render_human(&r);
    assert!(
        text.contains("nothing scored, 1 not scored, the cluster became unreachable (client error (Connect)): incomplete"),
        "{text}"
    );
    assert!(!text.contains("did not reproduce"), "{text}");
    let doc: serde_json::Value = serde_json::from_str(&render_json(&r)).unwrap();
    assert_eq!(
        doc["summary"]["cluster_unreachable"],
        "client error (Connect)"
    );
    assert_eq!(r.exit(), ValidationExit::Incomplete);
}

/// `--moments all` on exit-1: the bad answer at evidence and running, the right one at
/// crashloop and settled (recorded answers; the moments set by hand on their sights).
fn moments_report() -> ValidationReport {
    use crate::expect::moment::Moment;
    let at = |tool: &str, m: Moment| {
        let mut o = graded("exit-1", tool, 1.0).outcome;
        if let ValidationOutcome::Graded { saw: Some(s), .. } = &mut o {
            s.moment = m;
        }
        o
    };
    let mut s = graded("exit-1", "bad", 1.0);
    s.runs = [
        ("bad", Moment::Evidence),
        ("bad", Moment::Running),
        ("builtin", Moment::Crashloop),
        ("builtin", Moment::Settled),
    ]
    .iter()
    .enumerate()
    .map(|(i, (tool, m))| RunResult::new(i + 1, &s.namespace, &at(tool, *m), 1.0))
    .collect();
    report(vec![s], "my-tool")
}

#[test]
fn moments_in_every_format() {
    let r = moments_report();
    insta::assert_snapshot!("human__moments", render_human(&r));
    insta::assert_snapshot!("json__moments", render_json(&r));
    let doc: serde_json::Value = serde_json::from_str(&render_json(&r)).unwrap();
    assert_eq!(doc["summary"]["moments"]["crashloop"], 1.0);
    assert_eq!(doc["summary"]["moments"]["evidence"], 0.0);
    assert_eq!(doc["scenarios"][0]["passed"], false);
}

#[test]
fn the_builtin_diagnosers_answers_contradict_no_recording() {
    let recordings = crate::timeline::recorded();
    let mut found = Vec::new();
    for r in recorded("builtin") {
        let Some((_, rec)) = recordings.iter().find(|(n, _)| *n == r.name) else {
            continue;
        };
        let timeline = crate::timeline::Timeline::from_recording(rec);
        // As grading reads it: a JSON answer's strings, one per line.
        let text = super::diagnosis_text::read_diagnosis(&r.stdout).text;
        let c = super::Recorded::of(&timeline).contradictions(&text);
        if !c.is_empty() {
            found.push(format!("{}: {c:?}", r.name));
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

/// The name-echo control (`examples/name-echo-control.sh`) on blind incidents, as it printed
/// them in the leaderboard's live run (`tests/fixtures/tool-outputs/name-echo-control/`): it
/// lists what is in the namespace and concludes nothing, so it scores 0, although its names
/// (a Service called postgres, a container called migrate) match key facts.
#[test]
fn a_listing_of_the_incidents_names_concludes_nothing_and_scores_0() {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tool-outputs/name-echo-control");
    let catalogue = Catalogue::builtin();
    let recordings = crate::timeline::recorded();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 5);
    for file in files {
        let stem = file.file_name().unwrap().to_str().unwrap();
        let name = stem.split('.').next().unwrap();
        let out = std::fs::read_to_string(&file).unwrap();
        let namespace = out
            .lines()
            .find_map(|l| l.strip_prefix("namespace: "))
            .and_then(|l| l.split_whitespace().next())
            .unwrap()
            .to_owned();
        let scenario = &catalogue.get(name).unwrap().scenario;
        let truth = scenario.spec.ground_truth.clone().unwrap();
        let (_, rec) = recordings.iter().find(|(n, _)| n == name).unwrap();
        let timeline = crate::timeline::Timeline::from_recording(rec);
        let recorded = super::Recorded::of(&timeline);
        let grade_with = |cluster: &ClusterWords| {
            grade_in(
                &truth,
                &ToolOutput::ok(out.clone()),
                &GradeOptions::default(),
                &Given {
                    strings: &[&namespace],
                    words: &[],
                    cluster: Some(cluster),
                    recorded: Some(&recorded),
                },
            )
        };
        let names =
            ClusterWords::of(&timeline).with_manifest_names(scenario.spec.all_manifests(), name);
        let g = grade_with(&names);
        assert_eq!(g.score, 0.0, "{name}: {g:#?}");
        assert_eq!(g.category.found, None, "{name}");
        assert!(
            g.notes.iter().any(|n| n.starts_with("concluded nothing")),
            "{name}: {:?}",
            g.notes
        );
        // Its names did match key facts: without the manifests' names it was credited (the
        // live run's score), so the test can fail.
        assert!(g.key_facts.iter().any(|f| f.found), "{name}");
        let without = grade_with(&ClusterWords::default());
        assert!(without.score > 0.0, "{name}: {without:#?}");
    }

    // A sentence about the same names is a conclusion, and is credited.
    let scenario = &catalogue.get("init-crash").unwrap().scenario;
    let (_, rec) = recordings.iter().find(|(n, _)| n == "init-crash").unwrap();
    let timeline = crate::timeline::Timeline::from_recording(rec);
    let names = ClusterWords::of(&timeline)
        .with_manifest_names(scenario.spec.all_manifests(), "init-crash");
    let g = grade_in(
        &scenario.spec.ground_truth.clone().unwrap(),
        &ToolOutput::ok("The init container migrate exits before the app starts."),
        &GradeOptions::default(),
        &Given {
            cluster: Some(&names),
            ..Given::default()
        },
    );
    assert!(g.score > 0.0, "{g:#?}");
    assert!(g.notes.is_empty(), "{:?}", g.notes);
}

/// `crashlab report RESULT.json` reads a saved validation back with the types that wrote it
/// and prints what `crashlab validate` printed.
#[test]
fn a_saved_validation_reads_back_and_prints_the_same() {
    for r in [
        builtin_report(),
        bad_report(),
        repeated_report(),
        moments_report(),
    ] {
        let json = render_json(&r);
        let back: ValidationReport = serde_json::from_str(&json).unwrap();
        assert_eq!(render_human(&back), render_human(&r));
        let again = render_json(&back);
        if again != json {
            let diff: Vec<(&str, &str)> = json
                .lines()
                .zip(again.lines())
                .filter(|(a, b)| a != b)
                .take(3)
                .collect();
            panic!("JSON differs after reading it back: {diff:#?}");
        }
    }
}

/// Names the spec refers to (an env variable, a Secret that does not exist) are not what a
/// listing shows: naming them is a conclusion, credited even without a category.
#[test]
fn naming_what_the_spec_refers_to_is_a_conclusion() {
    let catalogue = Catalogue::builtin();
    let scenario = &catalogue.get("missing-secret").unwrap().scenario;
    let (_, rec) = crate::timeline::recorded()
        .into_iter()
        .find(|(n, _)| n == "missing-secret")
        .unwrap();
    let timeline = crate::timeline::Timeline::from_recording(&rec);
    let names = ClusterWords::of(&timeline)
        .with_manifest_names(scenario.spec.all_manifests(), "missing-secret");
    let g = grade_in(
        &scenario.spec.ground_truth.clone().unwrap(),
        &ToolOutput::ok(
            "DATABASE_URL is not set: the optional secretKeyRef points at app-db, which does not \
             exist in the namespace.",
        ),
        &GradeOptions::default(),
        &Given {
            cluster: Some(&names),
            ..Given::default()
        },
    );
    assert_eq!(g.category.found, None, "{g:#?}");
    assert!(g.notes.is_empty(), "{:?}", g.notes);
    assert_eq!(g.score, 0.5, "{g:#?}");
}
