//! `crashlab validate` for people: a score table, then what each weak answer missed, then the
//! overall result.

use std::fmt::Write;

use super::percent::pct;
use super::validation::{ScenarioValidation, ValidationExit, ValidationOutcome, ValidationReport};

/// Lines of a tool's output quoted under a scenario that needs explaining.
const QUOTED_LINES: usize = 8;
const QUOTED_WIDTH: usize = 160;

pub fn render_human(r: &ValidationReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "validating `{}` on {} scenario{} (min score {})",
        r.command,
        r.scenarios.len(),
        if r.scenarios.len() == 1 { "" } else { "s" },
        pct(r.min_score)
    );
    if let Some(j) = &r.judge {
        let _ = writeln!(out, "judge: `{j}` (its score counts)");
    }
    out.push('\n');
    table(&mut out, r);
    super::human_moments::moment_table(&mut out, r);
    super::human_repeats::repeat_table(&mut out, r);
    for s in &r.scenarios {
        explain(&mut out, s, r.min_score);
    }
    out.push('\n');
    out.push_str(&overall(r));
    out.push('\n');
    out
}

fn table(out: &mut String, r: &ValidationReport) {
    let mut rows = vec![[
        "scenario".to_owned(),
        "expected".to_owned(),
        "tool said".to_owned(),
        "facts".to_owned(),
        "wrong".to_owned(),
        "tool saw".to_owned(),
        "score".to_owned(),
    ]];
    for s in &r.scenarios {
        let expected = s.expected_category.to_string();
        let row = match &s.outcome {
            ValidationOutcome::Graded { grade, judge, .. } => {
                let said = match (&grade.failure, grade.category.found) {
                    (Some(_), _) => "-".to_owned(),
                    (None, Some(c)) => c.to_string(),
                    (None, None) => "(none)".to_owned(),
                };
                let mut score = match judge {
                    Some(j) => match j.score {
                        Some(js) => format!("{} (judge; rules {})", pct(js), pct(grade.score)),
                        None => format!("judge failed (rules {})", pct(grade.score)),
                    },
                    None => pct(grade.score),
                };
                // Repeated runs: the category and facts are the first run's, the score is
                // the mean of all (the repeated-runs table has the rest).
                if let Some(x) = s.repeats() {
                    score = format!("{} (mean of {} runs)", pct(x.score_mean), x.graded);
                }
                match (&grade.failure, s.passed(r.min_score)) {
                    (Some(f), _) => score.push_str(&format!("  {f}")),
                    (None, Some(false)) => score.push_str("  below"),
                    _ => {}
                }
                let (facts, wrong) = if grade.failure.is_some() {
                    ("-".to_owned(), "-".to_owned())
                } else {
                    (
                        format!("{}/{}", grade.facts_found(), grade.key_facts.len()),
                        grade.wrong_given().count().to_string(),
                    )
                };
                let saw = s.outcome.sight().map_or_else(|| "-".to_owned(), saw_cell);
                [s.name.clone(), expected, said, facts, wrong, saw, score]
            }
            ValidationOutcome::NotReproduced { .. } => [
                s.name.clone(),
                expected,
                "-".to_owned(),
                "-".to_owned(),
                "-".to_owned(),
                "-".to_owned(),
                "fixture did not reproduce".to_owned(),
            ],
            ValidationOutcome::NotRun { .. } => [
                s.name.clone(),
                expected,
                "-".to_owned(),
                "-".to_owned(),
                "-".to_owned(),
                "-".to_owned(),
                "not run".to_owned(),
            ],
        };
        rows.push(row);
    }
    let widths: Vec<usize> = (0..7)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i == 6 {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:<w$}  ", w = widths[i]);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

/// The target's state when the tool started, and each change during the call:
/// `CrashLoopBackOff#3`, `Running#2→Error#2`.
fn saw_cell(sight: &crate::expect::Sight) -> String {
    let Some(start) = &sight.at_start else {
        return "-".to_owned();
    };
    let cell = |t: &crate::expect::moment::TargetState| {
        format!("{}#{}", t.state.status_word(), t.instance)
    };
    match sight.changes.as_slice() {
        [] => cell(start),
        [one] => format!("{}→{}", cell(start), cell(one)),
        [.., last] => format!("{}→…→{}", cell(start), cell(last)),
    }
}

/// Details for a scenario that did not simply pass.
fn explain(out: &mut String, s: &ScenarioValidation, min_score: f64) {
    match &s.outcome {
        ValidationOutcome::Graded {
            grade,
            tool,
            judge,
            saw,
        } => {
            let judge_failed = judge.as_ref().and_then(|j| j.error.as_ref());
            if s.passed(min_score) == Some(true) && grade.notes.is_empty() {
                return;
            }
            out.push('\n');
            if let Some(x) = s.repeats() {
                let _ = writeln!(
                    out,
                    "{}: {} of {} runs reached the minimum of {} (scores {}/{}/{} min/mean/max); the first run:",
                    s.name,
                    x.right,
                    x.graded,
                    pct(min_score),
                    pct(x.score_min),
                    pct(x.score_mean),
                    pct(x.score_max)
                );
            }
            match (s.outcome.score(), judge_failed) {
                (_, Some(e)) => {
                    let _ = writeln!(out, "{}: the judge failed: {e}", s.name);
                }
                (Some(score), None) if score + 1e-9 < min_score => {
                    let _ = writeln!(
                        out,
                        "{}: {}, below the minimum of {}",
                        s.name,
                        pct(score),
                        pct(min_score)
                    );
                }
                (score, None) => {
                    let _ = writeln!(out, "{}: {}", s.name, score.map(pct).unwrap_or_default());
                }
            }
            if let Some(sight) = saw {
                let when = sight
                    .started_after_s
                    .map(|t| format!(", {t:.1}s after apply"))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "  ran at: {}{when}; the target was {}",
                    sight.moment,
                    sight.describe()
                );
                if let Some(note) = &sight.note {
                    let _ = writeln!(out, "  moment: {note}");
                }
            }
            if let Some(f) = &grade.failure {
                // Nothing else to say about an answer that never came.
                let _ = writeln!(out, "  failed: {f}");
                quote(out, "tool output", tool);
                return;
            }
            let c = &grade.category;
            if c.correct {
                let _ = writeln!(
                    out,
                    "  category: right ({}, {})",
                    c.expected,
                    c.source.describe()
                );
            } else {
                let said = c.found.map_or("none".to_owned(), |f| f.to_string());
                let _ = writeln!(
                    out,
                    "  category: wrong: expected {}, the tool said {said} ({})",
                    c.expected,
                    c.source.describe()
                );
            }
            let missed: Vec<&str> = grade.missed().map(|f| f.name.as_str()).collect();
            if !missed.is_empty() {
                let _ = writeln!(out, "  missed: {}", missed.join("; "));
            }
            let quoted: Vec<&str> = grade
                .key_facts
                .iter()
                .filter(|f| f.found && f.quoted)
                .map(|f| f.name.as_str())
                .collect();
            if !quoted.is_empty() {
                let _ = writeln!(
                    out,
                    "  quoted, not concluded (found only in what it copied from the cluster): {}",
                    quoted.join("; ")
                );
            }
            let wrong: Vec<String> = grade
                .wrong_given()
                .map(|f| match &f.matched {
                    Some(m) => format!("{} ({m:?})", f.name),
                    None => f.name.clone(),
                })
                .collect();
            if !wrong.is_empty() {
                let _ = writeln!(out, "  wrong advice: {}", wrong.join("; "));
            }
            for c in &grade.contradictions {
                let _ = writeln!(
                    out,
                    "  contradicted by the recording: the tool said {:?} ({}); recorded: {}",
                    c.claim, c.fact, c.recorded
                );
            }
            for n in &grade.notes {
                let _ = writeln!(out, "  note: {n}");
            }
            let title = format!("tool output ({})", tool.ending.describe());
            if !quote_graded_json(out, &title, tool, grade) {
                quote(out, &title, tool);
            }
        }
        ValidationOutcome::NotReproduced {
            reason,
            unmet_checks,
            ..
        } => {
            out.push('\n');
            let _ = writeln!(
                out,
                "{}: fixture did not reproduce, so the tool was not run (this does not count against it)",
                s.name
            );
            let _ = writeln!(out, "  {reason}");
            // A check still pending when the run ended is undecided, not failed: a must-not
            // check that saw nothing so far ("observed 0 restarts") is not "unmet".
            for c in unmet_checks {
                let what = match c.outcome {
                    crate::expect::Outcome::Contradicted => "unmet",
                    _ => "undecided",
                };
                let _ = writeln!(
                    out,
                    "  {what}: {}: expected {}, observed {}",
                    c.name, c.expected, c.observed
                );
            }
        }
        ValidationOutcome::NotRun { reason } => {
            out.push('\n');
            let _ = writeln!(out, "{}: not run: {reason}", s.name);
        }
    }
}

