//! The cluster the end-to-end tests share, and who may use it when.
//!
//! Every test that touches the local cluster holds a guard for its whole run: [`shared`] for
//! a test that only runs scenarios in namespaces of its own, [`exclusive`] for a test that
//! disturbs the cluster for everyone (kills its API server, freezes its containerd, collects
//! every dead run's leftovers), [`alone`] for one that needs the whole machine still (takes
//! the cluster down and compares the host's mounts, iptables and processes). An exclusive test
//! waits until no other cluster test runs, and no cluster test starts while it runs. Shared
//! tests go first: a shared test enters whenever no exclusive test holds the cluster, so the
//! exclusive ones run one after another once the shared ones (all started early, the binary
//! runs many tests at once) are done, instead of stopping every shared test each time one of
//! them gets a thread. The kind tests ([`beside_the_tail`]) wait for the shared ones too, then
//! run beside the exclusive ones, which disturb only the local cluster, but not beside
//! [`alone`].
//!
//! [`heavy`] bounds how many whole-catalogue runs share the node (two, as CI has always run
//! them) and [`slot`] how many tests that start scenarios of their own run beside them (four,
//! as many as the four test threads each binary had before they were merged), so that the
//! timing checks (the back-off curve of `oom`: its first restart within 12 s) hold under the
//! load. Measured: with every such test at once (14 beside the two catalogues, the first
//! minute), `oom`'s first restart took 4 s; with three catalogues and five such tests, 13 s,
//! past the 12 s its curve allows (CI, 2026-12-06), so two and four stay. Each holder says how
//! long it expects to hold its slot (its time in CI), and a freed slot goes to the longest one
//! waiting, so that the lanes end close together whatever order the tests started in.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Instant;

use super::{Run, crashlab, timings};

/// The local provider's context.
pub const LOCAL_CONTEXT: &str = "crashlab-local";

/// How many whole-catalogue runs may share the node at once.
const HEAVY_SLOTS: usize = 2;
/// How many tests that start scenarios of their own may run at once.
const SLOTS: usize = 4;

#[derive(Default)]
struct State {
    readers: usize,
    writer: bool,
    /// The writer wants the whole machine ([`alone`]), kind tests included.
    whole: bool,
    /// Kind tests under way ([`beside_the_tail`]).
    beside: usize,
    heavy: usize,
    /// How long each test waiting for a heavy slot expects to hold it, in seconds.
    heavy_waiting: Vec<u64>,
    slots: usize,
    /// How long each test waiting for a slot expects to hold it, in seconds.
    slot_waiting: Vec<u64>,
    /// Bumped when an exclusive holder lets go: it may have taken the cluster down.
    epoch: u64,
}

/// Shared and exclusive holders (shared ones first), and the heavy slots.
pub struct Lock {
    state: Mutex<State>,
    changed: Condvar,
    heavy_slots: usize,
    slots: usize,
}

/// The one lock of the local cluster, for every test of the process.
static CLUSTER: Lock = Lock::new(HEAVY_SLOTS, SLOTS);

