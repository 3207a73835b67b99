//! Who made a namespace: the host, boot, process and crashlab version, written into its
//! annotations at creation, so that `crashlab gc` (and the next run) can tell a live run's
//! namespaces from those of a run that was killed (`kill -9`, a crashed CI runner).
//!
//! A process is the owner only if the same process is still running: same host name, same
//! boot (`/proc/sys/kernel/random/boot_id`), same PID, and the same process start time
//! (`/proc/PID/stat` field 22, clock ticks since boot), so a recycled PID is not mistaken for
//! the run that died.

use std::collections::BTreeMap;

use jiff::Timestamp;

/// Annotation keys.
pub const HOST_ANNOTATION: &str = "crashlab.dev/owner-host";
pub const BOOT_ANNOTATION: &str = "crashlab.dev/owner-boot-id";
pub const PID_ANNOTATION: &str = "crashlab.dev/owner-pid";
pub const PID_START_ANNOTATION: &str = "crashlab.dev/owner-pid-start";
pub const STARTED_ANNOTATION: &str = "crashlab.dev/owner-started-at";
pub const VERSION_ANNOTATION: &str = "crashlab.dev/owner-version";
/// Set to `"true"` on namespaces kept on purpose (`run --keep`, `reproduce`): they outlive
/// their owner, so gc deletes them only by age (`--older-than`) or by name (`--namespace`).
pub const KEPT_ANNOTATION: &str = "crashlab.dev/kept";

/// The process that created a namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub host: String,
    /// Empty where the platform has no boot ID (macOS).
    pub boot_id: String,
    pub pid: u32,
    /// Process start time in clock ticks since boot; 0 where unknown.
    pub pid_start: u64,
    pub started_at: Timestamp,
    pub version: String,
}

impl Owner {
    /// This process.
    pub fn current() -> Owner {
        static CURRENT: std::sync::OnceLock<Owner> = std::sync::OnceLock::new();
        CURRENT
            .get_or_init(|| {
                let pid = std::process::id();
                Owner {
                    host: host_name(),
                    boot_id: boot_id(),
                    pid,
                    pid_start: process_start(pid).unwrap_or_default(),
                    started_at: Timestamp::now(),
                    version: env!("CARGO_PKG_VERSION").to_owned(),
                }
            })
            .clone()
    }

    pub fn annotations(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            (HOST_ANNOTATION.to_owned(), self.host.clone()),
            (BOOT_ANNOTATION.to_owned(), self.boot_id.clone()),
            (PID_ANNOTATION.to_owned(), self.pid.to_string()),
            (PID_START_ANNOTATION.to_owned(), self.pid_start.to_string()),
            (STARTED_ANNOTATION.to_owned(), self.started_at.to_string()),
            (VERSION_ANNOTATION.to_owned(), self.version.clone()),
        ])
    }

    /// The owner recorded in a namespace's annotations; `None` when they are missing or
    /// unreadable (a namespace of an older crashlab, or one edited by hand).
    pub fn from_annotations(a: &BTreeMap<String, String>) -> Option<Owner> {
        Some(Owner {
            host: a.get(HOST_ANNOTATION)?.clone(),
            boot_id: a.get(BOOT_ANNOTATION).cloned().unwrap_or_default(),
            pid: a.get(PID_ANNOTATION)?.parse().ok()?,
            pid_start: a
                .get(PID_START_ANNOTATION)
                .and_then(|s| s.parse().ok())
                .unwrap_or_default(),
            started_at: a.get(STARTED_ANNOTATION)?.parse().ok()?,
            version: a.get(VERSION_ANNOTATION).cloned().unwrap_or_default(),
        })
    }

    /// Whether this owner is a process of this host, this boot.
    pub fn is_this_host_and_boot(&self, here: &Owner) -> bool {
        self.host == here.host && self.boot_id == here.boot_id
    }
}

/// Whether the process `owner` names is still running on this host (call only when
/// [`Owner::is_this_host_and_boot`] holds).
pub fn is_running(owner: &Owner) -> bool {
    match process_start(owner.pid) {
        None => false,
        // Unknown start times (0) cannot tell a recycled PID apart: assume alive.
        Some(start) => owner.pid_start == 0 || start == owner.pid_start,
    }
}

fn host_name() -> String {
    nix::unistd::gethostname()
        .ok()
        .and_then(|h| h.into_string().ok())
        .unwrap_or_else(|| "unknown".to_owned())
}

fn boot_id() -> String {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

/// Field 22 of `/proc/PID/stat` (start time); `None` when no such process exists. On systems
/// without /proc, `Some(0)` when the process exists (kill 0 succeeds).
fn process_start(pid: u32) -> Option<u64> {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The command name (field 2) is in parentheses and may contain spaces: count from
        // the last `)`.
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(19))
            .and_then(|s| s.parse().ok()),
        Err(_) if !std::path::Path::new("/proc/self/stat").exists() => {
            let pid = nix::unistd::Pid::from_raw(i32::try_from(pid).ok()?);
            nix::sys::signal::kill(pid, None).ok().map(|()| 0)
        }
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_round_trip() {
        let me = Owner::current();
        assert_eq!(Owner::from_annotations(&me.annotations()), Some(me.clone()));
        assert!(me.pid_start > 0, "{me:?}");
        assert!(is_running(&me));
    }

    #[test]
    fn a_dead_or_recycled_pid_is_not_running() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        let start = process_start(pid).unwrap_or_default();
        child.wait().unwrap();
        let dead = Owner {
            pid,
            pid_start: start,
            ..Owner::current()
        };
        assert!(!is_running(&dead));
        let recycled = Owner {
            pid_start: Owner::current().pid_start + 1,
            ..Owner::current()
        };
        assert!(!is_running(&recycled));
    }

    #[test]
    fn missing_annotations_mean_no_owner() {
        let mut a = Owner::current().annotations();
        a.remove(PID_ANNOTATION);
        assert_eq!(Owner::from_annotations(&a), None);
    }
}
