//! Reads a scenario from YAML text. Every failure names the file, line, column and field,
//! with a hint ([`ScenarioError::Invalid`]).
//!
//! Order of checks: YAML syntax → exactly one document → a mapping with the right `kind` and
//! `apiVersion` → the typed format (unknown fields, types, required fields) → the rules a
//! type cannot express (see `validate.rs`).

use std::path::Path;

use serde_yaml::Value;

use super::field_path::{FieldPath, PathSegment};
use super::format_rules::check_format_rules;
use super::locate::{Location, locate, locate_nearest};
use super::problem::Problem;
use super::scenario::{API_VERSION, KIND, Scenario};
use super::scenario_error::{Result, ScenarioError};

/// Parses and validates one scenario. `file` is only used in error messages (give the path
/// as the user wrote it, or `scenarios/NAME.yaml` for a built-in).
pub fn load_str(text: &str, file: &str) -> Result<Scenario> {
    let (doc, value) = single_document(text, file)?;
    let source = Source { text, file, doc };
    source.check_header(&value)?;
    let de = serde_yaml::Deserializer::from_str(text)
        .nth(doc)
        .expect("the document was parsed once already");
    let scenario: Scenario =
        serde_path_to_error::deserialize(de).map_err(|err| source.serde_error(err, false))?;
    check_format_rules(&scenario).map_err(|(path, problem)| source.error_at(path, problem))?;
    Ok(scenario)
}

/// Reads `path` and loads it with [`load_str`]; errors name the path as given.
pub fn load_file(path: &Path) -> Result<Scenario> {
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
        file: path.to_owned(),
        source,
    })?;
    load_str(&text, &path.display().to_string())
}

/// The index and content of the one non-empty document in `text`. Empty documents (a lone
/// `---` before or after the scenario) are tolerated.
fn single_document(text: &str, file: &str) -> Result<(usize, Value)> {
    let mut found: Option<(usize, Value)> = None;
    for (doc, de) in serde_yaml::Deserializer::from_str(text).enumerate() {
        let source = Source { text, file, doc };
        // The untyped pass fails only on YAML itself (or a duplicate key).
        let value: Value =
            serde_path_to_error::deserialize(de).map_err(|err| source.serde_error(err, true))?;
        if value.is_null() {
            continue;
        }
        if found.is_some() {
            let location = locate(text, doc, &FieldPath::root()).unwrap_or(Location::START);
            return Err(ScenarioError::invalid(
                file,
                location,
                FieldPath::root(),
                Problem::MultipleDocuments,
            ));
        }
        found = Some((doc, value));
    }
    found.ok_or_else(|| {
        ScenarioError::invalid(file, Location::START, FieldPath::root(), Problem::Empty)
    })
}

/// The document being loaded, for turning problems into located errors.
struct Source<'a> {
    text: &'a str,
    file: &'a str,
    doc: usize,
}

impl Source<'_> {
    fn error_at(&self, path: FieldPath, problem: Problem) -> ScenarioError {
        let location = locate_nearest(self.text, self.doc, &path);
        ScenarioError::invalid(self.file, location, path, problem)
    }

    /// `kind` and `apiVersion` are checked before the typed pass, so that a Kubernetes
    /// manifest or a future version gets a message about that rather than about its fields.
    fn check_header(&self, value: &Value) -> Result<()> {
        let Value::Mapping(map) = value else {
            return Err(self.error_at(
                FieldPath::root(),
                Problem::NotAMapping {
                    found: describe(value),
                },
            ));
        };
        for (field, want) in [("kind", KIND), ("apiVersion", API_VERSION)] {
            let found = match map.get(field) {
                Some(Value::String(s)) if s == want => continue,
                None => {
                    return Err(ScenarioError::invalid(
                        self.file,
                        locate(self.text, self.doc, &FieldPath::root()).unwrap_or(Location::START),
                        FieldPath::root().key(field),
                        Problem::MissingField {
                            field: field.to_owned(),
                        },
                    ));
                }
                Some(Value::String(s)) => format!("{s:?}"),
                Some(other) => serde_yaml::to_string(other)
                    .map_or_else(|_| describe(other), |y| y.trim_end().to_owned()),
            };
            let problem = if field == "kind" {
                Problem::Kind { found }
            } else {
                Problem::ApiVersion { found }
            };
            return Err(self.error_at(FieldPath::root().key(field), problem));
        }
        Ok(())
    }

    /// Turns a serde error into a located problem. serde_yaml puts the location and its own
    /// rendering of the path into the message; both are taken out and kept as fields.
    /// `untyped`: the error comes from parsing into a plain YAML value, so it is about syntax.
    fn serde_error(
        &self,
        err: serde_path_to_error::Error<serde_yaml::Error>,
        untyped: bool,
    ) -> ScenarioError {
        let mut path = FieldPath::from(err.path());
        let inner = err.into_inner();
        let serde_location = Location::of_yaml_error(&inner);
        let message = bare_message(&inner, &path, serde_location);

        let (problem, location) = if let Some(field) = backquoted_after(&message, "missing field ")
        {
            // Point at the mapping that lacks the field.
            let location = locate_nearest(self.text, self.doc, &path);
            path = path.key(field.clone());
            (Problem::MissingField { field }, location)
        } else if let Some(field) = backquoted_after(&message, "unknown field ") {
            if !matches!(path.segments().last(), Some(PathSegment::Key(k)) if *k == field) {
                path = path.key(field.clone());
            }
            let allowed = allowed_fields(&message);
            (
                Problem::UnknownField { field, allowed },
                self.location_of(&path, serde_location),
            )
        } else if let Some(key) = message
            .strip_prefix("duplicate entry with key ")
            .and_then(|k| serde_json::from_str::<String>(k).ok())
        {
            // serde_yaml marks the enclosing mapping; name and point at the key instead.
            path = path.key(key);
            let location = self.location_of(&path, serde_location);
            (Problem::InvalidValue { message }, location)
        } else if untyped && !message.starts_with("duplicate ") {
            let location = serde_location.unwrap_or(Location::START);
            let message = if indented_with_tab(self.text, location) {
                format!("{message} (a tab: YAML indents with spaces only)")
            } else {
                message
            };
            (Problem::Syntax { message }, location)
        } else {
            (
                Problem::InvalidValue { message },
                self.location_of(&path, serde_location),
            )
        };
        ScenarioError::invalid(self.file, location, path, problem)
    }

    /// The position of the path's key; serde_yaml's own mark (the value) as a fallback.
    fn location_of(&self, path: &FieldPath, serde_location: Option<Location>) -> Location {
        locate(self.text, self.doc, path)
            .or(serde_location)
            .unwrap_or_else(|| locate_nearest(self.text, self.doc, path))
    }
}

