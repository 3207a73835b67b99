//! The path of a field inside a scenario file (`spec.manifests[0].metadata.namespace`), as
//! named in error messages and used to find the field's line.

use std::fmt;

/// One step of a [`FieldPath`]: a mapping key or a sequence index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathSegment {
    Key(String),
    Index(usize),
}

/// A path from the document root to a node, e.g. `spec.expect.events[1].message`.
/// The root itself is the empty path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FieldPath(Vec<PathSegment>);

impl FieldPath {
    /// The document root.
    pub fn root() -> Self {
        Self(Vec::new())
    }

    /// Parses the dotted form used in this crate's code and tests: `spec.manifests[0].kind`.
    /// Keys containing `.` or `[` cannot be written this way; build those with [`FieldPath::key`].
    pub fn parse(dotted: &str) -> Self {
        let mut path = Self::root();
        for part in dotted.split('.').filter(|p| !p.is_empty()) {
            let (key, mut rest) = match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            };
            if !key.is_empty() {
                path = path.key(key);
            }
            while let Some(end) = rest.find(']') {
                if let Ok(index) = rest[1..end].parse() {
                    path = path.index(index);
                }
                rest = &rest[end + 1..];
            }
        }
        path
    }

    /// This path extended by a mapping key.
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.0.push(PathSegment::Key(key.into()));
        self
    }

    /// This path extended by a sequence index.
    pub fn index(mut self, index: usize) -> Self {
        self.0.push(PathSegment::Index(index));
        self
    }

    pub fn segments(&self) -> &[PathSegment] {
        &self.0
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The path of the enclosing node; `None` for the root.
    pub fn parent(&self) -> Option<FieldPath> {
        let (_, init) = self.0.split_last()?;
        Some(Self(init.to_vec()))
    }

    /// The first `len` segments.
    pub fn prefix(&self, len: usize) -> FieldPath {
        Self(self.0[..len.min(self.0.len())].to_vec())
    }

    /// The path as serde_yaml prints it in its own messages (keys never quoted, root `.`),
    /// so that prefix can be removed from them.
    pub(crate) fn serde_yaml_style(&self) -> String {
        if self.is_root() {
            return ".".to_owned();
        }
        let mut out = String::new();
        for segment in &self.0 {
            match segment {
                PathSegment::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                PathSegment::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }
}

impl From<&serde_path_to_error::Path> for FieldPath {
    fn from(path: &serde_path_to_error::Path) -> Self {
        use serde_path_to_error::Segment;
        let mut out = Self::root();
        for segment in path {
            out = match segment {
                Segment::Seq { index } => out.index(*index),
                Segment::Map { key } => out.key(key.clone()),
                Segment::Enum { variant } => out.key(variant.clone()),
                // A non-string key or a step serde could not name: stop at what is known, so
                // the path stays a real prefix of the document.
                Segment::Unknown => break,
            };
        }
        out
    }
}

impl fmt::Display for FieldPath {
    /// `spec.manifests[0].metadata.labels."app.kubernetes.io/name"`; the root prints as `.`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_root() {
            return f.write_str(".");
        }
        let mut first = true;
        for segment in &self.0 {
            match segment {
                PathSegment::Key(k) => {
                    if !first {
                        f.write_str(".")?;
                    }
                    let plain = !k.is_empty()
                        && k.chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                    if plain {
                        f.write_str(k)?;
                    } else {
                        write!(f, "{k:?}")?;
                    }
                }
                PathSegment::Index(i) => write!(f, "[{i}]")?,
            }
            first = false;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display_round_trip() {
        for s in [
            "spec.manifests[0].metadata.namespace",
            "spec.expect.events[1].message",
            "metadata",
            "spec.groundTruth.keyFacts[2].anyOf[0]",
        ] {
            assert_eq!(FieldPath::parse(s).to_string(), s);
            assert_eq!(FieldPath::parse(s).serde_yaml_style(), s);
        }
        assert_eq!(FieldPath::parse("").to_string(), ".");
    }

    #[test]
    fn keys_that_are_not_identifiers_are_quoted() {
        let p = FieldPath::parse("spec.manifests[0].metadata.labels").key("app.kubernetes.io/name");
        assert_eq!(
            p.to_string(),
            r#"spec.manifests[0].metadata.labels."app.kubernetes.io/name""#
        );
        assert_eq!(
            p.serde_yaml_style(),
            "spec.manifests[0].metadata.labels.app.kubernetes.io/name"
        );
    }

    #[test]
    fn parent_and_prefix() {
        let p = FieldPath::parse("spec.manifests[0].kind");
        assert_eq!(p.parent(), Some(FieldPath::parse("spec.manifests[0]")));
        assert_eq!(p.prefix(1), FieldPath::parse("spec"));
        assert_eq!(FieldPath::root().parent(), None);
    }
}
