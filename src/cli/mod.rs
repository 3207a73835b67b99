//! The command line: parses arguments, dispatches to the commands, and maps every failure to
//! a documented exit code with a hint.

mod args;
mod catalogue_cmd;
mod cli_error;
mod cluster_cmd;
mod diagnose_cmd;
mod matrix_cmd;
mod run_cmd;
mod target_cluster;
mod validate_cmd;

use std::process::ExitCode;

use clap::Parser;

pub use args::{Cli, Command, EXIT_CODES_HELP};
pub use cli_error::{CliError, Exit};

/// Runs crashlab with the process's arguments and returns its exit code.
pub fn main() -> ExitCode {
    reset_sigpipe();
    let cli = match Cli::try_parse() {
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
    init_tracing(cli.verbose);
    let result = match cli.command {
        Command::Run(args) => run_cmd::run(args),
        Command::List => catalogue_cmd::list(),
        Command::Show { name, files } => catalogue_cmd::show(&name, &files),
        Command::Schema => catalogue_cmd::schema(),
        Command::Lint { files } => catalogue_cmd::lint(&files),
        Command::Matrix(args) => matrix_cmd::run(args),
        Command::Validate(args) => validate_cmd::run(args),
        Command::Diagnose(args) => diagnose_cmd::run(args),
        Command::Cluster(cmd) => cluster_cmd::run(cmd),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(e) => {
            eprintln!("{e}");
            e.exit.into()
        }
    }
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
        .without_time()
        .try_init();
}

/// A closed stdout (`crashlab list | head -1`) ends the program quietly, as in ripgrep.
fn reset_sigpipe() {
    // SAFETY: restoring the default disposition of SIGPIPE before any output.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
