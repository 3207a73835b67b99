//! Deciding when the logs of a terminated container instance of the target's pods can be
//! fetched (app containers, init containers and sidecars alike).
//!
//! `kubectl logs --previous` asks the kubelet for the container in
//! `lastState.terminated` (pkg/kubelet/kubelet_pods.go `validateContainerLogStatus`), not for
//! "the one that just died". Right after an exit the dead instance is still in `state`, and
//! `--previous` either fails ("previous terminated container ... not found", first exit) or,
//! worse, returns the instance before it. So a termination's logs are fetched only once a Pod
//! update shows that very instance in `lastState.terminated` while `state` is running or
//! waiting (restarted, or in `CrashLoopBackOff`).
//!
//! When `state` shows a newer dead instance, the one in `lastState` is already lost: the
//! kubelet keeps one dead container per container and removes older ones as soon as the new
//! one dies (pkg/kubelet/pod_container_deletor.go), after which the logs endpoint answers
//! 200 with "unable to retrieve container logs for <id>". Seen on a 1.34 kubelet: the first
//! instance of an app that exits at once is gone by the time the status names it, because the
//! immediate restart has already died too.
//!
//! A container that will not be restarted (its pod has `restartPolicy: Never`, or the pod
//! has finished: `Failed`, `Succeeded`) never reaches `lastState`: its logs are those of the
//! terminated container in `state`, fetched as `kubectl logs` (without `--previous`) fetches
//! them, once the status shows it terminated. A Job with `restartPolicy: Never` makes a new
//! pod per attempt, and each attempt's logs are read so. Pure: fed observed Pods, returns
//! requests.

use std::collections::HashMap;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{ContainerStateTerminated, ContainerStatus, Pod};

use crate::scenario::Target;

/// Fetch the previous logs of `container` in `pod` now. They belong to the instance that
/// terminated before the status with `restart_count` was reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchRequest {
    pub pod: String,
    pub container: String,
    pub restart_count: i32,
    /// `--previous` (the instance in `lastState`); false: the terminated container in
    /// `state`, which will not be restarted.
    pub previous: bool,
}

/// One terminated container instance, identified the way both `state.terminated` and
/// `lastState.terminated` report it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Instance {
    container_id: Option<String>,
    exit_code: i32,
    finished_at: Option<Timestamp>,
}

impl Instance {
    fn of(t: &ContainerStateTerminated) -> Self {
        Self {
            container_id: t.container_id.clone(),
            exit_code: t.exit_code,
            finished_at: t.finished_at.as_ref().map(|t| t.0),
        }
    }

    /// Whether `self` ended before `other`, so `other` now occupies `lastState` and `self`'s
    /// logs can no longer be asked for.
    fn superseded_by(&self, other: &Instance) -> bool {
        matches!((self.finished_at, other.finished_at), (Some(a), Some(b)) if a < b)
    }
}

/// Tracks terminations of every container (app, init and sidecar) of the target's pods and
/// says when their logs are reachable.
#[derive(Debug)]
pub struct PreviousLogsPlanner {
    target: Target,
    /// Per (pod, container).
    containers: HashMap<(String, String), Pending>,
}

/// What is known about one container's terminations.
#[derive(Debug, Default)]
struct Pending {
    /// Terminations seen but not yet in `lastState`.
    waiting: Vec<Instance>,
    /// Terminations whose logs were requested (or given up on), so repeats are ignored.
    handled: Vec<Instance>,
}

impl PreviousLogsPlanner {
    pub fn new(target: Target) -> Self {
        Self {
            target,
            containers: HashMap::new(),
        }
    }

    /// Feeds one observed Pod; returns the fetches that became possible.
    pub fn on_pod(&mut self, pod: &Pod) -> Vec<FetchRequest> {
        if !super::owned_by(&self.target, pod) {
            return Vec::new();
        }
        let Some(name) = pod.metadata.name.as_deref() else {
            return Vec::new();
        };
        let Some(status) = pod.status.as_ref() else {
            return Vec::new();
        };
        let statuses = [
            status.init_container_statuses.as_deref(),
            status.container_statuses.as_deref(),
        ];
        let never_restarted = pod.spec.as_ref().and_then(|s| s.restart_policy.as_deref())
            == Some("Never")
            || matches!(status.phase.as_deref(), Some("Failed" | "Succeeded"));
        let mut requests = Vec::new();
        for cs in statuses.into_iter().flatten().flatten() {
            let pending = self
                .containers
                .entry((name.to_owned(), cs.name.clone()))
                .or_default();
            if pending.on_status(cs) {
                requests.push(FetchRequest {
                    pod: name.to_owned(),
                    container: cs.name.clone(),
                    restart_count: cs.restart_count,
                    previous: true,
                });
            } else if never_restarted && pending.on_final(cs) {
                requests.push(FetchRequest {
                    pod: name.to_owned(),
                    container: cs.name.clone(),
                    restart_count: cs.restart_count,
                    previous: false,
                });
            }
        }
        requests
    }

