//! `crashlab cluster …`: bring the cluster up and down, show its health and logs.

use std::collections::BTreeMap;
use std::io::Write;

use super::args::{ClusterCommand, ClusterUpArgs, OutputFormat, ProviderName};
use super::cli_error::{CliError, Exit};
use crate::cluster::KubeletTuning;
use crate::cluster::local::{self, LocalCluster, LocalError, ReleaseUrl};
use crate::cluster::{Registry, UpRequest};

pub fn run(cmd: ClusterCommand) -> Result<Exit, CliError> {
    match cmd {
        ClusterCommand::Up(args) => up(args),
        ClusterCommand::Down { provider } => down(provider),
        ClusterCommand::Status { output } => status(output),
        ClusterCommand::Logs { component, tail } => {
            let text = LocalCluster::at_default_location().logs(&component, tail)?;
            println!("{text}");
            Ok(Exit::Pass)
        }
        ClusterCommand::Deps { dry_run } => deps(dry_run),
        ClusterCommand::Fetch {
            kubernetes_version,
            release,
        } => fetch(kubernetes_version, release.k8s_release_url.as_ref()),
        ClusterCommand::Supervise { state_dir } => {
            LocalCluster::new(state_dir).supervise()?;
            Ok(Exit::Pass)
        }
    }
}

/// The `--profile`'s kubelet tuning with `--kubelet-config` and `--feature-gates` over it.
pub fn parse_tuning(args: &ClusterUpArgs) -> Result<KubeletTuning, CliError> {
    let user = tuning_from(
        args.kubelet_config.as_deref(),
        args.feature_gates.as_deref(),
    )?;
    Ok(args.profile.profile().under(user))
}

/// Kubelet tuning from `--kubelet-config FILE` and `--feature-gates A=true,...`.
pub fn tuning_from(
    kubelet_config: Option<&std::path::Path>,
    feature_gates: Option<&str>,
) -> Result<KubeletTuning, CliError> {
    let mut tuning = KubeletTuning::default();
    if let Some(path) = kubelet_config {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::usage(format!("{}: {e}", path.display())))?;
        let value: serde_yaml::Value = serde_yaml::from_str(&text).map_err(|e| {
            let at = e
                .location()
                .map(|l| format!(":{}:{}", l.line(), l.column()))
                .unwrap_or_default();
            CliError::usage(format!("{}{at}: not a YAML mapping: {e}", path.display()))
        })?;
        if !value.is_mapping() {
            return Err(CliError::usage(format!(
                "{}: expected a KubeletConfiguration fragment (a YAML mapping such as `crashLoopBackOff: {{maxContainerRestartPeriod: 20s}}`)",
                path.display()
            )));
        }
        tuning.config_overlay = Some(value);
    }
    if let Some(gates) = feature_gates {
        tuning.feature_gates = parse_feature_gates(gates)?;
    }
    Ok(tuning)
}

/// `A=true,B=false` → map. Errors name the offending item.
pub fn parse_feature_gates(s: &str) -> Result<BTreeMap<String, bool>, CliError> {
    let mut out = BTreeMap::new();
    for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let (k, v) = item.split_once('=').ok_or_else(|| {
            CliError::usage(format!("--feature-gates: {item:?} is not NAME=true|false"))
        })?;
        let v = match v.trim() {
            "true" => true,
            "false" => false,
            other => {
                return Err(CliError::usage(format!(
                    "--feature-gates: {k}={other}: the value must be true or false"
                )));
            }
        };
        out.insert(k.trim().to_string(), v);
    }
    Ok(out)
}

fn up(args: ClusterUpArgs) -> Result<Exit, CliError> {
    let registry = Registry::new(&[]);
    let provider = registry
        .get(&args.provider.name())
        .map_err(CliError::usage)?;
    let request = UpRequest {
        kubernetes_version: args.kubernetes_version.clone(),
        node_image: args.node_image.clone(),
        k8s_release_url: args.release.k8s_release_url.clone(),
        tuning: parse_tuning(&args)?,
        // The global --kubeconfig (or $KUBECONFIG, or ~/.kube/config).
        kubeconfig: None,
        replace: false,
        nodes: super::node_count(args.nodes)?,
    };
    let mut progress = super::stderr_progress();
    let report = provider.up(&request, progress.as_mut())?;
    if !report.images_loaded {
        provider.load_images(progress.as_mut())?;
    }
    println!("{}", provider.up_summary(&report));
    if let Some(line) = args
        .profile
        .profile()
        .summary(report.kubernetes_version.as_deref())
    {
        println!("{line}");
    }
    Ok(Exit::Pass)
}

