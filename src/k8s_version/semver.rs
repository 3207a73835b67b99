//! A `major.minor.patch` version as tools print it, compared numerically.

use std::cmp::Ordering;
use std::fmt;

/// A `major.minor.patch` version, compared numerically. Missing parts count as zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Semver {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
}

impl Semver {
    pub const fn new(major: u64, minor: u64, patch: u64) -> Self {
        Self {
            major,
            minor,
            patch,
        }
    }

    /// Parses the leading numeric part of a version as tools print it: `v1.34.4`,
    /// `2.1.9+unknown`, `1.6.20~ds1`, `go1.26.8`, `1.25rc1`, `1.24`. Returns `None` when the
    /// string does not start (after an optional `v` or `go`) with a number.
    pub fn parse_lenient(s: &str) -> Option<Self> {
        let s = s.trim();
        let s = s.strip_prefix("go").unwrap_or(s);
        let s = s.strip_prefix('v').unwrap_or(s);
        let mut parts = [0u64; 3];
        let mut rest = s;
        for (i, part) in parts.iter_mut().enumerate() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                if i == 0 {
                    return None;
                }
                break;
            }
            *part = rest[..digits].parse().ok()?;
            rest = &rest[digits..];
            match rest.strip_prefix('.') {
                Some(r) if r.starts_with(|c: char| c.is_ascii_digit()) => rest = r,
                _ => break,
            }
        }
        Some(Self {
            major: parts[0],
            minor: parts[1],
            patch: parts[2],
        })
    }
}

impl Ord for Semver {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch).cmp(&(other.major, other.minor, other.patch))
    }
}

impl PartialOrd for Semver {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Semver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_parsing_of_tool_versions() {
        let p = |s| Semver::parse_lenient(s);
        assert_eq!(p("2.1.9+unknown"), Some(Semver::new(2, 1, 9)));
        assert_eq!(p("1.6.20~ds1"), Some(Semver::new(1, 6, 20)));
        assert_eq!(p("go1.26.8"), Some(Semver::new(1, 26, 8)));
        assert_eq!(p("go1.25rc1"), Some(Semver::new(1, 25, 0)));
        assert_eq!(p("1.24"), Some(Semver::new(1, 24, 0)));
        assert_eq!(p("v1.34.4"), Some(Semver::new(1, 34, 4)));
        assert_eq!(p("1.2."), Some(Semver::new(1, 2, 0)));
        assert_eq!(p("unknown"), None);
        assert!(Semver::new(1, 26, 8) > Semver::new(1, 26, 0));
    }
}
