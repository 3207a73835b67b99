//! HolmesGPT eval folders: `test_case.yaml` as its `tests/llm/fixtures/test_ask_holmes/*`
//! cases have it (robusta-dev/holmesgpt `tests/llm/utils/test_case_utils.py`,
//! `AskHolmesTestCase`, at c1ee1d43): `user_prompt`, `expected_output` (criteria for its LLM
//! judge), `tags`, `before_test`, `after_test` and `setup_timeout`. HolmesGPT runs
//! `before_test`/`after_test` with `subprocess.run(script, shell=True, cwd=<the case
//! folder>, stdin=DEVNULL, timeout=setup_timeout or EVAL_SETUP_TIMEOUT)`
//! (`tests/llm/utils/commands.py`; EVAL_SETUP_TIMEOUT defaults to 300 s), every case's at
//! once (`tests/llm/utils/setup_cleanup.py`, MAX_WORKERS 999), only when RUN_LIVE=true, so
//! the scripts are POSIX sh, fail on the first failing command, and read nothing from stdin.
//!
//! Its runners select evals by tag (`-m 'llm and (easy or medium or hard)'`; the regression
//! workflow `llm and easy and not no-cicd`): each tag becomes a pytest marker
//! (`tests/llm/utils/iteration_utils.py`, `get_tags`), and a case without one is silently
//! deselected. A tag must be one of the markers in its pyproject.toml. Each case gets its
//! difficulty ([`Difficulty`](super::difficulty::Difficulty)), `kubernetes`, `no-cicd`
//! (HolmesGPT's CI cluster has no crashlab to run the setup) and `leaked-information` (the
//! prompt's namespace, `crashlab-<scenario>`, and the pods' `app.kubernetes.io/name` label
//! name the scenario, which often names the cause).

use serde::Serialize;

use super::case::Case;
use super::file::{CaseFile, comment};

/// The folder name: HolmesGPT's test ids are lowercase words joined by `_`.
pub fn folder(case: &Case) -> String {
    format!("crashlab_{}", case.scenario.replace('-', "_"))
}

/// Markers of HolmesGPT's pyproject.toml (`[tool.pytest.ini_options] markers`) every case
/// carries besides its difficulty.
pub const TAGS: [&str; 3] = ["kubernetes", "no-cicd", "leaked-information"];

#[derive(Serialize)]
struct TestCase {
    user_prompt: String,
    expected_output: Vec<String>,
    tags: Vec<&'static str>,
    before_test: String,
    after_test: String,
    setup_timeout: u64,
}

pub fn files(case: &Case) -> Vec<CaseFile> {
    let doc = TestCase {
        user_prompt: case.prompt(),
        expected_output: case.expected_statements(),
        tags: std::iter::once(case.difficulty.as_str())
            .chain(TAGS)
            .collect(),
        before_test: format!(
            "set -e\n{}\n{}{}\n",
            case.gc_line(),
            case.allow_lines(),
            // HolmesGPT runs it in the case folder.
            case.reproduce_line(".")
        ),
        after_test: format!("{}\n", case.gc_line()),
        setup_timeout: case.setup_budget_s,
    };
    let header = comment(&format!(
        "crashlab fixture `{}`: {}. before_test reproduces it with the kubelet's real signals \
         in namespace {} and fails when it did not reproduce; after_test deletes it. \
         {} Export again with `crashlab export --format holmesgpt DIR {}`.",
        case.scenario, case.summary, case.namespace, case.what_broke, case.scenario
    ));
    let yaml = serde_yaml::to_string(&doc).unwrap_or_default();
    let mut out = vec![CaseFile::text("test_case.yaml", format!("{header}{yaml}"))];
    if let Some(text) = &case.scenario_file {
        out.push(CaseFile::text(super::case::SCENARIO_FILE, text.clone()));
    }
    out
}
