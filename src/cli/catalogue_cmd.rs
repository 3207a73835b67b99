//! `crashlab list`, `show`, `schema` and `lint`: the scenario catalogue, without a cluster.

use std::io::Write;
use std::path::PathBuf;

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

pub fn list() -> Result<Exit, CliError> {
    let cat = Catalogue::builtin();
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

pub fn lint(files: &[PathBuf]) -> Result<Exit, CliError> {
    let mut failed = None;
    for f in files {
        match Catalogue::empty().add_file(f) {
            Ok(e) => println!("{}: ok ({})", f.display(), e.name()),
            Err(e) => {
                let err = scenario_error(e);
                eprintln!("{err}");
                failed = Some(err.exit);
            }
        }
    }
    Ok(failed.unwrap_or(Exit::Pass))
}
