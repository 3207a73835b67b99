//! k8s-ai-bench tasks, in that repository's `tasks/<name>/` layout (gke-labs/k8s-ai-bench
//! `main.go` `Task`, `eval.go`, at ac9ac9c4): `task.yaml` with `script[].prompt`, `setup`,
//! `cleanup`, `difficulty` and `expect[]` (`contains`/`notContains`: Go regular expressions
//! matched against the agent's output from its last `Running:` line on, which is the last
//! tool call's output followed by the answer), and the scripts. k8s-ai-bench executes each
//! script directly (so they are executable, with a shebang) with KUBECONFIG set; `setup.sh`
//! and `cleanup.sh` run in the task directory, the verifier in the harness's own directory.
//! With its default `--concurrency 0` it runs every task at once.
//!
//! A task succeeds when its verifier exits 0 *or* all its `expect` entries hold. Its
//! verifiers check that the agent *fixed* something (fix-crashloop waits for the pod to be
//! Ready). These tasks are diagnoses: a verifier that passes while the incident is live would
//! grade an agent that did nothing as a success, so `task.yaml` names no `verifier`; the
//! answer is graded by `expect`, as k8s-ai-bench's own diagnosis task (debug-app-logs) does:
//! the category's conclusion in the answer's words ([`conclusion`](super::conclusion), which
//! kubectl's output never contains), the ground truth's key facts, and its wrong answers as
//! `notContains` where the answer gives them as advice ([`advice`](super::advice)).
//! `verify.sh` checks the *fixture*: that the incident is live, with kubectl only, on the
//! context the setup used; `setup.sh` runs it last, so a task never starts on an incident
//! that is not there.

use serde::Serialize;

use super::case::{Case, pattern};
use super::file::{CaseFile, comment};
use super::{advice, conclusion};

/// The task directory name.
pub fn folder(case: &Case) -> String {
    case.namespace.clone()
}

#[derive(Serialize)]
struct Task {
    script: Vec<Step>,
    setup: &'static str,
    cleanup: &'static str,
    difficulty: &'static str,
    expect: Vec<Expectation>,
}

#[derive(Serialize)]
struct Step {
    prompt: String,
}

#[derive(Serialize)]
struct Expectation {
    #[serde(skip_serializing_if = "Option::is_none")]
    contains: Option<String>,
    #[serde(rename = "notContains", skip_serializing_if = "Option::is_none")]
    not_contains: Option<String>,
}

/// What `task.yaml`'s `expect` holds for `case`: the conclusion, the key facts, the wrong
/// advice.
pub fn expectations(case: &Case) -> Vec<(Option<String>, Option<String>)> {
    std::iter::once((Some(conclusion::pattern(case.truth.category)), None))
        .chain(
            case.truth
                .key_facts
                .iter()
                .map(|f| (Some(pattern(f)), None)),
        )
        .chain(
            case.truth
                .wrong_answers
                .iter()
                .map(|f| (None, Some(advice::pattern(f)))),
        )
        .collect()
}

pub fn files(case: &Case) -> Vec<CaseFile> {
    let expect = expectations(case)
        .into_iter()
        .map(|(contains, not_contains)| Expectation {
            contains,
            not_contains,
        })
        .collect();
    let task = Task {
        script: vec![Step {
            prompt: case.prompt(),
        }],
        setup: "setup.sh",
        cleanup: "cleanup.sh",
        difficulty: case.difficulty.as_str(),
        expect,
    };
    let header = comment(&format!(
        "crashlab fixture `{}`: {}. setup.sh reproduces it with the kubelet's real signals in \
         namespace {} and fails when it did not reproduce; cleanup.sh deletes it. No verifier: \
         this is a diagnosis task, graded by expect (see verify.sh). {}",
        case.scenario, case.summary, case.namespace, case.what_broke
    ));
    let yaml = serde_yaml::to_string(&task).unwrap_or_default();
    let mut out = vec![
        CaseFile::text("task.yaml", format!("{header}{yaml}")),
        CaseFile::script("setup.sh", setup(case)),
        CaseFile::script("verify.sh", verify(case)),
        CaseFile::script("cleanup.sh", cleanup(case)),
    ];
    if let Some(text) = &case.scenario_file {
        out.push(CaseFile::text(super::case::SCENARIO_FILE, text.clone()));
    }
    out
}

fn setup(case: &Case) -> String {
    format!(
        "#!/usr/bin/env bash\n\
         # crashlab fixture `{scenario}`: {summary}.\n\
         # Reproduces it with the kubelet's real signals in namespace {ns}; exits non-zero (and\n\
         # leaves nothing behind) when it did not reproduce. `crashlab` from PATH, or $CRASHLAB;\n\
         # $CRASHLAB_CONTEXT picks a kube context (default: KUBECONFIG's current one), which\n\
         # crashlab refuses unless it is a test cluster or matches a shell pattern of\n\
         # $CRASHLAB_ALLOW_CONTEXT (space-separated).\n\
         set -euo pipefail\n\
         here=\"$(cd \"$(dirname \"$0\")\" && pwd)\"\n\
         # What an earlier run of this task left, if anything.\n\
         {gc}\n\
         {allow}\
         {reproduce}\n\
         \"$here/verify.sh\"\n",
        scenario = case.scenario,
        summary = case.summary,
        ns = case.namespace,
        gc = case.gc_line(),
        allow = case.allow_lines(),
        reproduce = case.reproduce_line("$here"),
    )
}

