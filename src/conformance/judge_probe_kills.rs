//! Restarts after liveness kills. The kubelet kills the container and starts it again in one
//! pod sync, whose pod status was read before the kill; `doBackOff` then judges the start
//! against the newest *exited* instance in that status, the one before the instance it just
//! killed. A refused start is retried once the back-off from the killed instance's exit has
//! run. So the delays follow from the exit times, not from a fixed curve: measured 0, 0, 14,
//! 0, 46 s on 1.34. [`predict`] replays that rule over the measured exits.

use super::conformance_report::{PropertyResult, Row};
use super::instances::{Restart, restarts};
use super::observations::Observations;
use super::observations::{minor, timeline_of};
use super::property::Property;
use super::tolerance::Tolerance;
use super::upstream::probe_kill_sources;
use super::verdict::Verdict;

pub const PROBE: &str = "liveness-kills";

/// The delay the kubelet imposes before each measured restart, replaying its back-off entry:
/// `(delay, why)`. `restarts[k]` is restart `k + 1`: the exit of instance `k` (the kill) and
/// the start of instance `k + 1`.
pub fn predict(restarts: &[Restart], initial_s: u32, max_s: u32) -> Vec<(i64, String)> {
    let (initial, max) = (i64::from(initial_s.min(max_s)), i64::from(max_s));
    let expiry = super::upstream::RESET_AFTER_S as i64;
    // The entry: (back-off, lastUpdate in seconds).
    let mut entry: Option<(i64, i64)> = None;
    let next = |entry: &mut Option<(i64, i64)>, event: i64, now: i64| {
        *entry = Some(match *entry {
            Some((b, last)) if event - last <= expiry => ((2 * b).min(max), now),
            _ => (initial, now),
        });
    };
    let mut out = Vec::new();
    for (k, r) in restarts.iter().enumerate() {
        let killed_at = r.finished_at.as_second();
        // The newest exited instance in the status the sync read: the one before.
        let reference = k
            .checked_sub(1)
            .map(|j| restarts[j].finished_at.as_second());
        let Some(reference) = reference else {
            out.push((
                0,
                "no exited instance in the status yet: started at once, no back-off entry made"
                    .to_owned(),
            ));
            continue;
        };
        // `finishedAt` has whole seconds and the kubelet's clock does not: a gap within a
        // second of the back-off may go either way, and the measured start shows which.
        let gap = killed_at - reference;
        // The kubelet checks at its own clock (`Clock.Since(finishedAt) < backoff`), in the
        // sync that killed the instance: after the kill, on a loaded node seconds after it. A
        // start at once that came when the back-off from the instance before had run out was
        // checked late, not a refusal ignored; one that came earlier would be.
        let checked_by = r.started_at.as_second() - reference;
        let checked_late = |b: i64| gap < b && r.delay_s < b - 1 && checked_by >= b - 1;
        let refused = |b: i64| {
            if (gap - b).abs() <= 1 {
                r.delay_s >= b - 1
            } else {
                gap < b && !checked_late(b)
            }
        };
        let edge = |b: i64| {
            if (gap - b).abs() <= 1 {
                format!(
                    " (at the edge of the back-off of {b}s, to the second: either way is upstream's)"
                )
            } else {
                String::new()
            }
        };
        match entry {
            Some((b, last)) if reference - last <= expiry && refused(b) => {
                out.push((
                    b,
                    format!(
                        "the instance before ended {gap}s before the kill, within the back-off of {b}s: refused, started {b}s after this exit{}",
                        edge(b)
                    ),
                ));
                next(&mut entry, killed_at, r.started_at.as_second());
            }
            Some((b, _)) if checked_late(b) => {
                out.push((
                    0,
                    format!(
                        "the instance before ended {gap}s before the kill, within the back-off of {b}s, but the sync that killed it checked {checked_by}s after that exit, past the back-off: started at once"
                    ),
                ));
                next(&mut entry, reference, r.started_at.as_second());
            }
            Some((b, _)) => {
                out.push((
                    0,
                    format!(
                        "the instance before ended {gap}s before the kill, past the back-off of {b}s: started at once{}",
                        edge(b)
                    ),
                ));
                next(&mut entry, reference, killed_at);
            }
            None => {
                out.push((
                    0,
                    "no back-off entry yet: started at once, entry made".to_owned(),
                ));
                next(&mut entry, reference, killed_at);
            }
        }
    }
    out
}

