//! A container whose process cannot start: the termination the runtime reports and the
//! waiting reasons the kubelet shows.

use super::conformance_report::{PropertyResult, Row};
use super::instances::{terminated_instances, waiting_reasons};
use super::observations::Observations;
use super::observations::{minor, timeline_of};
use super::property::Property;
use super::upstream::start_error_sources;
use super::verdict::Verdict;

pub const PROBE: &str = "start-error";

pub fn judge_start_error(obs: &Observations) -> PropertyResult {
    let sources = start_error_sources(minor(obs).unwrap_or(34));
    let term = Row::new(
        "termination",
        "exit 128, reason StartError, startedAt never set (the Unix epoch)",
    )
    .probe(PROBE);
    let waiting = Row::new(
        "waiting reasons",
        "RunContainerError after each failed start, CrashLoopBackOff while the back-off runs",
    )
    .probe(PROBE);
    let (run, timeline) = match timeline_of(obs, PROBE) {
        Ok(x) => x,
        Err(why) => {
            return PropertyResult::new(
                Property::StartError,
                vec![
                    term.not_measurable(why.clone()),
                    waiting.not_measurable(why),
                ],
                sources,
            );
        }
    };
    let instances = run
        .recording
        .as_ref()
        .map(terminated_instances)
        .unwrap_or_default();
    let term = if instances.is_empty() {
        term.not_measurable("no terminated instance within the watch")
    } else {
        let epoch = jiff::Timestamp::UNIX_EPOCH;
        let good = |i: &&super::instances::Instance| {
            i.exit_code == 128
                && i.reason.as_deref() == Some("StartError")
                && i.started_at.is_none_or(|s| s == epoch)
        };
        let bad: Vec<_> = instances.iter().filter(|i| !good(i)).collect();
        let first = &instances[0];
        let shown = format!(
            "exit {}, reason {}, startedAt {}",
            first.exit_code,
            first.reason.as_deref().unwrap_or("none"),
            first
                .started_at
                .map_or("unset".to_owned(), |s| s.to_string())
        );
        if bad.is_empty() {
            term.observed(
                format!("{} instances: {shown}", instances.len()),
                Verdict::Conforms,
            )
        } else {
            let b = bad[0];
            term.observed(
                format!(
                    "{} of {} instances otherwise: exit {}, reason {}, startedAt {}",
                    bad.len(),
                    instances.len(),
                    b.exit_code,
                    b.reason.as_deref().unwrap_or("none"),
                    b.started_at.map_or("unset".to_owned(), |s| s.to_string())
                ),
                Verdict::Differs,
            )
            .why("not the runtime's StartError termination")
        }
    };
    let reasons = waiting_reasons(&timeline);
    let shown = reasons.join(" → ");
    let waiting = if reasons.is_empty() {
        waiting.not_measurable("no waiting reason was seen")
    } else {
        let has = |r: &str| reasons.iter().any(|x| x == r);
        let unexpected: Vec<&String> = reasons
            .iter()
            .filter(|r| {
                !matches!(
                    r.as_str(),
                    "RunContainerError" | "CrashLoopBackOff" | "ContainerCreating"
                )
            })
            .collect();
        if has("RunContainerError") && has("CrashLoopBackOff") && unexpected.is_empty() {
            waiting.observed(shown, Verdict::Conforms)
        } else if unexpected.is_empty() {
            waiting
                .observed(shown, Verdict::NotMeasurable)
                .why("the watch ended before both reasons were seen")
        } else {
            waiting
                .observed(shown, Verdict::Differs)
                .why(format!("unexpected waiting reason {}", unexpected[0]))
        }
    };
    PropertyResult::new(Property::StartError, vec![term, waiting], sources)
}
