//! A tool's stdout as a diagnosis: a JSON document when it is one (the whole output, or its
//! last line), and the text key facts are looked for in.

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
    let json = serde_json::from_str::<Value>(trimmed)
        .ok()
        .or_else(|| {
            // Tools that print progress first and the document last.
            let last = trimmed.lines().rev().find(|l| !l.trim().is_empty())?;
            serde_json::from_str::<Value>(last.trim()).ok()
        })
        .filter(|v| v.is_object() || v.is_array());
    match json {
        Some(v) => {
            let mut lines = Vec::new();
            leaves(&v, &mut lines);
            DiagnosisText {
                text: lines.join("\n"),
                json: Some(v),
            }
        }
        None => DiagnosisText {
            json: None,
            text: stdout.to_owned(),
        },
    }
}

fn leaves(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Number(n) => out.push(n.to_string()),
        Value::Bool(_) | Value::Null => {}
        Value::Array(a) => a.iter().for_each(|x| leaves(x, out)),
        Value::Object(o) => o.values().for_each(|x| leaves(x, out)),
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
        // Keys in order (serde_json sorts them).
        assert_eq!(d.text, "missing-config\n1\nsecret \"app-db\" not found");
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
