//! A [`Cluster`] without a cluster, for tests: it replays a run recorded on a real kubelet
//! (`tests/fixtures/recordings/*.json`) as the watch, answers previous-log requests from the
//! recording, remembers every call the runner made, and fails on request the ways a real
//! cluster does: a watch error and reconnect, a lost or stalled watch, a refused apply, a
//! delete request that never answers, a namespace that never goes.
//!
//! Time: recorded time `t` happens at tokio instant `origin + (t − started_at)`, `origin`
//! being when the replay was made. Under tokio's paused clock
//! (`#[tokio::test(start_paused = true)]`) minutes of observation pass at once, in recorded
//! order, and [`ReplayCluster::clock`] stamps what the runner stamps itself (steps, previous
//! logs) with the recording's time. So make the replay inside the paused runtime, and start
//! the run at once: one replay serves one run.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{Stream, StreamExt, stream};
use jiff::Timestamp;
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::scenario::WorkloadKind;
use crate::timeline::{Observation, Observed, Recording};

use super::clock::Clock;
use super::cluster::Cluster;
use super::error::{Error, Result};
use super::gc::NamespaceInfo;
use super::manifest::manifest_id;
use super::observe::{LogError, LogSource, WatchItem};
use crate::timeline::kubelet_backoff::KubeletBackoff;

/// How long a deleted namespace takes to disappear: the pods' grace period (5 s in every
/// built-in scenario), then the namespace controller.
pub(crate) const DELETION: Duration = Duration::from_secs(5);

/// How long before a previous-logs request the recorded answer may lie and still be its
/// answer: the replay delivers the pod update that prompts a request up to a millisecond
/// later than recorded (tokio's timer has millisecond ticks), the real run fetched a few
/// milliseconds after it.
const ANSWERED_EARLY: Duration = Duration::from_secs(1);

/// One call the runner made, in the order made.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Call {
    CreateNamespace {
        namespace: String,
        scenario: String,
    },
    Apply {
        namespace: String,
        manifest: Value,
    },
    Watch {
        namespace: String,
    },
    DeleteNamespace {
        namespace: String,
    },
    /// The wait for the namespace to disappear ended: it is gone.
    NamespaceGone {
        namespace: String,
    },
}

/// How the watch misbehaves. `after` counts the watch items delivered first (pods, pod
/// deletions and events of the recording).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum WatchFault {
    /// The watch fails, misses what happens during `lost` (the watcher's back-off), re-lists
    /// (the newest state of each pod and event that changed meanwhile) and carries on.
    Reconnect { after: usize, lost: Duration },
    /// The watch fails and never recovers.
    Lost { after: usize },
    /// Nothing more is delivered, with no error (0: the target pod never appears).
    Stall { after: usize },
}

#[derive(Debug, Clone, Default)]
struct Faults {
    watch: Option<WatchFault>,
    /// Every apply fails with this message.
    apply: Option<String>,
    /// The delete request never gets an answer.
    delete_hangs: bool,
    /// The namespace is deleted but never disappears (a finalizer that never finishes).
    namespace_stuck: bool,
}

/// A replayed cluster. Clones share the calls made.
#[derive(Debug, Clone)]
pub(crate) struct ReplayCluster {
    recording: Arc<Recording>,
    origin: Instant,
    backoff: KubeletBackoff,
    faults: Faults,
    state: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    calls: Vec<Call>,
    /// Namespaces that exist (created and not gone yet).
    namespaces: HashSet<String>,
    /// Steps applied so far, per namespace (a step's manifests are numbered from 0).
    steps: HashMap<String, usize>,
    /// Indexes of the recorded previous logs already served.
    served: HashSet<usize>,
}

impl ReplayCluster {
    /// Replays `recording` faithfully. The kubelet's back-off curve is the recorded one, or
    /// the kubelet's defaults when the recording predates recording it.
    pub(crate) fn new(recording: Recording) -> Self {
        let backoff = recording.kubelet_backoff.clone().unwrap_or_else(|| {
            KubeletBackoff::defaults("not in the recording; kubelet defaults assumed")
        });
        Self {
            recording: Arc::new(recording),
            origin: Instant::now(),
            backoff,
            faults: Faults::default(),
            state: Arc::default(),
        }
    }

    pub(crate) fn with_watch_fault(mut self, fault: WatchFault) -> Self {
        self.faults.watch = Some(fault);
        self
    }

