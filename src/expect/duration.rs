//! How durations are written for people.

/// Whole seconds written as Go's `time.Duration.String` does (`0s`, `10s`, `1m20s`, `5m0s`,
/// `1h0m0s`): the form the kubelet uses in `back-off 5m0s restarting failed container`, so
/// crashlab's numbers read like the cluster's.
pub fn go_duration(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, m) => format!("{m}m{s}s"),
        (h, m) => format!("{h}h{m}m{s}s"),
    }
}

/// Signed whole seconds (a measured delay can be negative only on broken input).
pub fn go_duration_signed(secs: i64) -> String {
    if secs < 0 {
        format!("-{}", go_duration(secs.unsigned_abs()))
    } else {
        go_duration(secs as u64)
    }
}

/// Seconds that may be fractional (tolerance bounds such as 1.5 × 1s): one decimal when it
/// is not whole, otherwise as [`go_duration`].
pub fn go_duration_f(secs: f64) -> String {
    if secs.fract() == 0.0 && secs >= 0.0 {
        go_duration(secs as u64)
    } else if secs < 60.0 {
        format!("{secs:.1}s")
    } else {
        let whole = secs.floor() as u64;
        format!("{}m{:.1}s", whole / 60, secs - (whole / 60 * 60) as f64)
    }
}

/// A wall-clock span of a run (`elapsed_s`): `0.4s`, `24.3s`, `1m32s`.
pub fn elapsed(secs: f64) -> String {
    if secs < 60.0 {
        format!("{secs:.1}s")
    } else {
        go_duration(secs.round() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_duration_matches_the_kubelet_messages() {
        // The back-off curve as the kubelet writes it (docs/kubelet-facts.md §1).
        let curve: Vec<String> = [0, 10, 20, 40, 80, 160, 300]
            .into_iter()
            .map(go_duration)
            .collect();
        assert_eq!(curve, ["0s", "10s", "20s", "40s", "1m20s", "2m40s", "5m0s"]);
        assert_eq!(go_duration(3600), "1h0m0s");
        assert_eq!(go_duration(3661), "1h1m1s");
        assert_eq!(go_duration_signed(-3), "-3s");
        assert_eq!(go_duration_signed(61), "1m1s");
    }

    #[test]
    fn fractional_bounds() {
        assert_eq!(go_duration_f(1.5), "1.5s");
        assert_eq!(go_duration_f(35.0), "35s");
        assert_eq!(go_duration_f(455.0), "7m35s");
        assert_eq!(go_duration_f(90.5), "1m30.5s");
    }

    #[test]
    fn elapsed_spans() {
        assert_eq!(elapsed(0.42), "0.4s");
        assert_eq!(elapsed(24.34), "24.3s");
        assert_eq!(elapsed(92.2), "1m32s");
        assert_eq!(elapsed(120.0), "2m0s");
        assert_eq!(elapsed(3600.0), "1h0m0s");
    }
}
