//! The result of `crashlab conformance`: one typed document every output renders from.

use serde::{Deserialize, Serialize};

use super::observations::ClusterProfile;
use super::property::Property;
use super::source::Source;
use super::verdict::Verdict;

/// Raised when a change would break a reader of older documents.
pub const CONFORMANCE_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConformanceReport {
    pub schema_version: u32,
    pub crashlab_version: String,
    pub cluster: ClusterProfile,
    /// How the node was reached for its own evidence, or why it was not.
    pub node_access: String,
    pub properties: Vec<PropertyResult>,
    /// Wall time of the probes, seconds (none when judged again from a recording).
    #[serde(default)]
    pub duration_s: Option<f64>,
    #[serde(default)]
    pub long: bool,
}

/// One property: its rows (cases) and their verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PropertyResult {
    pub property: Property,
    pub title: String,
    pub verdict: Verdict,
    pub rows: Vec<Row>,
    /// Where upstream's behaviour is written.
    pub sources: Vec<Source>,
}

/// One case of a property: what upstream does, what this cluster did, and the verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub case: String,
    pub upstream: String,
    pub observed: String,
    pub verdict: Verdict,
    /// The named outcome, where the property has them (`OOMKilled reported`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// What the observation rests on (kernel log lines, counters, measured delays).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// Why it differs, or why it could not be measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// The probe it was measured with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<String>,
}

impl Row {
    pub fn new(case: impl Into<String>, upstream: impl Into<String>) -> Self {
        Self {
            case: case.into(),
            upstream: upstream.into(),
            observed: String::new(),
            verdict: Verdict::NotMeasurable,
            outcome: None,
            evidence: Vec::new(),
            why: None,
            probe: None,
        }
    }

    pub fn observed(mut self, observed: impl Into<String>, verdict: Verdict) -> Self {
        self.observed = observed.into();
        self.verdict = verdict;
        self
    }

    /// Not measured, and why.
    pub fn not_measurable(mut self, why: impl Into<String>) -> Self {
        if self.observed.is_empty() {
            self.observed = "—".to_owned();
        }
        self.verdict = Verdict::NotMeasurable;
        self.why = Some(why.into());
        self
    }

    pub fn why(mut self, why: impl Into<String>) -> Self {
        self.why = Some(why.into());
        self
    }

    pub fn probe(mut self, probe: &str) -> Self {
        self.probe = Some(probe.to_owned());
        self
    }

    pub fn outcome(mut self, outcome: impl Into<String>) -> Self {
        self.outcome = Some(outcome.into());
        self
    }

    pub fn evidence(mut self, line: impl Into<String>) -> Self {
        self.evidence.push(line.into());
        self
    }
}

impl PropertyResult {
    pub fn new(property: Property, rows: Vec<Row>, sources: Vec<Source>) -> Self {
        Self {
            property,
            title: property.title().to_owned(),
            verdict: Verdict::of(rows.iter().map(|r| r.verdict)),
            rows,
            sources,
        }
    }
}

/// Rows by verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub conforms: usize,
    pub differs: usize,
    pub not_measurable: usize,
}

impl ConformanceReport {
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for r in self.properties.iter().flat_map(|p| &p.rows) {
            match r.verdict {
                Verdict::Conforms => c.conforms += 1,
                Verdict::Differs => c.differs += 1,
                Verdict::NotMeasurable => c.not_measurable += 1,
            }
        }
        c
    }

    /// The whole run's verdict: a difference anywhere, else conforms when anything was
    /// measured.
    pub fn verdict(&self) -> Verdict {
        Verdict::of(self.properties.iter().map(|p| p.verdict))
    }
}

/// Several clusters' reports (`crashlab conformance --versions/--providers -o json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConformanceSet {
    pub schema_version: u32,
    pub reports: Vec<ConformanceReport>,
}

impl ConformanceSet {
    pub fn new(reports: Vec<ConformanceReport>) -> Self {
        Self {
            schema_version: CONFORMANCE_SCHEMA_VERSION,
            reports,
        }
    }
}
