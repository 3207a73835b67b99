//! The reset probes' driver: changes a crash-looping container (its image, or its resources in
//! place) while the kubelet holds it in back-off, with time to spare.
//!
//! It does not wait for the `CrashLoopBackOff` status: the kubelet writes it on the sync after
//! the one that hit the back-off, often 10–16 s after the exit (measured on 1.34 and 1.36), when
//! a 20 s back-off has little left. It computes the back-off from the kubelet's own curve (the
//! profile) and the exit's `finishedAt`, and acts once the exit is a second old and at least
//! [`AHEAD`] of the back-off is left.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Pod;
use kube::Api;

use crate::expect::backoff::expected_delay;

use super::cluster_reads;
use super::instances::CONTAINER;
use super::observations::ActionTaken;
use super::probe::ProbeAction;

/// Left of the back-off when the change is made, so that a start it causes is told from one at
/// the back-off's end.
pub const AHEAD: i64 = 6;
/// The change waits for a back-off at least this long.
pub const MIN_BACKOFF: u64 = 12;

/// The first restart whose back-off is at least [`MIN_BACKOFF`].
pub fn restart_to_change(initial_s: u32, max_s: u32) -> i32 {
    (2..64)
        .find(|&r| expected_delay(initial_s, max_s, r) >= MIN_BACKOFF.min(u64::from(max_s)))
        .unwrap_or(2)
}

/// Waits for `probe`'s namespace (from `namespaces`, filled as the runner starts each probe)
/// and its pod's back-off, then makes `action`'s change once. `None` when the moment never came
/// within `limit`.
pub async fn drive_change(
    client: kube::Client,
    namespaces: Arc<Mutex<BTreeMap<String, String>>>,
    probe: &'static str,
    action: ProbeAction,
    (initial_s, max_s): (u32, u32),
    limit: Duration,
) -> Option<ActionTaken> {
    let deadline = tokio::time::Instant::now() + limit;
    let wanted = restart_to_change(initial_s, max_s);
    while tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let Some(ns) = namespaces.lock().unwrap().get(probe).cloned() else {
            continue;
        };
        let Ok(pod) = Api::<Pod>::namespaced(client.clone(), &ns).get("app").await else {
            continue;
        };
        let Some(cs) = super::cluster_reads::app_status(pod) else {
            continue;
        };
        let state = cs.state.as_ref();
        if state.is_some_and(|s| s.running.is_some()) {
            continue;
        }
        // The exit just seen: in `state` until the kubelet's next sync, then in `lastState`.
        let finished = state
            .and_then(|s| s.terminated.as_ref())
            .or_else(|| cs.last_state.as_ref().and_then(|s| s.terminated.as_ref()))
            .and_then(|t| t.finished_at.as_ref())
            .map(|t| t.0.as_second());
        let Some(finished) = finished else {
            continue;
        };
        let next = cs.restart_count + 1;
        if next < wanted {
            continue;
        }
        let due = expected_delay(initial_s, max_s, next) as i64;
        let now = Timestamp::now();
        let left = finished + due - now.as_second();
        if now.as_second() - finished < 1 || left < AHEAD {
            continue;
        }
        let result = cluster_reads::act(&client, &ns, "app", CONTAINER, action).await;
        return Some(ActionTaken {
            at: now,
            what: action.describe(),
            error: result.err(),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_change_waits_for_a_back_off_long_enough_to_tell() {
        assert_eq!(restart_to_change(10, 300), 3); // 20 s
        assert_eq!(restart_to_change(10, 20), 3); // 20 s, the cap
        assert_eq!(restart_to_change(1, 60), 6); // 16 s with the reduced decay
        assert_eq!(restart_to_change(10, 10), 2); // a cap below 12 s: the cap
    }
}
