//! The SVG timeline of a scenario: one lane per container, its instances as bars on a time
//! axis, each end marked with exit code and reason, the back-off gaps between them drawn
//! against the kubelet's expected delay (nominal tick and tolerance band), probe failures as
//! ticks and the other events as markers. Hovering any mark shows its details (SVG `title`).

use std::fmt::Write as _;

use crate::expect::backoff::{allowed_range, expected_delay, within};
use crate::expect::duration::{go_duration, go_duration_f};
use crate::scenario::BackoffExpectation;

use super::axis::{Axis, f};
use super::escape::{clip, esc};
use super::lane::{Lane, Lanes};
use super::stagger::{rows_for, text_width};

const WIDTH: f64 = 1160.0;
const PLOT_X: f64 = 190.0;
const PLOT_W: f64 = WIDTH - PLOT_X - 40.0;
const LEGEND_H: f64 = 50.0;
const LANE_H: f64 = 118.0;
/// Room above the first lane for the step labels.
const STEPS_H: f64 = 30.0;
const AXIS_H: f64 = 34.0;

/// The timeline as one `<svg>` element. `curve`: the back-off the scenario expects (with
/// its slack), to draw each gap against; `None` draws the measured gaps alone.
pub fn timeline_svg(lanes: &Lanes, curve: Option<&BackoffExpectation>) -> String {
    let mut s = String::new();
    if lanes.lanes.is_empty() {
        return "<p class=\"note\">No container or pod signal was recorded: nothing to draw.</p>\n"
            .to_owned();
    }
    let steps_h = if lanes.steps.is_empty() { 0.0 } else { STEPS_H };
    let top = LEGEND_H + steps_h;
    let height = top + LANE_H * lanes.lanes.len() as f64 + AXIS_H;
    let axis = Axis::new(lanes.span_s.max(1.0), PLOT_X, PLOT_W);
    let _ = writeln!(
        s,
        "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"container timeline\">",
        w = f(WIDTH),
        h = f(height)
    );
    legend(&mut s, curve.is_some());
    let bottom = height - AXIS_H;
    // Grid and time axis.
    for t in axis.ticks() {
        let x = f(axis.px(t));
        let _ = writeln!(
            s,
            "<line class=\"grid\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\"/><text class=\"tick\" x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            f(top),
            f(bottom),
            f(bottom + 16.0),
            go_duration(t as u64)
        );
    }
    let _ = writeln!(
        s,
        "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">time since the first signal</text>",
        f(PLOT_X + PLOT_W),
        f(bottom + 30.0)
    );
    for (i, lane) in lanes.lanes.iter().enumerate() {
        let y = top + LANE_H * i as f64;
        draw_lane(&mut s, lane, y, &axis, lanes.span_s, curve);
    }
    let widths: Vec<(f64, f64)> = lanes
        .steps
        .iter()
        .map(|(at, name)| (axis.px(*at) + 4.0, text_width(name, 10.5)))
        .collect();
    for ((at, name), row) in lanes.steps.iter().zip(rows_for(&widths, 2, 6.0)) {
        let x = f(axis.px(*at));
        let _ = writeln!(
            s,
            "<line class=\"step\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\"/><text class=\"step-label\" x=\"{}\" y=\"{}\">{}</text>",
            f(LEGEND_H + 3.0 + 12.0 * row as f64),
            f(bottom),
            f(axis.px(*at) + 4.0),
            f(LEGEND_H + 12.0 + 12.0 * row as f64),
            esc(name)
        );
    }
    s.push_str("</svg>\n");
    s
}

fn legend(s: &mut String, with_curve: bool) {
    let mut items: Vec<(&str, &str)> = vec![
        (
            "<rect class=\"run\" x=\"X\" y=\"9\" width=\"12\" height=\"12\"/>",
            "container instance",
        ),
        (
            "<rect class=\"run open\" x=\"X\" y=\"9\" width=\"12\" height=\"12\"/>",
            "still running at the end",
        ),
        (
            "<rect class=\"wait\" x=\"X\" y=\"12\" width=\"12\" height=\"6\"/>",
            "waiting (reason)",
        ),
        (
            "<line class=\"exit bad\" x1=\"M\" y1=\"8\" x2=\"M\" y2=\"22\"/>",
            "exit (code, reason)",
        ),
        (
            "<line class=\"gap\" x1=\"X\" y1=\"15\" x2=\"E\" y2=\"15\"/>",
            "measured back-off",
        ),
    ];
    if with_curve {
        items.push((
            "<rect class=\"band\" x=\"X\" y=\"9\" width=\"12\" height=\"12\"/>",
            "allowed: e … 1.5·e + slack",
        ));
        items.push((
            "<line class=\"nominal\" x1=\"M\" y1=\"8\" x2=\"M\" y2=\"22\"/>",
            "kubelet's delay e",
        ));
    }
    items.push((
        "<line class=\"probe\" x1=\"M\" y1=\"8\" x2=\"M\" y2=\"22\"/>",
        "probe failure (Unhealthy)",
    ));
    items.push((
        "<circle class=\"ev backoff\" cx=\"M\" cy=\"15\" r=\"5\"/>",
        "BackOff",
    ));
    items.push((
        "<circle class=\"ev killing\" cx=\"M\" cy=\"15\" r=\"5\"/>",
        "Killing",
    ));
    items.push((
        "<circle class=\"ev failed\" cx=\"M\" cy=\"15\" r=\"5\"/>",
        "Failed",
    ));
    items.push((
        "<circle class=\"ev warn\" cx=\"M\" cy=\"15\" r=\"5\"/>",
        "other warning",
    ));
    let (mut x, mut row) = (8.0, 0);
    for (mark, label) in items {
        let w = 16.0 + text_width(label, 11.0) + 14.0;
        if x + w > WIDTH {
            (x, row) = (8.0, row + 1);
        }
        let mark = mark
            .replace("\"X\"", &format!("\"{}\"", f(x)))
            .replace("\"M\"", &format!("\"{}\"", f(x + 6.0)))
            .replace("\"E\"", &format!("\"{}\"", f(x + 12.0)));
        let _ = writeln!(
            s,
            "<g transform=\"translate(0,{})\">{mark}<text class=\"legend\" x=\"{}\" y=\"19\">{}</text></g>",
            20 * row,
            f(x + 16.0),
            esc(label)
        );
        x += w;
    }
}

