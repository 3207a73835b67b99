//! What `crashlab reproduce` says once an incident is ready for diagnosis: where it is, and
//! which of the kubelet's signals were seen on the pod (from the run's timeline, nothing else).

use std::collections::BTreeSet;
use std::io::Write;

use serde::Serialize;

use crate::runner::Reproduced;
use crate::timeline::{Entry, Signal};

/// The version of the `reproduce -o json` document this crashlab writes.
pub const REPRODUCED_SCHEMA_VERSION: u32 = 1;

/// A live incident and the signals seen on its pod's target container. Field names are a
/// public contract (`reproduce -o json`, read by exported fixtures): add, never rename.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReproducedReport {
    /// [`REPRODUCED_SCHEMA_VERSION`].
    #[serde(rename = "schemaVersion")]
    pub schema_version: u32,
    pub scenario: String,
    pub namespace: String,
    pub pod: String,
    pub container: String,
    /// Seconds from the start of the run to "ready for diagnosis".
    pub elapsed_s: f64,
    pub verified: Verified,
}

/// Signals of the pod's target container (and the pod's events) up to the moment the incident
/// was declared ready.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Verified {
    /// Exit code and reason of the last termination seen.
    pub exit_code: Option<i32>,
    pub reason: Option<String>,
    /// Waiting reasons seen, in order of first appearance.
    pub waiting_reasons: Vec<String>,
    /// Highest restart count seen.
    pub restart_count: i32,
    /// Reasons of the pod's events, in order of first appearance.
    pub events: Vec<String>,
    /// Whether the previous instance's logs were read.
    pub previous_logs: bool,
}

impl ReproducedReport {
    /// The report for `live` from the timeline `entries` of its run.
    pub fn new(live: &Reproduced, entries: &[Entry], elapsed_s: f64) -> Self {
        Self {
            schema_version: REPRODUCED_SCHEMA_VERSION,
            scenario: live.scenario.clone(),
            namespace: live.namespace.clone(),
            pod: live.pod.clone(),
            container: live.target.container.clone(),
            elapsed_s,
            verified: Verified::from_entries(entries, &live.pod, &live.target.container),
        }
    }

    /// A few lines for people: where the incident is, what was seen, how to remove it.
    pub fn write_human(&self, out: &mut impl Write) -> std::io::Result<()> {
        let v = &self.verified;
        writeln!(
            out,
            "reproduced {} in {:.1}s: namespace {}, pod {}, container {}",
            self.scenario, self.elapsed_s, self.namespace, self.pod, self.container
        )?;
        if let Some(code) = v.exit_code {
            let reason = v.reason.as_deref().unwrap_or("no reason");
            writeln!(out, "  last termination: exit code {code} ({reason})")?;
        }
        if !v.waiting_reasons.is_empty() {
            writeln!(out, "  waiting: {}", v.waiting_reasons.join(", "))?;
        }
        writeln!(out, "  restarts: {}", v.restart_count)?;
        if !v.events.is_empty() {
            writeln!(out, "  events: {}", v.events.join(", "))?;
        }
        if v.previous_logs {
            writeln!(out, "  previous logs: read")?;
        }
        writeln!(
            out,
            "left running; `crashlab gc --namespace {}` deletes it",
            self.namespace
        )
    }
}

impl Verified {
    /// The signals of `container` in `pod`, and the pod's events.
    pub fn from_entries(entries: &[Entry], pod: &str, container: &str) -> Self {
        let mut v = Verified::default();
        let mut waiting = BTreeSet::new();
        let mut events = BTreeSet::new();
        for e in entries.iter().filter(|e| e.signal.pod() == Some(pod)) {
            match &e.signal {
                Signal::Terminated {
                    container: c,
                    exit_code,
                    reason,
                    restart_count,
                    ..
                } if c.container == container => {
                    v.exit_code = Some(*exit_code);
                    v.reason = reason.clone();
                    v.restart_count = v.restart_count.max(*restart_count);
                }
                Signal::Waiting {
                    container: c,
                    reason,
                    restart_count,
                    ..
                } if c.container == container => {
                    if waiting.insert(reason.clone()) {
                        v.waiting_reasons.push(reason.clone());
                    }
                    v.restart_count = v.restart_count.max(*restart_count);
                }
                Signal::Started {
                    container: c,
                    restart_count,
                    ..
                } if c.container == container => {
                    v.restart_count = v.restart_count.max(*restart_count);
                }
                Signal::PreviousLogs { container: c, .. } if c.container == container => {
                    v.previous_logs = true;
                }
                Signal::Event { reason, .. } if events.insert(reason.clone()) => {
                    v.events.push(reason.clone());
                }
                _ => {}
            }
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Target;
    use crate::timeline::{Recording, Timeline};

    fn timeline(name: &str) -> Timeline {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("tests/fixtures/recordings/{name}.json"));
        let rec: Recording = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        Timeline::from_recording(&rec)
    }

    /// The report of a recorded real run, as `reproduce` would have made it for its pod.
    fn report(name: &str, target: Target) -> ReproducedReport {
        let t = timeline(name);
        let pod = t
            .entries
            .iter()
            .find_map(|e| match &e.signal {
                Signal::Terminated { container, .. } if container.container == target.container => {
                    Some(container.pod.clone())
                }
                _ => None,
            })
            .unwrap();
        let live = Reproduced {
            scenario: name.to_owned(),
            namespace: format!("crashlab-{name}"),
            target,
            pod,
            moment: crate::expect::moment::Moment::Evidence,
            asked: crate::expect::moment::Moment::Evidence,
            note: None,
        };
        ReproducedReport::new(&live, &t.entries, 21.5)
    }

    #[test]
    fn oom_shows_the_kernels_kill_and_the_back_off() {
        let r = report("oom", Target::pod("app", "app"));
        assert_eq!(r.verified.exit_code, Some(137));
        assert_eq!(r.verified.reason.as_deref(), Some("OOMKilled"));
        assert!(
            r.verified
                .waiting_reasons
                .contains(&"CrashLoopBackOff".to_owned()),
            "{r:?}"
        );
        assert!(r.verified.events.contains(&"BackOff".to_owned()), "{r:?}");
        assert!(r.verified.restart_count >= 2, "{r:?}");
        let mut human = Vec::new();
        r.write_human(&mut human).unwrap();
        insta::assert_snapshot!("human_oom", String::from_utf8(human).unwrap());
        insta::assert_json_snapshot!("json_oom", r);
    }

    #[test]
    fn only_the_target_container_counts() {
        // sidecar-crash: the sidecar crashes, the app container does not.
        let t = timeline("sidecar-crash");
        let any = |c: &str| {
            t.entries.iter().find_map(|e| match &e.signal {
                Signal::Terminated { container, .. } if container.container == c => {
                    Some(container.pod.clone())
                }
                _ => None,
            })
        };
        let pod = any("log-shipper").or_else(|| any("metrics")).unwrap();
        let v = Verified::from_entries(&t.entries, &pod, "no-such-container");
        assert_eq!(v.exit_code, None);
        assert!(v.waiting_reasons.is_empty());
        assert!(!v.previous_logs);
    }
}