/// A JSON answer is quoted by the lines that were graded (its category field, what matched a
/// key fact, wrong advice or a contradicted claim), numbered, rather than by its first lines,
/// which are mostly braces and boilerplate. False when the output is not JSON or no line was
/// graded.
fn quote_graded_json(
    out: &mut String,
    title: &str,
    tool: &super::ToolOutput,
    grade: &super::Grade,
) -> bool {
    let text = tool.stdout.trim();
    if !(text.starts_with('{') || text.starts_with('['))
        || serde_json::from_str::<serde_json::Value>(text).is_err()
    {
        return false;
    }
    let mut needles: Vec<String> = Vec::new();
    if let super::CategorySource::Field { path, .. } = &grade.category.source {
        let key = path.rsplit('.').next().unwrap_or(path);
        needles.push(format!("\"{key}\""));
    }
    needles.extend(
        grade
            .key_facts
            .iter()
            .chain(&grade.wrong_answers)
            .filter_map(|f| f.matched.clone()),
    );
    needles.extend(grade.contradictions.iter().map(|c| c.claim.clone()));
    needles.retain(|n| !n.trim().is_empty());
    let lines: Vec<&str> = tool.stdout.lines().collect();
    let graded: Vec<(usize, &str)> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            let lower = l.to_lowercase();
            needles.iter().any(|n| lower.contains(&n.to_lowercase()))
        })
        .map(|(i, l)| (i + 1, *l))
        .collect();
    if graded.is_empty() {
        return false;
    }
    let _ = writeln!(out, "  {title}, stdout (JSON; the graded lines):");
    for (n, l) in graded.iter().take(QUOTED_LINES) {
        let l = l.trim();
        let shown: String = l.chars().take(QUOTED_WIDTH).collect();
        let more = if l.chars().count() > QUOTED_WIDTH {
            " …"
        } else {
            ""
        };
        let _ = writeln!(out, "    | {n:>3}: {shown}{more}");
    }
    let rest = lines.len() - graded.len().min(QUOTED_LINES);
    if rest > 0 {
        let _ = writeln!(out, "    | … {rest} other lines");
    }
    true
}

