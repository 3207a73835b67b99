//! `crashlab export`: write the chosen scenarios as HolmesGPT eval folders or k8s-ai-bench
//! tasks. Offline: nothing touches a cluster until the suite runs a case's setup.

use std::io::Write;

use super::args::{ExportArgs, ExportFormat};
use super::catalogue_cmd::{catalogue_with, pick};
use super::cli_error::{CliError, Exit};
use crate::export::{self, Case, Format};
use crate::scenario::Origin;

pub fn run(args: ExportArgs) -> Result<Exit, CliError> {
    let cat = catalogue_with(&args.files)?;
    let chosen = pick(
        &cat,
        &args.scenarios,
        args.all,
        "crashlab export --format holmesgpt DIR oom",
    )?;
    let mut cases = Vec::new();
    for scenario in &chosen {
        let name = &scenario.metadata.name;
        let file = match cat.get(name).map(|e| &e.origin) {
            Ok(Origin::File { path }) => Some(
                std::fs::read_to_string(path)
                    .map_err(|e| CliError::usage(format!("{}: {e}", path.display())))?,
            ),
            _ => None,
        };
        let case = Case::new(scenario, file).map_err(|e| {
            CliError::usage(e).with_hint(
                "add spec.groundTruth (category, keyFacts) to the scenario; `crashlab show oom` shows one",
            )
        })?;
        let case = case.allowing(&args.allow_context).map_err(|e| {
            CliError::usage(e)
                .with_hint("quote the pattern for your shell: --allow-context 'vcluster_*'")
        })?;
        cases.push(case);
    }
    let format = match args.format {
        ExportFormat::Holmesgpt => Format::Holmesgpt,
        ExportFormat::K8sAiBench => Format::K8sAiBench,
    };
    let written = export::write(format, &args.dir, &cases, args.force).map_err(|e| match e {
        export::Error::NotEmpty { .. } => CliError::usage(e).with_hint(
            "choose another DIR, or pass --force to replace the case directories crashlab wrote before",
        ),
        other => CliError::env(other),
    })?;
    let mut out = std::io::stdout().lock();
    for dir in &written {
        writeln!(out, "wrote {}", dir.display())
            .map_err(|e| CliError::env(format!("writing the result: {e}")))?;
    }
    writeln!(
        out,
        "{} cases; each setup runs `crashlab reproduce` (or $CRASHLAB), each cleanup `crashlab gc --namespace`",
        written.len()
    )
    .map_err(|e| CliError::env(format!("writing the result: {e}")))?;
    Ok(Exit::Pass)
}
