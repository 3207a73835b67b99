//! Raw command-line arguments (clap). Validation into configuration happens in the commands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::cluster::local::ReleaseUrl;
use crate::runner::Parallelism;

pub const EXIT_CODES_HELP: &str = "\
EXIT CODES:
  0  every scenario passed
  1  an expectation failed (the cluster did something other than the scenario promised)
  2  bad usage, or an invalid scenario file (nothing was created in the cluster)
  3  cluster or environment problem: unreachable cluster, missing dependency, a downloaded
     Kubernetes binary that fails its checksum, or a phase timed out before the expectations
     could be decided (the evidence so far is reported)";

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
    /// Colour: `auto` (when the stream is a terminal and NO_COLOR is not set), `always`,
    /// `never`. Applies to every output, crashlab's log lines included.
    #[arg(long, global = true, value_enum, default_value_t = crate::report::color::ColorChoice::Auto, value_name = "WHEN")]
    pub color: crate::report::color::ColorChoice,
    /// The kubeconfig file every command reads (and `cluster up` writes its context into),
    /// instead of $KUBECONFIG or ~/.kube/config. Passed on to kind and kubectl too.
    #[arg(long, global = true, value_name = "FILE")]
    pub kubeconfig: Option<std::path::PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
// Parsed once per process: the size of the largest variant (validate's flags) costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    /// Run scenarios against a cluster and check their signals.
    #[command(after_help = EXIT_CODES_HELP)]
    Run(RunArgs),
    /// List the built-in scenarios.
    List {
        /// Output format on stdout.
        #[arg(long, short, value_enum, default_value_t = OutputFormat::Human)]
        output: OutputFormat,
    },
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
        /// Output format on stdout.
        #[arg(long, short, value_enum, default_value_t = OutputFormat::Human)]
        output: OutputFormat,
    },
    /// Run scenarios on several clusters (providers × Kubernetes versions) in turn, or merge
    /// earlier results, and compare what each kubelet did.
    #[command(after_help = EXIT_CODES_HELP)]
    Matrix(MatrixArgs),
    /// Grade a diagnostic tool on live crash loops: reproduce each scenario, run the tool on
    /// it, score its answer against the scenario's ground truth; and/or judge Prometheus
    /// alert rules on each reproduced incident (--alert-rules).
    #[command(after_help = VALIDATE_HELP)]
    Validate(ValidateArgs),
    /// Grade one answer (a file, or - for stdin) against a scenario's ground truth, with the
    /// rules `validate` uses: for suites that run the tool themselves.
    #[command(after_help = GRADE_HELP)]
    Grade(GradeArgs),
    /// Diagnose a pod as a person would: exit code → logs --previous → events → recent
    /// changes → resources; prints the cause, the evidence and the next kubectl commands.
    #[command(after_help = DIAGNOSE_HELP)]
    Diagnose(DiagnoseArgs),
    /// Render a saved result as one HTML file: the JSON of `run -o json`, `validate -o json`
    /// or `matrix -o json`, or a recording of `run --record` (judged again offline).
    #[command(after_help = REPORT_HELP)]
    Report(ReportArgs),
    /// Reproduce one scenario and leave the incident running, ready for diagnosis: exits as
    /// soon as its signals are confirmed, printing the namespace, the pod and what was seen.
    #[command(after_help = REPRODUCE_HELP)]
    Reproduce(ReproduceArgs),
    /// Write verified fixtures for other eval suites: HolmesGPT eval folders or k8s-ai-bench
    /// tasks whose setup runs `crashlab reproduce` and whose cleanup runs `crashlab gc`.
    #[command(after_help = EXPORT_HELP)]
    Export(ExportArgs),
    /// Does this cluster report crash loops the way upstream Kubernetes does? Runs
    /// purpose-built probes and prints, property by property, what upstream does (from the
    /// kubelet's version, configuration and source), what this cluster did, and a verdict.
    #[command(after_help = CONFORMANCE_HELP)]
    Conformance(ConformanceArgs),
    /// Manage the cluster crashlab runs on.
    #[command(subcommand)]
    Cluster(ClusterCommand),
    /// Delete namespaces left by crashlab runs that are gone (killed, crashed). `run`,
    /// `validate` and `matrix` do this for this host's dead runs before they start.
    Gc(GcArgs),
    /// Print a shell completion script: `crashlab completions bash > /etc/bash_completion.d/crashlab`,
    /// `crashlab completions zsh > "${fpath[1]}/_crashlab"`, `crashlab completions fish >
    /// ~/.config/fish/completions/crashlab.fish`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

