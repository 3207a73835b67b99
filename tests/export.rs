//! Exported fixtures on a real cluster, run the way their suites run them and without any
//! model: HolmesGPT's `before_test`/`after_test` through `/bin/sh -c` in the case folder with
//! stdin closed (tests/llm/utils/commands.py), k8s-ai-bench's scripts executed directly with
//! KUBECONFIG set, setup and cleanup in the task directory and the verifier elsewhere
//! (eval.go). After setup the incident must be live (checked with kubectl, not with crashlab);
//! after cleanup nothing may be left. `#[ignore]`d like every test that needs a cluster.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod support;
use support::Run;

use serde_json::Value;

/// A pod, a Deployment, and the OOM kill.
const SCENARIOS: [&str; 3] = ["exit-1", "segfault", "oom"];

fn crashlab() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crashlab"));
    cmd.env("NO_COLOR", "1").env_remove("CRASHLAB_LOG");
    cmd
}

/// CRASHLAB_E2E_CONTEXT, else the local cluster (brought up first).
fn context() -> String {
    std::env::var("CRASHLAB_E2E_CONTEXT").unwrap_or_else(|_| {
        let out = crashlab().args(["cluster", "up"]).output().unwrap();
        assert!(out.status.success(), "cluster up: {out:?}");
        "crashlab-local".to_owned()
    })
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
    kubeconfig: PathBuf,
    path: String,
    kubectl: PathBuf,
}

impl Env {
    fn new() -> Env {
        let ctx = context();
        let dir = tempfile::tempdir().unwrap();
        let kubectl = kubectl_dir().join("kubectl");
        let out = Command::new(&kubectl)
            .args(["config", "view", "--minify", "--flatten", "--context", &ctx])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let kubeconfig = dir.path().join("kubeconfig.yaml");
        std::fs::write(&kubeconfig, &out.stdout).unwrap();
        let run = Run::new({
            let mut c = Command::new(&kubectl);
            c.args(["config", "use-context", &ctx])
                .env("KUBECONFIG", &kubeconfig);
            c
        });
        run.expect_code(0);
        let bin_dir = Path::new(env!("CARGO_BIN_EXE_crashlab")).parent().unwrap();
        let path = std::env::join_paths([bin_dir.to_path_buf(), kubectl_dir()].into_iter().chain(
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
        ))
        .unwrap()
        .into_string()
        .unwrap();
        Env {
            _dir: dir,
            kubeconfig,
            path,
            kubectl,
        }
    }

    fn apply(&self, cmd: &mut Command) {
        cmd.env("KUBECONFIG", &self.kubeconfig)
            .env("PATH", &self.path)
            .env("NO_COLOR", "1")
            .env_remove("CRASHLAB")
            .env_remove("CRASHLAB_CONTEXT")
            .stdin(Stdio::null());
    }

    fn kubectl(&self, args: &[&str]) -> Run {
        let mut c = Command::new(&self.kubectl);
        c.args(args).env("KUBECONFIG", &self.kubeconfig);
        Run::new(c)
    }