fn cleanup(case: &Case) -> String {
    format!(
        "#!/usr/bin/env bash\n\
         # Deletes the namespace {ns} of crashlab fixture `{scenario}` and waits until it is gone.\n\
         set -euo pipefail\n\
         {gc}\n",
        ns = case.namespace,
        scenario = case.scenario,
        gc = case.gc_line(),
    )
}

/// The shell test, on one container status line (`name|waiting|last|restarts|ready`), that the
/// incident shows; `None` when the container's status shows nothing the scenario promises.
fn container_test(case: &Case) -> Option<String> {
    let e = &case.evidence;
    // The last termination stays in `lastState` through the back-off and the next run, so it
    // is the steadier evidence; the waiting reason alternates with running.
    if let Some(t) = &e.last_termination {
        return Some(format!("[ \"$last\" = \"{t}\" ]"));
    }
    if let Some(w) = &e.waiting {
        return Some(format!("[ \"$waiting\" = \"{w}\" ]"));
    }
    e.not_ready.then(|| "[ \"$ready\" = \"false\" ]".to_owned())
}

fn verify(case: &Case) -> String {
    let ns = &case.namespace;
    let check = match container_test(case) {
        Some(test) => format!(
            "live() {{\n\
             \x20 kube get pods -n {ns} -o jsonpath='{JSONPATH}' | {{\n\
             \x20   while IFS='|' read -r name waiting last restarts ready; do\n\
             \x20     if [ \"$name\" = \"{container}\" ] && {{ {test}; }}; then\n\
             \x20       echo \"container {container}: waiting=${{waiting:-none}} last=${{last:-none}} restarts=$restarts ready=$ready\"\n\
             \x20       exit 0\n\
             \x20     fi\n\
             \x20   done\n\
             \x20   exit 1\n\
             \x20 }}\n\
             }}\n",
            container = case.container,
        ),
        None => {
            let reason = case
                .evidence
                .events
                .first()
                .map_or("FailedScheduling", String::as_str);
            format!(
                "live() {{\n\
                 \x20 kube get events -n {ns} --field-selector reason={reason} -o name | grep -q . || return 1\n\
                 \x20 echo \"event {reason} present\"\n\
                 }}\n"
            )
        }
    };
    let e = &case.evidence;
    let expected = match (&e.last_termination, &e.waiting, e.not_ready) {
        (Some(t), _, _) => format!("a last termination {t}"),
        (None, Some(w), _) => format!("waiting reason {w}"),
        (None, None, true) => "not ready".to_owned(),
        (None, None, false) => "its events".to_owned(),
    };
    format!(
        "#!/usr/bin/env bash\n\
         # Checks that the incident of crashlab fixture `{scenario}` is live in namespace {ns}:\n\
         # container {container} of the {workload} shows {expected}.\n\
         # A check of the fixture, not of an answer (k8s-ai-bench would count a verifier's\n\
         # success as the agent's). Looks for up to 60 s (statuses change as the pod restarts), on\n\
         # the context the setup used: $CRASHLAB_CONTEXT, else KUBECONFIG's current one.\n\
         set -uo pipefail\n\
         kube() {{ kubectl ${{CRASHLAB_CONTEXT:+--context \"$CRASHLAB_CONTEXT\"}} \"$@\"; }}\n\
         {check}\
         for _ in $(seq 30); do\n\
         \x20 if live; then exit 0; fi\n\
         \x20 # A namespace that is gone or going cannot become live: no need to wait.\n\
         \x20 if phase=$(kube get namespace {ns} --ignore-not-found -o jsonpath='{{.status.phase}}' 2>/dev/null) \\\n\
         \x20   && {{ [ -z \"$phase\" ] || [ \"$phase\" = Terminating ]; }}; then\n\
         \x20   echo \"crashlab fixture {scenario}: namespace {ns} is ${{phase:-not there}} (cleaned up, or never set up)\" >&2\n\
         \x20   exit 1\n\
         \x20 fi\n\
         \x20 sleep 2\n\
         done\n\
         echo \"crashlab fixture {scenario}: the incident is not live in namespace {ns}\" >&2\n\
         kube get pods -n {ns} -o wide >&2 || true\n\
         exit 1\n",
        scenario = case.scenario,
        container = case.container,
        workload = case.workload,
    )
}

/// One line per container status (init and app) of every pod: name, waiting reason, last
/// termination reason, restart count, ready.
const JSONPATH: &str = "{range .items[*]}{range .status.initContainerStatuses[*]}{.name}{\"|\"}{.state.waiting.reason}{\"|\"}{.lastState.terminated.reason}{\"|\"}{.restartCount}{\"|\"}{.ready}{\"\\n\"}{end}{range .status.containerStatuses[*]}{.name}{\"|\"}{.state.waiting.reason}{\"|\"}{.lastState.terminated.reason}{\"|\"}{.restartCount}{\"|\"}{.ready}{\"\\n\"}{end}{end}";