pub const REPRODUCE_HELP: &str = "\
EXIT CODES:
  0  the incident is live and ready for diagnosis; its namespace is left running (kept: runs
     and `crashlab gc` leave it alone until `crashlab gc --namespace NS` or --older-than)
  1  it did not reproduce: an expectation was contradicted (what was created is deleted)
  2  bad usage, an invalid scenario file, or --namespace names a namespace that already
     exists (nothing is created)
  3  cluster or environment problem, or it was not ready in time (what was created is
     deleted)";

#[derive(Debug, Args)]
pub struct ReproduceArgs {
    /// Scenario name (see `crashlab list`).
    pub scenario: String,
    /// Load scenarios from these files too.
    #[arg(long = "file", short = 'f')]
    pub files: Vec<PathBuf>,
    /// Namespace to create (default: `crashlab-<scenario>-<random>`); refused when it exists.
    #[arg(long, short = 'n', value_name = "NS")]
    pub namespace: Option<String>,
    /// Output format on stdout.
    #[arg(long, short, value_enum, default_value_t = OutputFormat::Human)]
    pub output: OutputFormat,
    /// Kube context to use (default: the current context; when no test cluster is reachable,
    /// crashlab brings up a kind or local cluster, see --provider).
    #[arg(long)]
    pub context: Option<String>,
    /// Allow running against this context even though it is not a known test cluster.
    #[arg(long = "allow-context", value_name = "NAME")]
    pub allow_context: Vec<String>,
    #[command(flatten)]
    pub bring_up: BringUpArgs,
}

pub const EXPORT_HELP: &str = "\
LAYOUT:
  holmesgpt      DIR/crashlab_<scenario>/test_case.yaml (user_prompt, expected_output,
                 tags, before_test, after_test, setup_timeout), for
                 tests/llm/fixtures/test_ask_holmes; run with RUN_LIVE=true
  k8s-ai-bench   DIR/crashlab-<scenario>/{task.yaml,setup.sh,verify.sh,cleanup.sh}, for
                 tasks/; graded by task.yaml's expect (the category's conclusion in the
                 answer's words, the ground truth's key facts, no wrong advice); verify.sh
                 checks the incident is still live and is not the verifier
  Each case uses the fixed namespace crashlab-<scenario>. The scripts run `crashlab`
  from PATH, or $CRASHLAB when set; $CRASHLAB_CONTEXT picks the kube context (setup,
  check and cleanup alike), and a context that is not a test cluster is refused unless it
  matches a shell pattern of $CRASHLAB_ALLOW_CONTEXT (space-separated) or --allow-context.
EXIT CODES:
  0  every case was written
  2  bad usage, an unknown scenario, a scenario without groundTruth, an --allow-context
     pattern the scripts cannot quote, or a case directory that exists and is not empty
     (use --force)
  3  a file could not be written";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// HolmesGPT eval folders (test_case.yaml).
    Holmesgpt,
    /// k8s-ai-bench tasks (task.yaml, setup.sh, verify.sh, cleanup.sh).
    #[value(name = "k8s-ai-bench")]
    K8sAiBench,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Which suite's layout to write.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Directory to write the cases into (created when missing).
    pub dir: PathBuf,
    /// Scenario names (see `crashlab list`).
    pub scenarios: Vec<String>,
    /// Every built-in scenario (and every scenario from --file).
    #[arg(long)]
    pub all: bool,
    /// Load scenarios from these files too.
    #[arg(long = "file", short = 'f')]
    pub files: Vec<PathBuf>,
    /// Replace case directories that exist and are not empty.
    #[arg(long)]
    pub force: bool,
    /// Let the setups run against kube contexts matching this shell pattern (e.g.
    /// `vcluster_*`), as `crashlab reproduce --allow-context` would; $CRASHLAB_ALLOW_CONTEXT
    /// adds patterns when the suite runs.
    #[arg(long = "allow-context", value_name = "PATTERN")]
    pub allow_context: Vec<String>,
}

#[derive(Debug, Args)]
pub struct GcArgs {
    /// Namespaces made on other hosts (whose processes cannot be checked) or by crashlab
    /// versions that recorded no owner are deleted once older than this.
    #[arg(long, default_value = "1h", value_name = "DURATION")]
    pub older_than: String,
    /// Say what would be deleted, delete nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Delete this crashlab namespace now, kept or not, and wait until it is gone
    /// (repeatable); a missing one is skipped, one crashlab did not create is refused (exit
    /// 2). The cleanup step of `crashlab reproduce` and of exported fixtures.
    #[arg(
        long = "namespace",
        short = 'n',
        value_name = "NS",
        conflicts_with = "older_than"
    )]
    pub namespaces: Vec<String>,
    /// Output format on stdout.
    #[arg(long, short, value_enum, default_value_t = OutputFormat::Human)]
    pub output: OutputFormat,
    /// Kube context to use (default: the current context). Only namespaces labelled
    /// `app.kubernetes.io/managed-by=crashlab` are ever touched.
    #[arg(long)]
    pub context: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConformanceOutput {
    Human,
    Json,
    Markdown,
}

