//! Named kubelet presets for `cluster up --profile`, the same for every provider.
//!
//! `ci` exists so that a whole catalogue fits in a pull request's CI: the kubelet's crash-loop
//! back-off is capped at [`CI_MAX_RESTART_PERIOD_S`] through `KubeletCrashLoopBackOffMax` and
//! `crashLoopBackOff.maxContainerRestartPeriod` (pkg/kubelet/kubelet.go `newCrashLoopBackOff`:
//! with the gate on, the cap is the configured period and the initial delay is lowered to it
//! when larger). Every version crashlab runs (1.34 onwards) has that gate (alpha from 1.32), so
//! the reduced decay (`ReduceDefaultCrashLoopBackOffDecay`, 1 s → 60 s), the fallback for a
//! version without it, is never needed. Scenarios fit their must-not windows to the curve the
//! kubelet then reports ([`crate::scenario::MustNotWindow`]), so verdicts stay those of a
//! default kubelet while the waits shrink.

use std::fmt;

use super::KubeletTuning;
use crate::scenario::{DEFAULT_INITIAL_S, DEFAULT_MAX_S};

/// The cap of the `ci` profile's back-off, seconds: the kubelet's status still shows
/// `CrashLoopBackOff` between restarts (it syncs a pod on a container's exit within its 1 s
/// relist), which a 1 s cap would often skip.
pub const CI_MAX_RESTART_PERIOD_S: u32 = 2;

/// The feature gate that lets the kubelet take its back-off cap from its configuration.
pub const CRASH_LOOP_BACKOFF_MAX_GATE: &str = "KubeletCrashLoopBackOffMax";

/// A named kubelet preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KubeletProfile {
    /// The kubelet as upstream configures it (10 s → 5 min back-off).
    #[default]
    Default,
    /// A short back-off for CI: a 2 s cap.
    Ci,
}

impl KubeletProfile {
    pub fn name(self) -> &'static str {
        match self {
            KubeletProfile::Default => "default",
            KubeletProfile::Ci => "ci",
        }
    }

    /// The profile whose curve a kubelet reports (initial delay and cap, seconds, as
    /// `/configz` and the feature gates give them), or `None` for another tuning.
    pub fn of_curve(initial_s: u32, max_s: u32) -> Option<KubeletProfile> {
        match (initial_s, max_s) {
            (DEFAULT_INITIAL_S, DEFAULT_MAX_S) => Some(KubeletProfile::Default),
            (i, m) if i == CI_MAX_RESTART_PERIOD_S && m == CI_MAX_RESTART_PERIOD_S => {
                Some(KubeletProfile::Ci)
            }
            _ => None,
        }
    }

    /// How a report names the kubelet a run met: `default`, `ci`, or `tuned`.
    pub fn label_of_curve(initial_s: u32, max_s: u32) -> &'static str {
        Self::of_curve(initial_s, max_s).map_or("tuned", KubeletProfile::name)
    }

    /// One line for `cluster up` saying what the profile does on `version` (`v1.34.4`), or
    /// `None` for the default kubelet.
    pub fn summary(self, version: Option<&str>) -> Option<String> {
        match self {
            KubeletProfile::Default => None,
            KubeletProfile::Ci => {
                let before_1_35 =
                    version.is_some_and(|v| crate::scenario::requeue_floor(v).is_some());
                let caveat = if before_1_35 {
                    "; before Kubernetes 1.35 the kubelet syncs a pod in back-off again only every 10-15 s, so restarts come that often and the catalogue's must-not windows stay 60 s (1.35 and later requeue at the back-off's end)"
                } else {
                    ""
                };
                Some(format!(
                    "kubelet profile ci: crash-loop back-off capped at {CI_MAX_RESTART_PERIOD_S}s ({CRASH_LOOP_BACKOFF_MAX_GATE}, crashLoopBackOff.maxContainerRestartPeriod); scenarios fit their must-not windows to it{caveat}"
                ))
            }
        }
    }

    /// The profile's own tuning.
    pub fn tuning(self) -> KubeletTuning {
        match self {
            KubeletProfile::Default => KubeletTuning::default(),
            KubeletProfile::Ci => {
                let overlay = serde_yaml::from_str(&format!(
                    "crashLoopBackOff:\n  maxContainerRestartPeriod: {CI_MAX_RESTART_PERIOD_S}s\n"
                ))
                .expect("the ci profile's fragment is YAML");
                KubeletTuning {
                    config_overlay: Some(overlay),
                    feature_gates: [(CRASH_LOOP_BACKOFF_MAX_GATE.to_string(), true)].into(),
                }
            }
        }
    }

    /// The profile's tuning with the user's `--kubelet-config` and `--feature-gates` over it:
    /// a key or gate the user sets wins.
    pub fn under(self, user: KubeletTuning) -> KubeletTuning {
        let mut tuning = self.tuning();
        tuning.config_overlay = match (tuning.config_overlay, user.config_overlay) {
            (Some(mut base), Some(over)) => {
                merge(&mut base, over);
                Some(base)
            }
            (base, over) => over.or(base),
        };
        tuning.feature_gates.extend(user.feature_gates);
        tuning
    }
}

