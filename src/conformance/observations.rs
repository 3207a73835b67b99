//! Everything a conformance run observed, as one serialisable value: the cluster's profile,
//! each probe's recording and what crashlab did to it, and the node's own evidence. The
//! judges are pure functions of it, so a run saved with `--record` is judged again offline
//! (the unit tests judge runs recorded on real clusters, `tests/fixtures/conformance/`).

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::timeline::kubelet_backoff::KubeletBackoff;
use crate::timeline::{Recording, Timeline};

use super::node_evidence::NodeEvidence;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observations {
    pub cluster: ClusterProfile,
    pub probes: Vec<ProbeRun>,
    pub node: NodeEvidence,
    /// `--long`: windows long enough for the cap of the default kubelet.
    #[serde(default)]
    pub long: bool,
}

/// What the cluster says about itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterProfile {
    pub context: String,
    /// The provider that made the cluster, when one did.
    #[serde(default)]
    pub provider: Option<String>,
    pub server_version: String,
    #[serde(default)]
    pub node: Option<String>,
    #[serde(default)]
    pub kubelet_version: Option<String>,
    /// `nodeInfo.containerRuntimeVersion`, e.g. `containerd://2.1.4`.
    #[serde(default)]
    pub container_runtime: Option<String>,
    #[serde(default)]
    pub kernel: Option<String>,
    /// The kubelet's `cgroupDriver` (`/configz`).
    #[serde(default)]
    pub cgroup_driver: Option<String>,
    /// `v1` or `v2`, read on the node (`stat -f /sys/fs/cgroup`).
    #[serde(default)]
    pub cgroup_version: Option<String>,
    /// The back-off curve derived from the kubelet's configuration and gates.
    pub kubelet_backoff: KubeletBackoff,
    /// The feature gates that change the properties, as the kubelet's `/metrics` reports them.
    #[serde(default)]
    pub gates: BTreeMap<String, bool>,
}

impl ClusterProfile {
    /// The server's minor version: `34` of `v1.34.4`.
    pub fn minor(&self) -> Option<u64> {
        let v = self.server_version.trim_start_matches('v');
        v.split('.')
            .nth(1)?
            .split(|c: char| !c.is_ascii_digit())
            .next()?
            .parse()
            .ok()
    }
}

/// One probe as it ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeRun {
    pub probe: String,
    /// What was observed; none when it never started.
    #[serde(default)]
    pub recording: Option<Recording>,
    /// The runner's word when the run itself went wrong (deploy timed out, watch failed).
    #[serde(default)]
    pub error: Option<String>,
    /// What crashlab changed in the pod, and when.
    #[serde(default)]
    pub action: Option<ActionTaken>,
    /// The kills crashlab made from the node (the long-run reset probe), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kills: Vec<ActionTaken>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionTaken {
    /// When the API server accepted the change (crashlab's clock).
    pub at: Timestamp,
    pub what: String,
    /// Refused by the API server: the change was not made.
    #[serde(default)]
    pub error: Option<String>,
}

impl Observations {
    pub fn probe(&self, name: &str) -> Option<&ProbeRun> {
        self.probes.iter().find(|p| p.probe == name)
    }
}

/// A probe's timeline, or why there is none.
pub fn timeline_of<'a>(
    obs: &'a Observations,
    probe: &str,
) -> Result<(&'a ProbeRun, Timeline), String> {
    let Some(run) = obs.probe(probe) else {
        return Err(format!("probe {probe} did not run"));
    };
    if let Some(e) = &run.error {
        return Err(format!("probe {probe} could not run: {e}"));
    }
    let Some(rec) = &run.recording else {
        return Err(match &run.error {
            Some(e) => format!("probe {probe} did not start: {e}"),
            None => format!("probe {probe} did not start"),
        });
    };
    Ok((run, Timeline::from_recording(rec)))
}

/// The kubelet's minor, else the server's: upstream facts are the kubelet's.
pub fn minor(obs: &Observations) -> Option<u64> {
    obs.cluster
        .kubelet_version
        .as_deref()
        .and_then(|v| v.trim_start_matches('v').split('.').nth(1)?.parse().ok())
        .or_else(|| obs.cluster.minor())
}
