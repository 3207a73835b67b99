//! What is wrong at one place in a scenario file: the message and the hint that suggests the
//! next step. Where it is wrong is carried by [`super::ScenarioError`].

use std::fmt;

/// One kind of mistake in a scenario file. `Display` gives the message; [`Problem::hint`]
/// the suggestion printed under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// libyaml could not parse the text.
    Syntax {
        message: String,
    },
    /// The file holds no document.
    Empty,
    /// The file holds more than one non-empty YAML document.
    MultipleDocuments,
    /// The top-level node is not a mapping.
    NotAMapping {
        found: String,
    },
    /// A key the format does not define (from `deny_unknown_fields`).
    UnknownField {
        field: String,
        allowed: Vec<String>,
    },
    /// A required key is absent.
    MissingField {
        field: String,
    },
    /// A value of the wrong type or out of range, in serde's words (`invalid type: string
    /// "x", expected i32`, `unknown variant ...`).
    InvalidValue {
        message: String,
    },
    /// `found` is the value as written in YAML (strings quoted).
    ApiVersion {
        found: String,
    },
    /// `found` is the value as written in YAML (strings quoted).
    Kind {
        found: String,
    },
    InvalidName {
        name: String,
        reason: String,
    },
    EmptySummary,
    EmptyExpect,
    InvalidRegex {
        pattern: String,
        error: String,
    },
    /// A manifest that is not a mapping.
    ManifestNotAnObject,
    /// A manifest without `apiVersion`, `kind` or `metadata.name` (the field named).
    ManifestMissing {
        field: &'static str,
    },
    ManifestNamespace {
        namespace: String,
    },
    DuplicateManifest {
        kind: String,
        name: String,
    },
    /// No manifest of the target's kind and name.
    TargetNotFound {
        kind: &'static str,
        api_version: &'static str,
        name: String,
        /// Names of the manifests of that kind.
        found: Vec<String>,
    },
    TargetContainerNotFound {
        /// `Pod`, `Deployment`, ...
        kind: &'static str,
        name: String,
        container: String,
        containers: Vec<String>,
    },
    /// `spec.target` names no pod or workload.
    TargetNamesNothing,
    /// `spec.target` names several (the fields given).
    TargetNamesSeveral {
        fields: Vec<&'static str>,
    },
    /// Neither `spec.manifests` nor `spec.steps`.
    NoManifests,
    /// Both `spec.manifests` and `spec.steps`.
    ManifestsAndSteps,
    EmptyStepName,
    /// `waitFor: rolledOut` with a target that has no rollout.
    WaitForNeedsRollout {
        kind: &'static str,
    },
    /// `containers` inside `expect.containers.<name>`.
    NestedContainers,
    RestartBounds {
        min: i32,
        max: i32,
    },
    BackoffBounds {
        initial: u32,
        max: u32,
    },
    ZeroValue {
        what: &'static str,
    },
    ObserveAndWindow,
    EmptyKeyFact {
        name: String,
    },
    /// Another file in the catalogue already defines this scenario name.
    DuplicateScenario {
        name: String,
        first: String,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Syntax { message } => write!(f, "invalid YAML: {message}"),
            Problem::Empty => f.write_str("the file holds no scenario"),
            Problem::MultipleDocuments => f.write_str(
                "a second YAML document starts here; a scenario file holds exactly one scenario",
            ),
            Problem::NotAMapping { found } => write!(
                f,
                "expected a mapping with apiVersion, kind, metadata and spec, found {found}"
            ),
            Problem::UnknownField { field, .. } => write!(f, "unknown field `{field}`"),
            Problem::MissingField { field } => write!(f, "missing required field `{field}`"),
            Problem::InvalidValue { message } => f.write_str(message),
            Problem::ApiVersion { found } => write!(f, "unsupported apiVersion {found}"),
            Problem::Kind { found } => write!(f, "unsupported kind {found}"),
            Problem::InvalidName { name, reason } => {
                write!(f, "invalid scenario name {name:?}: {reason}")
            }
            Problem::EmptySummary => f.write_str("the summary must be one non-empty line"),
            Problem::EmptyExpect => f.write_str("a scenario must state at least one expectation"),
            Problem::InvalidRegex { pattern, error } => {
                write!(f, "invalid regular expression {pattern:?}: {error}")
            }
            Problem::ManifestNotAnObject => {
                f.write_str("a manifest must be a Kubernetes object (a mapping)")
            }
            Problem::ManifestMissing { field } => write!(f, "the manifest has no {field}"),
            Problem::ManifestNamespace { namespace } => write!(
                f,
                "manifests must not set metadata.namespace (found {namespace:?})"
            ),
            Problem::DuplicateManifest { kind, name } => {
                write!(f, "a second {kind} named {name:?}")
            }
            Problem::TargetNotFound { kind, name, .. } => {
                write!(f, "no {kind} manifest named {name:?} in the scenario")
            }
            Problem::TargetContainerNotFound {
                kind,
                name,
                container,
                ..
            } => {
                write!(f, "{kind} {name:?} has no container named {container:?}")
            }
            Problem::TargetNamesNothing => {
                f.write_str("spec.target names no pod or workload to watch")
            }
            Problem::TargetNamesSeveral { fields } => write!(
                f,
                "spec.target names {} at once",
                fields
                    .iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
            Problem::NoManifests => f.write_str("the scenario applies nothing"),
            Problem::ManifestsAndSteps => {
                f.write_str("spec.manifests and spec.steps are both given")
            }
            Problem::EmptyStepName => f.write_str("a step's name must be one non-empty line"),
            Problem::WaitForNeedsRollout { kind } => write!(
                f,
                "`waitFor: rolledOut` needs a target with rollouts, and this target is a {kind}"
            ),
            Problem::NestedContainers => {
                f.write_str("per-container expectations cannot have their own `containers`")
            }
            Problem::RestartBounds { min, max } => {
                write!(
                    f,
                    "restarts.min ({min}) is greater than restarts.max ({max})"
                )
            }
            Problem::BackoffBounds { initial, max } => write!(
                f,
                "backoff.initialSeconds ({initial}) is greater than backoff.maxSeconds ({max})"
            ),
            Problem::ZeroValue { what } => write!(f, "{what} must be greater than zero"),
            Problem::ObserveAndWindow => f.write_str(
                "timeouts.observe and timeouts.mustNotWindow are both set; the window, fitted to the kubelet's back-off, decides the observe time",
            ),
            Problem::EmptyKeyFact { name } => {
                write!(f, "key fact {name:?} has no patterns in anyOf")
            }
            Problem::DuplicateScenario { name, first } => {
                write!(f, "scenario {name:?} is already defined by {first}")
            }
        }
    }
}

