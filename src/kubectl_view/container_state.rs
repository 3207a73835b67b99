//! The container block of `kubectl describe pod`: State, Last State, Ready and Restart Count
//! (`describeContainerState` and `describeStatus` in k8s.io/kubectl pkg/describe).

use jiff::Timestamp;
use jiff::tz::TimeZone;
use k8s_openapi::api::core::v1::{ContainerState, ContainerStatus, Pod};

/// The status of container `name` of `pod`, init containers included.
pub fn container_status<'a>(pod: &'a Pod, name: &str) -> Option<&'a ContainerStatus> {
    let status = pod.status.as_ref()?;
    status
        .container_statuses
        .iter()
        .chain(status.init_container_statuses.iter())
        .flatten()
        .find(|c| c.name == name)
}

/// `(level, label, value)` lines, level 0 for `State:` and 1 for its details, as describe
/// prints them at its levels 2 and 3. Times in `tz` (kubectl prints its local zone).
pub fn container_state_lines(
    status: &ContainerStatus,
    tz: &TimeZone,
) -> Vec<(usize, String, String)> {
    let mut lines = Vec::new();
    state_lines("State", status.state.as_ref(), tz, &mut lines);
    if let Some(last) = status
        .last_state
        .as_ref()
        .filter(|s| s.terminated.is_some())
    {
        state_lines("Last State", Some(last), tz, &mut lines);
    }
    let ready = if status.ready { "True" } else { "False" };
    lines.push((0, "Ready".to_owned(), ready.to_owned()));
    lines.push((
        0,
        "Restart Count".to_owned(),
        status.restart_count.to_string(),
    ));
    lines
}

fn state_lines(
    name: &str,
    state: Option<&ContainerState>,
    tz: &TimeZone,
    out: &mut Vec<(usize, String, String)>,
) {
    let top = |v: &str| (0, name.to_owned(), v.to_owned());
    let detail = |l: &str, v: String| (1, l.to_owned(), v);
    let state = state.cloned().unwrap_or_default();
    if let Some(r) = &state.running {
        out.push(top("Running"));
        out.push(detail(
            "Started",
            rfc1123z(r.started_at.as_ref().map(|t| t.0), tz),
        ));
    } else if let Some(w) = &state.waiting {
        out.push(top("Waiting"));
        if let Some(reason) = w.reason.as_deref().filter(|r| !r.is_empty()) {
            out.push(detail("Reason", reason.to_owned()));
        }
    } else if let Some(t) = &state.terminated {
        out.push(top("Terminated"));
        if let Some(reason) = t.reason.as_deref().filter(|r| !r.is_empty()) {
            out.push(detail("Reason", reason.to_owned()));
        }
        if let Some(m) = t.message.as_deref().filter(|m| !m.is_empty()) {
            out.push(detail("Message", m.to_owned()));
        }
        out.push(detail("Exit Code", t.exit_code.to_string()));
        if let Some(sig) = t.signal.filter(|s| *s > 0) {
            out.push(detail("Signal", sig.to_string()));
        }
        out.push(detail(
            "Started",
            rfc1123z(t.started_at.as_ref().map(|t| t.0), tz),
        ));
        out.push(detail(
            "Finished",
            rfc1123z(t.finished_at.as_ref().map(|t| t.0), tz),
        ));
    } else {
        out.push(top("Waiting"));
    }
}

/// Go's `time.RFC1123Z` (`Mon, 02 Jan 2006 15:04:05 -0700`); a missing time prints as Go's
/// zero time does.
fn rfc1123z(t: Option<Timestamp>, tz: &TimeZone) -> String {
    match t {
        Some(t) => t
            .to_zoned(tz.clone())
            .strftime("%a, %d %b %Y %H:%M:%S %z")
            .to_string(),
        None => "Mon, 01 Jan 0001 00:00:00 +0000".to_owned(),
    }
}