/// serde_yaml's message without its ` at line L column C` suffix and its `path: ` prefix.
fn bare_message(err: &serde_yaml::Error, path: &FieldPath, location: Option<Location>) -> String {
    let mut message = err.to_string();
    if let Some(l) = location {
        message = message.replacen(&format!(" at line {} column {}", l.line, l.column), "", 1);
    }
    // serde_yaml's path is that of the node it was reading: the full path or an ancestor.
    for len in (1..=path.segments().len()).rev() {
        let prefix = format!("{}: ", path.prefix(len).serde_yaml_style());
        if let Some(rest) = message.strip_prefix(&prefix) {
            return rest.to_owned();
        }
    }
    message
}

/// Whether the indentation of the line at `location` contains a tab, the most common cause
/// of "found character that cannot start any token".
fn indented_with_tab(text: &str, location: Location) -> bool {
    text.lines().nth(location.line - 1).is_some_and(|line| {
        line.chars()
            .take_while(|c| c.is_whitespace())
            .any(|c| c == '\t')
    })
}

/// `X` from "<lead>`X`...".
fn backquoted_after(message: &str, lead: &str) -> Option<String> {
    let rest = message.strip_prefix(lead)?.strip_prefix('`')?;
    Some(rest[..rest.find('`')?].to_owned())
}