    /// Forgets what cannot be fetched any more (the pod was deleted).
    pub fn on_pod_deleted(&mut self, name: &str) {
        for ((pod, _), pending) in &mut self.containers {
            if pod == name {
                pending.handled.append(&mut pending.waiting);
            }
        }
    }
}

impl Pending {
    /// Feeds one container status; `true` when the logs of the instance in `lastState` can
    /// be fetched now.
    fn on_status(&mut self, status: &ContainerStatus) -> bool {
        let current = status
            .state
            .as_ref()
            .and_then(|s| s.terminated.as_ref())
            .map(Instance::of);
        let last = status
            .last_state
            .as_ref()
            .and_then(|s| s.terminated.as_ref())
            .map(Instance::of);

        for seen in current.iter().chain(last.iter()) {
            self.note(seen.clone());
        }
        let Some(last) = last else {
            return false;
        };
        // A newer instance lies dead in `state`: `last` has been removed already.
        let last_reachable = current.as_ref().is_none_or(|c| *c == last);
        let mut fetch = false;
        let waiting = std::mem::take(&mut self.waiting);
        for instance in waiting {
            if instance == last && last_reachable {
                fetch = true;
                self.handled.push(instance);
            } else if instance.superseded_by(&last) || instance == last {
                tracing::debug!(
                    container = %status.name,
                    "a terminated instance was removed before its logs could be fetched"
                );
                self.handled.push(instance);
            } else {
                self.waiting.push(instance);
            }
        }
        fetch
    }

    /// For a container that will not be restarted: `true` once, when its status shows it
    /// terminated in `state` (its logs are then `kubectl logs` without `--previous`).
    fn on_final(&mut self, status: &ContainerStatus) -> bool {
        let Some(current) = status
            .state
            .as_ref()
            .and_then(|s| s.terminated.as_ref())
            .map(Instance::of)
        else {
            return false;
        };
        if self.handled.contains(&current) {
            return false;
        }
        self.waiting.retain(|w| *w != current);
        self.handled.push(current);
        true
    }

