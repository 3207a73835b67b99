//! The command line: parses arguments, dispatches to the commands, and maps every failure to
//! a documented exit code with a hint.

mod alert_rules;
mod args;
mod catalogue_cmd;
mod cli_error;
mod cluster_cmd;
mod conformance_cmd;
mod diagnose_cmd;
mod export_cmd;
mod gc_cmd;
mod grade_cmd;
mod matrix_cmd;
mod report_cmd;
mod reproduce_cmd;
mod run_cmd;
mod target_cluster;
mod validate_cmd;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

pub use args::{Cli, ClusterCommand, Command, EXIT_CODES_HELP};
pub use cli_error::{CliError, Exit};

/// Runs crashlab with the process's arguments and returns its exit code.
pub fn main() -> ExitCode {
    let parsed = Cli::command()
        .long_version(&*Box::leak(long_version().into_boxed_str()))
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => Exit::Usage.into(),
            };
        }
    };
    // Offline commands end quietly when stdout closes (`crashlab list | head -1`), as in
    // ripgrep. Never the commands that talk to a cluster: with SIGPIPE at its default, a write
    // to an API server connection that just died (a restarting kube-apiserver) kills the whole
    // process, cleanup and report included (measured: exit by signal 13 mid-run).
    if matches!(
        cli.command,
        Command::List { .. }
            | Command::Show { .. }
            | Command::Schema
            | Command::Lint { .. }
            | Command::Completions { .. }
    ) {
        reset_sigpipe();
    }
    crate::report::color::set(cli.color);
    if let Some(path) = &cli.kubeconfig {
        // SAFETY: still single-threaded (no runtime, no signal thread yet); every reader of
        // the kubeconfig (kube-rs, kind, kubectl children, the local provider) honours it.
        unsafe { std::env::set_var("KUBECONFIG", path) };
    }
    init_tracing(cli.verbose);
    let json = wants_json(&cli.command);
    // Commands that create things clean up on Ctrl-C and SIGTERM; the others keep the
    // default (die at once), which is what a quick command should do.
    let creates = matches!(
        cli.command,
        Command::Run(_)
            | Command::Validate(_)
            | Command::Matrix(_)
            | Command::Conformance(_)
            | Command::Reproduce(_)
            | Command::Cluster(ClusterCommand::Up(_))
    );
    if creates {
        crate::shutdown::install();
    }
    let result = match cli.command {
        Command::Run(mut args) => {
            args.events |= cli.verbose > 0;
            run_cmd::run(args)
        }
        Command::List { output } => catalogue_cmd::list(output),
        Command::Show { name, files } => catalogue_cmd::show(&name, &files),
        Command::Schema => catalogue_cmd::schema(),
        Command::Lint { files, output } => catalogue_cmd::lint(&files, output),
        Command::Matrix(args) => matrix_cmd::run(args),
        Command::Conformance(args) => conformance_cmd::run(args),
        Command::Validate(args) => validate_cmd::run(args),
        Command::Grade(args) => grade_cmd::run(args),
        Command::Diagnose(args) => diagnose_cmd::run(args),
        Command::Report(args) => report_cmd::run(args),
        Command::Reproduce(args) => reproduce_cmd::run(args),
        Command::Export(args) => export_cmd::run(args),
        Command::Cluster(cmd) => cluster_cmd::run(cmd),
        Command::Gc(args) => gc_cmd::run(args),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "crashlab",
                &mut std::io::stdout(),
            );
            Ok(Exit::Pass)
        }
    };
    let code = match result {
        Ok(exit) => exit.into(),
        Err(e) => {
            eprintln!("{e}");
            // Whoever asked for JSON reads stdout: the error goes there too, as a document.
            if json {
                let doc = serde_json::json!({
                    "error": e.message,
                    "hint": e.hint,
                    "exit_code": e.exit as u8,
                });
                println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
            }
            e.exit.into()
        }
    };
    // Cleanup is done: a run stopped by a signal says so in its exit code.
    match crate::shutdown::received() {
        Some(signal) => {
            ExitCode::from(u8::try_from(crate::shutdown::exit_code_for(signal)).unwrap_or(1))
        }
        None => code,
    }
}

/// Whether the command was asked for JSON on stdout.
fn wants_json(command: &Command) -> bool {
    use args::{MatrixOutput, OutputFormat};
    match command {
        Command::Run(a) => a.output == OutputFormat::Json,
        Command::Validate(a) => a.output == OutputFormat::Json,
        Command::Grade(a) => a.output == OutputFormat::Json,
        Command::Diagnose(a) => a.output == OutputFormat::Json,
        Command::Matrix(a) => a.output == MatrixOutput::Json,
        Command::Conformance(a) => a.output == args::ConformanceOutput::Json,
        Command::Gc(a) => a.output == OutputFormat::Json,
        Command::Reproduce(a) => a.output == OutputFormat::Json,
        Command::List { output } | Command::Lint { output, .. } => *output == OutputFormat::Json,
        Command::Cluster(ClusterCommand::Status { output }) => *output == OutputFormat::Json,
        _ => false,
    }
}

/// `--nodes N` (clap keeps it in 1-10) as the cluster layer counts nodes.
fn node_count(nodes: u8) -> Result<crate::cluster::NodeCount, CliError> {
    crate::cluster::NodeCount::new(nodes)
        .ok_or_else(|| CliError::usage("--nodes must be at least 1"))
}

/// `crashlab --version`: version, commit, and what the local provider can run.
fn long_version() -> String {
    format!(
        "{} (commit {})\nlocal provider: Kubernetes {}\ntargets: {}-{}",
        env!("CARGO_PKG_VERSION"),
        env!("CRASHLAB_COMMIT"),
        crate::cluster::local::versions::RELEASES.supported_list(),
        std::env::consts::ARCH,
        std::env::consts::OS,
    )
}

fn init_tracing(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "crashlab=info",
        2 => "crashlab=debug",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("CRASHLAB_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(crate::report::color::stderr())
        .without_time()
        .try_init();
}

/// A closed stdout ends the program quietly (SIGPIPE back to its default).
fn reset_sigpipe() {
    // SAFETY: restoring the default disposition of SIGPIPE before any output.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// The providers' progress on stderr, styled as `--color` and `NO_COLOR` decide.
fn stderr_progress() -> Box<dyn crate::cluster::progress::Progress> {
    crate::cluster::progress::stderr(crate::report::color::stderr())
}