/// The field list of serde's "unknown field `x`, expected one of `a`, `b`" (or "expected
/// `a`", or "there are no fields").
fn allowed_fields(message: &str) -> Vec<String> {
    let Some((_, list)) = message.split_once(", expected ") else {
        return Vec::new();
    };
    list.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// "a sequence", "the string \"Pod\"", ... for messages about an unexpected node.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "nothing (null)".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Sequence(_) => "a sequence".into(),
        Value::Mapping(_) => "a mapping".into(),
        Value::Tagged(t) => format!("a value tagged {}", t.tag),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = r#"apiVersion: crashlab.dev/v1alpha1
kind: Scenario
metadata:
  name: demo
  summary: A pod that exits 1
spec:
  explanation: It exits.
  target:
    pod: app
    container: app
  manifests:
    - apiVersion: v1
      kind: Pod
      metadata:
        name: app
      spec:
        containers:
          - name: app
            image: crashlab.dev/crashprobe:v1
  expect:
    lastTermination:
      exitCode: 1
"#;

    fn err(text: &str) -> InvalidScenarioView {
        let e = load_str(text, "t.yaml").expect_err("should not load");
        let i = e.as_invalid().expect("a located error").clone();
        InvalidScenarioView {
            at: (i.location.line, i.location.column),
            path: i.path.to_string(),
            message: i.problem.to_string(),
            problem: i.problem,
        }
    }

    #[derive(Debug)]
    struct InvalidScenarioView {
        at: (usize, usize),
        path: String,
        message: String,
        problem: Problem,
    }

    #[test]
    fn loads_a_valid_scenario() {
        let s = load_str(VALID, "t.yaml").unwrap();
        assert_eq!(s.metadata.name, "demo");
        assert_eq!(s.spec.expect.last_termination.unwrap().exit_code, Some(1));
    }

    #[test]
    fn wrong_type_points_at_the_key() {
        let e = err(&VALID.replace("exitCode: 1", "exitCode: x"));
        assert_eq!(e.at, (22, 7));
        assert_eq!(e.path, "spec.expect.lastTermination.exitCode");
        assert_eq!(e.message, r#"invalid type: string "x", expected i32"#);
    }

    #[test]
    fn unknown_field_lists_allowed_ones() {
        let e = err(&VALID.replace("exitCode: 1", "exitcode: 1"));
        assert_eq!(e.at, (22, 7));
        assert_eq!(e.path, "spec.expect.lastTermination.exitcode");
        let Problem::UnknownField { field, allowed } = e.problem else {
            panic!("{e:?}")
        };
        assert_eq!(field, "exitcode");
        assert_eq!(allowed, ["exitCode", "reason"]);
    }

    #[test]
    fn missing_field_points_at_its_parent() {
        let e = err(&VALID.replace("  summary: A pod that exits 1\n", ""));
        assert_eq!(e.path, "metadata.summary");
        assert_eq!(e.at, (3, 1));
        assert_eq!(e.message, "missing required field `summary`");
    }

    #[test]
    fn syntax_errors_have_a_location() {
        let e = err("apiVersion: crashlab.dev/v1alpha1\nkind: [Scenario\n");
        assert!(matches!(e.problem, Problem::Syntax { .. }), "{e:?}");
        assert_eq!(e.at, (3, 1));
        assert_eq!(e.path, "kind");
        assert!(!e.message.contains("line 3 column 1"), "{}", e.message);
        let e = err("a: b\n  c: d\n");
        assert!(matches!(e.problem, Problem::Syntax { .. }), "{e:?}");
        assert_eq!((e.at, e.path.as_str()), ((2, 4), "."));
    }

    #[test]
    fn header_is_checked_before_fields() {
        let e = err("apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec: {containers: []}\n");
        assert_eq!(e.path, "kind");
        assert_eq!(e.at, (2, 1));
        let e = err(&VALID.replace("crashlab.dev/v1alpha1", "crashlab.dev/v1"));
        assert_eq!(e.path, "apiVersion");
        assert_eq!(e.message, r#"unsupported apiVersion "crashlab.dev/v1""#);
        let e = err("kind: Scenario\n");
        assert_eq!(e.path, "apiVersion");
        assert!(matches!(e.problem, Problem::MissingField { .. }));
    }

    #[test]
    fn one_document_per_file() {
        let e = err(&format!("{VALID}---\n{VALID}"));
        assert!(matches!(e.problem, Problem::MultipleDocuments));
        assert_eq!(e.at, (24, 1));
        // Lone markers around the document are fine.
        load_str(&format!("---\n{VALID}---\n"), "t.yaml").unwrap();
        assert!(matches!(err("# nothing\n").problem, Problem::Empty));
        assert!(matches!(err("").problem, Problem::Empty));
    }

    #[test]
    fn not_a_mapping() {
        let e = err("- a\n- b\n");
        assert_eq!(
            e.message,
            "expected a mapping with apiVersion, kind, metadata and spec, found a sequence"
        );
    }

    #[test]
    fn semantic_errors_are_located() {
        let e = err(&VALID.replace(
            "        name: app\n",
            "        name: app\n        namespace: prod\n",
        ));
        assert_eq!(e.path, "spec.manifests[0].metadata.namespace");
        assert_eq!(e.at, (16, 9));
    }

    #[test]
    fn allowed_fields_parses_serde_lists() {
        assert_eq!(
            allowed_fields("unknown field `x`, expected one of `a`, `b`"),
            ["a", "b"]
        );
        assert_eq!(allowed_fields("unknown field `x`, expected `a`"), ["a"]);
        assert!(allowed_fields("unknown field `x`, there are no fields").is_empty());
    }

    /// One snapshot per file in `tests/fixtures/invalid/` (one file per kind of mistake):
    /// the full message, `file:line:col: path: message` and the hint.
    #[test]
    fn invalid_fixtures() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        files.sort();
        assert!(files.len() >= 20, "fixtures missing in {}", dir.display());
        for file in files {
            let name = file.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&file).unwrap();
            let shown = format!("tests/fixtures/invalid/{name}.yaml");
            let err = load_str(&text, &shown).expect_err(&shown);
            assert!(err.as_invalid().is_some(), "{shown}: {err}");
            insta::with_settings!({ snapshot_suffix => name.clone(), prepend_module_to_snapshot => false }, {
                insta::assert_snapshot!("invalid_fixture", err.to_string());
            });
        }
    }
}
