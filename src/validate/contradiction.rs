//! Evidence-checked grading: facts a tool states that the recording contradicts. A tool that
//! says "exit code 137, OOMKilled" about a container that exited 1 has made something up, and
//! loses points for it. Deterministic, no model: the claims are the tool's exit codes,
//! termination reasons, waiting reasons, quoted container names and quoted log lines (a
//! quotation on a line that speaks of a log), each looked up among everything the incident's
//! containers did and said (any container, any pod of the namespace, any event), so only a
//! claim that never happened anywhere counts. A claim stated as a negation ("not
//! OOMKilled", "no ImagePullBackOff") states nothing.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

use crate::timeline::{Signal, Timeline};

/// One claim the recording contradicts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contradiction {
    /// What kind of fact: `exit code`, `termination reason`, `waiting reason`, `container`.
    pub fact: String,
    /// The tool's words.
    pub claim: String,
    /// What was recorded instead.
    pub recorded: String,
}

/// What the incident's containers did, as the timeline recorded it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorded {
    exit_codes: BTreeSet<i32>,
    termination_reasons: BTreeSet<String>,
    waiting_reasons: BTreeSet<String>,
    containers: BTreeSet<String>,
    /// Everything the cluster said, whitespace collapsed: logs, event and status messages.
    said: String,
    /// Whether any log was recorded (else a quoted log line has nothing to contradict it).
    logs_recorded: bool,
    /// Pods and containers the timeline saw, and those whose logs it holds: a quotation on a
    /// line that names another pod (the database a tool read the log of) is not checked.
    pods: BTreeSet<String>,
    logged_pods: BTreeSet<String>,
    logged_containers: BTreeSet<String>,
}

/// Termination reasons the runtime and kubelet write (containerd CRI, kubelet_pods.go).
const TERMINATION_REASONS: [&str; 5] = [
    "OOMKilled",
    "StartError",
    "ContainerCannotRun",
    "ContainerStatusUnknown",
    "DeadlineExceeded",
];
/// Waiting reasons a diagnosis may name.
const WAITING_REASONS: [&str; 9] = [
    "CrashLoopBackOff",
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
    "ImagePullBackOff",
    "ErrImagePull",
    "ErrImageNeverPull",
    "InvalidImageName",
    "PodInitializing",
];

