//! What upstream Kubernetes (and the runtime it is paired with) does, per version, with the
//! source that says so. Read from the sources of the pinned releases (the Go module cache:
//! `k8s.io/kubernetes@v1.34.4`, `@v1.36.3`, …, `github.com/containerd/containerd/v2@v2.3.4`);
//! a minor whose source was not read has no entry and its rows say so.

use super::source::Source;

/// The releases whose source the facts below were read from, by minor.
pub const READ_SOURCES: &[(u64, &str)] =
    &[(34, "v1.34.4"), (36, "v1.36.3"), (38, "v1.38.0-beta.0")];

/// The release whose source stands for `minor`, when it was read.
pub fn source_release(minor: u64) -> Option<&'static str> {
    READ_SOURCES
        .iter()
        .find(|(m, _)| *m == minor)
        .map(|(_, v)| *v)
}

/// The nearest read release at or below `minor`, for facts that have not changed since it
/// (each use says which facts those are).
fn nearest_release(minor: u64) -> &'static str {
    READ_SOURCES
        .iter()
        .rev()
        .find(|(m, _)| *m <= minor)
        .map_or(READ_SOURCES[0].1, |(_, v)| v)
}

/// OOM kills: containerd sets the reason `OOMKilled` when it receives the cgroup's OOM event
/// for the container, or finds the OOM counter raised when the container exits 137; the kubelet
/// copies the runtime's reason into the pod status.
pub fn oom_sources(minor: u64) -> Vec<Source> {
    let k = nearest_release(minor);
    vec![
        Source::other(
            "containerd v2.3.4",
            "internal/cri/server/events.go",
            "handleContainerExit (exit 137: oomMetricsEventOccurred; note 3: systemd may remove the scope's cgroup first), TaskOOM",
        ),
        Source::kubernetes(
            k,
            "pkg/kubelet/kubelet_pods.go",
            "convertToAPIContainerStatuses (Reason: cs.Reason)",
        ),
    ]
}

/// The back-off: none before the first restart, then `initial` doubling to `max`, counted
/// from the last instance's `finishedAt`.
pub fn curve_sources(minor: u64) -> Vec<Source> {
    let k = nearest_release(minor);
    vec![
        Source::kubernetes(k, "pkg/kubelet/kubelet.go", "newCrashLoopBackOff"),
        Source::kubernetes(
            k,
            "pkg/kubelet/kuberuntime/kuberuntime_manager.go",
            "doBackOff",
        ),
        Source::kubernetes(
            k,
            "staging/src/k8s.io/client-go/util/flowcontrol/backoff.go",
            "Backoff.Next, IsInBackOffSince",
        ),
    ]
}

/// The kubelet drops a back-off entry when the exit it judges comes more than this long after
/// the entry's last step, whatever the cap (`crashLoopBackOff.HasExpiredFunc` in
/// pkg/kubelet/kubelet.go, 1.34, 1.36 and 1.38 alike; client-go's own default would be 2 × max).
pub const RESET_AFTER_S: u64 = 600;

/// The fields the back-off key hashes: a change of any of them starts the back-off over.
pub const BACKOFF_KEY_FIELDS: &[&str] = &[
    "pod name",
    "namespace",
    "pod UID",
    "container name",
    "image",
    "resources",
];

/// `GetBackoffKey` hashes [`BACKOFF_KEY_FIELDS`] (1.34 and 1.36 read; the same function in
/// both).
pub fn reset_sources(minor: u64) -> Vec<Source> {
    let k = nearest_release(minor);
    vec![
        Source::kubernetes(k, "pkg/kubelet/kuberuntime/helpers.go", "GetBackoffKey"),
        Source::kubernetes(
            k,
            "pkg/kubelet/kubelet.go",
            "crashLoopBackOff.HasExpiredFunc (an entry whose last step is more than 600 s before the exit is dropped)",
        ),
    ]
}

/// A liveness kill and the restart happen in one pod sync, whose pod status was read before
/// the kill: `doBackOff` judges the start against the newest *exited* instance in it, the one
/// before the instance just killed.
pub fn probe_kill_sources(minor: u64) -> Vec<Source> {
    let k = nearest_release(minor);
    vec![
        Source::kubernetes(
            k,
            "pkg/kubelet/kuberuntime/kuberuntime_manager.go",
            "computePodActions (liveness failure: kill and start), SyncPod, doBackOff",
        ),
        Source::kubernetes(k, "pkg/kubelet/prober/prober.go", "runProbe"),
    ]
}