    /// Every apply fails, as the API server refusing the object with `message`.
    pub(crate) fn failing_apply(mut self, message: &str) -> Self {
        self.faults.apply = Some(message.to_owned());
        self
    }

    /// The namespace delete request never gets an answer.
    pub(crate) fn hanging_delete(mut self) -> Self {
        self.faults.delete_hangs = true;
        self
    }

    /// Deleted namespaces never disappear.
    pub(crate) fn stuck_namespace(mut self) -> Self {
        self.faults.namespace_stuck = true;
        self
    }

    /// The calls made so far.
    pub(crate) fn calls(&self) -> Vec<Call> {
        lock(&self.state).calls.clone()
    }

    /// The recording's time, advancing with tokio's clock.
    pub(crate) fn clock(&self) -> Clock {
        Clock::Replay {
            at: self.recording.started_at,
            origin: self.origin,
        }
    }

    /// The random part of the recorded namespace name, so a replayed run gets the same name.
    pub(crate) fn namespace_suffix(&self) -> String {
        let ns = &self.recording.namespace;
        ns.rsplit_once('-')
            .map_or(ns.as_str(), |(_, s)| s)
            .to_owned()
    }

    /// When recorded time `t` happens in the replay.
    fn instant_of(&self, t: Timestamp) -> Instant {
        let since = t.duration_since(self.recording.started_at);
        self.origin + Duration::try_from(since).unwrap_or_default()
    }

    fn record(&self, call: Call) {
        lock(&self.state).calls.push(call);
    }

    /// The watch items, each with when to deliver it, faults applied.
    fn watch_plan(&self) -> Vec<(Instant, WatchItem)> {
        let watched: Vec<&Observation> = self
            .recording
            .observations
            .iter()
            .filter(|o| watched(&o.what))
            .collect();
        let deliver = |o: &Observation| {
            (
                self.instant_of(o.received_at),
                WatchItem::Observed(o.clone()),
            )
        };
        let Some(fault) = self.faults.watch else {
            return watched.into_iter().map(deliver).collect();
        };
        let after = match fault {
            WatchFault::Reconnect { after, .. }
            | WatchFault::Lost { after }
            | WatchFault::Stall { after } => after.min(watched.len()),
        };
        let (before, rest) = watched.split_at(after);
        let mut plan: Vec<_> = before.iter().copied().map(deliver).collect();
        let failed_at = before
            .last()
            .map_or(self.recording.started_at, |o| o.received_at);
        let error = (
            self.instant_of(failed_at),
            WatchItem::Error(
                "watching pods: error reading the watch stream: connection reset by peer".into(),
            ),
        );
        match fault {
            WatchFault::Stall { .. } => {}
            WatchFault::Lost { .. } => plan.push(error),
            WatchFault::Reconnect { lost, .. } => {
                plan.push(error);
                let back = failed_at.saturating_add(lost).unwrap_or(failed_at);
                let missed = rest.iter().take_while(|o| o.received_at <= back).count();
                for o in relist(&rest[..missed], back) {
                    plan.push(deliver(&o));
                }
                plan.extend(rest[missed..].iter().copied().map(deliver));
            }
        }
        plan
    }
}

/// Whether the watch delivered this (the runner itself records steps and previous logs).
pub(crate) fn watched(what: &Observed) -> bool {
    matches!(
        what,
        Observed::Pod { .. } | Observed::PodDeleted { .. } | Observed::Event { .. }
    )
}

/// What a re-listing watcher delivers after missing `missed`: the newest state of each pod
/// still there and of each event, stamped `at`. Deletions and intermediate states are lost.
fn relist(missed: &[&Observation], at: Timestamp) -> Vec<Observation> {
    let mut newest: Vec<(String, Option<Observed>)> = Vec::new();
    for o in missed {
        let (key, state) = match &o.what {
            Observed::Pod { object } => (
                format!(
                    "pod/{}",
                    object.metadata.name.as_deref().unwrap_or_default()
                ),
                Some(o.what.clone()),
            ),
            Observed::PodDeleted { name } => (format!("pod/{name}"), None),
            Observed::Event { object } => (
                format!(
                    "event/{}",
                    object
                        .metadata
                        .uid
                        .as_deref()
                        .or(object.metadata.name.as_deref())
                        .unwrap_or_default()
                ),
                Some(o.what.clone()),
            ),
            _ => continue,
        };
        newest.retain(|(k, _)| *k != key);
        newest.push((key, state));
    }
    newest
        .into_iter()
        .filter_map(|(_, what)| what)
        .map(|what| Observation {
            received_at: at,
            what,
        })
        .collect()
}

