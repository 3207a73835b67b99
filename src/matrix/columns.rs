//! The columns of a matrix: how each is labelled, and in which order they stand.

use super::matrix_run::MatrixRun;
use crate::k8s_version::Semver;
use crate::timeline::kubelet_backoff::KubeletBackoff;

/// `local v1.34.4`, `kind v1.34.11`, or with a tuned kubelet `kind v1.35.8 (tuned: 10s → 20s)`:
/// the provider and the API server's `gitVersion`, so that a column says where it ran.
pub fn column_label(
    provider: &str,
    server_version: &str,
    tuned_backoff: Option<&KubeletBackoff>,
) -> String {
    match tuned_backoff {
        Some(b) => format!(
            "{provider} {server_version} (tuned: {}s → {}s)",
            b.initial_s, b.max_s
        ),
        None => format!("{provider} {server_version}"),
    }
}

/// Orders runs by Kubernetes minor, keeping the given order within a minor (the order of
/// `--providers`, or of the merged files), so that a kind and a local column of one version
/// stand side by side. Versions that do not parse go last. Labels seen before get ` (2)`,
/// ` (3)`, … so that every column can be told apart (two CI jobs on the same version).
pub fn arrange(mut runs: Vec<MatrixRun>) -> Vec<MatrixRun> {
    runs.sort_by_key(|r| {
        Semver::parse_lenient(&r.server_version).map_or((1, 0, 0), |v| (0, v.major, v.minor))
    });
    let mut seen: Vec<String> = Vec::new();
    for run in &mut runs {
        let base = run.label.clone();
        let mut n = 1;
        while seen.contains(&run.label) {
            n += 1;
            run.label = format!("{base} ({n})");
        }
        seen.push(run.label.clone());
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(label: &str, server_version: &str) -> MatrixRun {
        MatrixRun {
            label: label.into(),
            provider: None,
            server_version: server_version.into(),
            node_image: None,
            kubelet_backoff: None,
            reports: Vec::new(),
        }
    }

    #[test]
    fn labels_name_the_provider_and_the_server_version() {
        assert_eq!(column_label("local", "v1.34.4", None), "local v1.34.4");
        assert_eq!(column_label("kind", "v1.34.4", None), "kind v1.34.4");
        let tuned = KubeletBackoff {
            initial_s: 10,
            max_s: 20,
            because: "KubeletCrashLoopBackOffMax on, maxContainerRestartPeriod 20s".into(),
        };
        assert_eq!(
            column_label("kind", "v1.35.8", Some(&tuned)),
            "kind v1.35.8 (tuned: 10s → 20s)"
        );
    }

    #[test]
    fn providers_of_one_version_stand_side_by_side() {
        // Run provider by provider (one provider's cluster at a time) ...
        let runs = vec![
            run("local v1.34.4", "v1.34.4"),
            run("local v1.35.4", "v1.35.4"),
            run("kind v1.34.11", "v1.34.11"),
            run("kind v1.35.8", "v1.35.8"),
            run("odd", "unknown"),
        ];
        // ... shown version by version.
        let labels: Vec<String> = arrange(runs).into_iter().map(|r| r.label).collect();
        assert_eq!(
            labels,
            [
                "local v1.34.4",
                "kind v1.34.11",
                "local v1.35.4",
                "kind v1.35.8",
                "odd"
            ]
        );
    }

    #[test]
    fn repeated_labels_are_numbered() {
        let runs = vec![
            run("kind v1.35.8", "v1.35.8"),
            run("kind v1.35.8", "v1.35.8"),
            run("kind v1.35.8", "v1.35.8"),
        ];
        let labels: Vec<String> = arrange(runs).into_iter().map(|r| r.label).collect();
        assert_eq!(
            labels,
            ["kind v1.35.8", "kind v1.35.8 (2)", "kind v1.35.8 (3)"]
        );
    }
}