impl Lock {
    pub const fn new(heavy_slots: usize, slots: usize) -> Lock {
        Lock {
            state: Mutex::new(State {
                readers: 0,
                writer: false,
                whole: false,
                beside: 0,
                heavy: 0,
                heavy_waiting: Vec::new(),
                slots: 0,
                slot_waiting: Vec::new(),
                epoch: 0,
            }),
            changed: Condvar::new(),
            heavy_slots,
            slots,
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn wait_until(&self, mut ready: impl FnMut(&State) -> bool) -> MutexGuard<'_, State> {
        let mut s = self.state();
        while !ready(&s) {
            s = self.changed.wait(s).unwrap_or_else(|e| e.into_inner());
        }
        s
    }

    /// Shared with the other shared holders; waits while an exclusive one holds it.
    pub fn shared(&'static self) -> ClusterGuard {
        let asked = Instant::now();
        let mut s = self.wait_until(|s| !s.writer);
        s.readers += 1;
        ClusterGuard::new(self, Kind::Shared, asked)
    }

    /// The local cluster alone: waits until no other test holds it (kind tests, which do not
    /// use it, may run beside).
    pub fn exclusive(&'static self) -> ClusterGuard {
        let asked = Instant::now();
        let mut s = self.wait_until(|s| !s.writer && s.readers == 0);
        s.writer = true;
        ClusterGuard::new(self, Kind::Exclusive, asked)
    }

    /// The whole machine alone: as [`Lock::exclusive`], and no kind test beside it either.
    pub fn alone(&'static self) -> ClusterGuard {
        let asked = Instant::now();
        let mut s = self.wait_until(|s| !s.writer && s.readers == 0 && s.beside == 0);
        s.writer = true;
        s.whole = true;
        ClusterGuard::new(self, Kind::Alone, asked)
    }

    /// Beside the exclusive tail: once no shared test holds the cluster, and not while a test
    /// holds the whole machine.
    pub fn beside_the_tail(&'static self) -> ClusterGuard {
        let asked = Instant::now();
        let mut s = self.wait_until(|s| s.readers == 0 && !s.whole);
        s.beside += 1;
        ClusterGuard::new(self, Kind::Beside, asked)
    }

    /// One of the heavy slots, for a run expected to hold it `expected_s` seconds: of the
    /// runs waiting when a slot frees, the longest goes first.
    pub fn heavy(&'static self, expected_s: u64) -> ClusterGuard {
        self.take(Kind::Heavy, expected_s)
    }

    /// One of the slots for a test's own scenarios, expected to be held `expected_s` seconds:
    /// of the tests waiting when a slot frees, the longest goes first.
    pub fn slot(&'static self, expected_s: u64) -> ClusterGuard {
        self.take(Kind::Slot, expected_s)
    }

    /// A heavy slot or a slot, longest first (the classic rule for filling a few lanes with
    /// jobs of known length so that they end close together).
    fn take(&'static self, kind: Kind, expected_s: u64) -> ClusterGuard {
        fn parts(s: &mut State, kind: Kind) -> (&mut usize, &mut Vec<u64>) {
            match kind {
                Kind::Heavy => (&mut s.heavy, &mut s.heavy_waiting),
                _ => (&mut s.slots, &mut s.slot_waiting),
            }
        }
        let asked = Instant::now();
        let limit = match kind {
            Kind::Heavy => self.heavy_slots,
            _ => self.slots,
        };
        parts(&mut self.state(), kind).1.push(expected_s);
        let mut s = self.wait_until(|s| {
            let (held, waiting) = match kind {
                Kind::Heavy => (s.heavy, &s.heavy_waiting),
                _ => (s.slots, &s.slot_waiting),
            };
            held < limit && waiting.iter().all(|&other| other <= expected_s)
        });
        let (held, waiting) = parts(&mut s, kind);
        let me = waiting.iter().position(|&w| w == expected_s);
        waiting.swap_remove(me.expect("its own entry"));
        *held += 1;
        drop(s);
        // Another waiter may now be the longest, and another slot may be free.
        self.changed.notify_all();
        ClusterGuard::new(self, kind, asked)
    }

    fn epoch(&self) -> u64 {
        self.state().epoch
    }
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Shared,
    Exclusive,
    Alone,
    Beside,
    Heavy,
    Slot,
}

/// Held for as long as a test uses the cluster; released when dropped (also on panic).
#[must_use = "the cluster is held only while the guard lives"]
pub struct ClusterGuard {
    lock: &'static Lock,
    kind: Kind,
    asked: Instant,
    got: Instant,
}

impl ClusterGuard {
    fn new(lock: &'static Lock, kind: Kind, asked: Instant) -> ClusterGuard {
        ClusterGuard {
            lock,
            kind,
            asked,
            got: Instant::now(),
        }
    }
}

impl Drop for ClusterGuard {
    fn drop(&mut self) {
        {
            let mut s = self.lock.state();
            match self.kind {
                Kind::Shared => s.readers -= 1,
                Kind::Exclusive => {
                    s.writer = false;
                    s.epoch += 1;
                }
                Kind::Alone => {
                    s.writer = false;
                    s.whole = false;
                    s.epoch += 1;
                }
                Kind::Beside => s.beside -= 1,
                Kind::Heavy => s.heavy -= 1,
                Kind::Slot => s.slots -= 1,
            }
        }
        self.lock.changed.notify_all();
        if std::ptr::eq(self.lock, &CLUSTER) {
            timings::record(
                &format!("{:?}", self.kind).to_lowercase(),
                self.asked,
                self.got,
            );
        }
    }
}

/// The cluster, shared with the other shared tests; waits while an exclusive test holds it.
pub fn shared() -> ClusterGuard {
    CLUSTER.shared()
}

/// The local cluster alone: waits until no other test of it runs. Kind tests may run beside:
/// a test holding this disturbs the local cluster only (its own API server, its own
/// containerd, its namespaces), never the machine's other processes, mounts or iptables.
pub fn exclusive() -> ClusterGuard {
    CLUSTER.exclusive()
}

/// The whole machine alone, kind tests included: for a test that compares the host's state
/// (mounts, iptables, processes) before and after.
pub fn alone() -> ClusterGuard {
    CLUSTER.alone()
}

/// For a kind test: after the shared tests (their load would make the local cluster's kubelet
/// late: tried on a 2-core machine, 10 of them failed), beside the exclusive ones, which run
/// one scenario at a time on the local cluster; never beside [`alone`].
pub fn beside_the_tail() -> ClusterGuard {
    CLUSTER.beside_the_tail()
}

/// One of the node's [`HEAVY_SLOTS`] for a whole catalogue at once, expected to take
/// `expected_s` seconds (as measured in CI); held together with [`shared`] (take `shared`
/// first). When a slot frees, the longest of the waiting runs takes it, so that the two lanes
/// end close together whatever order the tests started in (in one CI run the longest started
/// last, at 190 s, and the shared tests ended 70 s later than in another).
pub fn heavy(expected_s: u64) -> ClusterGuard {
    CLUSTER.heavy(expected_s)
}

/// One of the [`SLOTS`] for a test that starts scenarios of its own, expected to hold it
/// `expected_s` seconds (as measured in CI; the longest waiting test goes first, so that the
/// four lanes end close together: in one CI run a 103 s test started at 222 s, last); held
/// together with [`shared`] (take `shared` first). Tests that only read a background run's
/// result need none.
pub fn slot(expected_s: u64) -> ClusterGuard {
    CLUSTER.slot(expected_s)
}

/// Brings the local cluster up when it is not (`crashlab cluster up`, which installs the host
/// packages and builds the Kubernetes binaries on a fresh machine): once per process, and again
/// after an exclusive test (it may have taken the cluster down or killed parts of it).
pub fn ensure_local_cluster() {
    static UP: Mutex<Option<u64>> = Mutex::new(None);
    let mut up = UP.lock().unwrap_or_else(|e| e.into_inner());
    let epoch = CLUSTER.epoch();
    if *up == Some(epoch) {
        return;
    }
    bring_local_cluster_up();
    *up = Some(epoch);
}

/// Brings the local cluster up again when dropped, for a test that takes it down: the tests
/// after it and the people sharing the machine find it as it was. Declared after the
/// exclusive guard, it is dropped first, while the cluster is still held. Never panics (it
/// runs while a failed test unwinds); says so on stderr when `cluster up` fails.
#[must_use = "the cluster is brought up again when this is dropped"]
pub struct UpAgainAfter;

impl Drop for UpAgainAfter {
    fn drop(&mut self) {
        match crashlab().args(["cluster", "up"]).output() {
            Ok(out) if out.status.success() => {}
            other => eprintln!("bringing the local cluster up again failed: {other:?}"),
        }
    }
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

#[cfg(test)]
mod tests {
    //! The lock's rules on a lock of their own (the cluster's is left to the cluster tests).
    //! A holder that must wait is given a moment (300 ms) to show it does; one that must get
    //! in is given seconds, so that a loaded machine makes no false failure.

