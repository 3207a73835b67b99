//! What resets the back-off: crashlab changes a crash-looping container's image, or its
//! resources in place, while the kubelet holds it in back-off, and measures whether the next
//! start waits out the back-off or comes at once (and the curve starts over).

use crate::expect::backoff::expected_delay;

use super::conformance_report::{PropertyResult, Row};
use super::instances::restarts;
use super::observations::Observations;
use super::observations::{minor, timeline_of};
use super::property::Property;
use super::tolerance::Tolerance;
use super::upstream::{BACKOFF_KEY_FIELDS, RESET_AFTER_S, reset_sources};
use super::verdict::Verdict;

/// Whether the start after a change proves a reset: it came before the back-off in force could
/// have ended (`delay_s` from the exit, `due_s` the back-off; both timestamps whole seconds, so
/// one second of margin). The kubelet never starts a container while its back-off key is in
/// back-off, so only a new key explains such a start, however slow the pod update's sync was
/// (CI's loaded node took several seconds).
fn started_before_the_back_off_ended(delay_s: i64, due_s: i64) -> bool {
    delay_s < due_s - 1
}

pub fn judge_reset(obs: &Observations) -> PropertyResult {
    let key = BACKOFF_KEY_FIELDS.join(", ");
    let mut rows = vec![
        change_row(obs, "reset-image", "image changed during a back-off", &key),
        change_row(
            obs,
            "reset-resources",
            "resources changed in place during a back-off",
            &key,
        ),
    ];
    rows.push(
        Row::new(
            "env changed",
            format!("no reset: env is not in the back-off key ({key})"),
        )
        .not_measurable(
            "a Pod's env cannot be changed (the API server allows only the image, and resources through pods/resize); a workload's env change replaces the pod, and a new pod UID is a new key",
        ),
    );
    rows.push(long_run_row(obs));
    PropertyResult::new(
        Property::BackoffReset,
        rows,
        reset_sources(minor(obs).unwrap_or(34)),
    )
}

fn change_row(obs: &Observations, probe: &str, case: &str, key: &str) -> Row {
    let tol = Tolerance::of(obs);
    let b = &obs.cluster.kubelet_backoff;
    let row = Row::new(
        case,
        format!(
            "reset: the next start at once, then the curve from {}s again (the key hashes {key})",
            b.initial_s
        ),
    )
    .probe(probe);
    let (run, timeline) = match timeline_of(obs, probe) {
        Ok(x) => x,
        Err(why) => return row.not_measurable(why),
    };
    let Some(action) = &run.action else {
        return row.not_measurable(
            "the container was never in CrashLoopBackOff with 5 s of its back-off left, so nothing was changed",
        );
    };
    if let Some(e) = &action.error {
        return row.not_measurable(format!(
            "the change ({}) could not be made: {e}",
            action.what
        ));
    }
    let measured = restarts(&timeline);
    // `startedAt` has whole seconds: a start in the second of the change counts as after it.
    let Some(next) = measured
        .iter()
        .find(|r| r.started_at.as_second() >= action.at.as_second() && r.finished_at < action.at)
    else {
        return row.not_measurable(format!(
            "no restart after the change ({}) within the watch",
            action.what
        ));
    };
    let due = expected_delay(b.initial_s, b.max_s, next.number) as i64;
    let since_change =
        ((next.started_at.as_millisecond() - action.at.as_millisecond()) as f64 / 1000.0).max(0.0);
    let left = (next.finished_at.as_second() + due) - action.at.as_second();
    let after = measured.iter().find(|r| r.number == next.number + 1);
    let mut row = row
        .evidence(format!("changed: {} at {}", action.what, action.at))
        .evidence(format!(
            "restart {}: exit {} → start {} ({}s); the back-off in force was {due}s, {left}s of it left at the change",
            next.number, next.finished_at, next.started_at, next.delay_s
        ));
    if let Some(a) = after {
        row = row.evidence(format!(
            "the restart after it: {}s after its exit",
            a.delay_s
        ));
    }
    let prompt = started_before_the_back_off_ended(next.delay_s, due);
    let waited = tol.on_time(next.delay_s, due);
    let started_over = after.map(|a| tol.on_time(a.delay_s, i64::from(b.initial_s)));
    match (prompt, waited) {
        (true, _) => {
            let curve = match started_over {
                Some(true) => format!(
                    "; the next delay {}s: the curve started over",
                    after.unwrap().delay_s
                ),
                Some(false) => format!(
                    "; but the next delay was {}s, not the initial {}s",
                    after.unwrap().delay_s,
                    b.initial_s
                ),
                None => String::new(),
            };
            let verdict = if started_over == Some(false) {
                Verdict::Differs
            } else {
                Verdict::Conforms
            };
            let when = if since_change < 1.0 {
                "started within a second of the change".to_owned()
            } else {
                format!("started {since_change:.1}s after the change")
            };
            let observed = format!(
                "{when}, {}s before the back-off would have ended{curve}",
                left.max(0)
            );
            let row = row.observed(observed, verdict).outcome("reset");
            if verdict == Verdict::Differs {
                row.why("the start came at once but the back-off went on from where it was")
            } else {
                row
            }
        }
        (false, true) => row
            .observed(
                format!(
                    "waited out the back-off: started {}s after the exit ({due}s due)",
                    next.delay_s
                ),
                Verdict::Differs,
            )
            .outcome("not reset")
            .why("the change did not start the back-off over"),
        (false, false) => row
            .observed(
                format!(
                    "started {since_change:.1}s after the change, {}s after the exit ({due}s due)",
                    next.delay_s
                ),
                Verdict::NotMeasurable,
            )
            .why("neither at once nor when the back-off ended: the timing does not tell"),
    }
}

