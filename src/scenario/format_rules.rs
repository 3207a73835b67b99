//! The rules of the scenario format that its types cannot express: names, non-empty
//! expectations, regular expressions that compile, manifests fit for a throwaway namespace,
//! and a target that exists. Pure: returns the first violation as (field path, problem).

use std::collections::BTreeSet;

use serde_json::Value;

use super::expectations::{EventExpectation, Expectations};
use super::field_path::FieldPath;
use super::ground_truth::{GroundTruth, KeyFact};
use super::problem::Problem;
use super::scenario::{MAX_NAME_LEN, Scenario, Timeouts};
use super::step::WaitFor;
use super::target::WorkloadKind;

pub(crate) type Violation = (FieldPath, Problem);

/// Checks `scenario` in file order and returns the first violation.
pub(crate) fn check_format_rules(scenario: &Scenario) -> Result<(), Violation> {
    let meta = FieldPath::root().key("metadata");
    if let Err(reason) = check_name(&scenario.metadata.name) {
        return Err((
            meta.clone().key("name"),
            Problem::InvalidName {
                name: scenario.metadata.name.clone(),
                reason,
            },
        ));
    }
    let summary = scenario.metadata.summary.trim();
    if summary.is_empty() || summary.contains('\n') {
        return Err((meta.key("summary"), Problem::EmptySummary));
    }

    let spec = FieldPath::root().key("spec");
    let s = &scenario.spec;
    let mut templates = Vec::new();
    match (s.manifests.is_empty(), s.steps.is_empty()) {
        (true, true) => return Err((spec.key("manifests"), Problem::NoManifests)),
        (false, false) => return Err((spec.key("steps"), Problem::ManifestsAndSteps)),
        (false, true) => {
            templates = check_manifests(&s.manifests, &spec.clone().key("manifests"))?;
        }
        (true, false) => {
            for (i, step) in s.steps.iter().enumerate() {
                let here = spec.clone().key("steps").index(i);
                if step.name.trim().is_empty() || step.name.contains('\n') {
                    return Err((here.key("name"), Problem::EmptyStepName));
                }
                templates.extend(check_manifests(&step.manifests, &here.key("manifests"))?);
            }
        }
    }
    let containers = check_target(scenario, &templates, &spec.clone().key("target"))?;
    for (i, step) in s.steps.iter().enumerate() {
        let kind = s.target.workload().kind;
        if step.wait_for == Some(WaitFor::RolledOut)
            && !matches!(
                kind,
                WorkloadKind::Deployment | WorkloadKind::StatefulSet | WorkloadKind::DaemonSet
            )
        {
            return Err((
                spec.clone().key("steps").index(i).key("waitFor"),
                Problem::WaitForNeedsRollout { kind: kind.kind() },
            ));
        }
    }
    check_expect(&s.expect, &spec.clone().key("expect"))?;
    check_per_container(&s.expect, &containers, &spec.clone().key("expect"))?;
    check_timeouts(&scenario.spec.timeouts, &spec.clone().key("timeouts"))?;
    if let Some(truth) = &scenario.spec.ground_truth {
        check_ground_truth(truth, &spec.key("groundTruth"))?;
    }
    Ok(())
}

/// A DNS-1123 label of at most [`MAX_NAME_LEN`] characters.
fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("it is empty".into());
    }
    if name.len() > MAX_NAME_LEN {
        return Err(format!("it is longer than {MAX_NAME_LEN} characters"));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(format!("it contains {c:?}"));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Err("it starts or ends with `-`".into());
    }
    Ok(())
}

/// A manifest that runs pods (a Pod, or a workload with a pod template): its kind, name and
/// container names (app and init containers).
struct TemplateInfo {
    kind: WorkloadKind,
    name: String,
    containers: Vec<String>,
}

fn check_manifests(manifests: &[Value], path: &FieldPath) -> Result<Vec<TemplateInfo>, Violation> {
    let mut pods = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, manifest) in manifests.iter().enumerate() {
        let here = path.clone().index(i);
        let Value::Object(object) = manifest else {
            return Err((here, Problem::ManifestNotAnObject));
        };
        let non_empty_str = |v: Option<&Value>| {
            v.and_then(Value::as_str)
                .filter(|s| !s.trim().is_empty())
                .map(str::to_owned)
        };
        let Some(api_version) = non_empty_str(object.get("apiVersion")) else {
            return Err((here.key("apiVersion"), missing("apiVersion")));
        };
        let Some(kind) = non_empty_str(object.get("kind")) else {
            return Err((here.key("kind"), missing("kind")));
        };
        let metadata = object.get("metadata");
        let Some(name) = non_empty_str(metadata.and_then(|m| m.get("name"))) else {
            return Err((here.key("metadata").key("name"), missing("metadata.name")));
        };
        if let Some(namespace) = metadata.and_then(|m| m.get("namespace")) {
            return Err((
                here.key("metadata").key("namespace"),
                Problem::ManifestNamespace {
                    namespace: namespace
                        .as_str()
                        .map_or_else(|| namespace.to_string(), str::to_owned),
                },
            ));
        }
        if !seen.insert((
            api_group(&api_version).to_owned(),
            kind.clone(),
            name.clone(),
        )) {
            return Err((
                here.key("metadata").key("name"),
                Problem::DuplicateManifest { kind, name },
            ));
        }
        let workload = WorkloadKind::ALL
            .into_iter()
            .find(|w| w.kind() == kind && w.api_version() == api_version);
        if let Some(workload) = workload {
            let spec = workload.pod_spec(manifest);
            let containers = ["containers", "initContainers"]
                .iter()
                .filter_map(|list| spec.and_then(|s| s.get(list)).and_then(Value::as_array))
                .flatten()
                .filter_map(|c| c.get("name").and_then(Value::as_str).map(str::to_owned))
                .collect();
            pods.push(TemplateInfo {
                kind: workload,
                name,
                containers,
            });
        }
    }
    Ok(pods)
}

