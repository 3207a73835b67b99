//! The live view as a person sees it: `crashlab run oom` in a real terminal (a tmux pane, so
//! stdout is a terminal), the story narrated, the back-off counted down in place and erased,
//! and `--pause` stopping at each phase until Enter.
//!
//! Needs root, tmux and the local cluster (brought up here when it is not running);
//! `#[ignore]`d like every test that needs a cluster, and never skipped by
//! `--include-ignored`.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::{self, LOCAL_CONTEXT as CONTEXT, ensure_local_cluster};

struct Pane {
    session: String,
}

impl Pane {
    /// A detached 200×60 tmux session running `args` under crashlab, kept open after it ends.
    fn start(name: &str, args: &str) -> Pane {
        let session = format!("crashlab-test-{name}-{}", std::process::id());
        let exe = env!("CARGO_BIN_EXE_crashlab");
        let (name, off) = support::RELEASE_DOWNLOAD_OFF;
        let cmd = format!("{name}={off} {exe} {args}; echo; echo EXIT=$?; sleep 600");
        let tmux = support::program_from_apt("tmux", "tmux");
        let ok = Command::new(&tmux)
            .args(["new-session", "-d", "-s", &session, "-x", "200", "-y", "60"])
            .arg(&cmd)
            .env_remove("NO_COLOR")
            .status()
            .unwrap();
        assert!(ok.success());
        Command::new("tmux")
            .args(["set-option", "-t", &session, "history-limit", "10000"])
            .status()
            .unwrap();
        Pane { session }
    }

    /// The whole pane, scrollback included, without escape sequences.
    fn text(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-J", "-S", "-", "-t", &self.session])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the pane shows `needle`; the pane text then.
    fn wait_for(&self, needle: &str, limit: Duration) -> String {
        let start = Instant::now();
        loop {
            let text = self.text();
            if text.contains(needle) {
                return text;
            }
            assert!(
                start.elapsed() < limit,
                "{needle:?} not shown within {limit:?}; the pane:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn enter(&self) {
        Command::new("tmux")
            .args(["send-keys", "-t", &self.session, "Enter"])
            .status()
            .unwrap();
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.session])
            .status();
    }
}

#[test]
#[ignore = "needs root, tmux and the local cluster"]
fn run_oom_in_a_terminal_tells_the_story_and_counts_the_back_off_down() {
    let _cluster = support::shared();
    let _slot = support::slot(56);
    ensure_local_cluster();
    let pane = Pane::start("story", &format!("run oom --context {CONTEXT}"));
    // The countdown is live: seen while the kubelet waits, with a number that goes down.
    let first = pane.wait_for("until the kubelet restarts it", Duration::from_secs(120));
    let left = |text: &str| -> Option<u64> {
        let line = text
            .lines()
            .rev()
            .find(|l| l.contains("until the kubelet restarts it"))?;
        line.split('⏳')
            .nth(1)?
            .trim()
            .split('s')
            .next()?
            .parse()
            .ok()
    };
    let a = left(&first).expect("a countdown number");
    std::thread::sleep(Duration::from_millis(2500));
    let second = pane.text();
    if let Some(b) = left(&second) {
        assert!(
            b < a,
            "the countdown did not go down: {a} then {b}\n{second}"
        );
    }
    let end = pane.wait_for("EXIT=", Duration::from_secs(240));
    assert!(end.contains("EXIT=0"), "{end}");
    for needle in [
        "oom: The app allocates memory past its 64Mi limit",
        "■ instance 1 ended",
        "exit 137 OOMKilled",
        "kubectl get pod → app  0/1  OOMKilled",
        "CrashLoopBackOff: the kubelet waits",
        "$ kubectl describe pod app",
        "Last State:     Terminated",
        "$ kubectl logs app",
        "diagnosis:",
        "oom  PASS",
    ] {
        assert!(end.contains(needle), "{needle:?} missing:\n{end}");
    }
    // Each countdown was erased before the next line: none is left on the screen.
    assert!(!end.contains('⏳'), "a countdown was left behind:\n{end}");
}

#[test]
#[ignore = "needs root, tmux and the local cluster"]
fn pause_stops_at_each_phase_until_enter() {
    let _cluster = support::shared();
    let _slot = support::slot(59);
    ensure_local_cluster();
    let pane = Pane::start("pause", &format!("run oom --pause --context {CONTEXT}"));
    let at_crash = pane.wait_for("next: the first crash", Duration::from_secs(120));
    // Stopped: while the prompt waits, the story does not go on (the cluster does).
    std::thread::sleep(Duration::from_secs(15));
    let still = pane.text();
    assert_eq!(
        still.matches("■ instance").count(),
        at_crash.matches("■ instance").count(),
        "the story went on without Enter:\n{still}"
    );
    pane.enter();
    pane.wait_for("next: the crash loop", Duration::from_secs(120));
    pane.enter();
    pane.wait_for("next: what kubectl shows", Duration::from_secs(180));
    pane.enter();
    let end = pane.wait_for("EXIT=", Duration::from_secs(120));
    assert!(end.contains("EXIT=0"), "{end}");
    assert!(end.contains("$ kubectl describe pod app"), "{end}");
}
