//! The story reporter, the default human output of `crashlab run`: each scenario told as a
//! newcomer can follow it (instances that start, end and wait; the STATUS and RESTARTS
//! `kubectl get pod` shows at each change; events with repeats folded; the logs each instance
//! left), then, at the decisive moment, what `kubectl get`, `describe` and `logs --previous`
//! print, the diagnosis and the next command. Then the checks and the tally, as the raw
//! reporter prints them.
//!
//! On a terminal (`live`) a back-off is counted down in place and `--pause` stops at each
//! phase; otherwise the output is plain lines, stable for a given run (snapshot-tested on
//! replayed recordings).

mod meaning;
mod scenario_story;
mod views;

use std::collections::HashMap;
use std::io::Write;
use std::time::{Duration, Instant};

use jiff::tz::TimeZone;
use owo_colors::Style;

use crate::expect::duration::go_duration;
use crate::runner::{RunEvent, ScenarioReport};
use crate::timeline::Signal;

use super::line::Tone;
use super::paint::Painter;
use super::run_text::{Tally, write_leftovers, write_run_started, write_tally, write_verdict};
use super::{Reporter, Result};

pub use scenario_story::{Beat, Phase, ScenarioStory};
pub use views::kubectl_views;

/// Called at each phase with what comes next; returns when the class is ready (`--pause`).
pub type Pause = Box<dyn FnMut(&str) + Send>;

/// How the story is shown.
pub struct StoryOptions {
    pub color: bool,
    /// A terminal: count back-offs down in place.
    pub live: bool,
    /// Time zone of the times in the describe view.
    pub tz: TimeZone,
    pub pause: Option<Pause>,
}

struct Countdown {
    scenario: String,
    until: Instant,
    /// The back-off being counted, seconds.
    wait_s: u64,
    drawn: bool,
}

pub struct StoryReporter<W: Write> {
    out: W,
    p: Painter,
    live: bool,
    tz: TimeZone,
    pause: Option<Pause>,
    multi: bool,
    stories: HashMap<String, ScenarioStory>,
    countdown: Option<Countdown>,
    /// The node's back-off curve (initial, cap), seconds, from the run's start.
    backoff: Option<(u32, u32)>,
    tally: Tally,
}