pub fn judge_probe_kills(obs: &Observations) -> PropertyResult {
    let tol = Tolerance::of(obs);
    let b = &obs.cluster.kubelet_backoff;
    let sources = probe_kill_sources(minor(obs).unwrap_or(34));
    let timeline = match timeline_of(obs, PROBE) {
        Ok((_, t)) => t,
        Err(why) => {
            return PropertyResult::new(
                Property::ProbeKills,
                vec![
                    Row::new(
                        "restarts after liveness kills",
                        "the kubelet's back-off, judged against the instance before the killed one",
                    )
                    .probe(PROBE)
                    .not_measurable(why),
                ],
                sources,
            );
        }
    };
    let measured = restarts(&timeline);
    let predicted = predict(&measured, b.initial_s, b.max_s);
    let mut rows: Vec<Row> = measured
        .iter()
        .zip(&predicted)
        .map(|(r, (p, why))| {
            let ok = tol.on_time(r.delay_s, *p);
            let row = Row::new(
                format!("restart {}", r.number),
                format!("{p}s after the kill: {why}"),
            )
            .probe(PROBE)
            .observed(
                format!("{}s", r.delay_s),
                if ok {
                    Verdict::Conforms
                } else {
                    Verdict::Differs
                },
            )
            .evidence(format!(
                "killed instance ended {}, next started {}; on time within {}",
                r.finished_at,
                r.started_at,
                tol.window(*p)
            ));
            if ok {
                row
            } else {
                row.why(format!("outside {} of the predicted {p}s", tol.window(*p)))
            }
        })
        .collect();
    if rows.is_empty() {
        rows.push(
            Row::new("restarts after liveness kills", "the kubelet's back-off")
                .probe(PROBE)
                .not_measurable("the container was never restarted within the watch"),
        );
    }
    PropertyResult::new(Property::ProbeKills, rows, sources)
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;

    use super::*;

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + s).unwrap()
    }

    /// Instances run 7 s before each kill (two failed probes 2 s apart, then SIGTERM); the rule
    /// gives 0, 0, 10, 0, 40 (measured on 1.34: 0, 0, 14, 0, 46). With 5 s runs the fourth
    /// restart would be refused too (19 s since the exit before, under its 20 s back-off).
    /// Restarts of instances that each ran `run_s` before the kill, with these delays.
    fn kills(run_s: i64, delays: &[i64]) -> Vec<Restart> {
        let mut rs = Vec::new();
        let mut t = 0;
        for (k, d) in delays.iter().enumerate() {
            let finished = t + run_s;
            rs.push(Restart {
                number: k as i32 + 1,
                delay_s: *d,
                finished_at: at(finished),
                started_at: at(finished + d),
            });
            t = finished + d;
        }
        rs
    }

    fn predicted(rs: &[Restart]) -> Vec<i64> {
        predict(rs, 10, 300).into_iter().map(|(d, _)| d).collect()
    }

    #[test]
    fn kills_alternate_between_at_once_and_the_back_off() {
        let rs = kills(7, &[0, 0, 14, 0, 46]);
        let p = predicted(&rs);
        assert_eq!(p, vec![0, 0, 10, 0, 40]);
        for (r, e) in rs.iter().zip(&p) {
            assert!(Tolerance::AT_EXPIRY.on_time(r.delay_s, *e), "{r:?} vs {e}");
        }
        // The same kills 5 s apart: the fourth start is refused as well.
        assert_eq!(predicted(&kills(5, &[0, 0, 14, 20])), vec![0, 0, 10, 20]);
        // Measured on 1.34 in a loaded run: the instance before ended 20 s before the kill,
        // the back-off was 20 s, and the start waited 28 s. To the second, either is upstream's.
        let edge = kills(4, &[1, 0, 16, 28]);
        let p = predicted(&edge);
        assert_eq!(p, vec![0, 0, 10, 20]);
        assert!(Tolerance::AT_EXPIRY.on_time(28, p[3]));
        assert!(predict(&edge, 10, 300)[3].1.contains("at the edge"));
    }

    #[test]
    fn a_start_at_once_after_the_back_off_had_run_was_checked_late_not_wrongly() {
        // Kills 3 s into each instance: the fourth kill comes 17 s after the exit before,
        // within its 20 s back-off. A loaded node's sync checked 4 s after the kill, 21 s
        // after that exit, past the back-off: a start at once is upstream's.
        let late = kills(3, &[0, 0, 14, 4]);
        assert_eq!(predicted(&late), vec![0, 0, 10, 0]);
        assert!(predict(&late, 10, 300)[3].1.contains("checked 21s after"));
        // Started 1 s after the kill, 18 s after the exit before: inside the back-off, so it
        // is still predicted refused, and a start at once differs.
        let early = kills(3, &[0, 0, 14, 1]);
        let p = predicted(&early);
        assert_eq!(p, vec![0, 0, 10, 20]);
        assert!(!Tolerance::AT_EXPIRY.on_time(1, p[3]));
    }
}