impl Problem {
    /// The suggested next step, printed under the message.
    pub fn hint(&self) -> String {
        match self {
            Problem::Syntax { .. } => "check indentation (spaces only), unclosed quotes and brackets, and a missing space after `:`".into(),
            Problem::Empty => format!(
                "a scenario starts with `apiVersion: {}` and `kind: {}`; `crashlab show exit-1` prints a complete example",
                super::API_VERSION,
                super::KIND
            ),
            Problem::MultipleDocuments => {
                "put each scenario in its own file and pass each with `--file`".into()
            }
            Problem::NotAMapping { .. } => {
                "`crashlab show exit-1` prints a complete example; `crashlab schema` the format".into()
            }
            Problem::UnknownField { field, allowed } => {
                let list = allowed
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                match did_you_mean(field, allowed.iter().map(String::as_str)) {
                    Some(best) => format!("did you mean `{best}`? allowed here: {list}"),
                    None if allowed.is_empty() => "no fields are allowed here".into(),
                    None => format!("allowed here: {list}"),
                }
            }
            Problem::MissingField { field } => {
                format!("add `{field}:` here; `crashlab schema` lists the required fields")
            }
            Problem::InvalidValue { message } => invalid_value_hint(message),
            Problem::ApiVersion { .. } => format!(
                "use `apiVersion: {}`, the only version this crashlab reads",
                super::API_VERSION
            ),
            Problem::Kind { .. } => format!(
                "use `kind: {}`; Kubernetes objects (Pod, Service, ...) go in the list under `spec.manifests`",
                super::KIND
            ),
            Problem::InvalidName { .. } => format!(
                "use lowercase letters, digits and `-`, starting and ending with a letter or digit, at most {} characters (e.g. `oom-sidecar`)",
                super::MAX_NAME_LEN
            ),
            Problem::EmptySummary => "write one line, shown by `crashlab list`".into(),
            Problem::EmptyExpect => "add e.g. `waitingReason: {reason: CrashLoopBackOff}` or `restarts: {min: 2}` under `spec.expect`".into(),
            Problem::InvalidRegex { .. } => "patterns are Rust regular expressions (https://docs.rs/regex); escape `( ) [ ] . * + ?` with `\\` to match them literally, e.g. `Back-off \\(10s\\)`".into(),
            Problem::ManifestNotAnObject => "write each manifest as a mapping with apiVersion, kind and metadata.name".into(),
            Problem::ManifestMissing { .. } => "every manifest needs apiVersion, kind and metadata.name (e.g. `apiVersion: v1`, `kind: Pod`, `metadata: {name: app}`)".into(),
            Problem::ManifestNamespace { .. } => "remove it: every run applies the manifests into a fresh namespace that it deletes afterwards".into(),
            Problem::DuplicateManifest { .. } => "give each object of a kind its own metadata.name".into(),
            Problem::TargetNotFound {
                kind,
                api_version,
                name,
                found,
            } if found.is_empty() => format!(
                "add a manifest with `apiVersion: {api_version}`, `kind: {kind}` and `metadata: {{name: {name}}}`"
            ),
            Problem::TargetNotFound {
                kind, name, found, ..
            } => {
                let best = did_you_mean(name, found.iter().map(String::as_str));
                let list = quote_list(found);
                match best {
                    Some(best) => format!("did you mean `{best}`? {kind}s in this file: {list}"),
                    None => format!("{kind}s in this file: {list}"),
                }
            }
            Problem::TargetContainerNotFound {
                kind,
                container,
                containers,
                ..
            } => {
                let best = did_you_mean(container, containers.iter().map(String::as_str));
                let list = quote_list(containers);
                match best {
                    Some(best) => format!("did you mean `{best}`? containers in that {kind}: {list}"),
                    None => format!("containers in that {kind}: {list}"),
                }
            }
            Problem::TargetNamesNothing | Problem::TargetNamesSeveral { .. } => "name exactly one of `pod`, `deployment`, `statefulSet`, `daemonSet`, `job`, next to `container`".into(),
            Problem::NoManifests => "list the Kubernetes objects to apply under `spec.manifests` (or in `spec.steps`)".into(),
            Problem::ManifestsAndSteps => "move the objects of spec.manifests into the first step".into(),
            Problem::EmptyStepName => "say what the step does, e.g. `revision 2 drops DATABASE_URL`".into(),
            Problem::WaitForNeedsRollout { .. } => "target a deployment, statefulSet or daemonSet, or remove `waitFor`".into(),
            Problem::NestedContainers => "list every container's expectations directly under spec.expect.containers".into(),
            Problem::RestartBounds { .. } => "lower min or raise max".into(),
            Problem::BackoffBounds { .. } => "the kubelet default is initialSeconds 10, maxSeconds 300".into(),
            Problem::ZeroValue { what } if what.starts_with("timeouts.mustNotWindow") => {
                "use a positive value, e.g. `mustNotWindow: {backoffPeriods: 6, atLeast: 20s}`".into()
            }
            Problem::ZeroValue { .. } => "use a positive value or leave the field out for the default".into(),
            Problem::ObserveAndWindow => "keep one: `observe` for a fixed time, `mustNotWindow` for a window of back-off periods; or count the window `from: promisedSignals`, and `observe` is how long those signals have to come".into(),
            Problem::EmptyKeyFact { .. } => "list at least one case-insensitive pattern, e.g. `anyOf: [\"OOMKilled\", \"out of memory\"]`".into(),
            Problem::DuplicateScenario { .. } => "give this scenario another metadata.name".into(),
        }
    }
}

