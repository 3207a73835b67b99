//! Which container of a pod to diagnose, and which of its logs tell why it last stopped.

use k8s_openapi::api::core::v1::{Container, ContainerStateTerminated, ContainerStatus, Pod};

use super::error::{Error, Result};

/// Waiting reasons of a container that is merely starting, not in trouble.
const STARTING: [&str; 2] = ["ContainerCreating", "PodInitializing"];

/// The container named `wanted`, or else the one in the most trouble: a problem waiting
/// reason or a failed termination first, then the most restarts, then spec order (init
/// containers before app containers, as they run).
pub fn pick_container(pod: &Pod, wanted: Option<&str>) -> Result<String> {
    let names = all_names(pod);
    if let Some(w) = wanted {
        return if names.iter().any(|n| n == w) {
            Ok(w.to_owned())
        } else {
            Err(Error::NoSuchContainer {
                pod: pod_name(pod),
                container: w.to_owned(),
                known: names,
            })
        };
    }
    let trouble = |name: &str| {
        let Some(s) = status(pod, name) else {
            return (false, 0);
        };
        let waiting = s
            .state
            .as_ref()
            .and_then(|st| st.waiting.as_ref())
            .and_then(|w| w.reason.as_deref())
            .is_some_and(|r| !STARTING.contains(&r));
        let failed = last_termination(s).is_some_and(|t| t.exit_code != 0 || s.restart_count > 0);
        (waiting || failed, s.restart_count)
    };
    let mut best: Option<(&String, (bool, i32))> = None;
    for name in &names {
        let t = trouble(name);
        if best.is_none_or(|(_, b)| t > b) {
            best = Some((name, t));
        }
    }
    best.map(|(n, _)| n.clone())
        .ok_or_else(|| Error::NoContainers { pod: pod_name(pod) })
}

/// Which logs show the last terminated instance, if there is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogsRequest {
    /// `--previous`: the instance before the current one. `false` when the current instance is
    /// the one that terminated (it has not been restarted yet).
    pub previous: bool,
}

pub fn logs_request(pod: &Pod, container: &str) -> Option<LogsRequest> {
    let s = status(pod, container)?;
    let state = s.state.as_ref();
    if state.is_some_and(|st| st.terminated.is_some()) {
        Some(LogsRequest { previous: false })
    } else if s
        .last_state
        .as_ref()
        .is_some_and(|l| l.terminated.is_some())
    {
        Some(LogsRequest { previous: true })
    } else {
        None
    }
}

/// The status of container `name` (app or init).
pub(crate) fn status<'a>(pod: &'a Pod, name: &str) -> Option<&'a ContainerStatus> {
    let st = pod.status.as_ref()?;
    st.container_statuses
        .iter()
        .flatten()
        .chain(st.init_container_statuses.iter().flatten())
        .find(|s| s.name == name)
}

/// The spec of container `name` (app or init), and whether it is an init container.
pub(crate) fn spec<'a>(pod: &'a Pod, name: &str) -> Option<(&'a Container, bool)> {
    let sp = pod.spec.as_ref()?;
    sp.containers
        .iter()
        .map(|c| (c, false))
        .chain(sp.init_containers.iter().flatten().map(|c| (c, true)))
        .find(|(c, _)| c.name == name)
}

/// The newest termination: the current state when it is terminated, else the last state.
pub(crate) fn last_termination(s: &ContainerStatus) -> Option<&ContainerStateTerminated> {
    s.state
        .as_ref()
        .and_then(|st| st.terminated.as_ref())
        .or_else(|| s.last_state.as_ref().and_then(|l| l.terminated.as_ref()))
}

pub(crate) fn pod_name(pod: &Pod) -> String {
    pod.metadata.name.clone().unwrap_or_default()
}

fn all_names(pod: &Pod) -> Vec<String> {
    let Some(sp) = &pod.spec else {
        return Vec::new();
    };
    sp.init_containers
        .iter()
        .flatten()
        .chain(sp.containers.iter())
        .map(|c| c.name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::tests::pod;

    const TWO: &str = r#"
metadata: {name: web}
spec:
  containers: [{name: proxy}, {name: app}]
status:
  containerStatuses:
    - {name: proxy, ready: true, restartCount: 0, image: x, imageID: x, state: {running: {}}}
    - name: app
      ready: false
      restartCount: 4
      image: x
      imageID: x
      state: {waiting: {reason: CrashLoopBackOff}}
      lastState: {terminated: {exitCode: 1}}
"#;

    #[test]
    fn the_container_in_trouble_is_picked() {
        let p = pod(TWO);
        assert_eq!(pick_container(&p, None).unwrap(), "app");
        assert_eq!(pick_container(&p, Some("proxy")).unwrap(), "proxy");
        let err = pick_container(&p, Some("db")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "pod `web` has no container `db`; its containers: proxy, app"
        );
    }

    #[test]
    fn logs_come_from_the_instance_that_last_terminated() {
        let p = pod(TWO);
        assert_eq!(
            logs_request(&p, "app"),
            Some(LogsRequest { previous: true })
        );
        assert_eq!(logs_request(&p, "proxy"), None);
        let just_died = pod(&TWO.replace(
            "state: {waiting: {reason: CrashLoopBackOff}}",
            "state: {terminated: {exitCode: 1}}",
        ));
        assert_eq!(
            logs_request(&just_died, "app"),
            Some(LogsRequest { previous: false })
        );
    }
}
