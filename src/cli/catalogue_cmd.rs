//! `crashlab list`, `show`, `schema` and `lint`: the scenario catalogue, without a cluster.

use std::io::Write;
use std::path::PathBuf;

use super::args::OutputFormat;
use super::cli_error::{CliError, Exit};
use crate::scenario::{Catalogue, Scenario, ScenarioError};

/// Loads the built-in catalogue plus `files`; an invalid file is a usage error (exit 2).
pub fn catalogue_with(files: &[PathBuf]) -> Result<Catalogue, CliError> {
    let mut cat = Catalogue::builtin();
    for f in files {
        cat.add_file(f).map_err(scenario_error)?;
    }
    Ok(cat)
}

/// Maps a scenario error to exit code 2 with its own hint.
pub fn scenario_error(e: ScenarioError) -> CliError {
    let hint = e.hint();
    let err = CliError::usage(e.headline());
    match hint {
        Some(h) => err.with_hint(h),
        None => err,
    }
}

/// The scenarios a command names, or all with `--all`; `usage` is the command line to suggest
/// when none is given. Unknown names get a did-you-mean (exit 2).
pub fn pick(
    cat: &Catalogue,
    names: &[String],
    all: bool,
    usage: &str,
) -> Result<Vec<Scenario>, CliError> {
    if all {
        if !names.is_empty() {
            return Err(CliError::usage("give scenario names or --all, not both"));
        }
        return Ok(cat.entries().iter().map(|e| e.scenario.clone()).collect());
    }
    if names.is_empty() {
        return Err(CliError::usage("no scenario given").with_hint(format!(
            "name one or more (`{usage}`), or use --all; known scenarios: {}",
            cat.names().collect::<Vec<_>>().join(", ")
        )));
    }
    names
        .iter()
        .map(|n| Ok(cat.get(n).map_err(scenario_error)?.scenario.clone()))
        .collect()
}

pub fn list(output: OutputFormat) -> Result<Exit, CliError> {
    let cat = Catalogue::builtin();
    if output == OutputFormat::Json {
        let scenarios: Vec<serde_json::Value> = cat
            .entries()
            .iter()
            .map(|e| {
                let s = &e.scenario;
                let w = s.spec.target.workload();
                serde_json::json!({
                    "name": e.name(),
                    "summary": s.metadata.summary,
                    "category": s.spec.ground_truth.as_ref().map(|g| g.category.as_str()),
                    "target": {"kind": w.kind.kind(), "name": w.name, "container": s.spec.target.container},
                })
            })
            .collect();
        let doc = serde_json::json!({ "scenarios": scenarios });
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        return Ok(Exit::Pass);
    }
    let width = cat.names().map(str::len).max().unwrap_or(0);
    let mut out = std::io::stdout().lock();
    for e in cat.entries() {
        let category = e
            .scenario
            .spec
            .ground_truth
            .as_ref()
            .map(|g| g.category.as_str())
            .unwrap_or("-");
        let _ = writeln!(
            out,
            "{:<width$}  {:<16} {}",
            e.name(),
            category,
            e.scenario.metadata.summary
        );
    }
    Ok(Exit::Pass)
}

pub fn show(name: &str, files: &[PathBuf]) -> Result<Exit, CliError> {
    let cat = catalogue_with(files)?;
    let entry = cat.get(name).map_err(scenario_error)?;
    print!("{}", crate::scenario::show_text(entry));
    Ok(Exit::Pass)
}

pub fn schema() -> Result<Exit, CliError> {
    print!("{}", crate::scenario::json_schema());
    Ok(Exit::Pass)
}

pub fn lint(files: &[PathBuf], output: OutputFormat) -> Result<Exit, CliError> {
    let mut failed = None;
    let mut results = Vec::new();
    for f in files {
        match Catalogue::empty().add_file(f) {
            Ok(e) => {
                if output == OutputFormat::Human {
                    println!("{}: ok ({})", f.display(), e.name());
                }
                results.push(serde_json::json!({"file": f, "ok": true, "scenario": e.name()}));
            }
            Err(e) => {
                let err = scenario_error(e);
                eprintln!("{err}");
                results.push(serde_json::json!({
                    "file": f, "ok": false, "error": err.message, "hint": err.hint,
                }));
                failed = Some(err.exit);
            }
        }
    }
    if output == OutputFormat::Json {
        let doc = serde_json::json!({ "files": results });
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    }
    Ok(failed.unwrap_or(Exit::Pass))
}
