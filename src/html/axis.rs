//! A linear scale from data values to SVG pixels, with "nice" tick values, shared by the
//! timeline and the charts.

/// Maps `[0, max]` onto `[px0, px0 + len]` pixels.
#[derive(Debug, Clone, Copy)]
pub struct Axis {
    pub max: f64,
    pub px0: f64,
    pub len: f64,
}

impl Axis {
    /// An axis showing at least `[0, max]`, extended to its last tick.
    pub fn new(max: f64, px0: f64, len: f64) -> Self {
        let step = nice_step(max);
        let max = (max.max(step) / step).ceil() * step;
        Self { max, px0, len }
    }

    /// The pixel of a value (values beyond the axis are clamped to it).
    pub fn px(&self, v: f64) -> f64 {
        self.px0 + v.clamp(0.0, self.max) / self.max * self.len
    }

    /// Tick values from 0 to the end of the axis, about six of them.
    pub fn ticks(&self) -> Vec<f64> {
        let step = nice_step(self.max);
        let n = (self.max / step).round() as usize;
        (0..=n).map(|i| i as f64 * step).collect()
    }
}

/// 1, 2 or 5 times a power of ten, or a clock-friendly step for seconds (15, 30, 60, …),
/// so that `max` spans about five steps.
fn nice_step(max: f64) -> f64 {
    let raw = (max / 5.0).max(1.0);
    const CLOCK: [f64; 12] = [
        1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0,
    ];
    CLOCK
        .iter()
        .copied()
        .find(|s| *s >= raw)
        .unwrap_or_else(|| (raw / 3600.0).ceil() * 3600.0)
}

/// A pixel value as written in SVG: one decimal at most.
pub fn f(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_seconds() {
        let a = Axis::new(41.0, 0.0, 100.0);
        assert_eq!(a.ticks(), [0.0, 10.0, 20.0, 30.0, 40.0, 50.0]);
        assert_eq!(a.px(25.0), 50.0);
        assert_eq!(a.px(99.0), 100.0);
        assert_eq!(
            Axis::new(200.0, 0.0, 1.0).ticks(),
            [0.0, 60.0, 120.0, 180.0, 240.0]
        );
        assert_eq!(Axis::new(0.0, 0.0, 1.0).max, 1.0);
        assert_eq!(f(12.345), "12.3");
        assert_eq!(f(12.0), "12");
    }
}
