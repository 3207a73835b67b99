//! The probes: purpose-built scenarios (`src/conformance/probes/*.yaml`) that make one
//! property show, and what crashlab does to a probe while it runs.

use crate::image::{PAUSE_IMAGE, PROBE_IMAGE};
use crate::scenario::Scenario;

use super::property::Property;

/// What crashlab changes in a probe's pod while the kubelet holds it in `CrashLoopBackOff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeAction {
    /// `spec.containers[app].image`: the crash program's image → the pause image, which holds
    /// the same binary (the probe sets `command`, so it behaves the same).
    ChangeImage,
    /// The `resize` subresource: the CPU request 10m → 20m (in-place pod resize).
    ChangeResources,
}

impl ProbeAction {
    /// What the action changes, for reports.
    pub fn describe(self) -> String {
        match self {
            ProbeAction::ChangeImage => format!("image {PROBE_IMAGE} → {PAUSE_IMAGE}"),
            ProbeAction::ChangeResources => {
                "CPU request 10m → 20m (pods/resize, in place)".to_owned()
            }
        }
    }
}

/// One probe.
#[derive(Debug, Clone, Copy)]
pub struct Probe {
    pub name: &'static str,
    pub property: Property,
    /// The scenario, as YAML.
    pub text: &'static str,
    pub action: Option<ProbeAction>,
    /// The node's OOM evidence is read for its pod.
    pub oom: bool,
    /// crashlab kills the container from the node on a schedule ([`super::kill_driver`]).
    pub killed_from_node: bool,
}

macro_rules! probe {
    ($name:literal, $property:expr, $action:expr, $oom:expr) => {
        Probe {
            name: $name,
            property: $property,
            text: include_str!(concat!("probes/", $name, ".yaml")),
            action: $action,
            oom: $oom,
            killed_from_node: false,
        }
    };
}

/// Every probe, in the order reports list them.
pub const PROBES: &[Probe] = &[
    probe!("oom-pid1", Property::Oom, None, true),
    probe!("oom-child", Property::Oom, None, true),
    probe!("backoff-curve", Property::BackoffCurve, None, false),
    probe!(
        "reset-image",
        Property::BackoffReset,
        Some(ProbeAction::ChangeImage),
        false
    ),
    probe!(
        "reset-resources",
        Property::BackoffReset,
        Some(ProbeAction::ChangeResources),
        false
    ),
    probe!("liveness-kills", Property::ProbeKills, None, false),
    probe!("start-error", Property::StartError, None, false),
    Probe {
        name: "reset-after-run",
        property: Property::BackoffReset,
        text: include_str!("probes/reset-after-run.yaml"),
        action: None,
        oom: false,
        killed_from_node: true,
    },
];

impl Probe {
    /// The probe as a scenario.
    pub fn scenario(&self) -> Scenario {
        crate::scenario::load_str(
            self.text,
            &format!("src/conformance/probes/{}.yaml", self.name),
        )
        .unwrap_or_else(|e| panic!("built-in probe {}: {e}", self.name))
    }

    pub fn by_name(name: &str) -> Option<&'static Probe> {
        PROBES.iter().find(|p| p.name == name)
    }
}

/// The probes the properties need. Event texts are read from every probe that runs; alone,
/// they need the curve and the liveness probe (BackOff, Killing, Unhealthy, Started). The
/// long-run reset needs a run of twice the kubelet's cap (`long_run`: `--long`, or a cap short
/// enough for the default run).
pub fn probes_for(properties: &[Property], long_run: bool) -> Vec<&'static Probe> {
    PROBES
        .iter()
        .filter(|p| !p.killed_from_node || long_run)
        .filter(|p| {
            properties.contains(&p.property)
                || (properties.contains(&Property::EventTexts)
                    && matches!(p.name, "backoff-curve" | "liveness-kills" | "start-error"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_probe_loads_and_names_itself() {
        for p in PROBES {
            let s = p.scenario();
            assert_eq!(s.metadata.name, p.name);
        }
    }

    #[test]
    fn each_property_has_a_probe() {
        for prop in Property::ALL {
            assert!(!probes_for(&[prop], false).is_empty(), "{prop:?}");
        }
        assert_eq!(
            probes_for(&[Property::Oom], false)
                .iter()
                .map(|p| p.name)
                .collect::<Vec<_>>(),
            ["oom-pid1", "oom-child"]
        );
        assert!(
            probes_for(&[Property::BackoffReset], true)
                .iter()
                .any(|p| p.name == "reset-after-run")
        );
        assert!(
            !probes_for(&[Property::BackoffReset], false)
                .iter()
                .any(|p| p.name == "reset-after-run")
        );
    }
}
