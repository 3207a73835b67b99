//! crashlab: reproduce Kubernetes crash loops on purpose and prove that the signals a person
//! or a diagnostic tool relies on really appear.
//!
//! Layers: `scenario` (format, catalogue) → `runner` (deploy → observe → evaluate → clean up,
//! emitting events) → `report` (human, JSON, JUnit). `timeline` and `expect` are pure;
//! `cluster` hides the providers behind one `Provider` trait and finds every command's cluster
//! (it uses only `image`, `k8s_version` and `shutdown`); `image` builds OCI archives of the
//! crash programs; `k8s_version` holds Kubernetes versions and the pinned-version table, below
//! the providers and the readers of results. `diagnose` is a rule-based diagnoser of any pod;
//! `validate` grades diagnostic tools (that one included) on live crash loops against each
//! scenario's ground truth; `alerts` judges Prometheus alert rules with promtool on
//! kube-state-metrics series derived from a recorded timeline. `results` reads back the typed,
//! versioned result documents (run, validation, matrix, recording) for `crashlab report`,
//! `matrix --merge` and the HTML report. `shutdown` is the one
//! process-wide Ctrl-C/SIGTERM story every long-running part checks.

/// The layers, lowest first: a module imports modules of its own layer or of lower ones, never
/// of a higher one (`layers_tests` reads every `crate::` path of `src/` and fails otherwise).
pub const LAYERS: &[&[&str]] = &[
    &[
        "scenario",
        "shutdown",
        "kubectl_view",
        "image",
        "k8s_version",
    ],
    &["timeline", "cluster"],
    &["expect", "alerts"],
    &["runner"],
    &[
        "diagnose",
        "export",
        "report",
        "validate",
        "matrix",
        "pipeline",
        "conformance",
    ],
    &["results"],
    &["html"],
    &["cli"],
];

pub mod alerts;
pub mod cli;
pub mod cluster;
pub mod conformance;
pub mod diagnose;
pub mod expect;
pub mod export;
pub mod html;
pub mod image;
pub mod k8s_version;
pub mod kubectl_view;
#[cfg(test)]
mod layers_tests;
pub mod matrix;
pub mod pipeline;
pub mod report;
pub mod results;
pub mod runner;
pub mod scenario;
pub mod shutdown;
pub mod timeline;
pub mod validate;
