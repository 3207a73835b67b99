//! The event texts of the version: each container event the probes cause, against the format
//! string of that version's kubelet source.

use super::conformance_report::{PropertyResult, Row};
use super::instances::{CONTAINER, event_messages};
use super::observations::Observations;
use super::observations::{minor, timeline_of};
use super::property::Property;
use super::upstream::{READ_SOURCES, event_texts};
use super::verdict::Verdict;

pub fn judge_event_texts(obs: &Observations) -> PropertyResult {
    let Some(m) = minor(obs) else {
        return PropertyResult::new(
            Property::EventTexts,
            vec![
                Row::new("event texts", "the texts of the kubelet's version").not_measurable(
                    format!(
                        "the version {} could not be read",
                        obs.cluster.server_version
                    ),
                ),
            ],
            Vec::new(),
        );
    };
    let Some(texts) = event_texts(m, CONTAINER) else {
        let read = READ_SOURCES
            .iter()
            .map(|(_, v)| *v)
            .collect::<Vec<_>>()
            .join(", ");
        return PropertyResult::new(
            Property::EventTexts,
            vec![
                Row::new("event texts", format!("the texts of 1.{m}")).not_measurable(format!(
                    "crashlab has not read the kubelet source of 1.{m} (read: {read})"
                )),
            ],
            Vec::new(),
        );
    };
    let mut sources = Vec::new();
    let rows = texts
        .iter()
        .map(|t| {
            if !sources.contains(&t.source) {
                sources.push(t.source.clone());
            }
            let row = Row::new(t.reason, format!("\"{}\"", t.format)).probe(t.probe);
            let timeline = match timeline_of(obs, t.probe) {
                Ok((_, tl)) => tl,
                Err(why) => return row.not_measurable(why),
            };
            let seen = event_messages(&timeline, t.reason);
            let re = regex::Regex::new(&t.pattern).expect("upstream patterns are valid");
            match seen.iter().find(|m| !re.is_match(m)) {
                _ if seen.is_empty() => {
                    row.not_measurable(format!("no {} event in probe {}", t.reason, t.probe))
                }
                Some(other) => row
                    .observed(format!("\"{other}\""), Verdict::Differs)
                    .why("another text than the version's source writes"),
                None => row.observed(format!("\"{}\"", seen[0]), Verdict::Conforms),
            }
        })
        .collect();
    PropertyResult::new(Property::EventTexts, rows, sources)
}
