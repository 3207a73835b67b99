//! The matrix report (`crashlab matrix --html`, or `crashlab report MATRIX.json`): per
//! scenario, a chart of restart delay against restart number with one line per column
//! (provider and version) and each column's kubelet curve dashed in the same colour, then a
//! table of every column's verdict, last exit and delays.

use std::fmt::Write as _;

use crate::expect::backoff::expected_delay;
use crate::matrix::MatrixRun;
use crate::runner::Verdict;

use super::axis::{Axis, f};
use super::chart_frame::Frame;
use super::escape::esc;
use super::measured_delays::measured_delays;
use super::page::{badge, page};

const W: f64 = 760.0;
const H: f64 = 300.0;
const X0: f64 = 60.0;
const Y0: f64 = 20.0;
const PW: f64 = 440.0;
const PH: f64 = H - Y0 - 44.0;
const FRAME: Frame = Frame {
    w: W,
    h: H,
    x0: X0,
    y0: Y0,
    pw: PW,
    ph: PH,
};
/// Distinct on white and for the common colour-vision deficiencies (Okabe–Ito).
const COLOURS: [&str; 7] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
];

/// The whole document.
pub fn render_matrix(runs: &[MatrixRun]) -> String {
    let mut body = String::new();
    let _ = writeln!(
        body,
        "<p class=\"meta\">{} column(s): {}.</p>",
        runs.len(),
        esc(&runs
            .iter()
            .map(|r| r.label.as_str())
            .collect::<Vec<_>>()
            .join(", "))
    );
    let mut names: Vec<&str> = Vec::new();
    for r in runs {
        for rep in &r.reports {
            if !names.contains(&rep.name.as_str()) {
                names.push(&rep.name);
            }
        }
    }
    for name in names {
        let _ = writeln!(body, "<section id=\"{0}\">\n<h2>{0}</h2>", esc(name));
        body.push_str(&chart(runs, name));
        body.push_str(&table(runs, name));
        body.push_str("</section>\n");
    }
    page("crashlab matrix", &body)
}

/// One column's line: its index (its colour), its run, its `(restart, delay_s)`.
type Series<'a> = (usize, &'a MatrixRun, Vec<(i32, i64)>);

/// Restart delays of `scenario` on every column, with each column's kubelet curve.
pub fn chart(runs: &[MatrixRun], scenario: &str) -> String {
    // (column index, its run, its delays)
    let series: Vec<Series> = runs
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            r.reports
                .iter()
                .find(|rep| rep.name == scenario)
                .map(|rep| (i, r, measured_delays(rep)))
        })
        .collect();
    let n = series
        .iter()
        .flat_map(|(_, _, d)| d.iter().map(|(r, _)| *r))
        .max()
        .unwrap_or(0);
    if n == 0 {
        return "<p class=\"note\">No restart delay was measured on any column.</p>\n".to_owned();
    }
    let n = n.max(2);
    // Each column's curve as far as its own delays go (a column that measured three delays
    // is not drawn against the tenth).
    let expected = |run: &MatrixRun, r: i32| {
        run.kubelet_backoff
            .as_ref()
            .map(|b| expected_delay(b.initial_s, b.max_s, r) as f64)
    };
    let last = |d: &[(i32, i64)]| d.iter().map(|(r, _)| *r).max().unwrap_or(0);
    let y_max = series
        .iter()
        .flat_map(|(_, run, d)| {
            d.iter()
                .map(|(_, v)| *v as f64)
                .chain((1..=last(d)).filter_map(|r| expected(run, r)))
        })
        .fold(1.0, f64::max);
    let ya = Axis::new(y_max, 0.0, PH);
    let y = |v: f64| FRAME.y(&ya, v);
    let x = |r: i32| X0 + PW * (r - 1) as f64 / (n - 1) as f64;
    let mut s = String::new();
    FRAME.open(
        &mut s,
        &ya,
        n,
        x,
        "restart delay by column",
        "restart number",
    );
    for (k, (i, run, delays)) in series.iter().enumerate() {
        let c = COLOURS[i % COLOURS.len()];
        if run.kubelet_backoff.is_some() {
            let pts: Vec<String> = (1..=last(delays))
                .filter_map(|r| expected(run, r).map(|e| format!("{},{}", f(x(r)), f(y(e)))))
                .collect();
            let _ = writeln!(
                s,
                "<polyline class=\"series expected\" stroke=\"{c}\" points=\"{}\"><title>{}: the kubelet's curve</title></polyline>",
                pts.join(" "),
                esc(&run.label)
            );
        }
        let pts: Vec<String> = delays
            .iter()
            .map(|(r, d)| format!("{},{}", f(x(*r)), f(y(*d as f64))))
            .collect();
        let _ = writeln!(
            s,
            "<polyline class=\"series\" stroke=\"{c}\" points=\"{}\"/>",
            pts.join(" ")
        );
        for (r, d) in delays {
            let _ = writeln!(
                s,
                "<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"{c}\"><title>{}: restart {r} after {d}s</title></circle>",
                f(x(*r)),
                f(y(*d as f64)),
                esc(&run.label)
            );
        }
        // Legend to the right of the plot.
        let ly = Y0 + 8.0 + 34.0 * k as f64;
        let lx = X0 + PW + 24.0;
        let curve = run
            .kubelet_backoff
            .as_ref()
            .map(|b| format!("kubelet: {}s → {}s (dashed)", b.initial_s, b.max_s))
            .unwrap_or_else(|| "kubelet curve unknown".to_owned());
        let _ = writeln!(
            s,
            "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"{c}\" stroke-width=\"3\"/><text class=\"legend\" x=\"{3}\" y=\"{4}\">{5}</text><text class=\"tick\" x=\"{3}\" y=\"{6}\">{7}</text>",
            f(lx),
            f(ly),
            f(lx + 18.0),
            f(lx + 24.0),
            f(ly + 4.0),
            esc(&run.label),
            f(ly + 18.0),
            esc(&curve)
        );
    }
    s.push_str("</svg>\n");
    s
}

fn table(runs: &[MatrixRun], scenario: &str) -> String {
    let mut s = String::from(
        "<table><tr><th>column</th><th>verdict</th><th>last exit</th><th>restart delays (s)</th><th>failed checks</th></tr>\n",
    );
    for run in runs {
        let Some(rep) = run.reports.iter().find(|r| r.name == scenario) else {
            continue;
        };
        let verdict = match rep.verdict {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Error => "error",
        };
        let o = &rep.observed;
        let failed: Vec<String> = rep
            .checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| format!("{}: {}", c.name, c.observed))
            .collect();
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&run.label),
            badge(verdict),
            esc(&match (o.exit_code, &o.reason) {
                (Some(c), Some(r)) => format!("{c} {r}"),
                (Some(c), None) => c.to_string(),
                _ => "none".to_owned(),
            }),
            esc(&o
                .backoff_delays_s
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")),
            if failed.is_empty() {
                "—".to_owned()
            } else {
                esc(&failed.join("; "))
            }
        );
    }
    s.push_str("</table>\n");
    s
}
