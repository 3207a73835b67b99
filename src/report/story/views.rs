//! The decisive moment: what `kubectl get pod`, `kubectl describe pod` (the container's state
//! and the Events) and `kubectl logs --previous` would print, from the objects the watch
//! delivered last, and the commands to type next.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::kubectl_view::{
    PodRow, align, container_state_lines, container_status, events_table, logs_tail, pod_events,
};

use super::scenario_story::Seen;

/// How many lines of `logs --previous` to show.
const LOG_LINES: usize = 8;

/// The views for container `container` of pod `pod` in `namespace`, at the last observation.
/// `None` when the pod was never seen.
pub fn kubectl_views(
    seen: &Seen,
    namespace: &str,
    pod: &str,
    container: &str,
    tz: &TimeZone,
) -> Option<Vec<String>> {
    let p = seen.pods.get(pod)?;
    let now = seen.last_at.unwrap_or_else(Timestamp::now);
    let mut out = Vec::new();
    out.push(format!("$ kubectl get pod {pod} -n {namespace}"));
    out.extend(PodRow::table(&[PodRow::of(p, now)]));

    out.push(String::new());
    out.push(format!(
        "$ kubectl describe pod {pod} -n {namespace}   (container {container} and Events; the rest left out)"
    ));
    if let Some(status) = container_status(p, container) {
        let init = p
            .status
            .as_ref()
            .and_then(|s| s.init_container_statuses.as_ref())
            .is_some_and(|s| s.iter().any(|c| c.name == container));
        let mut rows = vec![
            vec![
                if init {
                    "Init Containers:"
                } else {
                    "Containers:"
                }
                .to_owned(),
            ],
            vec![format!("  {container}:")],
        ];
        for (level, label, value) in container_state_lines(status, tz) {
            let indent = "  ".repeat(level + 2);
            rows.push(vec![format!("{indent}{label}:"), value]);
        }
        // describe's tabwriter: min width 0, padding 2.
        out.extend(align(&rows, 0, 2));
    }
    let uid = p.metadata.uid.as_deref();
    let events = pod_events(&seen.events, pod, uid);
    out.extend(events_table(&events, now));

    if let Some((restart, text)) = seen.logs.get(&(pod.to_owned(), container.to_owned())) {
        let (tail, total) = logs_tail(text, LOG_LINES);
        out.push(String::new());
        let shown = if total > tail.len() {
            format!(
                "   (last {} of {total} lines, instance {restart})",
                tail.len()
            )
        } else {
            format!("   (instance {restart})")
        };
        let c = if p.spec.as_ref().is_some_and(|s| s.containers.len() > 1)
            || p.spec.as_ref().is_some_and(|s| s.init_containers.is_some())
        {
            format!(" -c {container}")
        } else {
            String::new()
        };
        // A container that is not restarted (`restartPolicy: Never`, a finished pod) keeps
        // its terminated instance in `state`: plain `kubectl logs` reads it, and
        // `--previous` finds nothing.
        let final_instance = p.spec.as_ref().and_then(|s| s.restart_policy.as_deref())
            == Some("Never")
            || p.status
                .as_ref()
                .and_then(|s| s.phase.as_deref())
                .is_some_and(|ph| matches!(ph, "Failed" | "Succeeded"));
        let previous = if final_instance { "" } else { " --previous" };
        out.push(format!(
            "$ kubectl logs {pod} -n {namespace}{c}{previous}{shown}"
        ));
        out.extend(tail.iter().map(|l| l.to_string()));
    }
    Some(out)
}
