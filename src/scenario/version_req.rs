//! Kubernetes version conditions on expectations: `>=1.35`, `<1.35`, `1.34`, `>=1.34,<1.36`.
//! Compared on major.minor, since behaviour changes land in minor releases.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Ge,
    Gt,
    Le,
    Lt,
    Eq,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionReq {
    parts: Vec<(Op, (u64, u64))>,
}

impl VersionReq {
    /// Parses a comma-separated list of `OP MAJOR.MINOR` (OP one of `>=`, `>`, `<=`, `<`, `=`,
    /// or none for `=`).
    pub fn parse(s: &str) -> Result<VersionReq, String> {
        let mut parts = Vec::new();
        for item in s.split(',').map(str::trim) {
            let (op, rest) = [
                (">=", Op::Ge),
                ("<=", Op::Le),
                (">", Op::Gt),
                ("<", Op::Lt),
                ("=", Op::Eq),
            ]
            .iter()
            .find_map(|(p, op)| item.strip_prefix(p).map(|r| (*op, r)))
            .unwrap_or((Op::Eq, item));
            let v = parse_minor(rest.trim()).ok_or_else(|| {
                format!("invalid Kubernetes version condition {s:?}: expected e.g. \">=1.35\", \"<1.35\" or \">=1.34,<1.36\"")
            })?;
            parts.push((op, v));
        }
        Ok(VersionReq { parts })
    }

    /// Whether a server version (`v1.35.4`, `1.35`, `v1.36.0-rc.1+k3s1`) satisfies every part.
    /// An unparsable version satisfies nothing.
    pub fn matches(&self, version: &str) -> bool {
        let Some(v) = parse_minor(version) else {
            return false;
        };
        self.parts.iter().all(|(op, want)| match op {
            Op::Ge => v >= *want,
            Op::Gt => v > *want,
            Op::Le => v <= *want,
            Op::Lt => v < *want,
            Op::Eq => v == *want,
        })
    }
}

impl fmt::Display for VersionReq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .parts
            .iter()
            .map(|(op, (a, b))| {
                let op = match op {
                    Op::Ge => ">=",
                    Op::Gt => ">",
                    Op::Le => "<=",
                    Op::Lt => "<",
                    Op::Eq => "",
                };
                format!("{op}{a}.{b}")
            })
            .collect();
        f.write_str(&parts.join(","))
    }
}

/// `v1.35.4` / `1.35` → (1, 35).
pub fn parse_minor(s: &str) -> Option<(u64, u64)> {
    let s = s.trim().trim_start_matches('v');
    let mut it = s.split(['.', '-', '+']);
    let major = it.next()?.parse().ok()?;
    let minor = it.next()?.parse().ok()?;
    Some((major, minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_compare_minor_versions() {
        let ge = VersionReq::parse(">=1.35").unwrap();
        assert!(ge.matches("v1.35.4") && ge.matches("v1.36.3") && !ge.matches("v1.34.4"));
        let range = VersionReq::parse(">=1.34, <1.36").unwrap();
        assert!(range.matches("v1.34.4") && range.matches("1.35") && !range.matches("v1.36.0"));
        assert!(VersionReq::parse("1.34").unwrap().matches("v1.34.4+k3s1"));
        assert_eq!(range.to_string(), ">=1.34,<1.36");
    }

    #[test]
    fn bad_conditions_are_refused() {
        assert!(VersionReq::parse(">=one").is_err());
        assert!(VersionReq::parse("").is_err());
        assert!(!VersionReq::parse("<1.35").unwrap().matches("garbage"));
    }
}