    /// Polls (up to 60 s) until a pod of `ns` has a container waiting in CrashLoopBackOff.
    #[track_caller]
    fn assert_crash_looping(&self, ns: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let run = self.kubectl(&["get", "pods", "-n", ns, "-o", "json"]);
            run.expect_code(0);
            let doc: Value = serde_json::from_slice(&run.out.stdout).unwrap();
            let looping = doc["items"].as_array().unwrap().iter().any(|pod| {
                pod["status"]["containerStatuses"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|c| c["state"]["waiting"]["reason"] == "CrashLoopBackOff")
            });
            if looping {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "no container of namespace {ns} in CrashLoopBackOff within 60 s:\n{doc:#}"
            );
            std::thread::sleep(Duration::from_secs(2));
        }
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

/// `/bin/sh -c SCRIPT` in `cwd` with stdin closed, within HolmesGPT's default
/// EVAL_SETUP_TIMEOUT (180 s): how HolmesGPT runs before_test and after_test.
fn holmes_sh(env: &Env, script: &str, cwd: &Path) -> std::process::Child {
    let mut c = Command::new("/bin/sh");
    c.args(["-c", script])
        .current_dir(cwd)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    env.apply(&mut c);
    c.spawn().unwrap()
}

#[track_caller]
fn finished_within(child: std::process::Child, what: &str, limit: Duration) -> Run {
    let started = Instant::now();
    let pid = child.id();
    let waiter = std::thread::spawn(move || child.wait_with_output().unwrap());
    while !waiter.is_finished() {
        if started.elapsed() > limit {
            let _ = Command::new("kill").arg(pid.to_string()).status();
            panic!("{what}: still running after {limit:?} (the suite would time it out)");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Run {
        what: what.to_owned(),
        out: waiter.join().unwrap(),
    }
}

fn test_case(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("test_case.yaml")).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

#[test]
#[ignore = "needs a cluster (crashlab cluster up)"]
fn exported_fixtures_reproduce_and_clean_up_as_their_suites_run_them() {
    let env = Env::new();
    let out = tempfile::tempdir().unwrap();

    // HolmesGPT: every before_test at once (it runs them in a thread pool), each in its folder.
    let holmes = out.path().join("holmes");
    export("holmesgpt", &holmes, &SCENARIOS);
    let folders: Vec<PathBuf> = SCENARIOS
        .iter()
        .map(|s| holmes.join(format!("crashlab_{}", s.replace('-', "_"))))
        .collect();
    let children: Vec<_> = folders
        .iter()
        .map(|f| {
            let before = test_case(f)["before_test"].as_str().unwrap().to_owned();
            holmes_sh(&env, &before, f)
        })
        .collect();
    for (child, s) in children.into_iter().zip(SCENARIOS) {
        let run = finished_within(child, &format!("{s} before_test"), Duration::from_secs(180));
        run.expect_code(0);
        let ns = format!("crashlab-{s}");
        assert!(
            run.stdout().contains(&format!("namespace {ns}")),
            "{}",
            run.stdout()
        );
        env.assert_crash_looping(&ns);
    }
    // A run's own leftover collection and a plain gc leave the kept fixtures alone.
    let mut gc = crashlab();
    gc.args(["gc", "--dry-run", "-o", "json"]);
    env.apply(&mut gc);
    let gc = Run::new(gc);
    gc.expect_code(0);
    let doc: Value = serde_json::from_slice(&gc.out.stdout).unwrap();
    for s in SCENARIOS {
        let ns = format!("crashlab-{s}");
        let entry = doc["namespaces"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["namespace"] == ns.as_str())
            .unwrap_or_else(|| panic!("{ns} not listed: {doc:#}"));
        assert_eq!(entry["delete"], false, "{entry}");
        assert!(
            entry["reason"]
                .as_str()
                .unwrap()
                .starts_with("kept on purpose"),
            "{entry}"
        );
    }
    // Every after_test at once too.
    let children: Vec<_> = folders
        .iter()
        .map(|f| {
            let after = test_case(f)["after_test"].as_str().unwrap().to_owned();
            holmes_sh(&env, &after, f)
        })
        .collect();
    for (child, s) in children.into_iter().zip(SCENARIOS) {
        finished_within(child, &format!("{s} after_test"), Duration::from_secs(180)).expect_code(0);
        env.assert_gone(&format!("crashlab-{s}"));
    }

    // k8s-ai-bench: setup.sh in the task directory, verify.sh from elsewhere, cleanup.sh; each
    // task on its own thread (its harness runs tasks in parallel too), the tasks' namespaces
    // being distinct.
    let bench = out.path().join("k8s-ai-bench");
    export("k8s-ai-bench", &bench, &SCENARIOS);
    std::thread::scope(|threads| {
        for s in SCENARIOS {
            let (env, bench, out) = (&env, &bench, out.path());
            threads.spawn(move || {
                let task = bench.join(format!("crashlab-{s}"));
                let ns = format!("crashlab-{s}");
                let script = |name: &str, cwd: &Path| {
                    let mut c = Command::new(task.join(name));
                    c.current_dir(cwd);
                    env.apply(&mut c);
                    Run::new(c)
                };
                script("setup.sh", &task).expect_code(0);
                env.assert_crash_looping(&ns);
                let verified = script("verify.sh", out);
                verified.expect_code(0);
                assert!(
                    verified.stdout().contains("container app:"),
                    "{s}: {}",
                    verified.stdout()
                );
                script("cleanup.sh", &task).expect_code(0);
                env.assert_gone(&ns);
                if s == "oom" {
                    // The fixture is gone, so its check fails now (it can fail).
                    let stale = script("verify.sh", out);
                    assert_eq!(stale.code(), 1, "{}", stale.stderr());
                }
            });
        }
    });
}

#[test]
#[ignore = "needs a cluster (crashlab cluster up)"]
fn a_fixture_that_does_not_reproduce_fails_its_setup_and_leaves_nothing() {
    let env = Env::new();
    let out = tempfile::tempdir().unwrap();
    // exit-1 with an exit code it never has: contradicted at the first termination.
    let scenario = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/exit-1.yaml"),
    )
    .unwrap()
    .replace("name: exit-1\n", "name: exit-1-wrong\n")
    .replacen("exitCode: 1\n", "exitCode: 42\n", 1);
    assert!(scenario.contains("exitCode: 42"), "{scenario}");
    let file = out.path().join("wrong.yaml");
    std::fs::write(&file, scenario).unwrap();
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
