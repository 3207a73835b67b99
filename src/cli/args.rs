//! Raw command-line arguments (clap). Validation into configuration happens in the commands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub const EXIT_CODES_HELP: &str = "\
EXIT CODES:
  0  every scenario passed
  1  an expectation failed (the cluster did something other than the scenario promised)
  2  bad usage, or an invalid scenario file (nothing was created in the cluster)
  3  cluster or environment problem: unreachable cluster, missing dependency, or a phase
     timed out before the expectations could be decided (the evidence so far is reported)";

#[derive(Debug, Parser)]
#[command(
    name = "crashlab",
    version,
    about = "Reproduce Kubernetes crash loops on purpose and prove the signals appear",
    after_help = EXIT_CODES_HELP
)]
pub struct Cli {
    /// Log crashlab's own workings to stderr (repeat for more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run scenarios against a cluster and check their signals.
    #[command(after_help = EXIT_CODES_HELP)]
    Run(RunArgs),
    /// List the built-in scenarios.
    List,
    /// Show a scenario: manifests, expectations, and how to diagnose it.
    Show {
        /// Scenario name (`crashlab list` shows them).
        name: String,
        /// Also look in these scenario files.
        #[arg(long = "file", short = 'f')]
        files: Vec<PathBuf>,
    },
    /// Print the JSON schema of scenario files.
    Schema,
    /// Check scenario files without running them.
    Lint {
        /// Scenario files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Manage the cluster crashlab runs on.
    #[command(subcommand)]
    Cluster(ClusterCommand),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProviderName {
    /// A real single-node Kubernetes on this Linux host (root).
    Local,
    /// A kind cluster (needs kind and a Docker engine).
    Kind,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario names to run (see `crashlab list`).
    pub scenarios: Vec<String>,
    /// Run every built-in scenario (and every scenario from --file).
    #[arg(long)]
    pub all: bool,
    /// Load scenarios from these files (they run when named, or with --all).
    #[arg(long = "file", short = 'f')]
    pub files: Vec<PathBuf>,
    /// Output format on stdout.
    #[arg(long, short, value_enum, default_value_t = OutputFormat::Human)]
    pub output: OutputFormat,
    /// Also write a JUnit XML report to this file.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// How many scenarios run at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub parallel: u16,
    /// Keep each scenario's namespace afterwards (for teaching and inspection).
    #[arg(long)]
    pub keep: bool,
    /// Kube context to use (default: the current context; when no test cluster is reachable,
    /// crashlab brings up a kind or local cluster, see --provider).
    #[arg(long)]
    pub context: Option<String>,
    /// Allow running against this context even though it is not a known test cluster.
    #[arg(long = "allow-context", value_name = "NAME")]
    pub allow_context: Vec<String>,
    /// Write each scenario's raw recording (pods, events, logs as received) to this directory.
    #[arg(long, value_name = "DIR")]
    pub record: Option<PathBuf>,
    /// Provider to bring up when no test cluster is reachable (default: kind when kind and a
    /// Docker engine are usable, else local on Linux as root).
    #[arg(long, value_enum)]
    pub provider: Option<ProviderName>,
    /// Kubernetes version for a cluster crashlab brings up (e.g. 1.35).
    #[arg(long)]
    pub kubernetes_version: Option<String>,
    /// Override the expected back-off as INITIAL:MAX seconds (e.g. 10:20), for clusters with
    /// tuned kubelet settings.
    #[arg(long, value_name = "INITIAL:MAX")]
    pub backoff: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ClusterCommand {
    /// Bring up a cluster (local: real etcd, API server, kubelet, containerd on this host).
    Up(ClusterUpArgs),
    /// Stop the cluster and remove everything the provider created.
    Down {
        #[arg(long, value_enum, default_value_t = ProviderName::Local)]
        provider: ProviderName,
    },
    /// Health of each component and of the node.
    Status,
    /// Show a component's log (containerd, etcd, kube-apiserver, kubelet, ...).
    Logs {
        component: String,
        /// Number of lines from the end.
        #[arg(long, default_value_t = 100)]
        tail: usize,
    },
    /// Install the host packages the local provider needs (containerd, runc, CNI, iptables).
    Deps {
        /// Print the commands instead of running them.
        #[arg(long)]
        dry_run: bool,
    },
    /// Build or fetch the Kubernetes binaries into the cache, without starting anything.
    Fetch {
        #[arg(long)]
        kubernetes_version: Option<String>,
    },
    /// (internal) Run the local cluster's supervisor in the foreground.
    #[command(hide = true)]
    Supervise {
        #[arg(long)]
        state_dir: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct ClusterUpArgs {
    #[arg(long, value_enum, default_value_t = ProviderName::Local)]
    pub provider: ProviderName,
    /// Kubernetes version (e.g. 1.34, 1.35, v1.36.3).
    #[arg(long)]
    pub kubernetes_version: Option<String>,
    /// A KubeletConfiguration fragment (YAML) merged over crashlab's (on kind: one more
    /// KubeletConfiguration patch in the kind configuration).
    #[arg(long, value_name = "FILE")]
    pub kubelet_config: Option<PathBuf>,
    /// Kubelet feature gates, e.g. `KubeletCrashLoopBackOffMax=true,ReduceDefaultCrashLoopBackOffDecay=true`.
    #[arg(long, value_name = "GATES")]
    pub feature_gates: Option<String>,
    /// Kubeconfig file to merge the new context into.
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
}