fn draw_lane(
    s: &mut String,
    lane: &Lane,
    y: f64,
    axis: &Axis,
    span_s: f64,
    curve: Option<&BackoffExpectation>,
) {
    let bar_y = y + 42.0;
    let bar_h = 22.0;
    let band_y = bar_y + bar_h + 6.0;
    let label_y = band_y + 25.0;
    let marker_y = y + LANE_H - 10.0;
    // Lane label.
    let name = if lane.container.is_empty() {
        "(pod)".to_owned()
    } else {
        lane.container.clone()
    };
    let _ = writeln!(
        s,
        "<line class=\"lane\" x1=\"0\" y1=\"{0}\" x2=\"{1}\" y2=\"{0}\"/>\n<text class=\"lane-name\" x=\"8\" y=\"{2}\">{3}{4}</text><text class=\"lane-pod\" x=\"8\" y=\"{5}\">pod {6}</text>",
        f(y + LANE_H),
        f(WIDTH),
        f(bar_y + 13.0),
        esc(&clip(&name, 22)),
        if lane.init { " (init)" } else { "" },
        f(bar_y + 29.0),
        esc(&clip(&lane.pod, 26)),
    );
    // Waiting reasons, as a thin band from each change to the next start or change.
    for w in &lane.waiting {
        let until = w.until.unwrap_or(span_s);
        let (x1, x2) = (axis.px(w.at), axis.px(until));
        let _ = writeln!(
            s,
            "<rect class=\"wait\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"6\"><title>waiting: {}</title></rect>",
            f(x1),
            f(bar_y + 8.0),
            f((x2 - x1).max(1.0)),
            esc(&w.reason)
        );
        if x2 - x1 > text_width(&w.reason, 10.0) + 6.0 {
            let _ = writeln!(
                s,
                "<text class=\"wait-label\" x=\"{}\" y=\"{}\">{}</text>",
                f(x1 + 3.0),
                f(bar_y - 4.0),
                esc(&w.reason)
            );
        }
    }
    // Instances and how each ended.
    let mut exit_labels = Vec::new();
    for inst in &lane.instances {
        let x1 = axis.px(inst.start);
        let x2 = axis.px(inst.end.unwrap_or(span_s));
        let title = match (inst.end, inst.exit_code) {
            (Some(end), Some(code)) => format!(
                "instance {} ran {} → {}: exit code {}{}",
                inst.restart,
                go_duration_f((inst.start * 10.0).round() / 10.0),
                go_duration_f((end * 10.0).round() / 10.0),
                code,
                inst.reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            ),
            _ => format!(
                "instance {} running since {}",
                inst.restart,
                go_duration_f((inst.start * 10.0).round() / 10.0)
            ),
        };
        let class = if inst.end.is_some() {
            "run"
        } else {
            "run open"
        };
        let _ = writeln!(
            s,
            "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"><title>{}</title></rect>",
            f(x1),
            f(bar_y),
            f((x2 - x1).max(4.0)),
            f(bar_h),
            esc(&title)
        );
        if let (Some(_), Some(code)) = (inst.end, inst.exit_code) {
            let bad = if code == 0 { "" } else { " bad" };
            let _ = writeln!(
                s,
                "<line class=\"exit{bad}\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>",
                f(x2),
                f(bar_y - 4.0),
                f(bar_y + bar_h + 4.0)
            );
            let text = match &inst.reason {
                Some(r) => format!("{code} {r}"),
                None => code.to_string(),
            };
            exit_labels.push((x2, text, code != 0));
        }
    }
    let widths: Vec<(f64, f64)> = exit_labels
        .iter()
        .map(|(x, t, _)| (x - 2.0, text_width(t, 10.0)))
        .collect();
    for ((x, text, bad), row) in exit_labels.iter().zip(rows_for(&widths, 2, 4.0)) {
        let _ = writeln!(
            s,
            "<text class=\"exit-label{}\" x=\"{}\" y=\"{}\">{}</text>",
            if *bad { " bad" } else { "" },
            f(x - 2.0),
            f(y + 12.0 + 12.0 * row as f64),
            esc(text)
        );
    }
    // Back-off gaps against the expected delay.
    let mut gap_labels = Vec::new();
    for g in &lane.gaps {
        let (x1, x2) = (axis.px(g.from), axis.px(g.to));
        let mut title = format!("restart {}: waited {}s", g.restart, g.delay_s);
        let mut ok_class = "";
        if let Some(b) = curve {
            let e = expected_delay(b.initial(), b.max(), g.restart);
            let (lo, hi) = allowed_range(b, e);
            let (b1, b2) = (axis.px(g.from + lo as f64), axis.px(g.from + hi));
            let _ = writeln!(
                s,
                "<rect class=\"band\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"12\"/>",
                f(b1),
                f(band_y),
                f((b2 - b1).max(1.0))
            );
            let _ = writeln!(
                s,
                "<line class=\"nominal\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>",
                f(b1),
                f(band_y - 3.0),
                f(band_y + 15.0)
            );
            let ok = within(b, g.delay_s, e);
            ok_class = if ok { " ok" } else { " bad" };
            title.push_str(&format!(
                "; the kubelet's delay {}, allowed {} … {}: {}",
                go_duration(e),
                go_duration(lo),
                go_duration_f(hi),
                if ok { "within" } else { "OUTSIDE" }
            ));
        }
        let _ = writeln!(
            s,
            "<g class=\"gapmark{ok_class}\"><title>{}</title><line class=\"gap\" x1=\"{1}\" y1=\"{3}\" x2=\"{2}\" y2=\"{3}\"/><line class=\"gap\" x1=\"{1}\" y1=\"{4}\" x2=\"{1}\" y2=\"{5}\"/><line class=\"gap\" x1=\"{2}\" y1=\"{4}\" x2=\"{2}\" y2=\"{5}\"/></g>",
            esc(&title),
            f(x1),
            f(x2.max(x1 + 1.0)),
            f(band_y + 6.0),
            f(band_y + 1.0),
            f(band_y + 11.0)
        );
        gap_labels.push(((x1 + x2) / 2.0, format!("{}s", g.delay_s), ok_class));
    }
    let widths: Vec<(f64, f64)> = gap_labels
        .iter()
        .map(|(x, t, _)| (x - text_width(t, 10.0) / 2.0, text_width(t, 10.0)))
        .collect();
    for ((x, text, class), row) in gap_labels.iter().zip(rows_for(&widths, 1, 2.0)) {
        let _ = row;
        let _ = writeln!(
            s,
            "<text class=\"gap-label{class}\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            f(*x),
            f(label_y),
            esc(text)
        );
    }
    // Probe failures as ticks across the bar; other events as markers below.
    for m in &lane.markers {
        let x = f(axis.px(m.at));
        let title = esc(&format!(
            "{} ({}×) at {}: {}",
            m.reason,
            m.count,
            go_duration_f((m.at * 10.0).round() / 10.0),
            m.message
        ));
        if m.reason == "Unhealthy" {
            let _ = writeln!(
                s,
                "<line class=\"probe\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\"><title>{title}</title></line>",
                f(bar_y - 6.0),
                f(bar_y + bar_h + 6.0)
            );
        } else {
            let class = match m.reason.as_str() {
                "BackOff" => "ev backoff",
                "Killing" => "ev killing",
                "Failed" => "ev failed",
                _ if m.warning => "ev warn",
                _ => "ev",
            };
            let _ = writeln!(
                s,
                "<circle class=\"{class}\" cx=\"{x}\" cy=\"{}\" r=\"5\"><title>{title}</title></circle>",
                f(marker_y)
            );
        }
    }
    event_key(s, lane, marker_y);
}

/// The reasons of the lane's markers, written left of the marker row.
fn event_key(s: &mut String, lane: &Lane, marker_y: f64) {
    let mut reasons: Vec<&str> = Vec::new();
    for m in &lane.markers {
        if m.reason != "Unhealthy" && !reasons.contains(&m.reason.as_str()) {
            reasons.push(&m.reason);
        }
    }
    let has_probe = lane.markers.iter().any(|m| m.reason == "Unhealthy");
    let mut parts: Vec<String> = reasons.iter().map(|r| (*r).to_owned()).collect();
    if has_probe {
        parts.push("Unhealthy (ticks)".to_owned());
    }
    if !parts.is_empty() {
        let _ = writeln!(
            s,
            "<text class=\"lane-pod\" x=\"8\" y=\"{}\">events: {}</text>",
            f(marker_y + 4.0),
            esc(&clip(&parts.join(", "), 30))
        );
    }
}
