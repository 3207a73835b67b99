//! Running the real runner over a [`ReplayCluster`], for tests: every event it emits, every
//! scenario's run, on tokio's paused clock.

use tokio::sync::mpsc::unbounded_channel;

use crate::scenario::Scenario;

use super::replay_cluster::ReplayCluster;
use super::{RunEvent, RunOptions, Runner, ScenarioReport, ScenarioRun};
use crate::shutdown::Cancel;

/// What a replayed run produced.
pub(crate) struct Replayed {
    /// Every event the runner emitted, in order.
    pub events: Vec<RunEvent>,
    pub runs: Vec<ScenarioRun>,
}

impl Replayed {
    /// The one scenario's report.
    pub(crate) fn report(&self) -> &ScenarioReport {
        assert_eq!(self.runs.len(), 1, "one scenario per replay");
        &self.runs[0].report
    }
}

/// Runs `scenarios` on `replay` through the real runner, cancelled through `cancel`.
pub(crate) async fn run_replay(
    replay: &ReplayCluster,
    scenarios: &[Scenario],
    options: RunOptions,
    cancel: &Cancel,
) -> Replayed {
    let (tx, mut rx) = unbounded_channel();
    let runner = Runner::replaying(replay.clone(), options);
    let runs = runner
        .run_until(scenarios, tx, cancel)
        .await
        .expect("a replay always answers");
    let mut events = Vec::new();
    while let Ok(ev) = rx.try_recv() {
        events.push(ev);
    }
    Replayed { events, runs }
}

/// [`run_replay`] on a runtime of its own whose clock is paused, for tests that are not
/// async; `make` builds the replay there (its time origin must be the runtime's).
pub(crate) fn replay_blocking(
    make: impl FnOnce() -> ReplayCluster,
    scenarios: &[Scenario],
    options: RunOptions,
) -> Replayed {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a current-thread runtime")
        .block_on(async { run_replay(&make(), scenarios, options, &Cancel::new()).await })
}
