//! One timeline entry as one line of text, shared by the human output and JUnit's
//! `system-out`.

use crate::expect::duration::go_duration_signed;
use crate::scenario::{Target, WorkloadKind};
use crate::timeline::{ContainerRef, Signal};

/// How a line should look when colour is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// A container started.
    Good,
    /// A container ended.
    Bad,
    /// Back-off, an error waiting reason, a Warning event.
    Warn,
    Plain,
    /// Background detail: logs, deletions.
    Dim,
}

/// `exit 137 OOMKilled`, `back-off 10s before restart 2`, `event BackOff: Back-off …`, with a
/// `container: ` prefix for anything that is not the target (when the target is known).
pub fn signal_line(signal: &Signal, target: Option<&Target>) -> (String, Tone) {
    let (text, tone) = match signal {
        Signal::Started { restart_count, .. } => {
            (format!("started (restart {restart_count})"), Tone::Good)
        }
        Signal::Terminated {
            exit_code,
            reason,
            message,
            restart_count,
            ..
        } => {
            let mut text = format!("exit {exit_code}");
            if let Some(r) = reason.as_deref().filter(|r| !r.is_empty()) {
                text.push(' ');
                text.push_str(r);
            }
            text.push_str(&format!(" (restart {restart_count})"));
            if let Some(m) = first_line(message.as_deref()) {
                text.push_str(": ");
                text.push_str(m);
            }
            (text, Tone::Bad)
        }
        Signal::Waiting {
            reason, message, ..
        } => {
            let text = match first_line(message.as_deref()) {
                Some(m) => format!("waiting {reason}: {m}"),
                None => format!("waiting {reason}"),
            };
            let alarming = reason.ends_with("BackOff") || reason.ends_with("Error");
            (text, if alarming { Tone::Warn } else { Tone::Plain })
        }
        Signal::BackOff {
            restart, delay_s, ..
        } => (
            format!(
                "back-off {} before restart {restart}",
                go_duration_signed(*delay_s)
            ),
            Tone::Warn,
        ),
        Signal::Event {
            reason,
            message,
            type_,
            count,
            ..
        } => {
            let mut text = format!(
                "event {reason}: {}",
                first_line(Some(message)).unwrap_or_default()
            );
            if *count > 1 {
                text.push_str(&format!(" (×{count})"));
            }
            // Normal events (Pulled, Created, Started on every restart) are background.
            let tone = if type_ == "Warning" {
                Tone::Warn
            } else {
                Tone::Dim
            };
            (text, tone)
        }
        Signal::PreviousLogs {
            restart_count,
            text,
            ..
        } => {
            let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
            let text = match salient_line(&lines) {
                None => format!("previous logs (restart {restart_count}): empty"),
                Some(line) => format!(
                    "previous logs (restart {restart_count}, {} line{}): {line}",
                    lines.len(),
                    if lines.len() == 1 { "" } else { "s" }
                ),
            };
            (text, Tone::Dim)
        }
        Signal::PodDeleted { pod } => (format!("pod {pod} deleted"), Tone::Dim),
        Signal::PodCreated {
            pod,
            owner,
            revision,
            ..
        } => {
            let text = match (owner, revision) {
                (Some(owner), Some(rev)) => {
                    format!("pod {pod} created by {owner} (revision {rev})")
                }
                (Some(owner), None) => format!("pod {pod} created by {owner}"),
                _ => format!("pod {pod} created"),
            };
            (text, Tone::Dim)
        }
        Signal::Scheduled { pod, node } => (format!("pod {pod} on node {node}"), Tone::Dim),
        Signal::Ready { ready, .. } => {
            if *ready {
                ("ready".to_owned(), Tone::Good)
            } else {
                ("not ready".to_owned(), Tone::Warn)
            }
        }
        Signal::Step { index, name } => (format!("step {}: {name}", index + 1), Tone::Plain),
    };
    (format!("{}{text}", prefix(signal, target)), tone)
}

/// Names the container or object a signal is about, unless it is the target.
fn prefix(signal: &Signal, target: Option<&Target>) -> String {
    match signal {
        Signal::Started { container, .. }
        | Signal::Terminated { container, .. }
        | Signal::Waiting { container, .. }
        | Signal::BackOff { container, .. }
        | Signal::PreviousLogs { container, .. }
        | Signal::Ready { container, .. } => container_prefix(container, target),
        Signal::Event {
            object, field_path, ..
        } => {
            let container = field_path
                .as_deref()
                .and_then(crate::expect::field_path_container);
            match target {
                Some(t) if is_bare_target_pod(t, object.strip_prefix("Pod/")) => match container {
                    Some(c) if c != t.container => format!("{c}: "),
                    _ => String::new(),
                },
                _ => match container {
                    Some(c) => format!("{object} {c}: "),
                    None => format!("{object}: "),
                },
            }
        }
        Signal::PodDeleted { .. }
        | Signal::PodCreated { .. }
        | Signal::Scheduled { .. }
        | Signal::Step { .. } => String::new(),
    }
}

/// Whether `pod` is the target's bare Pod (whose name goes without saying). A workload's
/// pods are always named: which pod a signal came from is part of the story.
fn is_bare_target_pod(target: &Target, pod: Option<&str>) -> bool {
    let workload = target.workload();
    workload.kind == WorkloadKind::Pod && Some(workload.name) == pod
}

fn container_prefix(c: &ContainerRef, target: Option<&Target>) -> String {
    let kind = if c.init { "init " } else { "" };
    match target {
        Some(t) if is_bare_target_pod(t, Some(&c.pod)) && c.container == t.container => {
            String::new()
        }
        Some(t) if is_bare_target_pod(t, Some(&c.pod)) => format!("{kind}{}: ", c.container),
        _ => format!("{kind}{}/{}: ", c.pod, c.container),
    }
}

/// The log line a person wants first: the last one that reads like a failure, else the
/// last line. (stderr and stdout interleave, so the fatal line is not always last.)
pub fn salient_line<'a>(lines: &[&'a str]) -> Option<&'a str> {
    const WORDS: [&str; 8] = [
        "error",
        "fatal",
        "panic",
        "exception",
        "refused",
        "not found",
        "failed",
        "killed",
    ];
    lines
        .iter()
        .rev()
        .find(|l| {
            let l = l.to_lowercase();
            WORDS.iter().any(|w| l.contains(w))
        })
        .or(lines.last())
        .map(|l| l.trim_end())
}

fn first_line(text: Option<&str>) -> Option<&str> {
    text.and_then(|t| t.lines().find(|l| !l.trim().is_empty()))
        .map(str::trim_end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salient_line_prefers_failures() {
        // As recorded (exit-1): stderr's fatal line came out before stdout's lines.
        let lines = [
            "fatal: config file /etc/app/config.yaml not found",
            "starting app v1.4.2",
            "loading configuration",
        ];
        assert_eq!(salient_line(&lines), Some(lines[0]));
        assert_eq!(
            salient_line(&["allocated 48 MiB", "allocated 56 MiB"]),
            Some("allocated 56 MiB")
        );
        assert_eq!(salient_line(&[]), None);
    }
}
