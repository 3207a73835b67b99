//! The JUnit reporter (`quick-junit`): one test suite, one test case per scenario. Failed
//! checks become the failure's text; the timeline becomes `system-out`.

use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use crate::expect::Outcome;
use crate::runner::{RunEvent, ScenarioReport, Verdict};
use crate::scenario::Target;
use crate::timeline::Entry;

use super::line::signal_line;
use super::{Reporter, Result};

pub const SUITE: &str = "crashlab";

pub struct JunitReporter<W: Write> {
    out: W,
    suite: TestSuite,
    targets: HashMap<String, Target>,
    /// Signals streamed per scenario, used when a report carries no timeline.
    signals: HashMap<String, Vec<Entry>>,
    elapsed: Option<Duration>,
    written: bool,
}

impl<W: Write> JunitReporter<W> {
    pub fn new(out: W) -> Self {
        Self {
            out,
            suite: TestSuite::new(SUITE),
            targets: HashMap::new(),
            signals: HashMap::new(),
            elapsed: None,
            written: false,
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    fn test_case(&mut self, r: &ScenarioReport) -> TestCase {
        // Contradicted checks first: they are why a scenario failed; pending ones were still
        // undecided when the run stopped.
        let failed: Vec<_> = r
            .checks
            .iter()
            .filter(|c| c.outcome == Outcome::Contradicted)
            .collect();
        let pending: Vec<_> = r
            .checks
            .iter()
            .filter(|c| c.outcome == Outcome::Pending)
            .collect();
        let details = failed
            .iter()
            .map(|c| ("✗", c))
            .chain(pending.iter().map(|c| ("…", c)))
            .map(|(mark, c)| {
                format!(
                    "{mark} {}\n  expected: {}\n  observed: {}",
                    c.name, c.expected, c.observed
                )
            })
            .collect::<Vec<_>>()
            .join("\n");
        let status = match r.verdict {
            Verdict::Pass => TestCaseStatus::success(),
            Verdict::Fail => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                let names: Vec<&str> = failed.iter().map(|c| c.name.as_str()).collect();
                let mut message = format!(
                    "{} of {} checks failed: {}",
                    failed.len(),
                    r.checks.len(),
                    names.join(", ")
                );
                if !pending.is_empty() {
                    message.push_str(&format!(
                        "; {} undecided when the run stopped",
                        pending.len()
                    ));
                }
                s.set_message(message)
                    .set_type("checks failed")
                    .set_description(details);
                s
            }
            Verdict::Error => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                s.set_message(
                    r.error
                        .clone()
                        .unwrap_or_else(|| "the run could not decide".to_owned()),
                )
                .set_type("undecided");
                if !details.is_empty() {
                    s.set_description(details);
                }
                s
            }
        };
        let mut case = TestCase::new(r.name.clone(), status);
        case.set_classname(SUITE)
            .set_time(Duration::from_secs_f64(r.elapsed_s.max(0.0)))
            .add_property(Property::new("namespace", r.namespace.clone()));

        let streamed = self.signals.remove(&r.name).unwrap_or_default();
        let entries = if r.timeline.entries.is_empty() {
            &streamed
        } else {
            &r.timeline.entries
        };
        let target = self.targets.get(&r.name);
        let out: String = entries
            .iter()
            .map(|e| {
                format!(
                    "{}  {}\n",
                    e.at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ"),
                    signal_line(&e.signal, target).0
                )
            })
            .collect();
        if !out.is_empty() {
            case.set_system_out(out);
        }
        case
    }
}

impl<W: Write> Reporter for JunitReporter<W> {
    fn handle(&mut self, ev: &RunEvent) -> Result<()> {
        match ev {
            RunEvent::RunStarted {
                context,
                server_version,
                ..
            } => {
                self.suite
                    .add_property(Property::new("context", context.clone()))
                    .add_property(Property::new("server_version", server_version.clone()));
            }
            RunEvent::ScenarioStarted {
                scenario, target, ..
            } => {
                self.targets.insert(scenario.clone(), target.clone());
            }
            RunEvent::Signal { scenario, entry } => {
                self.signals
                    .entry(scenario.clone())
                    .or_default()
                    .push(entry.clone());
            }
            RunEvent::ScenarioFinished { report } => {
                let case = self.test_case(report);
                self.suite.add_test_case(case);
            }
            RunEvent::RunFinished { elapsed_s } => {
                self.elapsed = Some(Duration::from_secs_f64(elapsed_s.max(0.0)));
            }
            RunEvent::CleanedUp { .. }
            | RunEvent::LeftoversCollected { .. }
            | RunEvent::Observed { .. } => {}
        }
        Ok(())
    }

    /// Writes the XML document (once).
    fn finish(&mut self) -> Result<()> {
        if self.written {
            return Ok(());
        }
        self.written = true;
        let mut suite = self.suite.clone();
        let mut report = Report::new(SUITE);
        if let Some(t) = self.elapsed {
            suite.set_time(t);
            report.set_time(t);
        }
        report.add_test_suite(suite);
        report.serialize(&mut self.out)?;
        writeln!(self.out)?;
        self.out.flush()?;
        Ok(())
    }
}
