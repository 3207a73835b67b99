//! Exported fixtures on a real cluster, run the way their suites run them and without any
//! model: every case at once, as both suites start them (HolmesGPT submits every
//! `before_test` to a thread pool of 999 workers, tests/llm/utils/setup_cleanup.py;
//! k8s-ai-bench's default `--concurrency 0` is one worker per task, main.go). HolmesGPT's
//! `before_test`/`after_test` run through `/bin/sh -c` in the case folder with stdin closed,
//! within the case's `setup_timeout` (tests/llm/utils/commands.py); k8s-ai-bench's scripts
//! are executed directly with KUBECONFIG set, setup and cleanup in the task directory and the
//! verifier elsewhere (eval.go). After setup each incident must be live (checked with kubectl,
//! not with crashlab), kubectl's own views of it must pass no k8s-ai-bench case (applied by a
//! Go program that matches as eval.go does); after cleanup nothing may be left.
//! `#[ignore]`d like every test that needs a cluster.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{self, Run, crashlab};

use crashlab::export::{Case, Evidence};
use crashlab::scenario::Catalogue;
use serde_json::{Value, json};

/// Every built-in scenario's exported case.
fn all_cases() -> Vec<Case> {
    Catalogue::builtin()
        .entries()
        .iter()
        .map(|e| Case::new(&e.scenario, None).unwrap())
        .collect()
}

/// A directory holding `kubectl`: PATH's, else the one the local provider cached.
fn kubectl_dir() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .and_then(|p| std::env::split_paths(&p).find(|d| d.join("kubectl").is_file()));
    on_path.unwrap_or_else(|| {
        let root = PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/crashlab/kubernetes");
        std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().path().join("bin"))
            .find(|d| d.join("kubectl").is_file())
            .expect("kubectl on PATH or in ~/.cache/crashlab/kubernetes/*/bin")
    })
}

/// What the suites get: PATH with kubectl and crashlab, KUBECONFIG with the cluster as its
/// current context (k8s-ai-bench writes one per cluster).
struct Env {
    _dir: tempfile::TempDir,
    context: String,
    kubeconfig: PathBuf,
    path: String,
    kubectl: PathBuf,
}