/// A workload whose rollout is complete, whatever its kind (see [`super::rollout`]).
fn rolled_out(namespace: &str, kind: WorkloadKind, name: &str) -> Value {
    json!({
        "apiVersion": kind.api_version(),
        "kind": kind.kind(),
        "metadata": {"name": name, "namespace": namespace, "generation": 1},
        "spec": {"replicas": 1},
        "status": {
            "observedGeneration": 1,
            "replicas": 1,
            "updatedReplicas": 1,
            "readyReplicas": 1,
            "availableReplicas": 1,
            "currentRevision": "replayed",
            "updateRevision": "replayed",
            "desiredNumberScheduled": 1,
            "updatedNumberScheduled": 1,
            "numberAvailable": 1,
        },
    })
}

impl Cluster for ReplayCluster {
    type Logs = ReplayLogs;

    async fn server_version(&self) -> Result<String> {
        Ok(self.recording.server_version.clone())
    }

    async fn kubelet_backoff(&self) -> KubeletBackoff {
        self.backoff.clone()
    }

    async fn kubelet_version(&self, _node: &str) -> Result<String, String> {
        self.recording
            .kubelet_version
            .clone()
            .ok_or_else(|| "not in the recording".to_owned())
    }

    async fn create_namespace(&self, name: &str, scenario: &str, _kept: bool) -> Result<()> {
        let mut state = lock(&self.state);
        state.calls.push(Call::CreateNamespace {
            namespace: name.to_owned(),
            scenario: scenario.to_owned(),
        });
        state.namespaces.insert(name.to_owned());
        Ok(())
    }

    async fn wait_default_service_account(&self, _namespace: &str) -> Result<()> {
        Ok(())
    }

    async fn apply(&self, namespace: &str, index: usize, manifest: &Value) -> Result<()> {
        {
            let mut state = lock(&self.state);
            state.calls.push(Call::Apply {
                namespace: namespace.to_owned(),
                manifest: manifest.clone(),
            });
            if index == 0 {
                *state.steps.entry(namespace.to_owned()).or_default() += 1;
            }
        }
        match &self.faults.apply {
            None => Ok(()),
            Some(message) => {
                let id = manifest_id(index, manifest)?;
                Err(Error::Apply {
                    kind: id.kind,
                    name: id.name,
                    message: message.clone(),
                })
            }
        }
    }

    /// Rolled out when the recorded run applied its next step (at once when it has none).
    async fn get_workload(&self, namespace: &str, kind: WorkloadKind, name: &str) -> Result<Value> {
        let next_step = lock(&self.state)
            .steps
            .get(namespace)
            .copied()
            .unwrap_or_default();
        let done_at = self
            .recording
            .observations
            .iter()
            .find_map(|o| match o.what {
                Observed::Step { index, .. } if index == next_step => Some(o.received_at),
                _ => None,
            });
        if let Some(t) = done_at {
            tokio::time::sleep_until(self.instant_of(t)).await;
        }
        Ok(rolled_out(namespace, kind, name))
    }

    fn watch(&self, namespace: &str) -> impl Stream<Item = WatchItem> + Send + 'static {
        self.record(Call::Watch {
            namespace: namespace.to_owned(),
        });
        stream::iter(self.watch_plan())
            .then(|(at, item)| async move {
                tokio::time::sleep_until(at).await;
                item
            })
            // A real watch never ends.
            .chain(stream::pending())
    }

    fn logs(&self, _namespace: &str) -> ReplayLogs {
        ReplayLogs {
            replay: self.clone(),
        }
    }

    async fn delete_namespace(&self, namespace: &str) -> Result<Option<String>> {
        let exists = {
            let mut state = lock(&self.state);
            state.calls.push(Call::DeleteNamespace {
                namespace: namespace.to_owned(),
            });
            state.namespaces.contains(namespace)
        };
        if self.faults.delete_hangs {
            std::future::pending::<()>().await;
        }
        Ok(exists.then(|| format!("uid-of-{namespace}")))
    }

    async fn namespace_gone(&self, namespace: &str, _uid: &str) -> Result<()> {
        if self.faults.namespace_stuck {
            std::future::pending::<()>().await;
        }
        tokio::time::sleep(DELETION).await;
        let mut state = lock(&self.state);
        state.namespaces.remove(namespace);
        state.calls.push(Call::NamespaceGone {
            namespace: namespace.to_owned(),
        });
        Ok(())
    }

    /// None: the replay starts on a cluster without leftovers.
    async fn crashlab_namespaces(&self) -> Result<Vec<NamespaceInfo>> {
        Ok(Vec::new())
    }

    /// A recording holds no node listing: `auto` falls back to its default.
    async fn node_room(&self) -> std::result::Result<super::capacity::NodeRoom, String> {
        Err("a replayed run has no nodes to list".to_owned())
    }
}

