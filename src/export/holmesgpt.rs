//! HolmesGPT eval folders: `test_case.yaml` as its `tests/llm/fixtures/test_ask_holmes/*`
//! cases have it (robusta-dev/holmesgpt `tests/llm/utils/test_case_utils.py`,
//! `AskHolmesTestCase`): `user_prompt`, `expected_output` (criteria for its LLM judge),
//! `before_test` and `after_test`. HolmesGPT runs `before_test`/`after_test` with
//! `subprocess.run(script, shell=True, cwd=<the case folder>, stdin=DEVNULL,
//! timeout=EVAL_SETUP_TIMEOUT)` (`tests/llm/utils/commands.py`), only when RUN_LIVE=true, so
//! the scripts are POSIX sh, fail on the first failing command, and read nothing from stdin.

use serde::Serialize;

use super::case::Case;
use super::file::{CaseFile, comment};

/// The folder name: HolmesGPT's test ids are lowercase words joined by `_`.
pub fn folder(case: &Case) -> String {
    format!("crashlab_{}", case.scenario.replace('-', "_"))
}

#[derive(Serialize)]
struct TestCase {
    user_prompt: String,
    expected_output: Vec<String>,
    before_test: String,
    after_test: String,
}

pub fn files(case: &Case) -> Vec<CaseFile> {
    let doc = TestCase {
        user_prompt: case.prompt(),
        expected_output: case.expected_statements(),
        before_test: format!(
            "set -e\n{}\n{}\n",
            case.gc_line(),
            // HolmesGPT runs it in the case folder.
            case.reproduce_line(".")
        ),
        after_test: format!("{}\n", case.gc_line()),
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