impl fmt::Display for KubeletProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Merges `over` into `base`: mappings key by key, anything else replaced.
fn merge(base: &mut serde_yaml::Value, over: serde_yaml::Value) {
    match (base, over) {
        (serde_yaml::Value::Mapping(b), serde_yaml::Value::Mapping(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, o) => *b = o,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(s: &str) -> serde_yaml::Value {
        serde_yaml::from_str(s).unwrap()
    }

    #[test]
    fn the_default_profile_tunes_nothing() {
        assert_eq!(KubeletProfile::Default.tuning(), KubeletTuning::default());
        let user = KubeletTuning {
            config_overlay: Some(yaml("maxPods: 50")),
            feature_gates: Default::default(),
        };
        assert_eq!(KubeletProfile::Default.under(user.clone()), user);
    }

    #[test]
    fn ci_caps_the_back_off_at_two_seconds_with_its_gate() {
        let t = KubeletProfile::Ci.tuning();
        assert_eq!(
            t.config_overlay,
            Some(yaml("crashLoopBackOff: {maxContainerRestartPeriod: 2s}"))
        );
        assert_eq!(
            t.feature_gates.get(CRASH_LOOP_BACKOFF_MAX_GATE),
            Some(&true)
        );
    }

    #[test]
    fn up_says_what_the_ci_profile_does_on_the_version() {
        assert_eq!(KubeletProfile::Default.summary(Some("v1.36.3")), None);
        let on_136 = KubeletProfile::Ci.summary(Some("v1.36.3")).unwrap();
        assert!(on_136.contains("capped at 2s"), "{on_136}");
        assert!(!on_136.contains("10-15 s"), "{on_136}");
        let on_134 = KubeletProfile::Ci.summary(Some("v1.34.4")).unwrap();
        assert!(on_134.contains("only every 10-15 s"), "{on_134}");
    }

    #[test]
    fn a_curve_names_its_profile() {
        assert_eq!(KubeletProfile::label_of_curve(10, 300), "default");
        assert_eq!(KubeletProfile::label_of_curve(2, 2), "ci");
        assert_eq!(KubeletProfile::label_of_curve(10, 20), "tuned");
        assert_eq!(KubeletProfile::label_of_curve(1, 60), "tuned");
    }

    #[test]
    fn the_users_settings_win_over_the_profile() {
        let user = KubeletTuning {
            config_overlay: Some(yaml(
                "crashLoopBackOff: {maxContainerRestartPeriod: 5s}\nmaxPods: 50",
            )),
            feature_gates: [("ReduceDefaultCrashLoopBackOffDecay".to_string(), true)].into(),
        };
        let t = KubeletProfile::Ci.under(user);
        assert_eq!(
            t.config_overlay,
            Some(yaml(
                "crashLoopBackOff: {maxContainerRestartPeriod: 5s}\nmaxPods: 50"
            ))
        );
        assert_eq!(t.feature_gates.len(), 2);
    }
}
