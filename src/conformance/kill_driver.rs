//! The long-run reset probe's driver: kills the probe's container from the node on a schedule
//! (its first three instances at once, the fourth after a run of twice the kubelet's cap, the
//! fifth at once), since no container can tell which instance it is.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::ListParams;

use crate::cluster::NodeAccess;

use super::node_probe;
use super::observations::ActionTaken;

/// The label the probe's pod carries.
pub const LABEL: &str = "crashlab.dev/probe=reset-after-run";
/// The instance that runs long.
pub const LONG_INSTANCE: i32 = 3;
/// Instances killed: 0 to 4.
const LAST_KILLED: i32 = 4;

/// Kills per the schedule until the fifth kill or `limit`, appending what it did to `done` as
/// it goes (the caller may stop it at any point).
pub async fn drive(
    client: kube::Client,
    access: NodeAccess,
    since: Timestamp,
    long_run: Duration,
    limit: Duration,
    done: Arc<Mutex<Vec<ActionTaken>>>,
) {
    let pods = Api::<Pod>::all(client);
    let deadline = tokio::time::Instant::now() + limit;
    let mut next = 0;
    while next <= LAST_KILLED && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let Ok(list) = pods.list(&ListParams::default().labels(LABEL)).await else {
            continue;
        };
        let Some(pod) = list.items.into_iter().find(|p| {
            p.metadata
                .creation_timestamp
                .as_ref()
                .is_some_and(|t| t.0.as_second() >= since.as_second() - 5)
        }) else {
            continue;
        };
        let Some(cs) = super::cluster_reads::app_status(pod) else {
            continue;
        };
        let (Some(running), Some(id)) = (
            cs.state.as_ref().and_then(|s| s.running.as_ref()),
            cs.container_id.clone(),
        ) else {
            continue;
        };
        if cs.restart_count != next {
            continue;
        }
        let Some(started) = running.started_at.as_ref().map(|t| t.0) else {
            continue;
        };
        let ran = Timestamp::now().as_second() - started.as_second();
        let wait = if next == LONG_INSTANCE {
            long_run.as_secs() as i64
        } else {
            1
        };
        if ran < wait {
            continue;
        }
        let bare = id
            .split_once("://")
            .map_or(id.as_str(), |(_, b)| b)
            .to_owned();
        let at = Timestamp::now();
        let a = access.clone();
        let script = format!(
            "pids=$(find /sys/fs/cgroup -maxdepth 10 -type d -name '*{bare}*' -exec cat {{}}/cgroup.procs \\; 2>/dev/null | sort -u); [ -n \"$pids\" ] || {{ echo 'no process of container {bare}' >&2; exit 1; }}; kill -KILL $pids"
        );
        let result = tokio::task::spawn_blocking(move || node_probe::run(&a, &script))
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r);
        done.lock().unwrap().push(ActionTaken {
            at,
            what: format!("SIGKILL from the node to instance {next} after it ran {ran}s"),
            error: result.err(),
        });
        next += 1;
    }
}
