//! The restart back-off curve a node's kubelet really uses, derived from its effective
//! configuration (`/configz`) and feature gates (`kubernetes_feature_enabled` in `/metrics`),
//! both read through the API server's node proxy. Mirrors pkg/kubelet/kubelet.go
//! `newCrashLoopBackOff`.

use serde::{Deserialize, Serialize};

use crate::scenario::{DEFAULT_INITIAL_S, DEFAULT_MAX_S};

/// pkg/kubelet/kubelet.go `reducedInitialCrashLoopBackOff` and `reducedMaxCrashLoopBackOff`.
const REDUCED_INITIAL_S: u32 = 1;
const REDUCED_MAX_S: u32 = 60;

/// The curve and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KubeletBackoff {
    pub initial_s: u32,
    pub max_s: u32,
    /// How it was derived, e.g. `KubeletCrashLoopBackOffMax on, maxContainerRestartPeriod 20s`.
    pub because: String,
}

impl KubeletBackoff {
    /// The kubelet's defaults, used when nothing could be read from the node.
    pub fn defaults(because: &str) -> Self {
        Self {
            initial_s: DEFAULT_INITIAL_S,
            max_s: DEFAULT_MAX_S,
            because: because.to_string(),
        }
    }
}

/// Whether a feature gate is on, from the kubelet's `/metrics` text
/// (`kubernetes_feature_enabled{name="X",stage="BETA"} 1`).
pub fn gate_enabled(metrics: &str, gate: &str) -> Option<bool> {
    let needle = format!("kubernetes_feature_enabled{{name=\"{gate}\"");
    metrics
        .lines()
        .find(|l| l.starts_with(&needle))
        .and_then(|l| l.rsplit(' ').next())
        .map(|v| v.trim() == "1")
}

/// Parses a Go duration as the kubelet config writes it (`20s`, `1m0s`, `1m30s`, `500ms`),
/// rounded down to whole seconds.
pub fn go_duration_seconds(s: &str) -> Option<u32> {
    let mut total_ms: u64 = 0;
    let mut num = String::new();
    let mut chars = s.trim().chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
            continue;
        }
        let unit = if c == 'm' && chars.peek() == Some(&'s') {
            chars.next();
            "ms"
        } else {
            match c {
                'h' => "h",
                'm' => "m",
                's' => "s",
                _ => return None,
            }
        };
        let n: f64 = num.parse().ok()?;
        num.clear();
        total_ms += (n * match unit {
            "h" => 3_600_000.0,
            "m" => 60_000.0,
            "s" => 1000.0,
            _ => 1.0,
        }) as u64;
    }
    if !num.is_empty() {
        return None;
    }
    u32::try_from(total_ms / 1000).ok()
}

