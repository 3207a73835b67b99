//! `crashlab diagnose POD`: gather the pod's evidence (read-only, any context), diagnose it,
//! print the diagnosis for people or as JSON.

use std::time::Duration;

use super::args::{DiagnoseArgs, OutputFormat};
use super::cli_error::{CliError, Exit};
use crate::diagnose::{self, Error};

/// Limit for gathering everything (each read has its own, shorter limit).
const GATHER_TIMEOUT: Duration = Duration::from_secs(60);

pub fn run(args: DiagnoseArgs) -> Result<Exit, CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::env(format!("cannot start the async runtime: {e}")))?;
    let diagnosis = runtime.block_on(async {
        let conn = super::target_cluster::connect_existing(args.context.as_deref()).await?;
        let namespace = args
            .namespace
            .clone()
            .unwrap_or_else(|| conn.client.default_namespace().to_owned());
        let input = tokio::time::timeout(
            GATHER_TIMEOUT,
            diagnose::gather::gather(
                &conn.client,
                &namespace,
                &args.pod,
                args.container.as_deref(),
            ),
        )
        .await
        .map_err(|_| {
            CliError::env(format!(
                "reading pod `{}` took longer than {}s",
                args.pod,
                GATHER_TIMEOUT.as_secs()
            ))
        })?
        .map_err(|e| gather_error(e, &namespace))?;
        diagnose::diagnose(&input).map_err(|e| gather_error(e, &namespace))
    })?;
    let text = match args.output {
        OutputFormat::Human => diagnose::render_human(&diagnosis),
        OutputFormat::Json => diagnose::render_json(&diagnosis),
    };
    print!("{text}");
    Ok(Exit::Pass)
}

fn gather_error(e: Error, namespace: &str) -> CliError {
    match e {
        Error::PodNotFound { .. } => CliError::usage(&e).with_hint(format!(
            "`kubectl get pods -n {namespace}` lists its pods; pass the namespace with -n"
        )),
        Error::NoSuchContainer { .. } | Error::NoContainers { .. } => CliError::usage(e),
        Error::Unreachable { .. } => CliError::env(e)
            .with_hint("is the cluster running? try `crashlab cluster status`, or pass --context"),
        Error::ReadPod { .. } => CliError::env(e),
    }
}