    use super::Lock;
    use std::sync::mpsc;
    use std::thread;
    use std::time::Duration;

    const MOMENT: Duration = Duration::from_millis(300);
    const SECONDS: Duration = Duration::from_secs(10);

    fn lock() -> &'static Lock {
        Box::leak(Box::new(Lock::new(2, 4)))
    }

    /// Runs `f` on another thread; whether it finished within `limit`, and its channel.
    fn within(limit: Duration, f: impl FnOnce() + Send + 'static) -> (bool, mpsc::Receiver<()>) {
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            f();
            let _ = tx.send(());
        });
        let done = rx.recv_timeout(limit).is_ok();
        (done, rx)
    }

    #[test]
    fn shared_holders_overlap_and_an_exclusive_one_waits_for_all_of_them() {
        let l = lock();
        let a = l.shared();
        let (b_got_in, _) = within(SECONDS, move || drop(l.shared()));
        assert!(b_got_in, "a second shared holder waited");
        let (alone, rx) = within(MOMENT, move || drop(l.exclusive()));
        assert!(!alone, "exclusive while a shared holder held it");
        drop(a);
        rx.recv_timeout(SECONDS)
            .expect("exclusive once the shared holder let go");
    }

    #[test]
    fn shared_holders_go_first_and_wait_only_while_an_exclusive_one_holds_it() {
        let l = lock();
        let a = l.shared();
        let (release, released) = mpsc::channel::<()>();
        let (_, exclusive_done) = within(MOMENT, move || {
            let _x = l.exclusive();
            let _ = released.recv();
        });
        // An exclusive one waiting does not hold back new shared holders.
        let (b_got_in, _) = within(SECONDS, move || drop(l.shared()));
        assert!(
            b_got_in,
            "a shared holder waited for a waiting exclusive one"
        );
        let epoch = l.epoch();
        drop(a);
        while !l.state().writer {
            thread::sleep(Duration::from_millis(10));
        }
        let (c_got_in, c) = within(MOMENT, move || drop(l.shared()));
        assert!(!c_got_in, "a shared holder got in beside an exclusive one");
        release.send(()).unwrap();
        exclusive_done.recv_timeout(SECONDS).unwrap();
        c.recv_timeout(SECONDS)
            .expect("shared once the exclusive one let go");
        assert_eq!(l.epoch(), epoch + 1, "an exclusive holder bumps the epoch");
    }

    #[test]
    fn kind_tests_wait_for_the_shared_ones_then_run_beside_exclusive_ones_not_alone_ones() {
        let l = lock();
        let shared = l.shared();
        let (beside, rx) = within(MOMENT, move || drop(l.beside_the_tail()));
        assert!(!beside, "a kind test beside a shared one");
        drop(shared);
        rx.recv_timeout(SECONDS)
            .expect("a kind test once the shared ones were done");

        let kind = l.beside_the_tail();
        let (exclusive, rx) = within(SECONDS, move || drop(l.exclusive()));
        assert!(exclusive, "an exclusive test waited for a kind test");
        drop(rx);
        let (alone, rx) = within(MOMENT, move || drop(l.alone()));
        assert!(!alone, "a test of the whole machine beside a kind test");
        drop(kind);
        rx.recv_timeout(SECONDS)
            .expect("the whole machine once the kind test was done");

        let whole = l.alone();
        let (beside, rx) = within(MOMENT, move || drop(l.beside_the_tail()));
        assert!(!beside, "a kind test beside a test of the whole machine");
        drop(whole);
        rx.recv_timeout(SECONDS)
            .expect("a kind test once the machine was free");
    }

    #[test]
    fn slots_are_bounded() {
        let l = lock();
        let held: Vec<_> = (0..4).map(|_| l.slot(60)).collect();
        let (fifth, rx) = within(MOMENT, move || drop(l.slot(60)));
        assert!(!fifth, "a fifth slot beside four");
        drop(held);
        rx.recv_timeout(SECONDS).expect("a slot once one was free");
    }

    #[test]
    fn heavy_slots_are_bounded() {
        let l = lock();
        let one = l.heavy(100);
        let _two = l.heavy(100);
        let (third, rx) = within(MOMENT, move || drop(l.heavy(100)));
        assert!(!third, "a third heavy run beside two");
        drop(one);
        rx.recv_timeout(SECONDS).expect("a slot once one was free");
    }

    #[test]
    fn a_freed_heavy_slot_goes_to_the_longest_run_waiting() {
        longest_first(Lock::heavy, 2);
    }

    #[test]
    fn a_freed_slot_goes_to_the_longest_test_waiting() {
        longest_first(Lock::slot, 4);
    }

    /// With all `n` slots held and a short and a long holder waiting (the short one first),
    /// a freed slot goes to the long one, and the short one waits for the next.
    fn longest_first(take: fn(&'static Lock, u64) -> super::ClusterGuard, n: usize) {
        let l = lock();
        let mut held: Vec<_> = (0..n).map(|_| take(l, 100)).collect();
        let (order, got) = mpsc::channel();
        // A waiter that says when it got its slot and holds it until the test lets it go.
        let wait = |expected_s: u64| {
            let order = order.clone();
            let (release, released) = mpsc::channel::<()>();
            let waiter = thread::spawn(move || {
                let _slot = take(l, expected_s);
                order.send(expected_s).unwrap();
                let _ = released.recv();
            });
            (waiter, release)
        };
        let waiting = |count: usize| {
            while {
                let s = l.state();
                s.heavy_waiting.len() + s.slot_waiting.len()
            } < count
            {
                thread::sleep(Duration::from_millis(10));
            }
        };
        let (short, release_short) = wait(80);
        waiting(1);
        let (long, release_long) = wait(150);
        waiting(2);
        drop(held.pop());
        assert_eq!(got.recv_timeout(SECONDS), Ok(150), "the longest first");
        assert!(
            got.recv_timeout(MOMENT).is_err(),
            "the shorter one waits while every slot is held"
        );
        drop(held.pop());
        assert_eq!(got.recv_timeout(SECONDS), Ok(80));
        release_short.send(()).unwrap();
        release_long.send(()).unwrap();
        short.join().unwrap();
        long.join().unwrap();
    }
}
