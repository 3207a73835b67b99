//! The back-off curve: no delay before the first restart, then the kubelet's initial delay
//! doubling to its cap, each counted from the last instance's `finishedAt`.

use crate::expect::backoff::expected_delay;

use super::conformance_report::{PropertyResult, Row};
use super::instances::restarts;
use super::observations::Observations;
use super::observations::{minor, timeline_of};
use super::property::Property;
use super::tolerance::Tolerance;
use super::upstream::curve_sources;
use super::verdict::Verdict;

pub const PROBE: &str = "backoff-curve";

pub fn judge_curve(obs: &Observations) -> PropertyResult {
    let tol = Tolerance::of(obs);
    let b = &obs.cluster.kubelet_backoff;
    let sources = curve_sources(minor(obs).unwrap_or(34));
    let curve_text = format!("{}s doubling to {}s ({})", b.initial_s, b.max_s, b.because);
    let timeline = match timeline_of(obs, PROBE) {
        Ok((_, t)) => t,
        Err(why) => {
            return PropertyResult::new(
                Property::BackoffCurve,
                vec![
                    Row::new("restart delays", curve_text)
                        .probe(PROBE)
                        .not_measurable(why),
                ],
                sources,
            );
        }
    };
    let measured = restarts(&timeline);
    let mut rows = Vec::new();
    let cap_at = cap_restart(b.initial_s, b.max_s);
    for r in &measured {
        let e = expected_delay(b.initial_s, b.max_s, r.number) as i64;
        let case = match r.number {
            1 => "first restart".to_owned(),
            n if n == cap_at => format!("restart {n} (the cap)"),
            n if n > cap_at => format!("restart {n} (at the cap)"),
            n => format!("restart {n}"),
        };
        let upstream = if r.number == 1 {
            "at once: no back-off entry yet".to_owned()
        } else {
            format!("{e}s after the exit")
        };
        let ok = tol.on_time(r.delay_s, e);
        let mut row = Row::new(case, upstream)
            .probe(PROBE)
            .observed(
                format!("{}s after the exit", r.delay_s),
                if ok {
                    Verdict::Conforms
                } else {
                    Verdict::Differs
                },
            )
            .evidence(format!(
                "finishedAt {} → startedAt {}; on time within {}",
                r.finished_at,
                r.started_at,
                tol.window(e)
            ));
        if !ok {
            row = row.why(if r.delay_s < e - 1 {
                format!("earlier than the back-off of {e}s allows")
            } else {
                format!("later than {} after a back-off of {e}s", tol.window(e))
            });
        }
        rows.push(row);
    }
    if measured.is_empty() {
        rows.push(
            Row::new("restart delays", curve_text.clone())
                .probe(PROBE)
                .not_measurable("the container never restarted within the watch"),
        );
    }
    let seen_max = measured.iter().map(|r| r.number).max().unwrap_or(0);
    if seen_max < cap_at {
        let to_cap: u64 = (2..=cap_at)
            .map(|r| expected_delay(b.initial_s, b.max_s, r))
            .sum();
        rows.push(
            Row::new(
                "the cap",
                format!("{}s from restart {cap_at} on", b.max_s),
            )
            .probe(PROBE)
            .not_measurable(format!(
                "the cap comes at restart {cap_at}, {} of back-off into the loop; run with --long, or on a kubelet with a short crashLoopBackOff.maxContainerRestartPeriod (KubeletCrashLoopBackOffMax)",
                crate::expect::duration::go_duration(to_cap)
            )),
        );
    }
    let mut result = PropertyResult::new(Property::BackoffCurve, rows, sources);
    result.title = format!(
        "{} — the kubelet's curve: {curve_text}",
        Property::BackoffCurve.title()
    );
    result
}

/// The first restart whose delay is the cap.
pub fn cap_restart(initial_s: u32, max_s: u32) -> i32 {
    (2..64)
        .find(|&r| expected_delay(initial_s, max_s, r) >= u64::from(max_s))
        .unwrap_or(64)
}

/// How many restarts show the cap twice, and the back-off they take in all (seconds).
pub fn restarts_to_show_cap(initial_s: u32, max_s: u32) -> (i32, u64) {
    let n = cap_restart(initial_s, max_s) + 1;
    let total = (2..=n).map(|r| expected_delay(initial_s, max_s, r)).sum();
    (n, total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_shows_from_the_restart_whose_delay_reaches_it() {
        assert_eq!(cap_restart(10, 300), 7); // 0 10 20 40 80 160 300
        assert_eq!(cap_restart(10, 20), 3); // 0 10 20
        assert_eq!(cap_restart(1, 60), 8); // 0 1 2 4 8 16 32 60
        assert_eq!(restarts_to_show_cap(10, 20), (4, 50));
        assert_eq!(restarts_to_show_cap(10, 300), (8, 910));
    }
}