fn quote(out: &mut String, title: &str, tool: &super::ToolOutput) {
    let (stream, text) = if tool.stdout.trim().is_empty() {
        ("stderr", tool.stderr.as_str())
    } else {
        ("stdout", tool.stdout.as_str())
    };
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() {
        let _ = writeln!(out, "  {title}: no output");
        return;
    }
    let _ = writeln!(out, "  {title}, {stream}:");
    for l in lines.iter().take(QUOTED_LINES) {
        let shown: String = l.chars().take(QUOTED_WIDTH).collect();
        let more = if l.chars().count() > QUOTED_WIDTH {
            " …"
        } else {
            ""
        };
        let _ = writeln!(out, "    | {shown}{more}");
    }
    if lines.len() > QUOTED_LINES {
        let _ = writeln!(out, "    | … {} more lines", lines.len() - QUOTED_LINES);
    }
}

fn overall(r: &ValidationReport) -> String {
    let scored = r.scored();
    let mut parts = Vec::new();
    match r.overall() {
        Some(o) => parts.push(format!(
            "overall {} over {scored} scored scenario{}",
            pct(o),
            if scored == 1 { "" } else { "s" }
        )),
        None => parts.push("nothing scored".to_owned()),
    }
    let below = r.below();
    if below > 0 {
        parts.push(format!("{below} below {}", pct(r.min_score)));
    }
    let nr = r.not_reproduced();
    if nr > 0 {
        parts.push(format!(
            "{nr} fixture{} did not reproduce",
            if nr == 1 { "" } else { "s" }
        ));
    }
    let unscored = r.scenarios.len() - scored - nr;
    if unscored > 0 {
        parts.push(format!("{unscored} not scored"));
    }
    if let Some(why) = &r.cluster_unreachable {
        parts.push(format!("the cluster became unreachable ({why})"));
    }
    let verdict = match r.exit() {
        ValidationExit::Pass => "pass",
        ValidationExit::ToolBelow => "the tool scored below the minimum",
        ValidationExit::Incomplete => "incomplete",
    };
    format!("{}: {verdict}", parts.join(", "))
}
