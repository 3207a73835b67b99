//! The cluster the end-to-end tests share, and who may use it when.
//!
//! Every test that touches the local cluster holds a guard for its whole run: [`shared`] for
//! a test that only runs scenarios in namespaces of its own, [`exclusive`] for a test that
//! disturbs the cluster for everyone (kills the API server, freezes containerd, takes the
//! cluster down, collects every dead run's leftovers, switches the kubeconfig to a kind
//! cluster). An exclusive test waits until no other cluster test runs, and no cluster test
//! starts while it runs. Shared tests go first: a shared test enters whenever no exclusive
//! test holds the cluster, so the exclusive ones run one after another once the shared ones
//! (all started early, the binary runs many tests at once) are done, instead of stopping every
//! shared test each time one of them gets a thread.
//!
//! [`heavy`] bounds how many whole-catalogue runs share the node (two, as CI has always run
//! them), so that the timing checks (the back-off curve of `oom`) hold under the load.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Instant;

use super::{Run, crashlab, timings};

/// The local provider's context.
pub const LOCAL_CONTEXT: &str = "crashlab-local";

/// How many whole-catalogue runs may share the node at once.
const HEAVY_SLOTS: usize = 2;

#[derive(Default)]
struct State {
    readers: usize,
    writer: bool,
    heavy: usize,
    /// Bumped when an exclusive test ends: it may have taken the cluster down.
    epoch: u64,
}

static STATE: Mutex<State> = Mutex::new(State {
    readers: 0,
    writer: false,
    heavy: 0,
    epoch: 0,
});
static CHANGED: Condvar = Condvar::new();

fn state() -> MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(|e| e.into_inner())
}

fn wait_until(mut ready: impl FnMut(&State) -> bool) -> MutexGuard<'static, State> {
    let mut s = state();
    while !ready(&s) {
        s = CHANGED.wait(s).unwrap_or_else(|e| e.into_inner());
    }
    s
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Shared,
    Exclusive,
    Heavy,
}

/// Held for as long as a test uses the cluster; released when dropped (also on panic).
#[must_use = "the cluster is held only while the guard lives"]
pub struct ClusterGuard {
    kind: Kind,
    asked: Instant,
    got: Instant,
}

impl ClusterGuard {
    fn new(kind: Kind, asked: Instant) -> ClusterGuard {
        ClusterGuard {
            kind,
            asked,
            got: Instant::now(),
        }
    }
}

impl Drop for ClusterGuard {
    fn drop(&mut self) {
        {
            let mut s = state();
            match self.kind {
                Kind::Shared => s.readers -= 1,
                Kind::Exclusive => {
                    s.writer = false;
                    s.epoch += 1;
                }
                Kind::Heavy => s.heavy -= 1,
            }
        }
        CHANGED.notify_all();
        timings::record(
            &format!("{:?}", self.kind).to_lowercase(),
            self.asked,
            self.got,
        );
    }
}

/// The cluster, shared with the other shared tests; waits while an exclusive test holds it.
pub fn shared() -> ClusterGuard {
    let asked = Instant::now();
    let mut s = wait_until(|s| !s.writer);
    s.readers += 1;
    ClusterGuard::new(Kind::Shared, asked)
}

/// The cluster alone: waits until no other cluster test runs.
pub fn exclusive() -> ClusterGuard {
    let asked = Instant::now();
    let mut s = wait_until(|s| !s.writer && s.readers == 0);
    s.writer = true;
    ClusterGuard::new(Kind::Exclusive, asked)
}

/// One of the node's [`HEAVY_SLOTS`] for a whole catalogue at once; held together with
/// [`shared`] (take `shared` first).
pub fn heavy() -> ClusterGuard {
    let asked = Instant::now();
    let mut s = wait_until(|s| s.heavy < HEAVY_SLOTS);
    s.heavy += 1;
    ClusterGuard::new(Kind::Heavy, asked)
}

/// Brings the local cluster up when it is not (`crashlab cluster up`, which installs the host
/// packages and builds the Kubernetes binaries on a fresh machine): once per process, and again
/// after an exclusive test (it may have taken the cluster down or killed parts of it).
pub fn ensure_local_cluster() {
    static UP: Mutex<Option<u64>> = Mutex::new(None);
    let mut up = UP.lock().unwrap_or_else(|e| e.into_inner());
    let epoch = state().epoch;
    if *up == Some(epoch) {
        return;
    }
    bring_local_cluster_up();
    *up = Some(epoch);
}

/// `crashlab cluster up`, every time (after a fault, to wait until the cluster serves again).
pub fn bring_local_cluster_up() {
    let mut c = crashlab();
    c.args(["cluster", "up"]);
    Run::new(c).expect_code(0);
}

/// The context end-to-end tests run on: CRASHLAB_E2E_CONTEXT, else the local cluster (brought
/// up first).
pub fn e2e_context() -> String {
    std::env::var("CRASHLAB_E2E_CONTEXT").unwrap_or_else(|_| {
        ensure_local_cluster();
        LOCAL_CONTEXT.to_owned()
    })
}

/// `--context X` for [`e2e_context`], named explicitly since the current context may be gone
/// (the kind test deletes its cluster and its context).
pub fn context_args() -> Vec<String> {
    vec!["--context".to_owned(), e2e_context()]
}
