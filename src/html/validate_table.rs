//! The validation report (`crashlab validate --html`, or `crashlab report VALIDATE.json`):
//! the score table, each tool answer next to the scenario's ground truth. Read from the
//! document `crashlab validate -o json` writes (its field names are a public contract).

use std::fmt::Write as _;

use serde::Deserialize;

use super::escape::esc;
use super::page::{badge, page};

#[derive(Debug, Clone, Deserialize)]
pub struct ValidateResult {
    pub command: String,
    #[serde(default)]
    pub judge: Option<String>,
    pub min_score: f64,
    pub scenarios: Vec<Validated>,
    pub summary: ValidateSummary,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ValidateSummary {
    pub scenarios: usize,
    pub scored: usize,
    pub below_min_score: usize,
    pub not_reproduced: usize,
    pub overall_score: Option<f64>,
    pub result: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Validated {
    pub name: String,
    pub expected_category: String,
    /// `graded`, `not_reproduced`, `not_run`.
    pub result: String,
    #[serde(default)]
    pub score: Option<f64>,
    #[serde(default)]
    pub passed: Option<bool>,
    #[serde(default)]
    pub grade: Option<Grade>,
    #[serde(default)]
    pub tool: Option<Tool>,
    #[serde(default)]
    pub reason: Option<String>,
    /// When the tool ran and what it was shown (the validate document's own type).
    #[serde(default)]
    pub saw: Option<crate::expect::Sight>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Grade {
    pub category: CategoryGrade,
    #[serde(default)]
    pub key_facts: Vec<Fact>,
    #[serde(default)]
    pub wrong_answers: Vec<Fact>,
    #[serde(default)]
    pub failure: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CategoryGrade {
    pub found: Option<String>,
    pub correct: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Fact {
    pub name: String,
    pub found: bool,
    #[serde(default)]
    pub matched: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Tool {
    #[serde(default)]
    pub stdout: String,
    #[serde(default)]
    pub stderr: String,
}

/// The whole document.
pub fn render_validate(v: &ValidateResult) -> String {
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
        v.summary.scenarios,
        v.summary.scored,
        v.summary.below_min_score,
        v.summary.not_reproduced,
        v.summary
            .overall_score
            .map(|s| format!("{s:.3}"))
            .unwrap_or_else(|| "none".to_owned()),
        badge(match v.summary.result.as_str() {
            "pass" => "pass",
            "tool_below_min_score" => "fail",
            other => other,
        }),
    );
    body.push_str(&score_table(v));
    body.push_str("<h2>What the tool said</h2>\n");
    for s in &v.scenarios {
        if let Some(t) = &s.tool {
            let _ = writeln!(body, "<h3>{}</h3>", esc(&s.name));
            if let Some(strip) = s.saw.as_ref().and_then(super::call_strip::call_strip) {
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
pub fn score_table(v: &ValidateResult) -> String {
    let mut s = String::from(
        "<table class=\"scores\"><tr><th>scenario</th><th>ground truth</th><th>the tool's answer</th><th>score</th><th>result</th></tr>\n",
    );
    for sc in &v.scenarios {
        let mut truth = format!("category <b>{}</b>", esc(&sc.expected_category));
        let answer = match &sc.grade {
            Some(g) => {
                if !g.key_facts.is_empty() {
                    truth.push_str("<br>key facts: ");
                    truth.push_str(&esc(&names(&g.key_facts)));
                }
                let mut a = match &g.category.found {
                    Some(c) => format!(
                        "category <b class=\"{}\">{}</b>",
                        if g.category.correct { "pass" } else { "fail" },
                        esc(c)
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
                if let Some(saw) = &sc.saw {
                    let _ = write!(
                        a,
                        "<br><span class=\"muted\">ran at {}: the target was {}</span>",
                        esc(saw.moment.as_str()),
                        esc(&saw.describe())
                    );
                }
                a
            }
            None => format!(
                "<span class=\"muted\">not asked: {}</span>",
                esc(sc.reason.as_deref().unwrap_or(&sc.result))
            ),
        };
        let result = match sc.passed {
            Some(true) => badge("pass"),
            Some(false) => badge("fail"),
            None => badge(&sc.result.replace('_', " ")),
        };
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{truth}</td><td>{answer}</td><td>{}</td><td>{result}</td></tr>",
            esc(&sc.name),
            sc.score
                .map(|x| format!("{x:.3}"))
                .unwrap_or_else(|| "—".to_owned()),
        );
    }
    s.push_str("</table>\n");
    s
}

fn names(facts: &[Fact]) -> String {
    facts
        .iter()
        .map(|f| f.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