pub const CONFORMANCE_HELP: &str = "\
PROPERTIES (--only):
  oom            OOM kills reported as OOMKilled: an app alone as PID 1 and a child under an
                 entrypoint, against the kernel's own record of each kill
  backoff-curve  first restart at once, then the kubelet's initial delay doubling to its cap
  backoff-reset  an image or resources change during a back-off starts it over
  probe-kills    restarts after liveness kills, predicted from the kubelet's back-off rule
  start-error    a command not in the image: exit 128, StartError, RunContainerError
  event-texts    the container events' texts against the version's source

Every row is `conforms`, `differs`, or `not measurable here` with the reason (a row that
could not be measured is never a pass). About 3 minutes on a default kubelet; --long waits
for the back-off cap (15 minutes and more).

EXIT CODES:
  0  nothing differs from upstream (and something was measured)
  1  a property differs from upstream
  2  bad usage (an unknown property in --only is named)
  3  cluster or environment problem, or nothing could be measured";

#[derive(Debug, Args)]
pub struct ConformanceArgs {
    /// Only these properties (comma-separated): oom, backoff-curve, backoff-reset,
    /// probe-kills, start-error, event-texts.
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    pub only: Vec<String>,
    /// Watch long enough to see the back-off cap of the default kubelet (5m0s, reached at the
    /// seventh restart: about 15 minutes).
    #[arg(long)]
    pub long: bool,
    /// Output format on stdout.
    #[arg(long, short, value_enum, default_value_t = ConformanceOutput::Human)]
    pub output: ConformanceOutput,
    /// Also write a JUnit XML report (a difference fails, a row not measurable is skipped).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Also write an HTML report: the table and each probe's timeline.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Save everything observed (recordings, node evidence) to this file, to judge again with
    /// --from.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Judge observations saved with --record instead of running probes (no cluster needed).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["merge", "record"])]
    pub from: Option<PathBuf>,
    /// Compare saved results (`conformance -o json`) side by side as a Markdown table.
    #[arg(long, value_name = "FILE", num_args = 1.., conflicts_with = "record")]
    pub merge: Vec<PathBuf>,
    /// Kube context to use (default: the current context; when no test cluster is reachable,
    /// crashlab brings up a kind or local cluster, see --provider).
    #[arg(long)]
    pub context: Option<String>,
    /// Allow running against this context even though it is not a known test cluster.
    #[arg(long = "allow-context", value_name = "NAME")]
    pub allow_context: Vec<String>,
    /// Provider to bring up when no test cluster is reachable (default: kind when kind and a
    /// Docker engine are usable, else local on Linux as root).
    #[arg(long, value_enum, conflicts_with = "providers")]
    pub provider: Option<ProviderName>,
    /// Kubernetes version for a cluster crashlab brings up (e.g. 1.35).
    #[arg(long, conflicts_with = "versions")]
    pub kubernetes_version: Option<String>,
    /// kind node image already in the Docker engine (e.g. one built by
    /// `tests/kind/prepare-node-image`); with --versions, repeatable, one per minor.
    #[arg(long = "node-image", value_name = "REF")]
    pub node_images: Vec<String>,
    /// Like `matrix`: bring up a cluster of each of these versions in turn (comma-separated,
    /// e.g. 1.34,1.36,1.38), probe it, take it down; the reports are compared side by side.
    #[arg(long, value_name = "LIST", conflicts_with_all = ["context", "from", "merge"])]
    pub versions: Option<String>,
    /// With --versions: the providers whose clusters are probed (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',', requires = "versions")]
    pub providers: Vec<ProviderName>,
    /// With --versions: leave the last cluster running afterwards.
    #[arg(long, requires = "versions")]
    pub keep_cluster: bool,
    /// How many nodes a cluster crashlab brings up has: one control plane and N-1 workers
    /// (kind only); the probes run on a worker.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=10))]
    pub nodes: u8,
    #[command(flatten)]
    pub release: ReleaseUrlArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MatrixOutput {
    Markdown,
    Json,
}

#[derive(Debug, Args)]
pub struct MatrixArgs {
    /// Kubernetes versions, comma-separated (e.g. 1.34,1.35,1.36).
    #[arg(long, required_unless_present = "merge")]
    pub versions: Option<String>,
    /// Compare the runs of these results of `crashlab matrix -o json` (e.g. one per CI job)
    /// as one matrix, without any cluster.
    #[arg(
        long,
        value_name = "RESULT.json",
        num_args = 1..,
        conflicts_with_all = [
            "versions", "scenarios", "files", "providers", "node_images", "kubelet_config",
            "feature_gates", "parallel", "record", "backoff_delays", "keep_cluster",
            "k8s_release_url", "nodes",
        ],
    )]
    pub merge: Vec<PathBuf>,
    /// Scenarios to run (names, comma-separated or repeated); all built-ins by default.
    #[arg(long = "scenarios")]
    pub scenarios: Vec<String>,
    /// Load scenarios from these files too.
    #[arg(long = "file", short = 'f')]
    pub files: Vec<PathBuf>,
    /// Which clusters to bring up for each version, comma-separated or repeated: one column
    /// per provider and version, run provider by provider.
    #[arg(
        long = "providers",
        visible_alias = "provider",
        value_name = "PROVIDER",
        value_enum,
        value_delimiter = ',',
        default_value = "local"
    )]
    pub providers: Vec<ProviderName>,
    /// kind columns: a node image already in the Docker engine, repeatable; each version runs
    /// on the given image of its minor (read from its crashlab label or vX.Y.Z tag), else on
    /// the pinned kindest/node image.
    #[arg(long = "node-image", value_name = "REF")]
    pub node_images: Vec<String>,
    /// How many nodes each column's cluster has: one control plane and N-1 workers (kind
    /// only: with more than one, every provider of --providers must be able to run them).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=10))]
    pub nodes: u8,
    /// A KubeletConfiguration fragment (YAML) applied on every cluster of the matrix.
    #[arg(long, value_name = "FILE")]
    pub kubelet_config: Option<PathBuf>,
    /// Kubelet feature gates applied on every cluster, e.g. `ReduceDefaultCrashLoopBackOffDecay=true`.
    #[arg(long, value_name = "GATES")]
    pub feature_gates: Option<String>,
    /// Markdown table for people, JSON for machines.
    #[arg(long, short, value_enum, default_value_t = MatrixOutput::Markdown)]
    pub output: MatrixOutput,
    /// Also write an HTML report to this file: per scenario, the restart delays of every
    /// column on one chart, with each column's kubelet curve.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// How many scenarios run at once on each cluster: `auto` (as many as the cluster has
    /// room for: its nodes' free pods, CPU and memory against the scenarios' needs) or 1-64.
    #[arg(long, default_value = "auto", value_name = "N|auto", value_parser = parse_parallel)]
    pub parallel: Parallelism,
    /// Write raw recordings to DIR/<provider>/<server version>/<scenario>.json.
    #[arg(long, value_name = "DIR")]
    pub record: Option<PathBuf>,
    /// How many restart delays the back-off check judges (see `crashlab run --help`).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10))]
    pub backoff_delays: Option<u32>,
    /// Leave the last cluster running afterwards (that of the last provider).
    #[arg(long)]
    pub keep_cluster: bool,
    #[command(flatten)]
    pub release: ReleaseUrlArg,
}

