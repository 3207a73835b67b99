//! Where scenarios run: the cluster providers (`local`, `kind`, an existing kubeconfig context)
//! behind one small interface.

pub mod local;

/// The error for `--provider kind` on a machine without kind or a Docker engine.
pub fn kind_missing_error() -> crate::cli::CliError {
    let has = |p: &str| {
        std::env::var_os("PATH")
            .is_some_and(|path| std::env::split_paths(&path).any(|d| d.join(p).is_file()))
    };
    let what = match (has("kind"), has("docker")) {
        (false, _) => "kind is not installed",
        (true, false) => "kind needs a Docker engine, and `docker` is not installed",
        (true, true) => "the kind provider is not available in this build of crashlab",
    };
    crate::cli::CliError::env(format!("{what}"))
        .with_hint("install kind (https://kind.sigs.k8s.io) and Docker, or use `--provider local` (Linux, root)")
}
