//! `duration.HumanDuration` from k8s.io/apimachinery (pkg/util/duration): the AGE column, and
//! "(x4 over 40s)" in describe's Events.

/// `d_s` whole-second truncation as Go's `int(d.Seconds())`; `d_ms` in milliseconds.
pub fn human_duration(d_ms: i64) -> String {
    let seconds = d_ms / 1000;
    if d_ms < 0 && seconds < -1 {
        return "<invalid>".to_owned();
    }
    if d_ms < 0 {
        return "0s".to_owned();
    }
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = seconds / 3600;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{dy}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}

#[cfg(test)]
mod tests {
    use super::human_duration;

    #[test]
    fn matches_apimachinery() {
        // Cases from k8s.io/apimachinery pkg/util/duration/duration_test.go.
        let s = 1000;
        let m = 60 * s;
        let h = 60 * m;
        let d = 24 * h;
        let y = 365 * d;
        for (ms, want) in [
            (-2 * s, "<invalid>"),
            (-2 * s + 1, "0s"),
            (-1500, "0s"),
            (0, "0s"),
            (s, "1s"),
            (119 * s, "119s"),
            (2 * m, "2m"),
            (2 * m + s, "2m1s"),
            (9 * m + 59 * s, "9m59s"),
            (10 * m, "10m"),
            (3 * h - 1, "179m"),
            (3 * h, "3h"),
            (3 * h + 30 * m, "3h30m"),
            (8 * h, "8h"),
            (47 * h + 59 * m, "47h"),
            (48 * h, "2d"),
            (2 * d + 5 * h, "2d5h"),
            (8 * d, "8d"),
            (2 * y, "2y"),
            (2 * y + 10 * d, "2y10d"),
            (8 * y, "8y"),
        ] {
            assert_eq!(human_duration(ms), want, "{ms} ms");
        }
    }
}