/// The curve from `/configz` JSON and `/metrics` text. Either may be missing (no permission,
/// an old kubelet); then the kubelet defaults for what is unknown apply.
pub fn derive(configz: Option<&serde_json::Value>, metrics: Option<&str>) -> KubeletBackoff {
    let config = configz.map(|c| c.get("kubeletconfig").unwrap_or(c));
    // An explicit gate in the config wins over the compiled-in default the metrics report.
    let gate = |name: &str| -> Option<bool> {
        config
            .and_then(|c| c.get("featureGates"))
            .and_then(|g| g.get(name))
            .and_then(|v| v.as_bool())
            .or_else(|| metrics.and_then(|m| gate_enabled(m, name)))
    };
    let mut why = Vec::new();
    let (mut initial, mut max) = (DEFAULT_INITIAL_S, DEFAULT_MAX_S);
    match gate("ReduceDefaultCrashLoopBackOffDecay") {
        Some(true) => {
            (initial, max) = (REDUCED_INITIAL_S, REDUCED_MAX_S);
            why.push("ReduceDefaultCrashLoopBackOffDecay on".to_string());
        }
        Some(false) => why.push("ReduceDefaultCrashLoopBackOffDecay off".to_string()),
        None => why.push("ReduceDefaultCrashLoopBackOffDecay unknown (assumed off)".to_string()),
    }
    match gate("KubeletCrashLoopBackOffMax") {
        Some(true) => {
            // v1beta1 defaulting fills maxContainerRestartPeriod with 300 s when the gate is
            // on; configz shows the defaulted value.
            let period = config
                .and_then(|c| c.pointer("/crashLoopBackOff/maxContainerRestartPeriod"))
                .and_then(|v| v.as_str())
                .and_then(go_duration_seconds)
                .unwrap_or(DEFAULT_MAX_S);
            max = period;
            if max < initial {
                initial = max;
            }
            why.push(format!(
                "KubeletCrashLoopBackOffMax on, maxContainerRestartPeriod {period}s"
            ));
        }
        Some(false) => why.push("KubeletCrashLoopBackOffMax off".to_string()),
        None => why.push("KubeletCrashLoopBackOffMax unknown (assumed off)".to_string()),
    }
    KubeletBackoff {
        initial_s: initial,
        max_s: max,
        because: why.join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Read from kubelet v1.34.4 on the local provider (`kubectl get --raw
    // /api/v1/nodes/crashlab-local/proxy/metrics`, `.../configz`).
    const METRICS_1_34: &str = "kubernetes_feature_enabled{name=\"KubeletCrashLoopBackOffMax\",stage=\"ALPHA\"} 0\n\
kubernetes_feature_enabled{name=\"ReduceDefaultCrashLoopBackOffDecay\",stage=\"ALPHA\"} 0\n";

    #[test]
    fn default_kubelet_1_34_is_10s_to_300s() {
        let configz =
            serde_json::json!({"kubeletconfig": {"crashLoopBackOff": {}, "failCgroupV1": false}});
        let b = derive(Some(&configz), Some(METRICS_1_34));
        assert_eq!((b.initial_s, b.max_s), (10, 300));
        assert_eq!(
            b.because,
            "ReduceDefaultCrashLoopBackOffDecay off, KubeletCrashLoopBackOffMax off"
        );
    }

    #[test]
    fn gates_in_the_config_override_the_metrics() {
        let configz = serde_json::json!({"kubeletconfig": {
            "featureGates": {"KubeletCrashLoopBackOffMax": true},
            "crashLoopBackOff": {"maxContainerRestartPeriod": "20s"}}});
        let b = derive(Some(&configz), Some(METRICS_1_34));
        assert_eq!((b.initial_s, b.max_s), (10, 20));
    }

    #[test]
    fn a_cap_below_the_initial_delay_becomes_the_initial_delay() {
        let configz = serde_json::json!({"kubeletconfig": {
            "featureGates": {"KubeletCrashLoopBackOffMax": true},
            "crashLoopBackOff": {"maxContainerRestartPeriod": "2s"}}});
        assert_eq!(derive(Some(&configz), None).initial_s, 2);
    }

    #[test]
    fn reduced_decay_with_the_max_gate_takes_the_configured_cap() {
        // As newCrashLoopBackOff reads: the configured (defaulted 300 s) cap wins over 60 s.
        let configz = serde_json::json!({"kubeletconfig": {
            "featureGates": {"ReduceDefaultCrashLoopBackOffDecay": true, "KubeletCrashLoopBackOffMax": true},
            "crashLoopBackOff": {"maxContainerRestartPeriod": "5m0s"}}});
        let b = derive(Some(&configz), None);
        assert_eq!((b.initial_s, b.max_s), (1, 300));
        let only_reduced = serde_json::json!({"kubeletconfig": {"featureGates": {"ReduceDefaultCrashLoopBackOffDecay": true, "KubeletCrashLoopBackOffMax": false}}});
        let b = derive(Some(&only_reduced), None);
        assert_eq!((b.initial_s, b.max_s), (1, 60));
    }

    #[test]
    fn nothing_known_means_kubelet_defaults() {
        let b = derive(None, None);
        assert_eq!((b.initial_s, b.max_s), (10, 300));
        assert!(b.because.contains("unknown"));
    }

    #[test]
    fn go_durations() {
        assert_eq!(go_duration_seconds("20s"), Some(20));
        assert_eq!(go_duration_seconds("5m0s"), Some(300));
        assert_eq!(go_duration_seconds("1m30s"), Some(90));
        assert_eq!(go_duration_seconds("1500ms"), Some(1));
        assert_eq!(go_duration_seconds("x"), None);
    }
}