    fn note(&mut self, instance: Instance) {
        if !self.handled.contains(&instance) && !self.waiting.contains(&instance) {
            self.waiting.push(instance);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The target pod `app` with container `app`, written like `kubectl get -o yaml` output.
    pub(crate) fn pod(restart_count: i32, state: &str, last_state: &str) -> Pod {
        let yaml = format!(
            "
metadata: {{name: app, namespace: ns}}
spec:
  containers: [{{name: app, image: crashlab.dev/crashprobe:v1}}]
status:
  containerStatuses:
  - name: app
    image: crashlab.dev/crashprobe:v1
    imageID: ''
    ready: false
    restartCount: {restart_count}
    state: {state}
    lastState: {last_state}
"
        );
        serde_yaml::from_str(&yaml).unwrap()
    }

    pub(crate) fn terminated(id: &str, exit_code: i32, started: &str, finished: &str) -> String {
        format!(
            "{{terminated: {{containerID: 'containerd://{id}', exitCode: {exit_code}, reason: Error, \
             startedAt: '{started}', finishedAt: '{finished}'}}}}"
        )
    }

    pub(crate) const RUNNING: &str = "{running: {startedAt: '2026-01-01T00:00:01Z'}}";
    pub(crate) const BACKOFF: &str =
        "{waiting: {reason: CrashLoopBackOff, message: 'back-off 10s'}}";

    impl Instance {
        fn of_yaml(state: &str) -> Self {
            let state: k8s_openapi::api::core::v1::ContainerState =
                serde_yaml::from_str(state).unwrap();
            Self::of(&state.terminated.unwrap())
        }
    }

    fn planner() -> PreviousLogsPlanner {
        PreviousLogsPlanner::new(Target::pod("app", "app"))
    }

    fn req(restart_count: i32) -> Vec<FetchRequest> {
        vec![FetchRequest {
            previous: true,
            pod: "app".into(),
            container: "app".into(),
            restart_count,
        }]
    }

    #[test]
    fn first_exit_waits_until_it_moves_to_last_state() {
        let mut p = planner();
        let first = terminated("a1", 1, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z");
        assert_eq!(p.on_pod(&pod(0, RUNNING, "{}")), vec![]);
        // The dead instance is still `state`: `--previous` would not find it yet.
        assert_eq!(p.on_pod(&pod(0, &first, "{}")), vec![]);
        // The kubelet restarted it at once: now it is `lastState`.
        assert_eq!(p.on_pod(&pod(1, RUNNING, &first)), req(1));
        // Seeing the same status again (watch relist, later updates) asks nothing more.
        assert_eq!(p.on_pod(&pod(1, RUNNING, &first)), vec![]);
    }

    #[test]
    fn a_new_exit_is_not_confused_with_the_one_in_last_state() {
        let mut p = planner();
        let first = terminated("a1", 1, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z");
        let second = terminated("a2", 1, "2026-01-01T00:00:01Z", "2026-01-01T00:00:02Z");
        assert_eq!(p.on_pod(&pod(1, RUNNING, &first)), req(1));
        // Second exit: `state` has instance 2 while `lastState` still has instance 1, so
        // `--previous` would return instance 1's logs. Wait.
        assert_eq!(p.on_pod(&pod(1, &second, &first)), vec![]);
        // Back-off: instance 2 is now `lastState`.
        assert_eq!(p.on_pod(&pod(1, BACKOFF, &second)), req(1));
    }

    #[test]
    fn an_instance_is_lost_once_a_newer_one_lies_dead_in_state() {
        let mut p = planner();
        let first = terminated("a1", 1, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z");
        let second = terminated("a2", 1, "2026-01-01T00:00:01Z", "2026-01-01T00:00:01Z");
        // As recorded on a 1.34 kubelet: the immediate restart died before a status showed
        // it running, so instance 1 reaches `lastState` only once instance 2 is dead, and
        // the kubelet has removed instance 1 by then.
        assert_eq!(p.on_pod(&pod(0, &first, "{}")), vec![]);
        assert_eq!(p.on_pod(&pod(1, &second, &first)), vec![]);
        assert_eq!(
            p.containers[&("app".to_owned(), "app".to_owned())].waiting,
            vec![Instance::of_yaml(&second)]
        );
        assert_eq!(p.on_pod(&pod(1, BACKOFF, &second)), req(1));
    }

    #[test]
    fn a_termination_first_seen_in_last_state_is_fetched_at_once() {
        let mut p = planner();
        let t = terminated("a3", 137, "2026-01-01T00:00:00Z", "2026-01-01T00:00:05Z");
        assert_eq!(p.on_pod(&pod(2, BACKOFF, &t)), req(2));
    }

    #[test]
    fn a_missed_instance_is_given_up_when_a_newer_one_takes_last_state() {
        let mut p = planner();
        let first = terminated("a1", 1, "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z");
        let second = terminated("a2", 1, "2026-01-01T00:00:02Z", "2026-01-01T00:00:03Z");
        assert_eq!(p.on_pod(&pod(0, &first, "{}")), vec![]);
        // The watch skipped the status with instance 1 in lastState.
        assert_eq!(p.on_pod(&pod(1, BACKOFF, &second)), req(1));
        assert!(
            p.containers[&("app".to_owned(), "app".to_owned())]
                .waiting
                .is_empty()
        );
    }

    #[test]
    fn other_pods_are_ignored_and_every_container_of_the_target_counts() {
        let mut p = planner();
        let t = terminated("a1", 1, "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z");
        let mut other = pod(1, RUNNING, &t);
        other.metadata.name = Some("db".into());
        assert_eq!(p.on_pod(&other), vec![]);
        let mut sidecar = pod(1, RUNNING, &t);
        sidecar
            .status
            .as_mut()
            .unwrap()
            .container_statuses
            .as_mut()
            .unwrap()[0]
            .name = "sidecar".into();
        let fetch = |container: &str| {
            vec![FetchRequest {
                previous: true,
                pod: "app".into(),
                container: container.into(),
                restart_count: 1,
            }]
        };
        assert_eq!(p.on_pod(&sidecar), fetch("sidecar"));
        // Init containers too: their previous logs explain Init:CrashLoopBackOff.
        let mut init = pod(1, RUNNING, &t);
        let status = init.status.as_mut().unwrap();
        let mut statuses = status.container_statuses.take().unwrap();
        statuses[0].name = "migrate".into();
        status.init_container_statuses = Some(statuses);
        assert_eq!(p.on_pod(&init), fetch("migrate"));
    }

    #[test]
    fn deleting_the_pod_drops_what_was_waiting() {
        let mut p = planner();
        let t = terminated("a1", 1, "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z");
        assert_eq!(p.on_pod(&pod(0, &t, "{}")), vec![]);
        p.on_pod_deleted("app");
        assert!(
            p.containers[&("app".to_owned(), "app".to_owned())]
                .waiting
                .is_empty()
        );
        assert_eq!(p.on_pod(&pod(1, RUNNING, &t)), vec![]);
    }
}
