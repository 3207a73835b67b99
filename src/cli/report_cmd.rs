//! `crashlab report RESULT.json [--html FILE]`: renders a saved result (a CI artifact) as the
//! HTML report `--html` would have written, or a saved validation as `crashlab validate`
//! printed it. Reads files only; never touches a cluster.

use std::path::Path;

use super::args::ReportArgs;
use super::catalogue_cmd::catalogue_with;
use super::cli_error::{CliError, Exit};
use crate::html::{HtmlError, ResultFile, read_result, render_result, typed};
use crate::scenario::Scenario;
use crate::validate::{ValidationReport, render_human};

pub fn run(args: ReportArgs) -> Result<Exit, CliError> {
    let scenarios = scenarios(&args.files)?;
    let result = read_result(&args.result).map_err(html_error)?;
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
        ResultFile::Validate(_) => {
            let text = std::fs::read_to_string(file).map_err(|source| {
                html_error(HtmlError::Read {
                    file: file.to_path_buf(),
                    source,
                })
            })?;
            let report: ValidationReport =
                typed(&text, file, "a validation result").map_err(html_error)?;
            print!("{}", render_human(&report));
            Ok(Exit::Pass)
        }
        other => {
            let kind = match other {
                ResultFile::Run(_) => "a run result",
                ResultFile::Matrix(_) => "a matrix result",
                _ => "a recording",
            };
            Err(CliError::usage(format!(
                "{}: {kind} is rendered as HTML only",
                file.display()
            ))
            .with_hint(format!(
                "add --html FILE, e.g. `crashlab report {} --html report.html`",
                file.display()
            )))
        }
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
