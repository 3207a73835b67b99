//! Finds the line and column of a field path in YAML source, so that checks made after
//! parsing can point into the file.
//!
//! This walks the document with serde_yaml's own parser instead of scanning lines, so flow
//! style (`{a: 1}`), quoted keys, comments and aliases are seen exactly as the loader saw
//! them. The walk stops at the target by returning a marker error; serde_yaml stamps every
//! error with the position of the node being read, and that position is the answer.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::field_path::{FieldPath, PathSegment};

/// A 1-based line and column in a scenario file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl Location {
    pub const START: Location = Location { line: 1, column: 1 };

    pub(crate) fn of_yaml_error(err: &serde_yaml::Error) -> Option<Location> {
        err.location().map(|l| Location {
            line: l.line(),
            column: l.column(),
        })
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Where `path` starts in document number `document` (0-based) of `src`: for a mapping entry
/// the position of its key, for a sequence item the position of the item, for the root the
/// first node. `None` when the path does not exist (or the source does not parse).
pub fn locate(src: &str, document: usize, path: &FieldPath) -> Option<Location> {
    let doc = serde_yaml::Deserializer::from_str(src).nth(document)?;
    match (Seek {
        rest: path.segments(),
    })
    .deserialize(doc)
    {
        Err(err) if err.to_string().contains(FOUND) => Location::of_yaml_error(&err),
        _ => None,
    }
}

/// Like [`locate`], but falls back to the nearest enclosing node that exists, then to the
/// start of the file. For errors about a field that is absent or misplaced.
pub fn locate_nearest(src: &str, document: usize, path: &FieldPath) -> Location {
    (0..=path.segments().len())
        .rev()
        .find_map(|len| locate(src, document, &path.prefix(len)))
        .unwrap_or(Location::START)
}

/// Marker text carried by the error that ends a successful search.
const FOUND: &str = "\u{1}crashlab-locate-found\u{1}";

fn found<E: de::Error>() -> E {
    E::custom(FOUND)
}

/// Walks down `rest`; fails with [`FOUND`] at the target.
struct Seek<'p> {
    rest: &'p [PathSegment],
}

impl<'de> DeserializeSeed<'de> for Seek<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        if self.rest.is_empty() {
            d.deserialize_any(Here)
        } else {
            d.deserialize_any(self)
        }
    }
}

impl<'de> Visitor<'de> for Seek<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML node")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some((PathSegment::Key(want), rest)) = self.rest.split_first() else {
            return drain_map(map);
        };
        let mut searching = true;
        while let Some(is_match) = map.next_key_seed(KeySeed {
            want: searching.then_some(want.as_str()),
            found_if_match: rest.is_empty(),
        })? {
            if is_match {
                searching = false;
                map.next_value_seed(Seek { rest })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some((PathSegment::Index(want), rest)) = self.rest.split_first() else {
            return drain_seq(seq);
        };
        let mut i = 0;
        loop {
            let more = if i == *want {
                seq.next_element_seed(Seek { rest })?.is_some()
            } else {
                seq.next_element::<IgnoredAny>()?.is_some()
            };
            if !more {
                return Ok(());
            }
            i += 1;
        }
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        // A tagged node (`!Tag value`): look through the tag.
        use de::VariantAccess;
        let (IgnoredAny, variant) = data.variant()?;
        variant.newtype_variant_seed(self)
    }

    // Scalars cannot contain the rest of the path.
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// Visitor for the target node itself: every `visit_*` keeps serde's default, which fails
/// with an "expected ..." message built from `expecting`, i.e. with [`FOUND`].
struct Here;

impl Visitor<'_> for Here {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(FOUND)
    }
}

/// Reads one mapping key; `Ok(true)` when it equals `want`, or fails with [`FOUND`] when it
/// does and the key itself is the target.
struct KeySeed<'p> {
    want: Option<&'p str>,
    found_if_match: bool,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl KeySeed<'_> {
    fn check<E: de::Error>(&self, key: &str) -> Result<bool, E> {
        match self.want {
            Some(want) if want == key => {
                if self.found_if_match {
                    Err(found())
                } else {
                    Ok(true)
                }
            }
            _ => Ok(false),
        }
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        self.check(v)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
        self.check(&v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
        self.check(&v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
        self.check(&v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<bool, E> {
        self.check(&v.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_none<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<bool, A::Error> {
        drain_map(map).map(|()| false)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<bool, A::Error> {
        drain_seq(seq).map(|()| false)
    }
}

fn drain_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

fn drain_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = r#"# a comment
apiVersion: crashlab.dev/v1alpha1
kind: Scenario
metadata:
  name: demo   # trailing comment
spec:
  manifests:
    - apiVersion: v1
      kind: Pod
      metadata: {name: app, namespace: default}
    - kind: Service
      "quoted key": 1
  expect:
    lastTermination:
      exitCode: x
    previousLogs:
      - one
      - two
  empty: {}
"#;

    fn at(path: &str) -> Option<(usize, usize)> {
        locate(SRC, 0, &FieldPath::parse(path)).map(|l| (l.line, l.column))
    }

    #[test]
    fn finds_keys_in_block_mappings() {
        assert_eq!(at("apiVersion"), Some((2, 1)));
        assert_eq!(at("metadata.name"), Some((5, 3)));
        assert_eq!(at("spec.expect.lastTermination.exitCode"), Some((15, 7)));
    }

    #[test]
    fn finds_sequence_items_and_keys_inside_them() {
        assert_eq!(at("spec.manifests[0]"), Some((8, 7)));
        assert_eq!(at("spec.manifests[1].kind"), Some((11, 7)));
        assert_eq!(at("spec.expect.previousLogs[1]"), Some((18, 9)));
    }

    #[test]
    fn finds_keys_in_flow_mappings_and_quoted_keys() {
        assert_eq!(at("spec.manifests[0].metadata.namespace"), Some((10, 29)));
        assert_eq!(
            locate(
                SRC,
                0,
                &FieldPath::parse("spec.manifests[1]").key("quoted key")
            )
            .map(|l| (l.line, l.column)),
            Some((12, 7))
        );
    }

    #[test]
    fn root_is_the_first_node() {
        assert_eq!(at(""), Some((2, 1)));
    }

    #[test]
    fn missing_paths_are_none() {
        assert_eq!(at("spec.nope"), None);
        assert_eq!(at("spec.manifests[5]"), None);
        assert_eq!(at("metadata.name.deeper"), None);
        assert_eq!(at("spec.manifests.kind"), None);
    }

    #[test]
    fn nearest_falls_back_to_the_closest_existing_ancestor() {
        let l = locate_nearest(SRC, 0, &FieldPath::parse("spec.expect.restarts.min"));
        assert_eq!((l.line, l.column), (13, 3));
        let l = locate_nearest("{}", 0, &FieldPath::parse("a.b"));
        assert_eq!((l.line, l.column), (1, 1));
    }

    #[test]
    fn looks_into_later_documents() {
        let src = "a: 1\n---\nb:\n  c: 2\n";
        assert_eq!(
            locate(src, 1, &FieldPath::parse("b.c")),
            Some(Location { line: 4, column: 3 })
        );
        assert_eq!(locate(src, 0, &FieldPath::parse("b.c")), None);
    }

    #[test]
    fn follows_aliases() {
        let src = "base: &b\n  x: 1\nother: *b\n";
        assert!(locate(src, 0, &FieldPath::parse("other.x")).is_some());
    }
}
