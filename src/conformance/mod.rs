//! `crashlab conformance`: does this cluster report crash loops the way upstream Kubernetes
//! does? Purpose-built probes (`probes/*.yaml`) run through the same runner as every scenario;
//! the node's own evidence (the kernel's OOM kills, counters) is read beside them; each
//! property is a pure judge over what was observed ([`Observations`]), held against what
//! upstream's source says for that version ([`upstream`]), and the [`ConformanceReport`] is
//! the one document every output renders from.

mod change_driver;
mod cluster_reads;
mod conformance_report;
mod conformance_run;
mod human;
mod instances;
mod judge;
mod judge_curve;
mod judge_event_texts;
mod judge_oom;
mod judge_probe_kills;
mod judge_reset;
mod judge_start_error;
mod junit;
mod kernel_log_follow;
mod kill_driver;
mod markdown;
mod node_evidence;
mod node_probe;
mod observations;
mod probe;
mod property;
mod source;
mod tolerance;
pub mod upstream;
mod verdict;

#[cfg(test)]
mod tests;

pub use cluster_reads::node_names;
pub use conformance_report::{
    CONFORMANCE_SCHEMA_VERSION, ConformanceReport, ConformanceSet, Counts, PropertyResult, Row,
};
pub use conformance_run::{ConformanceEvent, ConformanceOptions, NodeAccessMap, observe};
pub use human::render_human;
pub use judge::judge;
pub use junit::render_junit;
pub use markdown::{cluster_line as markdown_cluster_line, merged_markdown, to_markdown};
pub use node_evidence::{KernelOomKill, NodeEvidence};
pub use observations::{ActionTaken, ClusterProfile, Observations, ProbeRun};
pub use probe::{PROBES, Probe, ProbeAction, probes_for};
pub use property::Property;
pub use source::Source;
pub use verdict::Verdict;
