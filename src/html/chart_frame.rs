//! The frame every delay-by-restart chart shares: the `<svg>` element, a grid line and a
//! duration label per y tick, the restart numbers under the x axis, and the axis caption.

use std::fmt::Write as _;

use crate::expect::duration::go_duration;

use super::axis::{Axis, f};

/// Size and plot area of a chart, in pixels.
pub struct Frame {
    pub w: f64,
    pub h: f64,
    pub x0: f64,
    pub y0: f64,
    pub pw: f64,
    pub ph: f64,
}

impl Frame {
    /// The y pixel of value `v` on `ya`.
    pub fn y(&self, ya: &Axis, v: f64) -> f64 {
        self.y0 + self.ph - ya.px(v)
    }

    /// Opens the `<svg>` and draws the grid, the restart numbers 1..=`n` at `x(r)`, and
    /// `caption` under them. The caller closes the element.
    pub fn open(
        &self,
        s: &mut String,
        ya: &Axis,
        n: i32,
        x: impl Fn(i32) -> f64,
        aria: &str,
        caption: &str,
    ) {
        let _ = writeln!(
            s,
            "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{aria}\">",
            w = f(self.w),
            h = f(self.h)
        );
        for t in ya.ticks() {
            let _ = writeln!(
                s,
                "<line class=\"grid\" x1=\"{x1}\" y1=\"{yt}\" x2=\"{x2}\" y2=\"{yt}\"/><text class=\"tick\" x=\"{xl}\" y=\"{yl}\" text-anchor=\"end\">{label}</text>",
                x1 = f(self.x0),
                yt = f(self.y(ya, t)),
                x2 = f(self.x0 + self.pw),
                xl = f(self.x0 - 6.0),
                yl = f(self.y(ya, t) + 4.0),
                label = go_duration(t as u64)
            );
        }
        for r in 1..=n {
            let _ = writeln!(
                s,
                "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{r}</text>",
                f(x(r)),
                f(self.y0 + self.ph + 16.0)
            );
        }
        let _ = writeln!(
            s,
            "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{caption}</text>",
            f(self.x0 + self.pw / 2.0),
            f(self.h - 6.0)
        );
    }
}
