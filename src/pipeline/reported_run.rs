//! A run whose events go to reporters as they come: the runner on the async runtime, the
//! reporters on a blocking thread (they write to terminals and files), a tick between events
//! for the live view's countdown. `crashlab run` uses it; the reporters are the caller's.

use std::time::Duration;

use tokio::sync::mpsc;

use crate::report::{self, Reporter};
use crate::runner::{Runner, ScenarioReport};
use crate::scenario::Scenario;

/// How often the live view redraws between events.
const TICK: Duration = Duration::from_millis(250);

/// What a reported run gives: the runner's reports (or why it failed), and whether the
/// reporters wrote everything (a closed pipe is not a failure: `| head` is a choice).
pub struct Reported {
    pub reports: Result<Vec<ScenarioReport>, String>,
    pub written: Result<(), report::Error>,
}

/// Runs `scenarios` with `runner`, every event handed to `reporters` in order.
pub async fn run_reported(
    runner: &Runner,
    scenarios: &[Scenario],
    mut reporters: Vec<Box<dyn Reporter + Send>>,
) -> Reported {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let handle = tokio::runtime::Handle::current();
    let report_task = tokio::task::spawn_blocking(move || {
        let mut first_err = None;
        let mut keep = |res: report::Result<()>| {
            if let Err(e) = res
                && first_err.is_none()
                && !e.is_broken_pipe()
            {
                first_err = Some(e);
            }
        };
        loop {
            // Events as they come; between them, a tick for the live countdown.
            match handle.block_on(tokio::time::timeout(TICK, rx.recv())) {
                Ok(Some(ev)) => keep(reporters.handle(&ev)),
                Ok(None) => break,
                Err(_) => keep(reporters.tick()),
            }
        }
        let fin = reporters.finish();
        match (first_err, fin) {
            (Some(e), _) => Err(e),
            (None, Err(e)) if !e.is_broken_pipe() => Err(e),
            _ => Ok(()),
        }
    });
    let reports = runner.run(scenarios, tx).await.map_err(|e| e.to_string());
    let written = match report_task.await {
        Ok(written) => written,
        Err(e) => Err(report::Error::from(std::io::Error::other(e.to_string()))),
    };
    Reported { reports, written }
}
