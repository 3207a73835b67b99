//! Judging: every property a pure function of the [`Observations`]; the report is what they
//! say, in the order of [`Property::ALL`].

use crate::timeline::Timeline;

use super::conformance_report::{CONFORMANCE_SCHEMA_VERSION, ConformanceReport, PropertyResult};
use super::observations::{Observations, ProbeRun};
use super::property::Property;

/// How late a restart may come and still be on time: the pod worker requeues a pod in
/// back-off after the remaining back-off × [1, 1.5) (pod_workers.go, 1.34+), and a sync takes
/// a few seconds more on a loaded node (measured up to 9 s after the back-off ended). A restart
/// is never earlier than the back-off, but `finishedAt` and `startedAt` have whole seconds,
/// hence the one second below.
pub const SLACK_S: i64 = 8;

/// Whether a delay of `delay_s` fits a back-off of `expected_s`.
pub fn on_time(delay_s: i64, expected_s: i64) -> bool {
    delay_s >= expected_s - 1 && 2 * delay_s <= 3 * expected_s + 2 * SLACK_S
}

/// `[e, 1.5·e + slack]` as text.
pub fn window(expected_s: i64) -> String {
    let hi = (3 * expected_s + 2 * SLACK_S) / 2;
    format!("{expected_s}–{hi}s")
}

/// Judges `properties` on what was observed.
pub fn judge(
    obs: &Observations,
    properties: &[Property],
    duration_s: Option<f64>,
) -> ConformanceReport {
    let results: Vec<PropertyResult> = properties
        .iter()
        .map(|p| match p {
            Property::Oom => super::judge_oom::judge_oom(obs),
            Property::BackoffCurve => super::judge_curve::judge_curve(obs),
            Property::BackoffReset => super::judge_reset::judge_reset(obs),
            Property::ProbeKills => super::judge_probe_kills::judge_probe_kills(obs),
            Property::StartError => super::judge_start_error::judge_start_error(obs),
            Property::EventTexts => super::judge_event_texts::judge_event_texts(obs),
        })
        .collect();
    ConformanceReport {
        schema_version: CONFORMANCE_SCHEMA_VERSION,
        crashlab_version: env!("CARGO_PKG_VERSION").to_owned(),
        cluster: obs.cluster.clone(),
        node_access: obs.node.access.clone(),
        properties: results,
        duration_s,
        long: obs.long,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_time_is_never_early_and_at_most_half_again_plus_slack_late() {
        assert!(on_time(0, 0));
        assert!(on_time(8, 0));
        assert!(
            !on_time(10, 0),
            "a first restart after the initial delay is not 'at once'"
        );
        assert!(on_time(9, 10), "finishedAt is truncated to the second");
        assert!(!on_time(8, 10));
        assert!(on_time(23, 10));
        assert!(!on_time(24, 10));
        assert_eq!(window(20), "20–38s");
    }
}
