//! The restart delays measured for a scenario's target container, by restart number, read
//! from the report's timeline (the `backoff` signals of the container and pods the report's
//! summary names), the first measurement of each restart as the back-off check takes it.

use std::collections::BTreeMap;

use crate::runner::ScenarioReport;
use crate::timeline::Signal;

/// `(restart, delay_s)` in restart order.
pub fn measured_delays(report: &ScenarioReport) -> Vec<(i32, i64)> {
    let o = &report.observed;
    let mut by: BTreeMap<i32, i64> = BTreeMap::new();
    for e in &report.timeline.entries {
        if let Signal::BackOff {
            container,
            restart,
            delay_s,
            ..
        } = &e.signal
            && container.container == o.container
            && (o.pods.is_empty() || o.pods.contains(&container.pod))
        {
            by.entry(*restart).or_insert(*delay_s);
        }
    }
    by.into_iter().collect()
}
