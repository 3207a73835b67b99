//! The validation report (`crashlab validate --html`, or `crashlab report VALIDATE.json`):
//! the score table, each tool answer next to the scenario's ground truth. Rendered from the
//! [`ValidationReport`] that `crashlab validate -o json` writes and `crashlab report` reads.

use std::fmt::Write as _;

use crate::validate::{FactMatch, ValidationExit, ValidationOutcome, ValidationReport};

use super::escape::esc;
use super::page::{badge, page};

/// The whole document.
pub fn render_validate(v: &ValidationReport) -> String {
    let mut body = String::new();
    let _ = writeln!(
        body,
        "<p class=\"meta\">tool <code>{}</code>{} · minimum score {} · {} scenario(s), {} scored, {} below the minimum, {} not reproduced · overall score {} · {}</p>",
        esc(&v.command),
        v.judge
            .as_deref()
            .map(|j| format!(" · judge <code>{}</code>", esc(j)))
            .unwrap_or_default(),
        v.min_score,
        v.scenarios.len(),
        v.scored(),
        v.below(),
        v.not_reproduced(),
        v.overall()
            .map(|s| format!("{s:.3}"))
            .unwrap_or_else(|| "none".to_owned()),
        badge(match v.exit() {
            ValidationExit::Pass => "pass",
            ValidationExit::ToolBelow => "fail",
            ValidationExit::Incomplete => "incomplete",
        }),
    );
    body.push_str(&score_table(v));
    body.push_str("<h2>What the tool said</h2>\n");
    for s in &v.scenarios {
        if let ValidationOutcome::Graded { tool: t, saw, .. } = &s.outcome {
            let _ = writeln!(body, "<h3>{}</h3>", esc(&s.name));
            if let Some(strip) = saw.as_ref().and_then(super::call_strip::call_strip) {
                let _ = writeln!(body, "{strip}");
            }
            let _ = writeln!(
                body,
                "<pre>{}</pre>",
                if t.stdout.trim().is_empty() {
                    "(no output)".to_owned()
                } else {
                    esc(t.stdout.trim_end())
                }
            );
            if !t.stderr.trim().is_empty() {
                let _ = writeln!(
                    body,
                    "<p class=\"muted\">stderr:</p><pre>{}</pre>",
                    esc(t.stderr.trim_end())
                );
            }
        }
    }
    page("crashlab validate", &body)
}

/// The score table: per scenario the ground truth, the tool's answer beside it, the score.
pub fn score_table(v: &ValidationReport) -> String {
    let mut s = String::from(
        "<table class=\"scores\"><tr><th>scenario</th><th>ground truth</th><th>the tool's answer</th><th>score</th><th>result</th></tr>\n",
    );
    for sc in &v.scenarios {
        let mut truth = format!("category <b>{}</b>", esc(sc.expected_category.as_str()));
        let answer = match &sc.outcome {
            ValidationOutcome::Graded { grade: g, saw, .. } => {
                if !g.key_facts.is_empty() {
                    truth.push_str("<br>key facts: ");
                    truth.push_str(&esc(&names(&g.key_facts)));
                }
                let mut a = match &g.category.found {
                    Some(c) => format!(
                        "category <b class=\"{}\">{}</b>",
                        if g.category.correct { "pass" } else { "fail" },
                        esc(c.as_str())
                    ),
                    None => "<span class=\"fail\">no category</span>".to_owned(),
                };
                for fact in &g.key_facts {
                    let _ = write!(
                        a,
                        "<br>{} {}{}",
                        if fact.found {
                            "<span class=\"pass\">✔</span>"
                        } else {
                            "<span class=\"fail\">✘ missed</span>"
                        },
                        esc(&fact.name),
                        fact.matched
                            .as_deref()
                            .map(|m| format!(" <span class=\"muted\">(“{}”)</span>", esc(m)))
                            .unwrap_or_default()
                    );
                }
                for wrong in g.wrong_answers.iter().filter(|w| w.found) {
                    let _ = write!(
                        a,
                        "<br><span class=\"fail\">wrong advice:</span> {}{}",
                        esc(&wrong.name),
                        wrong
                            .matched
                            .as_deref()
                            .map(|m| format!(" <span class=\"muted\">(“{}”)</span>", esc(m)))
                            .unwrap_or_default()
                    );
                }
                if let Some(f) = &g.failure {
                    let _ = write!(a, "<br><span class=\"fail\">{}</span>", esc(f));
                }
                if let Some(saw) = saw {
                    let _ = write!(
                        a,
                        "<br><span class=\"muted\">ran at {}: the target was {}</span>",
                        esc(saw.moment.as_str()),
                        esc(&saw.describe())
                    );
                }
                a
            }
            ValidationOutcome::NotReproduced { reason, .. }
            | ValidationOutcome::NotRun { reason } => {
                format!("<span class=\"muted\">not asked: {}</span>", esc(reason))
            }
        };
        let result = match (sc.passed(v.min_score), &sc.outcome) {
            (Some(true), _) => badge("pass"),
            (Some(false), _) => badge("fail"),
            (None, ValidationOutcome::Graded { .. }) => badge("graded"),
            (None, ValidationOutcome::NotReproduced { .. }) => badge("not reproduced"),
            (None, ValidationOutcome::NotRun { .. }) => badge("not run"),
        };
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{truth}</td><td>{answer}</td><td>{}</td><td>{result}</td></tr>",
            esc(&sc.name),
            sc.score()
                .map(|x| format!("{x:.3}"))
                .unwrap_or_else(|| "—".to_owned()),
        );
    }
    s.push_str("</table>\n");
    s
}

fn names(facts: &[FactMatch]) -> String {
    facts
        .iter()
        .map(|f| f.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
