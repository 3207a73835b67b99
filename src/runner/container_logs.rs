//! Reading a container's logs through the API server, one way for the whole program: the
//! runner's previous-log fetches and `crashlab diagnose` ask the same question and read the
//! answer the same way (the same tail, the same test for a removed container).

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, LogParams};

/// How much of a container's log is kept: its tail, like `kubectl logs --tail`, because a
/// crash explains itself at the end and recordings should stay small.
pub const LOG_TAIL_LINES: i64 = 500;

/// What the kubelet said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogRead {
    Text(String),
    /// The instance's container was removed: its logs are gone for good.
    Removed(String),
    /// The request failed (the API's own message); worth another try.
    Failed(String),
}

/// `kubectl logs POD -c CONTAINER [--previous] --tail LOG_TAIL_LINES`.
pub async fn read_logs(api: &Api<Pod>, pod: &str, container: &str, previous: bool) -> LogRead {
    let params = LogParams {
        container: Some(container.to_owned()),
        previous,
        tail_lines: Some(LOG_TAIL_LINES),
        ..Default::default()
    };
    match api.logs(pod, &params).await {
        Ok(text) if is_removed_notice(&text) => LogRead::Removed(text.trim_end().to_owned()),
        Ok(text) => LogRead::Text(text),
        Err(e) => LogRead::Failed(super::api_message::api_message(&e)),
    }
}

/// The kubelet answers 200 with this one line, instead of logs, when the container has been
/// removed (seen on a 1.34 kubelet; `kubectl logs --previous` prints it as if it were logs).
pub fn is_removed_notice(text: &str) -> bool {
    let text = text.trim_end();
    text.starts_with("unable to retrieve container logs for ") && !text.contains('\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kubelets_removed_container_notice_is_not_a_log() {
        assert!(is_removed_notice(
            "unable to retrieve container logs for containerd://dae49006346e3d5de254829251e1ce74753bbdbf648474eb13fb37301c228672"
        ));
        assert!(is_removed_notice(
            "unable to retrieve container logs for containerd://x\n"
        ));
        assert!(!is_removed_notice(
            "starting app v1.4.2\nunable to retrieve container logs for containerd://x"
        ));
        assert!(!is_removed_notice(
            "fatal: config file /etc/app/config.yaml not found\n"
        ));
    }
}
