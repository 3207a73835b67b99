//! `crashlab report RESULT.json --html FILE`: renders a saved result (a CI artifact) as the
//! HTML report `--html` would have written. Reads files only; never touches a cluster.

use std::path::Path;

use super::args::ReportArgs;
use super::catalogue_cmd::catalogue_with;
use super::cli_error::{CliError, Exit};
use crate::html::{HtmlError, read_result, render_result};
use crate::scenario::Scenario;

pub fn run(args: ReportArgs) -> Result<Exit, CliError> {
    let scenarios = scenarios(&args.files)?;
    let result = read_result(&args.result).map_err(html_error)?;
    let html = render_result(&result, &scenarios, &args.result).map_err(html_error)?;
    write_html(&args.html, &html)?;
    eprintln!(
        "crashlab: wrote {} ({} bytes) from {}",
        args.html.display(),
        html.len(),
        args.result.display()
    );
    Ok(Exit::Pass)
}

/// Every built-in scenario and every scenario of `files`.
pub fn scenarios(files: &[std::path::PathBuf]) -> Result<Vec<Scenario>, CliError> {
    let cat = catalogue_with(files)?;
    Ok(cat.entries().iter().map(|e| e.scenario.clone()).collect())
}

/// Writes an HTML report; a path that cannot be written is bad usage (exit 2), as for
/// `--junit`.
pub fn write_html(path: &Path, html: &str) -> Result<(), CliError> {
    std::fs::write(path, html).map_err(|source| {
        html_error(HtmlError::Write {
            file: path.to_path_buf(),
            source,
        })
    })
}

fn html_error(e: HtmlError) -> CliError {
    let hint = match &e {
        HtmlError::Unknown { .. } | HtmlError::Shape { .. } | HtmlError::Syntax { .. } => Some(
            "`crashlab report` reads what `crashlab run|validate|matrix -o json` print and what `crashlab run --record DIR` writes",
        ),
        HtmlError::Write { .. } => Some("check that the directory exists and is writable"),
        _ => None,
    };
    let err = CliError::usage(e);
    match hint {
        Some(h) => err.with_hint(h),
        None => err,
    }
}
