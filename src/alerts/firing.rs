//! Reading back which alerts fired, and when, from `promtool test rules` output. The test
//! file expects no alert at every evaluation, so every firing evaluation is a failure that
//! promtool prints (cmd/promtool/unittest.go):
//!
//! ```text
//!     alertname: KubePodCrashLooping, time: 15m30s,
//!         exp:[],
//!         got:[
//! 0:
//!   Labels:{alertname="KubePodCrashLooping", container="app", ...}
//!   Annotations:{...}
//! ]
//! ```

use std::collections::BTreeMap;

/// The evaluations at which one alert fired.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Firings {
    /// Seconds after scrape 0, ascending.
    pub times_s: Vec<u64>,
    /// The label sets (as promtool prints them) firing at the first of those times.
    pub first_labels: Vec<String>,
}

/// Firings per alert name. `Err` carries promtool's output when it failed for another reason
/// than alerts firing (a rule that does not evaluate, a series that does not load).
pub fn parse_firings(output: &str, success: bool) -> Result<BTreeMap<String, Firings>, String> {
    let mut firings: BTreeMap<String, Firings> = BTreeMap::new();
    let mut current: Option<(String, u64)> = None;
    let mut unexplained = Vec::new();
    for line in output.lines() {
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix("alertname: ") {
            let parsed = rest.rsplit_once(", time: ").and_then(|(name, time)| {
                let time = time.trim().trim_end_matches(',').trim();
                Some((name.to_owned(), duration_s(time)?))
            });
            match parsed {
                Some((name, t)) => {
                    let f = firings.entry(name.clone()).or_default();
                    f.times_s.push(t);
                    current = Some((name, t));
                }
                None => unexplained.push(trimmed.to_owned()),
            }
        } else if let Some(labels) = trimmed.strip_prefix("Labels:") {
            if let Some((name, t)) = &current {
                let f = firings.get_mut(name).expect("entered above");
                if f.times_s.first() == Some(t) {
                    f.first_labels.push(labels.to_owned());
                }
            }
        } else if trimmed.starts_with("Annotations:") {
            // The rule's own text: may say anything.
        } else if trimmed.contains("err:") || trimmed.starts_with("error") {
            unexplained.push(trimmed.to_owned());
        }
    }
    if !unexplained.is_empty() || (!success && firings.is_empty()) {
        return Err(output.trim().to_owned());
    }
    for f in firings.values_mut() {
        f.times_s.sort_unstable();
        f.times_s.dedup();
    }
    Ok(firings)
}

/// Seconds of a Prometheus duration as promtool prints it: `15m30s`, `1h`, `0s`, `1d2h`.
pub fn duration_s(text: &str) -> Option<u64> {
    if text.is_empty() {
        return None;
    }
    let mut total_ms: u64 = 0;
    let mut digits = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let n: u64 = digits.parse().ok()?;
        digits.clear();
        let unit_ms = match c {
            'm' if chars.peek() == Some(&'s') => {
                chars.next();
                1
            }
            'm' => 60_000,
            's' => 1_000,
            'h' => 3_600_000,
            'd' => 86_400_000,
            'w' => 7 * 86_400_000,
            'y' => 365 * 86_400_000,
            _ => return None,
        };
        total_ms += n * unit_ms;
    }
    digits.is_empty().then_some(total_ms / 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_as_promtool_prints_them() {
        assert_eq!(duration_s("0s"), Some(0));
        assert_eq!(duration_s("15m30s"), Some(930));
        assert_eq!(duration_s("1h"), Some(3600));
        assert_eq!(duration_s("1h0m15s"), Some(3615));
        assert_eq!(duration_s("1d"), Some(86_400));
        assert_eq!(duration_s("500ms"), Some(0));
        assert_eq!(duration_s("15"), None);
        assert_eq!(duration_s("15q"), None);
    }

    #[test]
    fn anything_but_firing_alerts_is_an_error() {
        assert_eq!(parse_firings("  SUCCESS\n", true), Ok(BTreeMap::new()));
        let rule_error =
            "  FAILED:\n    rule: X, time: 0s, err: vector contains metrics with the same labelset";
        assert!(parse_firings(rule_error, false).is_err());
        assert!(parse_firings("  FAILED:\nsomething else", false).is_err());
    }
}