/// Previous logs as the recorded run received them.
pub(crate) struct ReplayLogs {
    replay: ReplayCluster,
}

impl LogSource for ReplayLogs {
    /// The first recorded answer for `pod`/`container` not served yet that the real run
    /// received after this request was made, at the time it received it; `Gone` when there
    /// is none (the real run did not get these logs).
    fn previous_logs(
        &self,
        pod: &str,
        container: &str,
    ) -> impl Future<Output = Result<String, LogError>> + Send {
        let now = Instant::now();
        let replay = &self.replay;
        let answer = {
            let mut state = lock(&replay.state);
            let found =
                replay
                    .recording
                    .observations
                    .iter()
                    .enumerate()
                    .find_map(|(i, o)| match &o.what {
                        Observed::PreviousLogs {
                            pod: p,
                            container: c,
                            text,
                            ..
                        } if p == pod
                            && c == container
                            && !state.served.contains(&i)
                            && replay.instant_of(o.received_at) + ANSWERED_EARLY >= now =>
                        {
                            Some((i, replay.instant_of(o.received_at), text.clone()))
                        }
                        _ => None,
                    });
            found.map(|(i, at, text)| {
                state.served.insert(i);
                (at, text)
            })
        };
        async move {
            match answer {
                Some((at, text)) => {
                    tokio::time::sleep_until(at).await;
                    Ok(text)
                }
                None => Err(LogError::Gone("not in the recording".to_owned())),
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::rollout::{Rollout, rollout_status};
    use crate::timeline::recorded;

    #[test]
    fn a_rolled_out_workload_is_done_for_every_kind() {
        for kind in WorkloadKind::ALL {
            assert_eq!(
                rollout_status(kind, &rolled_out("ns", kind, "app")),
                Rollout::Done,
                "{kind:?}"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_watch_replays_pods_and_events_in_recorded_order_and_time() {
        let (_, rec) = recorded().into_iter().find(|(f, _)| f == "exit-1").unwrap();
        let replay = ReplayCluster::new(rec.clone());
        let watched: Vec<&Observation> = rec
            .observations
            .iter()
            .filter(|o| watched(&o.what))
            .collect();
        let mut stream = std::pin::pin!(replay.watch("ns"));
        for o in &watched {
            match stream.next().await {
                Some(WatchItem::Observed(got)) => assert_eq!(got, **o),
                other => panic!("unexpected {other:?}"),
            }
        }
        // Then nothing, as from a real watch with nothing to say.
        let more = tokio::time::timeout(Duration::from_secs(3600), stream.next()).await;
        assert!(more.is_err(), "{more:?}");
        let last = watched.last().unwrap().received_at;
        let at_last = replay.clock().now() - jiff::SignedDuration::from_secs(3600);
        assert!(at_last >= last);
        assert!(at_last.duration_since(last) < jiff::SignedDuration::from_millis(2));
    }

    #[tokio::test(start_paused = true)]
    async fn a_reconnect_misses_intermediate_states_and_relists_the_newest() {
        let (_, rec) = recorded().into_iter().find(|(f, _)| f == "exit-1").unwrap();
        let full = ReplayCluster::new(rec.clone()).watch_plan();
        let lost = Duration::from_secs(5);
        let plan = ReplayCluster::new(rec)
            .with_watch_fault(WatchFault::Reconnect { after: 6, lost })
            .watch_plan();
        assert!(matches!(plan[6].1, WatchItem::Error(_)));
        assert!(plan.len() < full.len() + 1, "something was missed");
        // After the gap, the rest arrives as recorded.
        let tail = |p: &[(Instant, WatchItem)]| match &p.last().unwrap().1 {
            WatchItem::Observed(o) => o.clone(),
            WatchItem::Error(_) => unreachable!(),
        };
        assert_eq!(tail(&plan), tail(&full));
        let times: Vec<Instant> = plan.iter().map(|(at, _)| *at).collect();
        assert!(times.is_sorted(), "delivered in order");
    }
}
