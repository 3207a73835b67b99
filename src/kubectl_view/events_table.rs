//! The Events section of `kubectl describe pod` (`DescribeEvents` in k8s.io/kubectl
//! pkg/describe): the pod's events sorted by last time seen, with "(x4 over 40s)".

use std::collections::BTreeMap;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Event;

use super::human_duration::human_duration;
use super::tab_table::align;

/// The latest version of each event about pod `pod` (involvedObject Pod/`pod`, and its UID
/// when given), in the order the API lists them (by name).
pub fn pod_events<'a>(
    events: impl IntoIterator<Item = &'a Event>,
    pod: &str,
    uid: Option<&str>,
) -> Vec<Event> {
    let mut latest: BTreeMap<String, Event> = BTreeMap::new();
    for e in events {
        let o = &e.involved_object;
        if o.kind.as_deref() != Some("Pod") || o.name.as_deref() != Some(pod) {
            continue;
        }
        if let (Some(want), Some(got)) = (uid, o.uid.as_deref())
            && want != got
        {
            continue;
        }
        latest.insert(e.metadata.name.clone().unwrap_or_default(), e.clone());
    }
    latest.into_values().collect()
}

/// The section's lines at `now`: `Events:  <none>`, or the header and one row per event.
pub fn events_table(events: &[Event], now: Timestamp) -> Vec<String> {
    if events.is_empty() {
        return vec!["Events:  <none>".to_owned()];
    }
    let mut sorted = events.to_vec();
    // sort.Sort by LastTimestamp; for the short lists of one pod Go's sort keeps ties in
    // input order, as this stable sort does.
    sorted.sort_by_key(|e| e.last_timestamp.as_ref().map(|t| t.0));
    let since = |t: Option<Timestamp>| match t {
        Some(t) => human_duration(now.as_millisecond() - t.as_millisecond()),
        None => "<unknown>".to_owned(),
    };
    let mut rows = vec![
        ["Type", "Reason", "Age", "From", "Message"]
            .map(str::to_owned)
            .to_vec(),
        ["----", "------", "----", "----", "-------"]
            .map(str::to_owned)
            .to_vec(),
    ];
    for e in &sorted {
        let first = match e.event_time.as_ref() {
            Some(t) => since(Some(t.0)),
            None => since(e.first_timestamp.as_ref().map(|t| t.0)),
        };
        let count = e.count.unwrap_or(0);
        let interval = if let Some(series) = &e.series {
            format!(
                "{} (x{} over {first})",
                since(series.last_observed_time.as_ref().map(|t| t.0)),
                series.count.unwrap_or(0)
            )
        } else if count > 1 {
            format!(
                "{} (x{count} over {first})",
                since(e.last_timestamp.as_ref().map(|t| t.0))
            )
        } else {
            first
        };
        let source = e
            .source
            .as_ref()
            .and_then(|s| s.component.clone())
            .filter(|c| !c.is_empty())
            .or_else(|| e.reporting_component.clone())
            .unwrap_or_default();
        rows.push(vec![
            e.type_.clone().unwrap_or_default(),
            e.reason.clone().unwrap_or_default(),
            interval,
            source,
            e.message.clone().unwrap_or_default().trim().to_owned(),
        ]);
    }
    // describe's tabwriter: min width 0, padding 2; rows are indented by one level.
    let mut lines = vec!["Events:".to_owned()];
    lines.extend(align(&rows, 0, 2).into_iter().map(|l| format!("  {l}")));
    lines
}