/// `--help` of `--kubernetes-version`: what each provider pins, pre-releases marked, from the
/// providers' own tables.
fn kubernetes_version_help(what: &str) -> String {
    format!(
        "{what}: a minor (1.35) or the pinned release (v1.35.4, v1.38.0-beta.0). The local \
         provider pins {}; kind pins node images of {} (others with --node-image).",
        crate::cluster::local::versions::RELEASES.supported_list(),
        crate::cluster::kind::node_images::NODE_IMAGES.supported_list(),
    )
}

/// `cluster up --profile`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KubeletProfileArg {
    /// The kubelet as upstream configures it: crash-loop back-off 10 s doubling to 5 min.
    Default,
    /// For CI: the back-off capped at 2 s (KubeletCrashLoopBackOffMax); scenarios fit their
    /// must-not windows to it, so the catalogue runs in a fraction of the time with the same
    /// verdicts.
    Ci,
}

impl KubeletProfileArg {
    pub fn profile(self) -> crate::cluster::KubeletProfile {
        match self {
            KubeletProfileArg::Default => crate::cluster::KubeletProfile::Default,
            KubeletProfileArg::Ci => crate::cluster::KubeletProfile::Ci,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProviderName {
    /// A real single-node Kubernetes on this Linux host (root).
    Local,
    /// A kind cluster (needs kind and a Docker engine).
    Kind,
}

impl ProviderName {
    /// The provider's name in the registry (as `--provider` spells it).
    pub fn name(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default()
    }
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
    /// Also write an HTML report to this file: one self-contained page (no script, nothing
    /// fetched) with each container's timeline and the back-off against the kubelet's curve.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// How many scenarios run at once: `auto` (as many as the cluster has room for: its
    /// nodes' free pods, CPU and memory against the scenarios' needs) or 1-64.
    #[arg(long, default_value = "auto", value_name = "N|auto", value_parser = parse_parallel)]
    pub parallel: Parallelism,
    /// Keep each scenario's namespace afterwards (for teaching and inspection).
    #[arg(long)]
    pub keep: bool,
    /// Print every signal and event as a raw line as the watch delivers it, instead of the
    /// narrated story (also with -v).
    #[arg(long)]
    pub events: bool,
    /// Stop at each phase of the story (first crash, crash loop, the kubectl views) until
    /// Enter is pressed: for a live class. Needs a terminal.
    #[arg(long)]
    pub pause: bool,
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
    #[command(flatten)]
    pub bring_up: BringUpArgs,
    /// Override the expected back-off as INITIAL:MAX seconds (e.g. 10:20), for clusters with
    /// tuned kubelet settings.
    #[arg(long, value_name = "INITIAL:MAX")]
    pub backoff: Option<String>,
    /// How many restart delays the back-off check judges (the scenario's own, 3 by default);
    /// more show a cap: the default curve and a 20 s cap agree on 0 s, 10 s, 20 s.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10))]
    pub backoff_delays: Option<u32>,
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
    Status {
        /// Output format on stdout.
        #[arg(long, short, value_enum, default_value_t = OutputFormat::Human)]
        output: OutputFormat,
    },
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
    /// Download or build the Kubernetes binaries (and etcd) into the cache, without starting
    /// anything.
    Fetch {
        #[arg(long, long_help = kubernetes_version_help("Kubernetes version to fetch"))]
        kubernetes_version: Option<String>,
        #[command(flatten)]
        release: ReleaseUrlArg,
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
    #[arg(long, long_help = kubernetes_version_help("Kubernetes version"))]
    pub kubernetes_version: Option<String>,
    /// A KubeletConfiguration fragment (YAML) merged over crashlab's (on kind: one more
    /// KubeletConfiguration patch in the kind configuration).
    #[arg(long, value_name = "FILE")]
    pub kubelet_config: Option<PathBuf>,
    /// Kubelet feature gates, e.g. `KubeletCrashLoopBackOffMax=true,ReduceDefaultCrashLoopBackOffDecay=true`.
    #[arg(long, value_name = "GATES")]
    pub feature_gates: Option<String>,
    /// A kubelet preset, under --kubelet-config and --feature-gates (which win where they
    /// overlap).
    #[arg(long, value_enum, default_value_t = KubeletProfileArg::Default)]
    pub profile: KubeletProfileArg,
    /// kind only: a node image already in the Docker engine, instead of the pinned
    /// kindest/node image (e.g. one built by `tests/kind/prepare-node-image` where no
    /// registry is reachable).
    #[arg(long, value_name = "REF")]
    pub node_image: Option<String>,
    /// How many nodes the cluster has: one control plane and N-1 workers (kind only; the
    /// local provider's one node is this host).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=10))]
    pub nodes: u8,
    #[command(flatten)]
    pub release: ReleaseUrlArg,
}

/// Where the local provider gets Kubernetes binaries that are not in its cache.
#[derive(Debug, Clone, Default, Args)]
pub struct ReleaseUrlArg {
    /// local only: where Kubernetes binaries that are not cached are downloaded from, each
    /// checked against its published .sha256: a mirror with the layout of
    /// https://dl.k8s.io/release, or `off` to build them from Go modules (also the fallback
    /// when the host does not answer). Default: $CRASHLAB_K8S_RELEASE_URL, else
    /// https://dl.k8s.io/release.
    #[arg(long, value_name = "URL|off")]
    pub k8s_release_url: Option<ReleaseUrl>,
}

pub const VALIDATE_HELP: &str = "\
WHEN THE TOOL RUNS (--moment, --moments):
  crashloop (default)  the evidence holds (below) and the target waits in CrashLoopBackOff with
                       its next restart, predicted from the last finishedAt and the delay in the
                       kubelet's message, at least --tool-window (10s) away. The kubelet shows
                       the first CrashLoopBackOff late, often under a second before the restart,
                       so this usually comes at a later, longer back-off.
  evidence             the incident is ready for diagnosis: the waiting reason, last
                       termination, events and previous-log lines the scenario promises are
                       all seen and nothing contradicts it.
  running              right after the next restart: the pod looks healthy, or just failed.
  settled              after the observe window.
  A moment that does not apply (crashloop on a scenario that never crash-loops, running where
  the target never restarts) runs at evidence, and the report says so. --moments all runs the
  tool at each moment on the same incident and reports the score per moment and pass^moments.
  The back-off curve, restart counts and must-not checks are still judged while the tool runs;
  if they fail afterwards, the answer is not graded. Every answer is reported with what the
  tool was shown: the target's state when it started, every change during the call, and at
  its end.

THE TOOL'S ENVIRONMENT:
  COMMAND runs with `sh -c` at each moment (--repeat N: N times). It gets the environment
  variables CRASHLAB_NAMESPACE, CRASHLAB_POD, CRASHLAB_CONTAINER and KUBECONFIG (a kubeconfig
  whose current context is the cluster under test); with --repeat N, CRASHLAB_RUN (the run's
  number, from 1); CRASHLAB_SCENARIO only with --tell-scenario.
  By default nothing the tool can read names the scenario: the namespace is
  `crashlab-` and random characters, and labels, annotations and selectors carry no scenario
  name. PATH starts with crashlab's own directory, so `crashlab diagnose` in COMMAND is this
  crashlab.

SCORING (per scenario, 0 to 1):
  0.5 for the right category + 0.5 x the share of key facts named - 0.25 per wrong answer.
  The category is read from the JSON field --category-field when stdout is a JSON document
  (the tool's own labels through --category-map), else from the first phrase of the text
  that names one, in the tool's own words: what it copied from the cluster (log lines, event
  messages, waiting and termination reasons and messages) is taken out first. Key facts count
  wherever they are, and are reported as quoted when only the copied text has them. JSON
  strings are read in the order the tool wrote them. A tool that times out, cannot start or
  exits non-zero without output scores 0. The namespace the tool was given and the
  scenario's name are masked in its output before matching. With --judge, the judge's score counts
  instead: it gets the tool's stdout on stdin and the ground truth as JSON in
  CRASHLAB_GROUND_TRUTH, and prints a number from 0 to 1.

REPEATED RUNS (--repeat N, --fresh):
  Per scenario: right/graded runs, pass@1 (right/graded), pass@N (at least one right), pass^N
  (all right) and the scores' min/mean/max; the score that counts is the mean, and the
  scenario passes only when every graded run reached --min-score. With --fresh, the N
  incidents are reproduced side by side when all of them fit in --parallel at once (each in
  its own namespace, its tool scoped to it), else one round after another.

ALERT RULES (--alert-rules RULES.yaml; with or without --diagnose):
  promtool (Prometheus's own, pinned, built from the Go module proxy into the cache) checks
  the file first: a bad file exits 2 with promtool's message before any cluster is touched.
  Each reproduced scenario's recorded timeline becomes kube-state-metrics series
  (waiting_reason, restarts_total, last_terminated_reason, last_terminated_exitcode; one
  sample every 15s, job=\"kube-state-metrics\"), DERIVED, NOT SCRAPED, held at the last
  observed state for --alerts-hold; `promtool test rules` evaluates every rule at every
  sample. Reported per rule and scenario: whether it fires, and when (after apply, after the
  first CrashLoopBackOff). Whether a rule fires does not change the exit code.

EXIT CODES:
  0  every scenario reproduced and the tool scored at least --min-score on each (every run;
     and the alert rules were judged on each)
  1  the tool scored below --min-score on at least one reproduced scenario (any run)
  2  bad usage, an invalid scenario file, a scenario without groundTruth (with --diagnose),
     or a rule file promtool rejects
  3  a fixture did not reproduce (never counted against the tool), the judge failed,
     promtool could not be built or run, or the cluster could not be reached; 1 wins when
     both apply";

pub const GRADE_HELP: &str = "\
The same rules as `crashlab validate` (see its --help): 0.5 for the right category + 0.5 x
the share of key facts - 0.25 per wrong answer, and with --recording 0.25 per stated fact the
recording contradicts; the category from --category-field or the tool's own words.

EXIT CODES:
  0  the answer scored at least --min-score
  1  it scored below
  2  bad usage: an unknown scenario, a scenario without groundTruth, an unreadable answer or
     recording";

pub const REPORT_HELP: &str = "\
EXIT CODES:
  0  the report was written
  2  the file cannot be read, is not a crashlab result (it names the file, and the line and
     field when the JSON is broken), is a recording of a scenario not found (give it with -f),
     or the HTML file cannot be written";

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The saved result: `run -o json`, `validate -o json`, `matrix -o json`, or a recording.
    #[arg(value_name = "RESULT.json")]
    pub result: PathBuf,
    /// Write the HTML report to FILE. Without it, a validation result is printed as
    /// `crashlab validate` printed it.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Scenario files of scenarios that are not built in (for a recording, their
    /// expectations; for a run, their explanation and expected back-off).
    #[arg(long = "file", short = 'f')]
    pub files: Vec<PathBuf>,
}

pub const DIAGNOSE_HELP: &str = "\
EXIT CODES:
  0  the pod was diagnosed (whatever the cause, or none)
  2  bad usage, or no such pod or container
  3  the cluster could not be reached";

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario names (see `crashlab list`).
    pub scenarios: Vec<String>,
    /// Every built-in scenario (and every scenario from --file).
    #[arg(long)]
    pub all: bool,
    /// Load scenarios from these files (they run when named, or with --all).
    #[arg(long = "file", short = 'f')]
    pub files: Vec<PathBuf>,
    /// The diagnostic tool's command line, e.g.
    /// 'crashlab diagnose $CRASHLAB_POD -n $CRASHLAB_NAMESPACE -o json'.
    #[arg(long, value_name = "COMMAND", required_unless_present = "alert_rules")]
    pub diagnose: Option<String>,
    /// Prometheus alerting rules to judge on each reproduced scenario, with promtool, over
    /// kube-state-metrics series derived from its recorded timeline (not scraped).
    #[arg(long, value_name = "RULES.yaml")]
    pub alert_rules: Option<PathBuf>,
    /// The promtool to use (default: CRASHLAB_PROMTOOL, else the cached pinned one, else
    /// built from the Go module proxy into the cache).
    #[arg(long, value_name = "PATH", requires = "alert_rules")]
    pub promtool: Option<PathBuf>,
    /// How long the last observed state is held after the observation, so that slow rules
    /// (`for: 15m`) can be judged.
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "30m",
        requires = "alert_rules"
    )]
    pub alerts_hold: String,
    /// Only check --alert-rules with promtool (getting promtool first) and exit: no scenario
    /// runs, no cluster is touched.
    #[arg(long, requires = "alert_rules")]
    pub check_rules: bool,
    /// Dotted path of the category in the tool's JSON output, e.g. `root_cause.category`.
    #[arg(long, value_name = "PATH", default_value = "category")]
    pub category_field: String,
    /// The tool's own labels and the category each names, e.g.
    /// `config_error=missing-config,crash_loop_unknown_cause=none`: read in its category
    /// field and, as whole words, in its text.
    #[arg(long, value_name = "LABEL=CATEGORY,...")]
    pub category_map: Option<String>,
    /// When the tool runs on each incident: `crashloop` (waiting in CrashLoopBackOff with
    /// the next restart at least --tool-window away), `evidence` (every signal a diagnosis
    /// relies on seen), `running` (right after the next restart) or `settled` (after the
    /// observe window).
    #[arg(
        long,
        value_name = "MOMENT",
        default_value = "crashloop",
        conflicts_with = "moments"
    )]
    pub moment: String,
    /// Run the tool at several moments of the same incident, e.g. `all` or
    /// `evidence,crashloop`, and report the score at each and pass^moments.
    #[arg(long, value_name = "all|MOMENT,...")]
    pub moments: Option<String>,
    /// The time the tool is given at the crashloop moment: it runs when the next restart is
    /// predicted at least this far away.
    #[arg(long, value_name = "DURATION", default_value = "10s")]
    pub tool_window: String,
    /// Tell the tool the scenario's name (CRASHLAB_SCENARIO) and keep readable namespace
    /// names; by default nothing the tool can read names the scenario.
    #[arg(long)]
    pub tell_scenario: bool,
    /// What the tool may read: `namespace` (a token bound by RBAC to reading its incident's
    /// namespace, plus nodes, storage classes and persistent volumes; other namespaces are
    /// forbidden) or `cluster` (crashlab's own kubeconfig; incidents then run one at a time so
    /// that no tool reads a neighbouring incident).
    #[arg(long, value_enum, value_name = "SCOPE", default_value_t = ToolScopeArg::Namespace)]
    pub tool_scope: ToolScopeArg,
    /// Time limit per call of the tool (and of the judge), e.g. 60s, 2m.
    #[arg(long, value_name = "DURATION", default_value = "60s")]
    pub timeout: String,
    /// Score (0 to 1) the tool must reach on every reproduced scenario. The default, 1,
    /// asks for the right category, every key fact and no wrong advice.
    #[arg(long, value_name = "SCORE", default_value_t = 1.0)]
    pub min_score: f64,
    /// An external judge's command line; its score (0 to 1) replaces the rule-based one.
    #[arg(long, value_name = "COMMAND")]
    pub judge: Option<String>,
    /// Output format on stdout.
    #[arg(long, short, value_enum, default_value_t = OutputFormat::Human)]
    pub output: OutputFormat,
    /// Also write a JUnit XML report to this file.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Also write an HTML report to this file: the score table, each tool answer beside the
    /// ground truth.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Write each tool call's stdout and stderr to DIR/<scenario>.stdout and .stderr.
    #[arg(long, value_name = "DIR")]
    pub save_output: Option<PathBuf>,
    /// Run the tool N times on each live incident and report pass@1, pass@N, pass^N (all N
    /// right) and the spread of scores; a scenario passes when every graded run reaches
    /// --min-score. Save-output files are then named <scenario>.<run>.stdout.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=100))]
    pub repeat: u16,
    /// With --repeat: reproduce each incident afresh (a new namespace) for every run instead
    /// of running the tool N times on one.
    #[arg(long)]
    pub fresh: bool,
    /// How many scenarios run at once (each holds its slot while the tool runs): 1-64, or
    /// `auto` (as many as the cluster has room for; the tool's own load is not counted).
    #[arg(long, default_value = "4", value_name = "N|auto", value_parser = parse_parallel)]
    pub parallel: Parallelism,
    /// Kube context to use (default: the current context; when no test cluster is reachable,
    /// crashlab brings up the local cluster).
    #[arg(long)]
    pub context: Option<String>,
    /// Allow running against this context even though it is not a known test cluster.
    #[arg(long = "allow-context", value_name = "NAME")]
    pub allow_context: Vec<String>,
    #[command(flatten)]
    pub bring_up: BringUpArgs,
}