impl<W: Write> StoryReporter<W> {
    pub fn new(out: W, options: StoryOptions) -> Self {
        Self {
            out,
            p: Painter {
                color: options.color,
            },
            live: options.live,
            tz: options.tz,
            pause: options.pause,
            multi: false,
            stories: HashMap::new(),
            countdown: None,
            backoff: None,
            tally: Tally::default(),
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    fn prefix(&self, scenario: &str) -> String {
        if self.multi {
            format!("{}  ", self.p.paint(scenario, Style::new().bold()))
        } else {
            String::new()
        }
    }

    /// Erases the countdown line before anything else is printed.
    fn clear_countdown(&mut self) -> Result<()> {
        if let Some(c) = &mut self.countdown
            && c.drawn
        {
            write!(self.out, "\r\x1b[2K")?;
            c.drawn = false;
        }
        Ok(())
    }

    fn beats(&mut self, scenario: &str, beats: Vec<Beat>) -> Result<()> {
        let first_at = self.stories.get(scenario).and_then(|s| s.first_at);
        let prefix = self.prefix(scenario);
        for beat in beats {
            match beat {
                Beat::Line { at, text, tone } => {
                    self.clear_countdown()?;
                    let secs = first_at.map_or(0, |f| (at.as_second() - f.as_second()).max(0));
                    let clock = format!("{:>2}:{:02}", secs / 60, secs % 60);
                    let clock = self.p.paint(&clock, Style::new().dimmed());
                    let text = self.p.tone(&text, tone);
                    writeln!(self.out, "{prefix}  {clock}  {text}")?;
                }
                Beat::Detail { text, tone } => {
                    self.clear_countdown()?;
                    let text = self.p.tone(&text, tone);
                    writeln!(self.out, "{prefix}         {text}")?;
                }
                Beat::Phase(phase) => {
                    if let Some(pause) = &mut self.pause {
                        self.out.flush()?;
                        pause(match phase {
                            Phase::FirstCrash => "the first crash",
                            Phase::CrashLoop => "the crash loop: CrashLoopBackOff",
                        });
                    }
                }
                Beat::Countdown { until, wait_s } => {
                    if self.live && !self.multi {
                        let left = until.as_millisecond() - jiff::Timestamp::now().as_millisecond();
                        let left = Duration::from_millis(left.max(0) as u64);
                        self.clear_countdown()?;
                        self.countdown = Some(Countdown {
                            scenario: scenario.to_owned(),
                            until: Instant::now() + left,
                            wait_s,
                            drawn: false,
                        });
                        self.tick()?;
                    }
                }
            }
        }
        self.out.flush()?;
        Ok(())
    }

    fn finished(&mut self, r: &ScenarioReport) -> Result<()> {
        self.clear_countdown()?;
        self.countdown = None;
        let prefix = self.prefix(&r.name);
        if let Some(story) = self.stories.get(&r.name) {
            if !story.folded.is_empty() {
                let folded: Vec<String> = story
                    .folded
                    .iter()
                    .map(|(reason, n)| format!("{reason} ×{n}"))
                    .collect();
                let text = format!(
                    "repeated events folded: {} (`--events` shows every one)",
                    folded.join(", ")
                );
                writeln!(
                    self.out,
                    "{prefix}         {}",
                    self.p.tone(&text, Tone::Dim)
                )?;
            }
            let container = if r.observed.container.is_empty() {
                story.target.container.clone()
            } else {
                r.observed.container.clone()
            };
            let pod = r.observed.pods.last().cloned().or_else(|| {
                let w = story.target.workload();
                (w.kind == crate::scenario::WorkloadKind::Pod).then(|| w.name.to_owned())
            });
            // The moment the target last showed its problem (else the end of the watch), with
            // the latest logs of the instance before it.
            let (seen, decisive) = story.views_input();
            let at = match (seen.last_at, story.first_at) {
                (Some(l), Some(f)) => {
                    let secs = (l.as_second() - f.as_second()).max(0);
                    format!("{}:{:02}", secs / 60, secs % 60)
                }
                _ => "the end".to_owned(),
            };
            let views = pod
                .and_then(|pod| kubectl_views(&seen, &story.namespace, &pod, &container, &self.tz));
            if let Some(views) = views {
                if let Some(pause) = &mut self.pause {
                    self.out.flush()?;
                    pause("what kubectl shows");
                }
                writeln!(self.out)?;
                let title = if decisive {
                    format!("What kubectl showed at {at}, while the problem was showing:")
                } else {
                    format!("What kubectl showed at {at}, the end of the watch:")
                };
                writeln!(
                    self.out,
                    "{prefix}  {}",
                    self.p.paint(&title, Style::new().bold())
                )?;
                for line in views {
                    let line = if line.starts_with("$ ") {
                        self.p.paint(&line, Style::new().cyan())
                    } else {
                        line
                    };
                    writeln!(self.out, "{}", format!("{prefix}    {line}").trim_end())?;
                }
                writeln!(self.out)?;
            }
            if !story.summary.is_empty() {
                writeln!(
                    self.out,
                    "{prefix}  {} {}",
                    self.p.paint("diagnosis:", Style::new().bold()),
                    story.summary
                )?;
                writeln!(
                    self.out,
                    "{prefix}  {} crashlab show {}   (why, and how to diagnose it step by step);  crashlab run {} --keep   (explore it yourself)",
                    self.p.paint("next:", Style::new().bold()),
                    r.name,
                    r.name
                )?;
                writeln!(self.out)?;
            }
        }
        write_verdict(&mut self.out, self.p, r, &mut self.tally)
    }
}

impl<W: Write> Reporter for StoryReporter<W> {
    fn handle(&mut self, ev: &RunEvent) -> Result<()> {
        match ev {
            RunEvent::LeftoversCollected { namespaces } => {
                write_leftovers(&mut self.out, namespaces)?
            }
            RunEvent::RunStarted {
                count,
                context,
                server_version,
                kubelet_backoff,
                parallel,
            } => {
                self.multi = *count > 1;
                self.backoff = kubelet_backoff.as_ref().map(|b| (b.initial_s, b.max_s));
                write_run_started(
                    &mut self.out,
                    *count,
                    context,
                    server_version,
                    kubelet_backoff.as_ref(),
                    parallel.as_ref(),
                )?;
            }
            RunEvent::ScenarioStarted {
                scenario,
                namespace,
                target,
                summary,
            } => {
                self.clear_countdown()?;
                let prefix = self.prefix(scenario);
                writeln!(self.out)?;
                let name = self.p.paint(scenario, Style::new().bold());
                if summary.is_empty() {
                    writeln!(self.out, "{prefix}{name}")?;
                } else {
                    writeln!(self.out, "{prefix}{name}: {summary}")?;
                }
                let watching = format!(
                    "namespace {namespace}; watching {}, container {}",
                    target.workload(),
                    target.container
                );
                writeln!(self.out, "{prefix}  {}", self.p.tone(&watching, Tone::Dim))?;
                let mut story =
                    ScenarioStory::new(target.clone(), namespace.clone(), summary.clone());
                if let Some((initial, max)) = self.backoff {
                    story = story.with_backoff(initial, max);
                }
                self.stories.insert(scenario.clone(), story);
            }
            RunEvent::Signal { scenario, entry } => {
                if let Some(c) = &self.countdown
                    && c.scenario == *scenario
                    && matches!(
                        entry.signal,
                        Signal::Started { .. } | Signal::BackOff { .. } | Signal::Terminated { .. }
                    )
                {
                    self.clear_countdown()?;
                    self.countdown = None;
                }
                let beats = match self.stories.get_mut(scenario) {
                    Some(story) => story.on_signal(entry),
                    None => Vec::new(),
                };
                self.beats(scenario, beats)?;
            }
            RunEvent::Observed {
                scenario,
                observation,
            } => {
                let beats = match self.stories.get_mut(scenario) {
                    Some(story) => story.on_observed(observation),
                    None => Vec::new(),
                };
                self.beats(scenario, beats)?;
            }
            RunEvent::ScenarioFinished { report } => self.finished(report)?,
            RunEvent::CleanedUp {
                scenario,
                namespace,
                kept,
            } => {
                let text = if *kept {
                    format!(
                        "kept namespace {namespace}: kubectl -n {namespace} … ; `crashlab gc` removes it"
                    )
                } else {
                    format!("deleted namespace {namespace}")
                };
                let prefix = self.prefix(scenario);
                writeln!(self.out, "{prefix}{}", self.p.tone(&text, Tone::Dim))?;
            }
            RunEvent::RunFinished { elapsed_s } => {
                self.clear_countdown()?;
                write_tally(&mut self.out, self.p, self.tally, *elapsed_s)?
            }
        }
        Ok(())
    }

    /// Redraws the countdown (a terminal only).
    fn tick(&mut self) -> Result<()> {
        let Some(c) = &mut self.countdown else {
            return Ok(());
        };
        let left = c.until.saturating_duration_since(Instant::now()).as_secs();
        let text = if left == 0 {
            "⏳ back-off over: the kubelet restarts it when it next syncs the pod…".to_owned()
        } else {
            format!(
                "⏳ {left}s until the kubelet restarts it (back-off {} from the crash)",
                go_duration(c.wait_s)
            )
        };
        let text = self.p.tone(&text, Tone::Warn);
        write!(self.out, "\r\x1b[2K         {text}")?;
        c.drawn = true;
        self.out.flush()?;
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        self.clear_countdown()?;
        self.out.flush()?;
        Ok(())
    }
}