/// `apps` from `apps/v1`; the core group is empty. Objects are identified per group and kind.
fn api_group(api_version: &str) -> &str {
    api_version
        .rsplit_once('/')
        .map_or("", |(group, _version)| group)
}

fn missing(field: &'static str) -> Problem {
    Problem::ManifestMissing { field }
}

/// The target names exactly one Pod or workload of the manifests, and one of its containers.
/// Returns the containers of its pod template (of the last step that applies it).
fn check_target(
    scenario: &Scenario,
    templates: &[TemplateInfo],
    path: &FieldPath,
) -> Result<Vec<String>, Violation> {
    let target = &scenario.spec.target;
    let named = target.named();
    let workload = match named.as_slice() {
        [] => return Err((path.clone(), Problem::TargetNamesNothing)),
        [one] => *one,
        [_, second, ..] => {
            return Err((
                path.clone().key(second.kind.field()),
                Problem::TargetNamesSeveral {
                    fields: named.iter().map(|w| w.kind.field()).collect(),
                },
            ));
        }
    };
    let Some(template) = templates
        .iter()
        .rev()
        .find(|t| t.kind == workload.kind && t.name == workload.name)
    else {
        return Err((
            path.clone().key(workload.kind.field()),
            Problem::TargetNotFound {
                kind: workload.kind.kind(),
                api_version: workload.kind.api_version(),
                name: workload.name.to_owned(),
                found: templates
                    .iter()
                    .filter(|t| t.kind == workload.kind)
                    .map(|t| t.name.clone())
                    .collect(),
            },
        ));
    };
    if !template.containers.contains(&target.container) {
        return Err((
            path.clone().key("container"),
            container_not_found(template, &target.container),
        ));
    }
    Ok(template.containers.clone())
}

fn container_not_found(template: &TemplateInfo, container: &str) -> Problem {
    Problem::TargetContainerNotFound {
        kind: template.kind.kind(),
        name: template.name.clone(),
        container: container.to_owned(),
        containers: template.containers.clone(),
    }
}

/// `expect.containers`: each key a container of the target's pod template, one level deep,
/// and its expectations valid like the target's own.
fn check_per_container(
    expect: &Expectations,
    containers: &[String],
    path: &FieldPath,
) -> Result<(), Violation> {
    for (name, exp) in &expect.containers {
        let here = path.clone().key("containers").key(name);
        if !containers.contains(name) {
            return Err((
                here,
                Problem::TargetContainerNotFound {
                    kind: "pod template",
                    name: "of the target".to_owned(),
                    container: name.clone(),
                    containers: containers.to_vec(),
                },
            ));
        }
        if !exp.containers.is_empty() {
            return Err((here.key("containers"), Problem::NestedContainers));
        }
        check_expect(exp, &here)?;
    }
    Ok(())
}

fn check_expect(expect: &Expectations, path: &FieldPath) -> Result<(), Violation> {
    if *expect == Expectations::default() {
        return Err((path.clone(), Problem::EmptyExpect));
    }
    if let Some(waiting) = &expect.waiting_reason
        && let Some(message) = &waiting.message
    {
        check_regex(
            message,
            false,
            path.clone().key("waitingReason").key("message"),
        )?;
    }
    if let Some(restarts) = &expect.restarts
        && let (Some(min), Some(max)) = (restarts.min, restarts.max)
        && min > max
    {
        return Err((
            path.clone().key("restarts"),
            Problem::RestartBounds { min, max },
        ));
    }
    check_events(&expect.events, &path.clone().key("events"))?;
    check_events(&expect.absent_events, &path.clone().key("absentEvents"))?;
    for (i, pattern) in expect.previous_logs.iter().enumerate() {
        check_regex(pattern, false, path.clone().key("previousLogs").index(i))?;
    }
    if let Some(backoff) = &expect.backoff {
        let here = path.clone().key("backoff");
        if backoff.initial_seconds == Some(0) || backoff.max_seconds == Some(0) {
            return Err((
                here.key("initialSeconds"),
                Problem::ZeroValue {
                    what: "backoff.initialSeconds",
                },
            ));
        }
        if backoff.delays == 0 {
            return Err((
                here.key("delays"),
                Problem::ZeroValue {
                    what: "backoff.delays",
                },
            ));
        }
        if let (Some(initial), Some(max)) = (backoff.initial_seconds, backoff.max_seconds)
            && initial > max
        {
            return Err((here, Problem::BackoffBounds { initial, max }));
        }
    }
    Ok(())
}