impl Env {
    fn new() -> Env {
        let context = support::e2e_context();
        let dir = tempfile::tempdir().unwrap();
        let kubectl = kubectl_dir().join("kubectl");
        let out = Command::new(&kubectl)
            .args([
                "config",
                "view",
                "--minify",
                "--flatten",
                "--context",
                &context,
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let kubeconfig = dir.path().join("kubeconfig.yaml");
        std::fs::write(&kubeconfig, &out.stdout).unwrap();
        let env = Env {
            _dir: dir,
            context,
            kubeconfig,
            path: String::new(),
            kubectl,
        };
        env.kubectl(&["config", "use-context", &env.context])
            .expect_code(0);
        let bin_dir = Path::new(env!("CARGO_BIN_EXE_crashlab")).parent().unwrap();
        let path = std::env::join_paths([bin_dir.to_path_buf(), kubectl_dir()].into_iter().chain(
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
        ))
        .unwrap()
        .into_string()
        .unwrap();
        Env { path, ..env }
    }

    fn apply(&self, cmd: &mut Command) {
        cmd.env("KUBECONFIG", &self.kubeconfig)
            .env("PATH", &self.path)
            .env("NO_COLOR", "1")
            .env(
                support::RELEASE_DOWNLOAD_OFF.0,
                support::RELEASE_DOWNLOAD_OFF.1,
            )
            .env_remove("CRASHLAB")
            .env_remove("CRASHLAB_CONTEXT")
            .env_remove("CRASHLAB_ALLOW_CONTEXT")
            .stdin(Stdio::null());
    }

    fn kubectl(&self, args: &[&str]) -> Run {
        let mut c = Command::new(&self.kubectl);
        c.args(args).env("KUBECONFIG", &self.kubeconfig);
        Run::new(c)
    }

    /// Polls (up to 90 s) until the target container of `case` shows what its scenario
    /// promises: its last termination reason, else its waiting reason, else not ready, else
    /// its events.
    #[track_caller]
    fn assert_live(&self, case: &Case) {
        let ns = &case.namespace;
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let seen = self.evidence(ns, &case.container);
            let e = &case.evidence;
            let live = match (&e.last_termination, &e.waiting, e.not_ready) {
                (Some(t), _, _) => seen.last_termination.as_ref() == Some(t),
                (None, Some(w), _) => seen.waiting.as_ref() == Some(w),
                (None, None, true) => seen.not_ready,
                (None, None, false) => e.events.iter().all(|r| seen.events.contains(r)),
            };
            if live {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{}: container {} of namespace {ns} shows {seen:?} within 90 s, not {e:?}",
                case.scenario,
                case.container
            );
            std::thread::sleep(Duration::from_secs(3));
        }
    }

    /// What container `container` of the pods of `ns` shows, and the namespace's event
    /// reasons.
    fn evidence(&self, ns: &str, container: &str) -> Evidence {
        let run = self.kubectl(&["get", "pods", "-n", ns, "-o", "json"]);
        run.expect_code(0);
        let pods: Value = serde_json::from_slice(&run.out.stdout).unwrap();
        let mut seen = Evidence::default();
        for pod in pods["items"].as_array().unwrap() {
            for key in ["initContainerStatuses", "containerStatuses"] {
                for c in pod["status"][key].as_array().into_iter().flatten() {
                    if c["name"] != container {
                        continue;
                    }
                    let text = |v: &Value| v.as_str().map(str::to_owned);
                    seen.waiting = seen.waiting.or(text(&c["state"]["waiting"]["reason"]));
                    seen.last_termination = seen
                        .last_termination
                        .or(text(&c["lastState"]["terminated"]["reason"]));
                    seen.not_ready |= c["ready"] == false;
                }
            }
        }
        let run = self.kubectl(&["get", "events", "-n", ns, "-o", "json"]);
        run.expect_code(0);
        let events: Value = serde_json::from_slice(&run.out.stdout).unwrap();
        seen.events = events["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["reason"].as_str().map(str::to_owned))
            .collect();
        seen
    }

    /// What an agent's kubectl calls print about the live incident of `case`: command and
    /// output (stdout and stderr), as its tool output.
    fn views(&self, case: &Case) -> Vec<(String, String)> {
        let ns = case.namespace.as_str();
        let mut calls: Vec<Vec<String>> = [
            vec!["get", "pods"],
            vec!["get", "all"],
            vec!["describe", "pods"],
            vec!["get", "events"],
            vec!["get", "pods", "-o", "yaml"],
        ]
        .into_iter()
        .map(|a| a.into_iter().map(str::to_owned).collect())
        .collect();
        let pods = self.kubectl(&[
            "get",
            "pods",
            "-n",
            ns,
            "-o",
            "jsonpath={.items[*].metadata.name}",
        ]);
        for pod in pods.stdout().split_whitespace() {
            for previous in [false, true] {
                let mut c = vec!["logs".to_owned(), pod.to_owned(), "-c".to_owned()];
                c.push(case.container.clone());
                if previous {
                    c.push("--previous".to_owned());
                }
                calls.push(c);
            }
        }
        calls
            .into_iter()
            .map(|mut args| {
                args.extend(["-n".to_owned(), ns.to_owned()]);
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let run = self.kubectl(&args);
                (args.join(" "), format!("{}{}", run.stdout(), run.stderr()))
            })
            .collect()
    }

    #[track_caller]
    fn assert_gone(&self, ns: &str) {
        let run = self.kubectl(&["get", "namespace", ns, "-o", "name"]);
        assert_ne!(
            run.code(),
            0,
            "namespace {ns} is still there: {}",
            run.stdout()
        );
        assert!(run.stderr().contains("NotFound"), "{}", run.stderr());
    }
}

fn export(format: &str, dir: &Path, extra: &[&str]) {
    let mut c = crashlab();
    c.args(["export", "--format", format]).arg(dir).args(extra);
    Run::new(c).expect_code(0);
}

/// `/bin/sh -c SCRIPT` in `cwd` with stdin closed: how HolmesGPT runs before_test and
/// after_test.
fn holmes_sh(
    env: &Env,
    script: &str,
    cwd: &Path,
    extra: &[(&str, &str)],
) -> (std::process::Child, Instant) {
    let mut c = Command::new("/bin/sh");
    c.args(["-c", script])
        .current_dir(cwd)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    env.apply(&mut c);
    c.envs(extra.iter().copied());
    (c.spawn().unwrap(), Instant::now())
}

/// Waits for `child`, started at `started`, up to `limit` from then (killing it and failing
/// past it, as the suite would time it out); the run and how long it took.
#[track_caller]
fn finished_within(
    (child, started): (std::process::Child, Instant),
    what: &str,
    limit: Duration,
) -> (Run, Duration) {
    let pid = child.id();
    let waiter = std::thread::spawn(move || child.wait_with_output().unwrap());
    while !waiter.is_finished() {
        if started.elapsed() > limit {
            let _ = Command::new("kill").arg(pid.to_string()).status();
            panic!("{what}: still running after {limit:?} (the suite would time it out)");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let run = Run {
        what: what.to_owned(),
        out: waiter.join().unwrap(),
    };
    (run, started.elapsed())
}

fn test_case(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("test_case.yaml")).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

/// Applies k8s-ai-bench's expectations to agent outputs as its eval.go does (evaluateTask,
/// gke-labs/k8s-ai-bench ac9ac9c4): the text after the last `Running:` line, every
/// `contains` must match and no `notContains` may, with Go's regexp.
const GO_EXPECT: &str = r#"package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
)

type Expectation struct {
	Contains    string `json:"contains,omitempty"`
	NotContains string `json:"notContains,omitempty"`
}

type Job struct {
	Expect  []Expectation `json:"expect"`
	Outputs []string      `json:"outputs"`
}

func main() {
	var jobs []Job
	if err := json.NewDecoder(os.Stdin).Decode(&jobs); err != nil {
		panic(err)
	}
	for _, job := range jobs {
		for _, agentOutput := range job.Outputs {
			var lastCmdOutput string
			lastToolRunIndex := strings.LastIndex(agentOutput, "Running:")
			if lastToolRunIndex == -1 {
				lastCmdOutput = agentOutput
			} else {
				remaining := agentOutput[lastToolRunIndex:]
				newlineIndex := strings.Index(remaining, "\n")
				if newlineIndex != -1 {
					lastCmdOutput = remaining[newlineIndex+1:]
				}
			}
			failures := 0
			for _, expect := range job.Expect {
				if expect.Contains != "" {
					if !regexp.MustCompile(expect.Contains).MatchString(lastCmdOutput) {
						failures++
					}
				}
				if expect.NotContains != "" {
					if regexp.MustCompile(expect.NotContains).MatchString(lastCmdOutput) {
						failures++
					}
				}
			}
			if len(job.Expect) > 0 && failures == 0 {
				fmt.Println("success")
			} else {
				fmt.Println("fail")
			}
		}
	}
}
"#;

/// Builds [`GO_EXPECT`] once per call site.
fn go_expect(dir: &Path) -> PathBuf {
    let go = support::program_from_apt("go", "golang-go");
    std::fs::write(dir.join("main.go"), GO_EXPECT).unwrap();
    let bin = dir.join("expect");
    let mut c = Command::new(go);
    c.args(["build", "-o"])
        .arg(&bin)
        .arg("main.go")
        .current_dir(dir);
    Run::new(c).expect_code(0);
    bin
}

/// k8s-ai-bench's verdict on each output, per task: `jobs` is (task.yaml, outputs).
fn k8s_ai_bench_verdicts(expect_bin: &Path, jobs: &[(PathBuf, Vec<String>)]) -> Vec<Vec<String>> {
    let input: Vec<Value> = jobs
        .iter()
        .map(|(task, outputs)| {
            let doc: Value = serde_yaml::from_str(&std::fs::read_to_string(task).unwrap()).unwrap();
            json!({"expect": doc["expect"], "outputs": outputs})
        })
        .collect();
    let mut child = Command::new(expect_bin)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    serde_json::to_writer(child.stdin.take().unwrap(), &input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    jobs.iter()
        .map(|(_, outputs)| {
            (&mut lines)
                .take(outputs.len())
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

/// How kubectl-ai prints a tool call and its output, then the answer.
fn agent_output(command: &str, view: &str, answer: &str) -> String {
    format!("  Running: kubectl {command}\n{view}\n{answer}\n")
}

#[test]
#[ignore = "needs a cluster (crashlab cluster up)"]
fn every_exported_case_reproduces_at_once_and_cleans_up_as_their_suites_run_them() {
    let _cluster = support::shared();
    // Every case at once is a whole catalogue on the node.
    let _heavy = support::heavy(160);
    let env = Env::new();
    let out = tempfile::tempdir().unwrap();
    let cases = all_cases();
    let n = cases.len();
    // Where this test's time goes, on stderr (shown with --nocapture or when it fails).
    let test_started = Instant::now();
    let phase = |what: &str| eprintln!("export: {what} at {:?}", test_started.elapsed());

    // HolmesGPT: every before_test at once, each in its folder, within its setup_timeout.
    let holmes = out.path().join("holmes");
    export("holmesgpt", &holmes, &["--all"]);
    let folders: Vec<PathBuf> = cases
        .iter()
        .map(|c| holmes.join(format!("crashlab_{}", c.scenario.replace('-', "_"))))
        .collect();
    let started = Instant::now();
    let children: Vec<_> = folders
        .iter()
        .map(|f| {
            let doc = test_case(f);
            let limit = Duration::from_secs(doc["setup_timeout"].as_u64().unwrap());
            let child = holmes_sh(&env, doc["before_test"].as_str().unwrap(), f, &[]);
            (child, limit)
        })
        .collect();
    let mut slowest = Duration::ZERO;
    for ((child, limit), case) in children.into_iter().zip(&cases) {
        let (run, took) = finished_within(child, &format!("{} before_test", case.scenario), limit);
        run.expect_code(0);
        assert!(
            run.stdout()
                .contains(&format!("namespace {}", case.namespace)),
            "{}",
            run.stdout()
        );
        slowest = slowest.max(took);
    }
    eprintln!(
        "holmesgpt: {n} before_test at once, all done after {:?} (slowest {slowest:?})",
        started.elapsed()
    );
    for case in &cases {
        env.assert_live(case);
    }
    // A run's own leftover collection and a plain gc leave the kept fixtures alone.
    let mut gc = crashlab();
    gc.args(["gc", "--dry-run", "-o", "json"]);
    env.apply(&mut gc);
    let gc = Run::new(gc);
    gc.expect_code(0);
    let doc: Value = serde_json::from_slice(&gc.out.stdout).unwrap();
    for case in &cases {
        let entry = doc["namespaces"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["namespace"] == case.namespace.as_str())
            .unwrap_or_else(|| panic!("{} not listed: {doc:#}", case.namespace));
        assert_eq!(entry["delete"], false, "{entry}");
        assert!(
            entry["reason"]
                .as_str()
                .unwrap()
                .starts_with("kept on purpose"),
            "{entry}"
        );
    }
    phase("holmesgpt: every fixture live, gc kept them");
    // Every after_test at once too.
    let children: Vec<_> = folders
        .iter()
        .map(|f| {
            let doc = test_case(f);
            holmes_sh(&env, doc["after_test"].as_str().unwrap(), f, &[])
        })
        .collect();
    for (child, case) in children.into_iter().zip(&cases) {
        let limit = Duration::from_secs(case.setup_budget_s);
        finished_within(child, &format!("{} after_test", case.scenario), limit)
            .0
            .expect_code(0);
        env.assert_gone(&case.namespace);
    }

    // k8s-ai-bench: every task on its own thread, setup.sh in the task directory, verify.sh
    // from elsewhere; then kubectl's views of each live incident as the agent's last tool
    // output; then cleanup.sh.
    phase("holmesgpt: every after_test done");
    let bench = out.path().join("k8s-ai-bench");
    export("k8s-ai-bench", &bench, &["--all"]);
    let expect_bin = go_expect(out.path());
    phase("k8s-ai-bench: exported, its verifier's matcher built");
    let script = |case: &Case, name: &str, cwd: &Path| {
        let mut c = Command::new(bench.join(&case.namespace).join(name));
        c.current_dir(cwd);
        env.apply(&mut c);
        Run::new(c)
    };
    let started = Instant::now();
    let views: Vec<Vec<(String, String)>> = std::thread::scope(|threads| {
        let handles: Vec<_> = cases
            .iter()
            .map(|case| {
                let (env, bench, out, script) = (&env, &bench, out.path(), &script);
                threads.spawn(move || {
                    let t0 = Instant::now();
                    script(case, "setup.sh", &bench.join(&case.namespace)).expect_code(0);
                    // k8s-ai-bench's default task timeout (setup, agent and verifier).
                    assert!(t0.elapsed() < Duration::from_secs(600), "{}", case.scenario);
                    env.assert_live(case);
                    let verified = script(case, "verify.sh", out);
                    verified.expect_code(0);
                    assert!(
                        verified
                            .stdout()
                            .contains(&format!("container {}:", case.container))
                            || verified.stdout().contains("event "),
                        "{}: {}",
                        case.scenario,
                        verified.stdout()
                    );
                    env.views(case)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    eprintln!(
        "k8s-ai-bench: {n} setup.sh at once, all live after {:?}",
        started.elapsed()
    );
    // kubectl's own output, then an answer that concludes nothing, passes no case.
    let non_answer = "I could not determine the root cause.";
    let jobs: Vec<(PathBuf, Vec<String>)> = cases
        .iter()
        .zip(&views)
        .map(|(case, views)| {
            let mut outputs: Vec<String> = views
                .iter()
                .map(|(cmd, text)| agent_output(cmd, text, non_answer))
                .collect();
            let all: String = views.iter().map(|(_, t)| t.as_str()).collect();
            outputs.push(agent_output("(every view)", &all, non_answer));
            (bench.join(&case.namespace).join("task.yaml"), outputs)
        })
        .collect();
    for ((case, (_, outputs)), verdicts) in cases
        .iter()
        .zip(&jobs)
        .zip(k8s_ai_bench_verdicts(&expect_bin, &jobs))
    {
        assert_eq!(verdicts.len(), outputs.len());
        for (output, verdict) in outputs.iter().zip(verdicts) {
            assert_eq!(verdict, "fail", "{}: {output}", case.scenario);
        }
    }
    phase("k8s-ai-bench: non-answers judged");
    // A right answer after the same views passes (Go's RE2 agrees with the unit tests).
    let answers = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/export-answers");
    let jobs: Vec<(PathBuf, Vec<String>)> = cases
        .iter()
        .zip(&views)
        .map(|(case, views)| {
            let answer =
                std::fs::read_to_string(answers.join(format!("{}.md", case.scenario))).unwrap();
            let outputs = views
                .iter()
                .map(|(cmd, text)| agent_output(cmd, text, &answer))
                .collect();
            (bench.join(&case.namespace).join("task.yaml"), outputs)
        })
        .collect();
    for ((case, (_, outputs)), verdicts) in cases
        .iter()
        .zip(&jobs)
        .zip(k8s_ai_bench_verdicts(&expect_bin, &jobs))
    {
        for (output, verdict) in outputs.iter().zip(verdicts) {
            assert_eq!(verdict, "success", "{}: {output}", case.scenario);
        }
    }
    phase("k8s-ai-bench: right answers judged");
    std::thread::scope(|threads| {
        for case in &cases {
            let (env, bench, out, script) = (&env, &bench, out.path(), &script);
            threads.spawn(move || {
                script(case, "cleanup.sh", &bench.join(&case.namespace)).expect_code(0);
                env.assert_gone(&case.namespace);
                if case.scenario == "oom" {
                    // The fixture is gone, so its check fails now (it can fail), at once:
                    // a namespace that is gone cannot become live (it once waited 60 s).
                    let stale = script(case, "verify.sh", out);
                    assert_eq!(stale.code(), 1, "{}", stale.stderr());
                    assert!(
                        stale.stderr().contains(&format!(
                            "crashlab fixture oom: namespace {} is not there",
                            case.namespace
                        )),
                        "{}",
                        stale.stderr()
                    );
                }
            });
        }
    });
    phase("k8s-ai-bench: every cleanup.sh done");
}

/// exit-1 under another name (its own namespace), from a file the case carries.
fn renamed_exit_1(dir: &Path, name: &str, exit_code: &str) -> PathBuf {
    let scenario = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/exit-1.yaml"),
    )
    .unwrap()
    .replace("name: exit-1\n", &format!("name: {name}\n"))
    .replacen("exitCode: 1\n", &format!("exitCode: {exit_code}\n"), 1);
    assert!(scenario.contains(&format!("name: {name}")), "{scenario}");
    let file = dir.join(format!("{name}.yaml"));
    std::fs::write(&file, scenario).unwrap();
    file
}

#[test]
#[ignore = "needs a cluster (crashlab cluster up)"]
fn a_fixture_that_does_not_reproduce_fails_its_setup_and_leaves_nothing() {
    let _cluster = support::shared();
    let _slot = support::slot(20);
    let env = Env::new();
    let out = tempfile::tempdir().unwrap();
    // exit-1 with an exit code it never has: contradicted at the first termination.
    let file = renamed_exit_1(out.path(), "exit-1-wrong", "42");
    let bench = out.path().join("k8s-ai-bench");
    export(
        "k8s-ai-bench",
        &bench,
        &["exit-1-wrong", "-f", file.to_str().unwrap()],
    );
    std::fs::remove_file(&file).unwrap(); // the case carries its own copy
    let task = bench.join("crashlab-exit-1-wrong");
    let mut c = Command::new(task.join("setup.sh"));
    c.current_dir(&task);
    env.apply(&mut c);
    let run = Run::new(c);
    run.expect_code(1)
        .stderr_has("exit-1-wrong did not reproduce");
    env.assert_gone("crashlab-exit-1-wrong");
}

#[test]
#[ignore = "needs a cluster (crashlab cluster up)"]
fn a_suite_made_context_is_used_throughout_once_allowed() {
    let _cluster = support::shared();
    let _slot = support::slot(106);
    let env = Env::new();
    let out = tempfile::tempdir().unwrap();
    // The cluster under a name crashlab does not know as a test cluster, as a suite's
    // vcluster or managed cluster has; the kubeconfig's current context is another, dead one.
    let kubeconfig = out.path().join("suite.yaml");
    std::fs::copy(&env.kubeconfig, &kubeconfig).unwrap();
    let config = |args: &[&str]| {
        let mut c = Command::new(&env.kubectl);
        c.arg("config").args(args).env("KUBECONFIG", &kubeconfig);
        Run::new(c).expect_code(0);
    };
    let minified = env.kubectl(&["config", "view", "--minify", "-o", "json"]);
    let doc: Value = serde_json::from_slice(&minified.out.stdout).unwrap();
    let (cluster, user) = (
        doc["contexts"][0]["context"]["cluster"].as_str().unwrap(),
        doc["contexts"][0]["context"]["user"].as_str().unwrap(),
    );
    config(&[
        "set-context",
        "vcluster_suite-made_h",
        "--cluster",
        cluster,
        "--user",
        user,
    ]);
    config(&["set-cluster", "nowhere", "--server", "https://127.0.0.1:1"]);
    config(&[
        "set-context",
        "elsewhere",
        "--cluster",
        "nowhere",
        "--user",
        user,
    ]);
    config(&["use-context", "elsewhere"]);
    let file = renamed_exit_1(out.path(), "exit-1-ctx", "1");
    let bench = out.path().join("k8s-ai-bench");
    export(
        "k8s-ai-bench",
        &bench,
        &["exit-1-ctx", "-f", file.to_str().unwrap()],
    );
    let task = bench.join("crashlab-exit-1-ctx");
    let script = |name: &str, cwd: &Path, extra: &[(&str, &str)]| {
        let mut c = Command::new(task.join(name));
        c.current_dir(cwd);
        env.apply(&mut c);
        c.env("KUBECONFIG", &kubeconfig);
        c.envs(extra.iter().copied());
        Run::new(c)
    };
    let on_it = [("CRASHLAB_CONTEXT", "vcluster_suite-made_h")];
    // Not allowed: refused before anything is created.
    script("setup.sh", &task, &on_it)
        .expect_code(2)
        .stderr_has("refusing to run against kube context `vcluster_suite-made_h`");
    env.assert_gone("crashlab-exit-1-ctx");
    // Allowed by a pattern: set up, checked and cleaned up on that context, not the current.
    let allowed = [
        ("CRASHLAB_CONTEXT", "vcluster_suite-made_h"),
        ("CRASHLAB_ALLOW_CONTEXT", "kind-x vcluster_*"),
    ];
    script("setup.sh", &task, &allowed).expect_code(0);
    script("verify.sh", out.path(), &allowed).expect_code(0);
    script("verify.sh", out.path(), &[])
        .expect_code(1)
        .stderr_has("not live");
    // HolmesGPT's before_test of the same case, with the suite's context as the current one
    // and the pattern given at export instead.
    config(&["use-context", "vcluster_suite-made_h"]);
    let holmes = out.path().join("holmes");
    export(
        "holmesgpt",
        &holmes,
        &[
            "exit-1-ctx",
            "-f",
            file.to_str().unwrap(),
            "--allow-context",
            "vcluster_*",
        ],
    );
    let folder = holmes.join("crashlab_exit_1_ctx");
    let doc = test_case(&folder);
    let kubeconfig_env = [("KUBECONFIG", kubeconfig.to_str().unwrap())];
    let (run, _) = finished_within(
        holmes_sh(
            &env,
            doc["before_test"].as_str().unwrap(),
            &folder,
            &kubeconfig_env,
        ),
        "before_test",
        Duration::from_secs(doc["setup_timeout"].as_u64().unwrap()),
    );
    run.expect_code(0);
    env.assert_live(&Case {
        namespace: "crashlab-exit-1-ctx".into(),
        ..all_cases()
            .into_iter()
            .find(|c| c.scenario == "exit-1")
            .unwrap()
    });
    let (run, _) = finished_within(
        holmes_sh(
            &env,
            doc["after_test"].as_str().unwrap(),
            &folder,
            &kubeconfig_env,
        ),
        "after_test",
        Duration::from_secs(300),
    );
    run.expect_code(0);
    env.assert_gone("crashlab-exit-1-ctx");
}

#[test]
fn export_refuses_a_context_pattern_its_scripts_cannot_quote() {
    let out = tempfile::tempdir().unwrap();
    let mut c = crashlab();
    c.args(["export", "--format", "holmesgpt"])
        .arg(out.path())
        .args(["oom", "--allow-context", "my cluster"]);
    Run::new(c)
        .expect_code(2)
        .stderr_has("--allow-context `my cluster`");
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
}