/// The cluster `run` and `validate` bring up when no test cluster is reachable.
#[derive(Debug, Clone, Default, Args)]
pub struct BringUpArgs {
    /// Provider to bring up when no test cluster is reachable (default: kind when kind and a
    /// Docker engine are usable, else local on Linux as root; kind with --node-image).
    #[arg(long, value_enum)]
    pub provider: Option<ProviderName>,
    /// Kubernetes version for a cluster crashlab brings up (e.g. 1.35).
    #[arg(long, long_help = kubernetes_version_help("Kubernetes version for a cluster crashlab brings up"))]
    pub kubernetes_version: Option<String>,
    /// kind node image for a kind cluster crashlab brings up, already in the Docker engine
    /// (e.g. one built by `tests/kind/prepare-node-image` where no registry is reachable);
    /// default: the pinned kindest/node image of the Kubernetes version.
    #[arg(long, value_name = "REF")]
    pub node_image: Option<String>,
    /// How many nodes a cluster crashlab brings up has: one control plane and N-1 workers
    /// (kind only; the local provider's one node is this host).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=10))]
    pub nodes: u8,
    #[command(flatten)]
    pub release: ReleaseUrlArg,
}

#[derive(Debug, Args)]
pub struct GradeArgs {
    /// The scenario whose ground truth the answer is graded against (see `crashlab list`).
    #[arg(long, value_name = "NAME")]
    pub scenario: String,
    /// The tool's answer: a file, or - for standard input.
    #[arg(value_name = "ANSWER_FILE")]
    pub answer: PathBuf,
    /// Load scenarios from these files too.
    #[arg(long = "file", short = 'f')]
    pub files: Vec<PathBuf>,
    /// A recording of the incident the answer is about (`crashlab run --record`): what the
    /// tool quoted of the cluster is then told from its own words, and facts it states that
    /// the recording contradicts cost points.
    #[arg(long, value_name = "RECORDING.json")]
    pub recording: Option<PathBuf>,
    /// Strings the tool was handed, masked in its answer (its namespace), repeatable.
    #[arg(long, value_name = "TEXT")]
    pub given: Vec<String>,
    /// As for validate.
    #[arg(long, value_name = "PATH", default_value = "category")]
    pub category_field: String,
    #[arg(long, value_name = "LABEL=CATEGORY,...")]
    pub category_map: Option<String>,
    #[arg(long, value_name = "SCORE", default_value_t = 1.0)]
    pub min_score: f64,
    #[arg(long, short, value_enum, default_value_t = OutputFormat::Human)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct DiagnoseArgs {
    /// The pod to diagnose.
    pub pod: String,
    /// Its namespace (default: the context's namespace, else `default`).
    #[arg(long, short)]
    pub namespace: Option<String>,
    /// The container (default: the one in the most trouble).
    #[arg(long, short)]
    pub container: Option<String>,
    /// Output format on stdout.
    #[arg(long, short, value_enum, default_value_t = OutputFormat::Human)]
    pub output: OutputFormat,
    /// Kube context to use (default: the current context). Diagnosing only reads.
    #[arg(long)]
    pub context: Option<String>,
}

/// `validate --tool-scope`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ToolScopeArg {
    Namespace,
    Cluster,
}

/// `--parallel N|auto`.
fn parse_parallel(s: &str) -> Result<Parallelism, String> {
    if s == "auto" {
        return Ok(Parallelism::Auto);
    }
    match s.parse::<usize>() {
        Ok(n @ 1..=crate::runner::capacity::MAX_PARALLEL) => Ok(Parallelism::Fixed(n)),
        _ => Err(format!(
            "expected `auto` or a number from 1 to {}",
            crate::runner::capacity::MAX_PARALLEL
        )),
    }
}
