//! A tool's stdout as a diagnosis: a JSON document when it is one (the whole output, or its
//! last line), and the text key facts are looked for in. A JSON document's strings are read
//! in the order the tool wrote them (a diagnosis leads with its conclusion), not in the
//! order of sorted keys.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct DiagnosisText {
    /// The JSON document, when stdout is one.
    pub json: Option<Value>,
    /// What key facts and wrong answers are matched against: every string and number of the
    /// JSON document, one per line (so escapes such as `\"` do not get in the way), else
    /// stdout as it is.
    pub text: String,
}

pub fn read_diagnosis(stdout: &str) -> DiagnosisText {
    let trimmed = stdout.trim();
    let document = |text: &str| {
        serde_json::from_str::<Value>(text)
            .ok()
            .filter(|v| v.is_object() || v.is_array())
            .map(|v| (v, text.to_owned()))
    };
    let json = document(trimmed).or_else(|| {
        // Tools that print progress first and the document last.
        let last = trimmed.lines().rev().find(|l| !l.trim().is_empty())?;
        document(last.trim())
    });
    match json {
        Some((v, source)) => DiagnosisText {
            text: leaves_in_order(&source).join("\n"),
            json: Some(v),
        },
        None => DiagnosisText {
            json: None,
            text: stdout.to_owned(),
        },
    }
}

/// Every string and number of a JSON document, in the order they are written.
fn leaves_in_order(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut de = serde_json::Deserializer::from_str(source);
    // The document parsed once already; a failure here only loses text.
    let _ = Leaves(&mut out).deserialize(&mut de);
    out
}

struct Leaves<'a>(&'a mut Vec<String>);

impl<'de> DeserializeSeed<'de> for Leaves<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Leaves<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.0.push(v.to_owned());
        Ok(())
    }

    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.0.push(v.to_string());
        Ok(())
    }

    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        self.0.push(v.to_string());
        Ok(())
    }

    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        self.0
            .push(serde_json::Number::from_f64(v).map_or_else(|| v.to_string(), |n| n.to_string()));
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Leaves(&mut *self.0))?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key::<IgnoredAny>()?.is_some() {
            map.next_value_seed(Leaves(&mut *self.0))?;
        }
        Ok(())
    }
}

/// The value at a dotted path (`root_cause.category`, `results.0.category`): object keys, and
/// array indexes written as numbers.
pub fn field_at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .filter(|s| !s.is_empty())
        .try_fold(v, |cur, seg| match cur {
            Value::Object(o) => o.get(seg),
            Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_flattened_into_text() {
        let d = read_diagnosis(
            r#"{"category":"missing-config","summary":"secret \"app-db\" not found","exit_code":1,"ok":false}"#,
        );
        assert!(d.json.is_some());
        // In the order the tool wrote them.
        assert_eq!(d.text, "missing-config\nsecret \"app-db\" not found\n1");
        // Not sorted by key: a lint title under `a_title` does not come before the finding.
        let d = read_diagnosis(
            r#"{"summary":"container app was OOMKilled","a_title":"no resource limits set"}"#,
        );
        assert_eq!(
            d.text,
            "container app was OOMKilled\nno resource limits set"
        );
    }

    #[test]
    fn a_json_last_line_counts_and_plain_text_stays_text() {
        let d = read_diagnosis("analysing...\n{\"category\":\"code-bug\"}\n");
        assert_eq!(d.json.unwrap()["category"], "code-bug");
        let d = read_diagnosis("increase memory\n");
        assert_eq!((d.json, d.text.as_str()), (None, "increase memory\n"));
        // A bare JSON string or number is text, not a document.
        assert!(read_diagnosis("\"oom\"").json.is_none());
    }

    #[test]
    fn dotted_paths() {
        let v: Value =
            serde_json::from_str(r#"{"root_cause":{"category":"x"},"results":[{"c":"y"}]}"#)
                .unwrap();
        assert_eq!(field_at(&v, "root_cause.category").unwrap(), "x");
        assert_eq!(field_at(&v, "results.0.c").unwrap(), "y");
        assert_eq!(field_at(&v, "results.1.c"), None);
        assert_eq!(field_at(&v, "category"), None);
    }
}
