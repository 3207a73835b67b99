//! The promtool crashlab builds and trusts: the Go module version of Prometheus.

/// `github.com/prometheus/prometheus` module version (Prometheus 3.16.0).
pub const PROMTOOL_VERSION: &str = "v0.316.0";