static EXIT_CODE: LazyLock<Regex> = LazyLock::new(|| {
    RegexBuilder::new(r"\bexit(?:ed|s)?(?:[ _]?(?:code|status))?(?: with)?(?: code| status)?[\s:=]*\(?(\d{1,3})\b")
        .case_insensitive(true)
        .build()
        .expect("built-in pattern")
});
static CONTAINER: LazyLock<Regex> = LazyLock::new(|| {
    RegexBuilder::new(r#"\bcontainer[: ]+['"`]([a-z0-9]([a-z0-9-]*[a-z0-9])?)['"`]"#)
        .case_insensitive(true)
        .build()
        .expect("built-in pattern")
});
/// A quotation (of at least 16 characters) on a line that speaks of a log.
static LOG_QUOTE: LazyLock<Regex> = LazyLock::new(|| {
    RegexBuilder::new(r#"«([^»\n]{16,})»|“([^”\n]{16,})”|"([^"\n]{16,})""#)
        .build()
        .expect("built-in pattern")
});
static LOG_WORD: LazyLock<Regex> = LazyLock::new(|| {
    RegexBuilder::new(r"\blogs?\b|\blogged\b|\bprinted\b|\bstderr\b|\bstdout\b")
        .case_insensitive(true)
        .build()
        .expect("built-in pattern")
});
static NEGATION: LazyLock<Regex> = LazyLock::new(|| {
    RegexBuilder::new(
        // Negations, and what is not a statement of what happened: "must exit 0 before the
        // app containers start", "would be OOMKilled if", "until it exits 0".
        r"\b(not|no|never|isn't|wasn't|aren't|without|rule out|ruled out|must|should|would|could|can|will|needs? to|has to|have to|until|unless|if|once|whether|expected to|supposed to|only after|every|each)\b[^.;\n]{0,24}$",
    )
    .case_insensitive(true)
    .build()
    .expect("built-in pattern")
});

impl Recorded {
    pub fn of(timeline: &Timeline) -> Recorded {
        let mut r = Recorded::default();
        for e in &timeline.entries {
            match &e.signal {
                Signal::Terminated {
                    container,
                    exit_code,
                    reason,
                    ..
                } => {
                    r.exit_codes.insert(*exit_code);
                    r.termination_reasons.extend(reason.clone());
                    r.containers.insert(container.container.clone());
                }
                Signal::Waiting {
                    container, reason, ..
                } => {
                    r.waiting_reasons.insert(reason.clone());
                    r.containers.insert(container.container.clone());
                }
                Signal::Started { container, .. } | Signal::Ready { container, .. } => {
                    r.containers.insert(container.container.clone());
                }
                _ => {}
            }
            match &e.signal {
                Signal::PodCreated { pod, .. } => {
                    r.pods.insert(pod.clone());
                }
                Signal::Started { container, .. } | Signal::Terminated { container, .. } => {
                    r.pods.insert(container.pod.clone());
                }
                _ => {}
            }
            match &e.signal {
                Signal::PreviousLogs {
                    text, container, ..
                } => {
                    r.logs_recorded = true;
                    r.logged_pods.insert(container.pod.clone());
                    r.logged_containers.insert(container.container.clone());
                    r.said.push_str(text);
                }
                Signal::Event { message, .. } => r.said.push_str(message),
                Signal::Waiting {
                    message: Some(m), ..
                }
                | Signal::Terminated {
                    message: Some(m), ..
                } => r.said.push_str(m),
                _ => {}
            }
            r.said.push('\n');
        }
        r.said = collapse(&r.said);
        r
    }

    /// The claims of `text` (the tool's output, masked) that never happened.
    pub fn contradictions(&self, text: &str) -> Vec<Contradiction> {
        let mut out: Vec<Contradiction> = Vec::new();
        let mut push = |fact: &str, claim: &str, recorded: String| {
            if !out.iter().any(|c| c.fact == fact && c.claim == claim) {
                out.push(Contradiction {
                    fact: fact.to_owned(),
                    claim: claim.to_owned(),
                    recorded,
                });
            }
        };
        let list = |set: &BTreeSet<String>| {
            if set.is_empty() {
                "none".to_owned()
            } else {
                set.iter().cloned().collect::<Vec<_>>().join(", ")
            }
        };
        // Exit codes: only when the incident recorded terminations (a container never
        // created has none to contradict a claim with).
        if !self.exit_codes.is_empty() {
            for c in EXIT_CODE.captures_iter(text) {
                let whole = c.get(0).expect("match");
                let Ok(code) = c[1].parse::<i32>() else {
                    continue;
                };
                if negated(text, whole.start()) || self.exit_codes.contains(&code) {
                    continue;
                }
                let recorded = self
                    .exit_codes
                    .iter()
                    .map(i32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ");
                push("exit code", whole.as_str().trim(), recorded);
            }
        }
        for (fact, names, seen) in [
            (
                "termination reason",
                &TERMINATION_REASONS[..],
                &self.termination_reasons,
            ),
            (
                "waiting reason",
                &WAITING_REASONS[..],
                &self.waiting_reasons,
            ),
        ] {
            for name in names {
                if seen.contains(*name) {
                    continue;
                }
                if word_at(text, name).is_some_and(|at| !negated(text, at)) {
                    push(fact, name, list(seen));
                }
            }
        }
        // Quoted log lines: on a line that speaks of a log, a quotation the cluster never said
        // (whitespace collapsed; a quotation cut short with `…` is compared up to the cut).
        if self.logs_recorded {
            let unlogged_pods: Vec<&String> = self.pods.difference(&self.logged_pods).collect();
            let unlogged_containers: Vec<&String> = self
                .containers
                .difference(&self.logged_containers)
                .collect();
            // A line about another pod's or container's log (one the recording does not
            // hold) states nothing the recording can check.
            let about_unrecorded = |line: &str| {
                unlogged_pods.iter().any(|p| line.contains(p.as_str()))
                    || unlogged_containers
                        .iter()
                        .any(|c| word_at(line, c.as_str()).is_some())
            };
            for line in text
                .lines()
                .filter(|l| LOG_WORD.is_match(l) && !about_unrecorded(l))
            {
                for c in LOG_QUOTE.captures_iter(line) {
                    let Some(q) = c.iter().skip(1).flatten().next() else {
                        continue;
                    };
                    // Straight quotes: only after the words that speak of the log, and not
                    // as a JSON value (`"summary": "…"`).
                    let open_at = c.get(0).expect("match").start();
                    let opening = &line[..open_at];
                    if line[open_at..].starts_with('"')
                        && (!LOG_WORD.is_match(opening) || opening.trim_end().ends_with("\":"))
                    {
                        continue;
                    }
                    // A quotation shortened with `…` is compared up to the cut; a command
                    // suggested in quotes (“kubectl logs app --previous”) quotes no log.
                    let head = q.as_str().split(['…']).next().unwrap_or_default();
                    let head = head.split("...").next().unwrap_or_default();
                    let quoted = collapse(head.trim_end_matches(['.', ' ']));
                    let quoted = quoted.trim();
                    let command = ["kubectl ", "crashlab ", "$ ", "docker ", "crictl "]
                        .iter()
                        .any(|c| quoted.starts_with(c));
                    if command
                        || quoted.chars().count() < 16
                        || self.said.contains(quoted)
                        || negated(line, q.start())
                    {
                        continue;
                    }
                    push(
                        "log line",
                        q.as_str(),
                        "no log line, event or status message says this".to_owned(),
                    );
                }
            }
        }
        if !self.containers.is_empty() {
            for c in CONTAINER.captures_iter(text) {
                let name = &c[1];
                if !self.containers.contains(name)
                    && !negated(text, c.get(0).expect("match").start())
                {
                    push("container", name, list(&self.containers));
                }
            }
        }
        out
    }
}

static IPV4: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b\d{1,3}(?:\.\d{1,3}){3}\b").expect("built-in pattern"));

/// `text` as quotations are compared: every run of whitespace made one space, and IPv4
/// addresses made one placeholder (a Service's cluster IP differs from run to run; a line
/// made up is made up in its words).
fn collapse(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    IPV4.replace_all(&text, "⟨ip⟩").into_owned()
}

/// Where `word` first stands as a whole word in `text`.
fn word_at(text: &str, word: &str) -> Option<usize> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).map(|(i, _)| i).find(|&i| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

/// Whether the words just before `at` (in the same clause) negate what follows.
fn negated(text: &str, at: usize) -> bool {
    let start = text[..at]
        .char_indices()
        .rev()
        .nth(40)
        .map_or(0, |(i, _)| i);
    NEGATION.is_match(&text[start..at])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::recorded;

    fn exit_1() -> Recorded {
        let (_, rec) = recorded().into_iter().find(|(n, _)| n == "exit-1").unwrap();
        Recorded::of(&Timeline::from_recording(&rec))
    }

    #[test]
    fn claims_the_recording_backs_are_not_contradictions() {
        let r = exit_1();
        for text in [
            "The container exited with code 1: config file missing.",
            "lastState.terminated.exitCode=1 (reason=Error); CrashLoopBackOff",
            "container 'app' is in CrashLoopBackOff",
            "This is not an OOMKilled container; no ImagePullBackOff either.",
            "Exit Code: 1",
            "As an init container it must exit 0 before the pod's app containers start.",
            "It would be OOMKilled if the limit were lower.",
            "Its last log line says why: «fatal: config file /etc/app/config.yaml not found»",
            "the log ends with \"fatal: config file /etc/app/config.yaml not fou…\"",
            "The log says `loading configuration` first.",
            "Its log: «starting app v1.4.2 … config file /etc/app/config.yaml not found»",
            "Read the logs with “kubectl logs app -c app --previous -n ns” first.",
        ] {
            assert_eq!(r.contradictions(text), [], "{text}");
        }
    }

    #[test]
    fn made_up_facts_are_quoted_next_to_what_was_recorded() {
        let r = exit_1();
        let c = r.contradictions(
            "Container \"web\" was OOMKilled (exit code 137); the image is in ImagePullBackOff.",
        );
        let got: Vec<(&str, &str, &str)> = c
            .iter()
            .map(|c| (c.fact.as_str(), c.claim.as_str(), c.recorded.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("exit code", "exit code 137", "1"),
                ("termination reason", "OOMKilled", "Error"),
                (
                    "waiting reason",
                    "ImagePullBackOff",
                    "ContainerCreating, CrashLoopBackOff"
                ),
                ("container", "web", "app"),
            ]
        );
    }

    #[test]
    fn a_log_line_the_container_never_printed_is_made_up() {
        let r = exit_1();
        let c = r.contradictions(
            "The app's log says \"java.lang.OutOfMemoryError: Java heap space\" before it dies.",
        );
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].fact, "log line");
        assert_eq!(c[0].claim, "java.lang.OutOfMemoryError: Java heap space");
        // The same quotation, not said to be a log: no claim about the logs.
        assert_eq!(
            r.contradictions("Typical message: \"java.lang.OutOfMemoryError: Java heap space\""),
            []
        );
    }

    #[test]
    fn a_quotation_of_another_pods_log_is_not_checked() {
        // dependency-later: the app's pod and the database's (db-5f844db6cb-72ldb), whose
        // log the recording does not hold; a diagnoser that read it may quote it.
        let (_, rec) = recorded()
            .into_iter()
            .find(|(n, _)| n == "dependency-later")
            .unwrap();
        let r = Recorded::of(&Timeline::from_recording(&rec));
        assert_eq!(
            r.contradictions(
                "pod db-5f844db6cb-72ldb: its log shows it still initialising («/usr/local/bin/docker-entrypoint.sh: running /docker-entrypoint-initdb.d/10-schema.sql»)"
            ),
            []
        );
        // The app's own log, made up: still a contradiction.
        let c =
            r.contradictions("The app's log says «panic: index out of range [3] with length 3».");
        assert_eq!(c.len(), 1, "{c:?}");
    }

    #[test]
    fn every_recordings_own_evidence_contradicts_nothing() {
        for (name, rec) in recorded() {
            let timeline = Timeline::from_recording(&rec);
            let r = Recorded::of(&timeline);
            let mut text = String::new();
            for e in &timeline.entries {
                match &e.signal {
                    Signal::Terminated {
                        container,
                        exit_code,
                        reason,
                        ..
                    } => text.push_str(&format!(
                        "container '{}' terminated: exit code {exit_code} ({})\n",
                        container.container,
                        reason.as_deref().unwrap_or_default()
                    )),
                    Signal::Waiting {
                        container, reason, ..
                    } => text.push_str(&format!(
                        "container '{}' is waiting: {reason}\n",
                        container.container
                    )),
                    _ => {}
                }
            }
            assert_eq!(r.contradictions(&text), [], "{name}");
        }
    }
}
