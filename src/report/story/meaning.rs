//! What an exit code, termination reason or waiting reason means, in one phrase a newcomer
//! can follow.

/// Why instance ended, from its exit code and reason (`OOMKilled`, `Error`, `StartError`, ...).
pub fn termination(exit_code: i32, reason: Option<&str>) -> String {
    match (reason.unwrap_or(""), exit_code) {
        ("OOMKilled", _) => {
            "the kernel's OOM killer ended it: the container reached its memory limit".to_owned()
        }
        ("StartError" | "ContainerCannotRun", _) => {
            "the runtime could not start the process (bad command or image)".to_owned()
        }
        ("Completed", 0) | (_, 0) => {
            "the process finished successfully, but the pod wants it running, so it is restarted"
                .to_owned()
        }
        (_, 137) => {
            "SIGKILL (128 + 9), not the OOM killer: killed after its grace period".to_owned()
        }
        (_, 143) => "SIGTERM (128 + 15): it was asked to stop, and did".to_owned(),
        (_, 139) => "SIGSEGV (128 + 11): the process crashed on a bad memory access".to_owned(),
        (_, 134) => "SIGABRT (128 + 6): the process aborted itself".to_owned(),
        (_, code) if code > 128 => {
            format!("killed by signal {} (128 + {})", code - 128, code - 128)
        }
        (_, _) => "the app exited with an error; its logs say why".to_owned(),
    }
}

/// The nominal delay the kubelet announced in a CrashLoopBackOff message
/// (`back-off 20s restarting failed container=…`), in seconds.
pub fn announced_backoff(message: Option<&str>) -> Option<u64> {
    let rest = message?.strip_prefix("back-off ")?;
    let word = rest.split_whitespace().next()?;
    parse_go_duration(word)
}

/// `20s`, `1m20s`, `5m0s` → seconds.
fn parse_go_duration(s: &str) -> Option<u64> {
    let mut total = 0u64;
    let mut num = String::new();
    for ch in s.chars() {
        if ch.is_ascii_digit() {
            num.push(ch);
            continue;
        }
        let n: u64 = num.parse().ok()?;
        num.clear();
        total += match ch {
            'h' => n * 3600,
            'm' => n * 60,
            's' => n,
            _ => return None,
        };
    }
    num.is_empty().then_some(total)
}

/// An event message without the pod's namespace and UID (`in pod app_ns(uid)` → `in pod
/// app`), which say nothing to a person reading the story.
pub fn short_message(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find("in pod ") {
        let (head, tail) = rest.split_at(i + "in pod ".len());
        out.push_str(head);
        let end = tail.find(char::is_whitespace).unwrap_or(tail.len());
        let word = &tail[..end];
        match (word.find('_'), word.ends_with(')')) {
            (Some(u), true) => out.push_str(&word[..u]),
            _ => out.push_str(word),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_announced_backoff() {
        let m = "back-off 20s restarting failed container=app pod=app_ns(a75d)";
        assert_eq!(announced_backoff(Some(m)), Some(20));
        assert_eq!(
            announced_backoff(Some("back-off 2m40s restarting failed")),
            Some(160)
        );
        assert_eq!(announced_backoff(Some("something else")), None);
        assert_eq!(announced_backoff(None), None);
    }

    #[test]
    fn shortens_pod_references() {
        assert_eq!(
            short_message(
                "Back-off restarting failed container app in pod app_crashlab-oom-g4rqn(a75df498-8747)"
            ),
            "Back-off restarting failed container app in pod app"
        );
        assert_eq!(
            short_message("Started container app"),
            "Started container app"
        );
    }
}