/// A container whose process cannot start: containerd ends it with exit 128 and reason
/// `StartError`, `startedAt` never set; the kubelet reports the failed start as waiting
/// `RunContainerError`, then `CrashLoopBackOff` while the back-off runs.
pub fn start_error_sources(minor: u64) -> Vec<Source> {
    let k = nearest_release(minor);
    vec![
        Source::other(
            "containerd v2.3.4",
            "internal/cri/server/helpers.go",
            "errorStartReason = \"StartError\"",
        ),
        Source::kubernetes(k, "pkg/kubelet/container/sync_result.go", "ErrRunContainer"),
    ]
}

/// One event the kubelet of a version writes, as its source formats it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventText {
    pub reason: &'static str,
    /// The message with the container's name in place of `%v`/`%s`, as a regular expression.
    pub pattern: String,
    /// The format string, as the source has it.
    pub format: &'static str,
    pub source: Source,
    /// The probe whose run shows it.
    pub probe: &'static str,
}

/// The container event texts of `minor`, when its source was read. `container` is the
/// probes' container name (`app`).
pub fn event_texts(minor: u64, container: &str) -> Option<Vec<EventText>> {
    let release = source_release(minor)?;
    let c = regex::escape(container);
    let runtime =
        |file: &'static str, symbol: &'static str| Source::kubernetes(release, file, symbol);
    let container_go = "pkg/kubelet/kuberuntime/kuberuntime_container.go";
    let mut texts = Vec::new();
    match minor {
        34 => {
            texts.push(EventText {
                reason: "Created",
                pattern: format!("^Created container: {c}$"),
                format: "Created container: %v",
                source: runtime(container_go, "startContainer"),
                probe: "backoff-curve",
            });
            texts.push(EventText {
                reason: "Started",
                pattern: format!("^Started container {c}$"),
                format: "Started container %v",
                source: runtime(container_go, "startContainer"),
                probe: "backoff-curve",
            });
        }
        _ => {
            texts.push(EventText {
                reason: "Created",
                pattern: "^Container created$".to_owned(),
                format: "Container created",
                source: runtime(container_go, "startContainer"),
                probe: "backoff-curve",
            });
            texts.push(EventText {
                reason: "Started",
                pattern: "^Container started$".to_owned(),
                format: "Container started",
                source: runtime(container_go, "startContainer"),
                probe: "backoff-curve",
            });
        }
    }
    texts.push(EventText {
        reason: "BackOff",
        pattern: format!("^Back-off restarting failed container {c} in pod app_.+$"),
        format: "Back-off restarting failed container %s in pod %s",
        source: runtime(
            "pkg/kubelet/kuberuntime/kuberuntime_manager.go",
            "doBackOff",
        ),
        probe: "backoff-curve",
    });
    texts.push(EventText {
        reason: "Unhealthy",
        pattern: "^Liveness probe failed: .+$".to_owned(),
        format: "%s probe failed: %s",
        source: runtime("pkg/kubelet/prober/prober.go", "runProbe"),
        probe: "liveness-kills",
    });
    texts.push(EventText {
        reason: "Killing",
        pattern: format!("^Container {c} failed liveness probe, will be restarted$"),
        format: "Container %s failed %s probe, will be restarted",
        source: runtime(
            "pkg/kubelet/kuberuntime/kuberuntime_manager.go",
            "computePodActions",
        ),
        probe: "liveness-kills",
    });
    texts.push(EventText {
        reason: "Failed",
        pattern: "^Error: .+$".to_owned(),
        format: "Error: %v",
        source: runtime(container_go, "startContainer"),
        probe: "start-error",
    });
    Some(texts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_texts_follow_the_version_and_unread_versions_have_none() {
        let t34 = event_texts(34, "app").unwrap();
        let started = t34.iter().find(|t| t.reason == "Started").unwrap();
        assert!(
            regex::Regex::new(&started.pattern)
                .unwrap()
                .is_match("Started container app")
        );
        let t36 = event_texts(36, "app").unwrap();
        let started = t36.iter().find(|t| t.reason == "Started").unwrap();
        assert!(
            regex::Regex::new(&started.pattern)
                .unwrap()
                .is_match("Container started")
        );
        assert!(event_texts(35, "app").is_none());
    }
}
