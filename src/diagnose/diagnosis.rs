//! The diagnoser's answer: a cause category, the evidence of each step, and what to run next.
//! Field names are a public contract (`crashlab diagnose -o json`): add, never rename.

use serde::Serialize;

use crate::scenario::Category;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnosis {
    pub pod: String,
    pub namespace: String,
    pub container: String,
    /// The root-cause category; `null` when nothing is wrong with the container.
    pub category: Option<Category>,
    pub confidence: Confidence,
    /// What is wrong and why, in a few sentences.
    pub summary: String,
    /// What would fix it.
    pub fix: Option<String>,
    /// The five steps, always in the same order, each with what it found.
    pub evidence: Vec<EvidenceStep>,
    pub next_commands: Vec<NextCommand>,
}

/// How sure the diagnoser is: `high` when a signal names the cause outright (OOMKilled, a
/// liveness kill, a missing Secret), `medium` when it rests on the app's own log line, `low`
/// when only the exit code is left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    None,
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::None => "none",
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// The order a person diagnoses a crash loop in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepKind {
    ExitCode,
    PreviousLogs,
    Events,
    RecentChanges,
    Resources,
}

impl StepKind {
    pub const ALL: [StepKind; 5] = [
        StepKind::ExitCode,
        StepKind::PreviousLogs,
        StepKind::Events,
        StepKind::RecentChanges,
        StepKind::Resources,
    ];

    pub fn title(self) -> &'static str {
        match self {
            StepKind::ExitCode => "exit code",
            StepKind::PreviousLogs => "logs --previous",
            StepKind::Events => "events",
            StepKind::RecentChanges => "recent changes",
            StepKind::Resources => "resources",
        }
    }
}

/// One step: a one-line finding, the details behind it, and the cause it points to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceStep {
    pub step: StepKind,
    pub found: String,
    pub details: Vec<String>,
    /// The category of this step's strongest clue.
    pub points_to: Option<Category>,
    #[serde(skip)]
    pub clues: Vec<Clue>,
}

/// A finding that points to a category, with how strongly (3 names the cause outright, 2 is
/// the app's own account, 1 is a guess by elimination).
#[derive(Debug, Clone, PartialEq)]
pub struct Clue {
    pub category: crate::scenario::Category,
    pub strength: u8,
    /// A sentence for the summary.
    pub sentence: String,
    /// What would fix it, when this clue knows.
    pub fix: Option<String>,
    /// Commands that check this clue.
    pub commands: Vec<NextCommand>,
    /// The name of the rule that gave it (`super::rule::Rule::clues` sets it).
    pub rule: &'static str,
}

impl Clue {
    pub fn new(category: Category, strength: u8, sentence: impl Into<String>) -> Self {
        Self {
            category,
            strength,
            sentence: sentence.into(),
            fix: None,
            commands: Vec::new(),
            rule: "",
        }
    }

    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    pub fn command(mut self, command: impl Into<String>, why: impl Into<String>) -> Self {
        self.commands.push(NextCommand::new(command, why));
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextCommand {
    pub command: String,
    pub why: String,
}

impl NextCommand {
    pub fn new(command: impl Into<String>, why: impl Into<String>) -> Self {
        Self {
            command: command.into(),
            why: why.into(),
        }
    }
}
