//! `crashlab report RESULT.json [--html FILE]`: renders a saved result (a CI artifact) as the
//! HTML report `--html` would have written, or a saved validation as `crashlab validate`
//! printed it. Reads files only; never touches a cluster.

use std::path::Path;

use super::args::ReportArgs;
use super::catalogue_cmd::catalogue_with;
use super::cli_error::{CliError, Exit};
use crate::html::{HtmlError, render_result};
use crate::results::{ResultFile, read_result};
use crate::scenario::Scenario;
use crate::validate::render_human;

pub fn run(args: ReportArgs) -> Result<Exit, CliError> {
    let scenarios = scenarios(&args.files)?;
    let result = read_result(&args.result).map_err(|e| html_error(e.into()))?;
    let Some(html_file) = &args.html else {
        return print_human(&result, &args.result);
    };
    let html = render_result(&result, &scenarios, &args.result).map_err(html_error)?;
    write_html(html_file, &html)?;
    eprintln!(
        "crashlab: wrote {} ({} bytes) from {}",
        html_file.display(),
        html.len(),
        args.result.display()
    );
    Ok(Exit::Pass)
}

/// A saved validation, printed as `crashlab validate` printed it (read back by the types that
/// wrote it). Other results have their HTML report.
fn print_human(result: &ResultFile, file: &Path) -> Result<Exit, CliError> {
    match result {
        ResultFile::Validate(report) => {
            print!("{}", render_human(report));
            Ok(Exit::Pass)
        }
        other => Err(CliError::usage(format!(
            "{}: {} is rendered as HTML only",
            file.display(),
            other.kind()
        ))
        .with_hint(format!(
            "add --html FILE, e.g. `crashlab report {} --html report.html`",
            file.display()
        ))),
    }
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
    let hint = e.hint();
    CliError::usage(e).with_hint(hint)
}