/// A hint from serde's wording of a bad value.
fn invalid_value_hint(message: &str) -> String {
    let expected = message.rsplit_once(", expected ").map(|(_, e)| e);
    if message.starts_with("duplicate") {
        "a key may appear only once in a mapping; remove one of them".into()
    } else if message.starts_with("unknown variant") {
        "use one of the listed values".into()
    } else if message.starts_with("invalid duration") {
        "write a whole number of hours, minutes and seconds, e.g. `90s`, `5m`, `1m30s`".into()
    } else if let Some(expected) = expected {
        match expected {
            "a sequence" => "write a list: one `- item` per line, or `[a, b]`".into(),
            "a string" => {
                "write text; quote it if YAML would read it as something else (`\"1\"`, `\"true\"`)"
                    .into()
            }
            "a boolean" => "write `true` or `false`".into(),
            e if e.starts_with('i') || e.starts_with('u') => {
                "write a whole number without quotes".into()
            }
            e if e.starts_with("struct ") || e == "a map" => {
                "write a mapping here: `key: value` lines indented under this key".into()
            }
            _ => "`crashlab schema` prints the format".into(),
        }
    } else {
        "`crashlab schema` prints the format".into()
    }
}

fn quote_list(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The closest candidate to `input` by edit distance, when it is close enough to be a typo.
/// A candidate that contains the input (`secret` → `missing-secret`) also counts.
pub(crate) fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let input_lc = input.to_ascii_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let c_lc = candidate.to_ascii_lowercase();
        let distance = strsim::damerau_levenshtein(&input_lc, &c_lc);
        let close = distance <= (input.chars().count() / 3).clamp(1, 3);
        let contains = input_lc.len() >= 3 && c_lc.contains(&input_lc);
        if (close || contains) && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_finds_typos_and_substrings() {
        let names = [
            "exit-1",
            "oom",
            "liveness",
            "missing-secret",
            "missing-secret-ref",
        ];
        assert_eq!(did_you_mean("oomm", names), Some("oom"));
        assert_eq!(did_you_mean("livenes", names), Some("liveness"));
        assert_eq!(did_you_mean("secret", names), Some("missing-secret"));
        assert_eq!(
            did_you_mean("exitcode", ["exitCode", "reason"]),
            Some("exitCode")
        );
        assert_eq!(did_you_mean("postgres", names), None);
        assert_eq!(did_you_mean("x", names), None);
    }

    #[test]
    fn unknown_field_hint_lists_allowed_fields() {
        let p = Problem::UnknownField {
            field: "exitcode".into(),
            allowed: vec!["exitCode".into(), "reason".into()],
        };
        assert_eq!(
            p.hint(),
            "did you mean `exitCode`? allowed here: `exitCode`, `reason`"
        );
    }
}