/// The kubelet drops a back-off entry once the exit it judges comes more than 600 s after the
/// entry's last step ([`RESET_AFTER_S`]): an instance that ran that long restarts at once, and
/// the curve starts over. Measured first against client-go's default of 2 × max on a kubelet
/// capped at 20 s: a 55 s run did not reset it, and the kubelet's source says why.
fn long_run_row(obs: &Observations) -> Row {
    let tol = Tolerance::of(obs);
    let b = &obs.cluster.kubelet_backoff;
    let probe = "reset-after-run";
    let row = Row::new(
        "after a long enough run",
        format!(
            "reset: an instance that ran longer than {RESET_AFTER_S}s restarts at once, the next after {}s",
            b.initial_s
        ),
    )
    .probe(probe);
    let Some(run) = obs.probe(probe) else {
        return row.not_measurable(if obs.node.reachable {
            format!(
                "needs an instance that runs longer than {RESET_AFTER_S}s: run with --long (about 12 minutes)"
            )
        } else {
            format!("crashlab kills the container from the node, which is {}", obs.node.access)
        });
    };
    let Ok((_, timeline)) = timeline_of(obs, probe) else {
        return row.not_measurable(
            run.error
                .clone()
                .unwrap_or_else(|| "the probe did not start".into()),
        );
    };
    if let Some(failed) = run.kills.iter().find(|k| k.error.is_some()) {
        return row.not_measurable(format!(
            "{} failed: {}",
            failed.what,
            failed.error.as_deref().unwrap_or_default()
        ));
    }
    let long_instance = super::kill_driver::LONG_INSTANCE;
    let measured = restarts(&timeline);
    let after_long = measured.iter().find(|r| r.number == long_instance + 1);
    let after_that = measured.iter().find(|r| r.number == long_instance + 2);
    let (Some(long), Some(next)) = (after_long, after_that) else {
        return row.not_measurable(format!(
            "the watch saw {} restarts of the {} this needs",
            measured.len(),
            long_instance + 2
        ));
    };
    let ran = long.finished_at.as_second()
        - measured
            .iter()
            .find(|r| r.number == long_instance)
            .map_or(long.finished_at.as_second(), |r| r.started_at.as_second());
    let due = expected_delay(b.initial_s, b.max_s, long.number) as i64;
    let mut row = row;
    for k in &run.kills {
        row = row.evidence(format!("{} at {}", k.what, k.at));
    }
    row = row.evidence(format!(
        "the long instance ran {ran}s; the restart after it came {}s after its exit ({due}s due without a reset); the one after, {}s",
        long.delay_s, next.delay_s
    ));
    if ran <= RESET_AFTER_S as i64 {
        return row.not_measurable(format!(
            "the long instance ran {ran}s, not more than {RESET_AFTER_S}s"
        ));
    }
    let at_once = tol.on_time(long.delay_s, 0) && long.delay_s < due - 1;
    let over = tol.on_time(next.delay_s, i64::from(b.initial_s));
    match (at_once, over) {
        (true, true) => row
            .observed(
                format!(
                    "restarted {}s after the exit, then {}s: the curve started over",
                    long.delay_s, next.delay_s
                ),
                Verdict::Conforms,
            )
            .outcome("reset"),
        _ if tol.on_time(long.delay_s, due) => row
            .observed(
                format!(
                    "waited {}s: the back-off went on ({due}s due)",
                    long.delay_s
                ),
                Verdict::Differs,
            )
            .outcome("not reset")
            .why(format!(
                "a run longer than {RESET_AFTER_S}s did not drop the back-off entry"
            )),
        _ => row
            .observed(
                format!(
                    "restarted {}s after the exit, then {}s",
                    long.delay_s, next.delay_s
                ),
                Verdict::Differs,
            )
            .why("neither the reset's timing nor the back-off's"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_start_before_the_back_off_could_end_is_a_reset_however_slow_the_sync() {
        // Recorded on the local provider: the start within a second of the change, 19 s early.
        assert!(started_before_the_back_off_ended(1, 20));
        // A loaded node's slow sync: 7 s after the change, still 8 s before the end.
        assert!(started_before_the_back_off_ended(12, 20));
        // At the back-off's end (whole seconds: never measured under the back-off).
        assert!(!started_before_the_back_off_ended(19, 20));
        assert!(!started_before_the_back_off_ended(20, 20));
        assert!(!started_before_the_back_off_ended(27, 20));
    }
}