fn down(provider: ProviderName) -> Result<Exit, CliError> {
    let registry = Registry::new(&[]);
    let provider = registry.get(&provider.name()).map_err(CliError::usage)?;
    let report = provider.down(super::stderr_progress().as_mut())?;
    let summary = provider.down_summary(&report);
    if !report.problems.is_empty() {
        return Err(CliError::env(summary));
    }
    println!("{summary}");
    Ok(Exit::Pass)
}

fn status(output: OutputFormat) -> Result<Exit, CliError> {
    local::ensure_supported()?;
    let cluster = LocalCluster::at_default_location();
    let Some((st, record)) = cluster.status() else {
        return Err(CliError::env("no local cluster is running")
            .with_hint("`crashlab cluster up` starts one"));
    };
    let version = record
        .as_ref()
        .map(|r| r.kubernetes_version.clone())
        .unwrap_or_else(|| "?".to_owned());
    let node_ready = record.as_ref().map(|rec| {
        std::process::Command::new(rec.binaries.kube("kubectl"))
            .arg("--kubeconfig")
            .arg(cluster.admin_kubeconfig())
            .args([
                "get",
                "node",
                local::NODE_NAME,
                "-o",
                r#"jsonpath={.status.conditions[?(@.type=="Ready")].status}"#,
            ])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "True")
            .unwrap_or(false)
    });
    let components: Vec<(&str, &local::ComponentStatus)> = LocalCluster::component_names()
        .iter()
        .filter_map(|name| st.components.get(*name).map(|c| (*name, c)))
        .collect();
    let healthy = st.phase == "running"
        && components
            .iter()
            .all(|(_, c)| c.state == local::ComponentState::Ready)
        && node_ready != Some(false);
    let mut out = std::io::stdout().lock();
    if output == OutputFormat::Json {
        let doc = serde_json::json!({
            "provider": "local",
            "kubernetes_version": version,
            "supervisor_pid": st.supervisor_pid,
            "phase": st.phase,
            "components": components.iter().map(|(name, c)| serde_json::json!({
                "name": name,
                "state": format!("{:?}", c.state).to_lowercase(),
                "pid": c.pid,
                "restarts": c.restarts,
                "last_exit": c.last_exit,
            })).collect::<Vec<_>>(),
            "node": {"name": local::NODE_NAME, "ready": node_ready},
            "healthy": healthy,
        });
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        );
    } else {
        let _ = writeln!(
            out,
            "local cluster: Kubernetes {version}, supervisor pid {} ({})",
            st.supervisor_pid, st.phase
        );
        for (name, c) in &components {
            let _ = writeln!(
                out,
                "  {name:<24} {:<10} pid {:<8} restarts {}{}",
                format!("{:?}", c.state).to_lowercase(),
                c.pid.map(|p| p.to_string()).unwrap_or_else(|| "-".into()),
                c.restarts,
                c.last_exit
                    .as_ref()
                    .map(|e| format!("  last exit: {e}"))
                    .unwrap_or_default()
            );
        }
        if let Some(ready) = node_ready {
            let _ = writeln!(
                out,
                "  node {:<19} {}",
                local::NODE_NAME,
                if ready { "Ready" } else { "NotReady" }
            );
        }
    }
    Ok(if healthy {
        Exit::Pass
    } else {
        Exit::Environment
    })
}

fn deps(dry_run: bool) -> Result<Exit, CliError> {
    local::ensure_supported()?;
    let missing = local::os_deps::check();
    if missing.is_empty() && !dry_run {
        println!("every host dependency of the local provider is installed");
        return Ok(Exit::Pass);
    }
    local::os_deps::install(dry_run).map_err(CliError::env)?;
    Ok(Exit::Pass)
}

fn fetch(version: Option<String>, release_url: Option<&ReleaseUrl>) -> Result<Exit, CliError> {
    let release = match version.as_deref() {
        Some(v) => local::versions::RELEASES
            .resolve(v)
            .map_err(CliError::usage)?,
        None => local::versions::RELEASES.default_row(),
    };
    let mut progress = super::stderr_progress();
    let opts = local::binaries::Options::from_env_with(release_url).map_err(LocalError::from)?;
    let bins = local::binaries::ensure_kubernetes(release, &opts, progress.as_mut())
        .map_err(LocalError::from)?;
    let etcd = local::binaries::ensure_etcd(&opts, progress.as_mut()).map_err(LocalError::from)?;
    println!(
        "Kubernetes {release}: {}\netcd: {}",
        bins.dir.display(),
        etcd.display()
    );
    Ok(Exit::Pass)
}