fn check_events(events: &[EventExpectation], path: &FieldPath) -> Result<(), Violation> {
    for (i, event) in events.iter().enumerate() {
        if let Some(message) = &event.message {
            check_regex(message, false, path.clone().index(i).key("message"))?;
        }
        if let Some(req) = &event.kubernetes
            && let Err(message) = super::version_req::VersionReq::parse(req)
        {
            return Err((
                path.clone().index(i).key("kubernetes"),
                Problem::InvalidValue { message },
            ));
        }
    }
    Ok(())
}

fn check_timeouts(timeouts: &Timeouts, path: &FieldPath) -> Result<(), Violation> {
    for (key, what, value) in [
        ("deploy", "timeouts.deploy", timeouts.deploy),
        ("observe", "timeouts.observe", timeouts.observe),
        ("cleanup", "timeouts.cleanup", timeouts.cleanup),
    ] {
        if value.is_zero() {
            return Err((path.clone().key(key), Problem::ZeroValue { what }));
        }
    }
    if let Some(window) = &timeouts.must_not_window {
        let here = path.clone().key("mustNotWindow");
        // `observe` at its default is taken as left out. A window counted from the promised
        // signals keeps `observe` as the time those have to come.
        if window.from == super::WindowStart::TargetSeen
            && timeouts.observe != super::scenario::default_observe()
        {
            return Err((path.clone().key("observe"), Problem::ObserveAndWindow));
        }
        if window.backoff_periods == 0 {
            let what = "timeouts.mustNotWindow.backoffPeriods";
            return Err((here.key("backoffPeriods"), Problem::ZeroValue { what }));
        }
        if window.at_least.is_zero() {
            let what = "timeouts.mustNotWindow.atLeast";
            return Err((here.key("atLeast"), Problem::ZeroValue { what }));
        }
    }
    Ok(())
}

fn check_ground_truth(truth: &GroundTruth, path: &FieldPath) -> Result<(), Violation> {
    check_facts(&truth.key_facts, &path.clone().key("keyFacts"))?;
    check_facts(&truth.wrong_answers, &path.clone().key("wrongAnswers"))
}

fn check_facts(facts: &[KeyFact], path: &FieldPath) -> Result<(), Violation> {
    for (i, fact) in facts.iter().enumerate() {
        let here = path.clone().index(i).key("anyOf");
        if fact.any_of.is_empty() {
            return Err((
                here,
                Problem::EmptyKeyFact {
                    name: fact.name.clone(),
                },
            ));
        }
        for (j, pattern) in fact.any_of.iter().enumerate() {
            check_regex(pattern, true, here.clone().index(j))?;
        }
    }
    Ok(())
}

/// Compiles `pattern` as the checks will (key facts are case-insensitive).
fn check_regex(pattern: &str, case_insensitive: bool, path: FieldPath) -> Result<(), Violation> {
    match regex::RegexBuilder::new(pattern)
        .case_insensitive(case_insensitive)
        .build()
    {
        Ok(_) => Ok(()),
        Err(err) => Err((
            path,
            Problem::InvalidRegex {
                pattern: pattern.to_owned(),
                error: regex_reason(&err),
            },
        )),
    }
}

/// The one-line reason from the regex crate's multi-line message (which draws a caret under
/// the pattern): the text after `error: `.
fn regex_reason(err: &regex::Error) -> String {
    let text = err.to_string();
    text.lines()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .map(str::to_owned)
        .unwrap_or_else(|| text.lines().collect::<Vec<_>>().join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_dns_labels() {
        assert!(check_name("exit-1").is_ok());
        assert!(check_name("1-exit").is_ok());
        assert_eq!(check_name("Exit").unwrap_err(), "it contains 'E'");
        assert_eq!(check_name("a_b").unwrap_err(), "it contains '_'");
        assert!(check_name("-a").is_err());
        assert!(check_name("a-").is_err());
        assert!(check_name("").is_err());
        assert!(check_name(&"a".repeat(MAX_NAME_LEN)).is_ok());
        assert!(check_name(&"a".repeat(MAX_NAME_LEN + 1)).is_err());
    }

    #[test]
    fn regex_reason_is_one_line() {
        let pattern = String::from("(foo"); // not a literal, so clippy lets it be invalid
        let err = regex::Regex::new(&pattern).unwrap_err();
        assert_eq!(regex_reason(&err), "unclosed group");
    }

    #[test]
    fn api_groups() {
        assert_eq!(api_group("v1"), "");
        assert_eq!(api_group("apps/v1"), "apps");
    }
}
