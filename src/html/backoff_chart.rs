//! The back-off chart of one scenario: each measured restart delay against the kubelet's
//! curve (nominal delay `e` and the allowed band `e … 1.5·e + slack`), and the same numbers
//! as a table.

use std::fmt::Write as _;

use crate::expect::backoff::{allowed_range, expected_delay, judge};
use crate::expect::duration::{go_duration, go_duration_f};
use crate::scenario::BackoffExpectation;

use super::axis::{Axis, f};
use super::chart_frame::Frame;

const W: f64 = 560.0;
const H: f64 = 250.0;
const X0: f64 = 56.0;
const Y0: f64 = 20.0;
const PW: f64 = W - X0 - 20.0;
const PH: f64 = H - Y0 - 44.0;
const FRAME: Frame = Frame {
    w: W,
    h: H,
    x0: X0,
    y0: Y0,
    pw: PW,
    ph: PH,
};

/// The chart (SVG) and table (HTML) for `delays` (`(restart, seconds)`) judged against
/// `curve`; empty when nothing was measured and nothing is expected.
pub fn backoff_chart(delays: &[(i32, i64)], curve: Option<&BackoffExpectation>) -> String {
    if delays.is_empty() && curve.is_none() {
        return String::new();
    }
    let judged = curve.map(|b| judge(b, delays.iter().copied()));
    let last_measured = delays.iter().map(|(r, _)| *r).max().unwrap_or(0);
    let n = last_measured
        .max(curve.map_or(0, |b| b.delays as i32))
        .max(2);
    let band: Vec<(i32, u64, f64)> = curve
        .map(|b| {
            (1..=n)
                .map(|r| {
                    let e = expected_delay(b.initial(), b.max(), r);
                    let (lo, hi) = allowed_range(b, e);
                    (r, lo, hi)
                })
                .collect()
        })
        .unwrap_or_default();
    let y_max = band
        .iter()
        .map(|(_, _, hi)| *hi)
        .chain(delays.iter().map(|(_, d)| *d as f64))
        .fold(1.0, f64::max);
    let ya = Axis::new(y_max, 0.0, PH);
    let y = |v: f64| FRAME.y(&ya, v);
    let x = |r: i32| X0 + PW * (r - 1) as f64 / (n - 1).max(1) as f64;

    let mut s = String::new();
    FRAME.open(
        &mut s,
        &ya,
        n,
        x,
        "restart delay against restart number",
        "restart number (delay before it: previous finishedAt → next startedAt)",
    );
    if !band.is_empty() {
        let upper: Vec<String> = band
            .iter()
            .map(|(r, _, hi)| format!("{},{}", f(x(*r)), f(y(*hi))))
            .collect();
        let lower: Vec<String> = band
            .iter()
            .rev()
            .map(|(r, lo, _)| format!("{},{}", f(x(*r)), f(y(*lo as f64))))
            .collect();
        let _ = writeln!(
            s,
            "<polygon class=\"band\" points=\"{} {}\"><title>allowed: e … 1.5·e + slack</title></polygon>",
            upper.join(" "),
            lower.join(" ")
        );
        let nominal: Vec<String> = band
            .iter()
            .map(|(r, lo, _)| format!("{},{}", f(x(*r)), f(y(*lo as f64))))
            .collect();
        let _ = writeln!(
            s,
            "<polyline class=\"nominal-line\" points=\"{}\"><title>the kubelet's delay e</title></polyline>",
            nominal.join(" ")
        );
    }
    if !delays.is_empty() {
        let pts: Vec<String> = delays
            .iter()
            .map(|(r, d)| format!("{},{}", f(x(*r)), f(y(*d as f64))))
            .collect();
        let _ = writeln!(
            s,
            "<polyline class=\"measured\" points=\"{}\"/>",
            pts.join(" ")
        );
    }
    for (i, (r, d)) in delays.iter().enumerate() {
        let ok = judged.as_ref().and_then(|j| j.get(i)).and_then(|j| j.ok);
        let class = match ok {
            Some(true) => "pt ok",
            Some(false) => "pt bad",
            None => "pt",
        };
        let _ = writeln!(
            s,
            "<circle class=\"{class}\" cx=\"{0}\" cy=\"{1}\" r=\"4.5\"><title>restart {r}: {d}s</title></circle><text class=\"pt-label\" x=\"{0}\" y=\"{2}\" text-anchor=\"middle\">{d}s</text>",
            f(x(*r)),
            f(y(*d as f64)),
            f(y(*d as f64) - 9.0)
        );
    }
    s.push_str("</svg>\n");
    s.push_str(&table(delays, curve, judged.as_deref()));
    s
}

fn table(
    delays: &[(i32, i64)],
    curve: Option<&BackoffExpectation>,
    judged: Option<&[crate::expect::backoff::Judged]>,
) -> String {
    let Some(curve) = curve else {
        let mut s =
            String::from("<table class=\"delays\"><tr><th>restart</th><th>measured</th></tr>\n");
        for (r, d) in delays {
            let _ = writeln!(s, "<tr><td>{r}</td><td>{d}s</td></tr>");
        }
        s.push_str("</table>\n");
        return s;
    };
    let mut s = String::from(
        "<table class=\"delays\"><tr><th>restart</th><th>measured</th><th>kubelet's delay e</th><th>allowed</th><th></th></tr>\n",
    );
    for (i, (r, d)) in delays.iter().enumerate() {
        let (e, allowed, verdict) = match judged.and_then(|j| j.get(i)) {
            Some(j) => {
                let (lo, hi) = allowed_range(curve, j.expected_s);
                let verdict = match j.ok {
                    Some(true) => "<span class=\"pass\">within</span>",
                    Some(false) => "<span class=\"fail\">outside</span>",
                    None => "<span class=\"muted\">not judged</span>",
                };
                (
                    go_duration(j.expected_s),
                    format!("{} … {}", go_duration(lo), go_duration_f(hi)),
                    verdict,
                )
            }
            None => ("?".to_owned(), "?".to_owned(), ""),
        };
        let _ = writeln!(
            s,
            "<tr><td>{r}</td><td>{d}s</td><td>{e}</td><td>{allowed}</td><td>{verdict}</td></tr>"
        );
    }
    if delays.is_empty() {
        s.push_str(
            "<tr><td colspan=\"5\" class=\"muted\">no restart delay was measured</td></tr>\n",
        );
    }
    s.push_str("</table>\n");
    s
}
