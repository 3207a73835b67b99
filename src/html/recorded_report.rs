//! A recording (`crashlab run --record`) judged again, offline: its timeline built as the
//! runner builds it, the scenario's expectations evaluated at the end of the watch, so a
//! saved recording renders as the run that made it reported.

use crate::expect::{evaluate, summarize};
use crate::report::{RUN_SCHEMA_VERSION, RunDocument, Summary};
use crate::runner::{ScenarioReport, Verdict};
use crate::scenario::{ClusterFacts, Scenario};
use crate::timeline::{Recording, Timeline};

/// The report of `rec`, judged by `scenario` fitted to the recording's cluster.
pub fn report_from_recording(rec: &Recording, scenario: &Scenario) -> ScenarioReport {
    let scenario = scenario.for_cluster(&ClusterFacts {
        server_version: rec.server_version.clone(),
        backoff: rec.kubelet_backoff.as_ref().map(|b| (b.initial_s, b.max_s)),
    });
    let timeline = Timeline::from_recording(rec);
    let (expect, target) = (&scenario.spec.expect, &scenario.spec.target);
    let evaluation = evaluate(expect, target, &timeline, crate::expect::Watch::Finished);
    let verdict = evaluation.verdict();
    let error = (verdict == Verdict::Error).then(|| {
        format!(
            "the recording ended before these checks were decided: {}",
            evaluation.pending().join(", ")
        )
    });
    let elapsed_s = rec
        .observations
        .last()
        .map(|o| (o.received_at.as_millisecond() - rec.started_at.as_millisecond()) as f64 / 1e3)
        .unwrap_or(0.0);
    ScenarioReport {
        name: rec.scenario.clone(),
        namespace: rec.namespace.clone(),
        verdict,
        error,
        observed: summarize(target, &timeline),
        checks: evaluation.checks,
        elapsed_s,
        ready_after_s: None,
        crashloop_after_s: None,
        timeline,
    }
}

/// A one-scenario run result of `rec`, with the recording's cluster facts as its summary.
pub fn run_of_recording(rec: &Recording, scenario: &Scenario) -> RunDocument {
    let report = report_from_recording(rec, scenario);
    let is = |v| usize::from(report.verdict == v);
    RunDocument {
        schema_version: RUN_SCHEMA_VERSION,
        leftovers_collected: Vec::new(),
        summary: Summary {
            total: 1,
            passed: is(Verdict::Pass),
            failed: is(Verdict::Fail),
            errors: is(Verdict::Error),
            elapsed_s: None,
            context: None,
            server_version: Some(rec.server_version.clone()),
            kubelet_backoff: rec.kubelet_backoff.clone(),
            kubelet_profile: crate::report::kubelet_profile_of(rec.kubelet_backoff.as_ref()),
            parallel: None,
        },
        scenarios: vec![report],
    }
}
