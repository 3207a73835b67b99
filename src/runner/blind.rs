//! Blind incidents (`crashlab validate`, the default there): nothing a tool can read in the
//! cluster names the scenario. A scenario's name is its answer key (`oom`, `segfault`,
//! `missing-secret`): a tool that only echoed it scored 16.5 % on the catalogue, more than
//! three public diagnosers. So the namespace is `crashlab-` plus random characters, the
//! namespace's scenario label says only that it is a blind run, and the applied objects carry
//! no label, annotation or selector value equal to the scenario's name (replaced by
//! [`NEUTRAL`], consistently, so selectors still match).
//!
//! Left as they are: resource names (renaming one would break what refers to it; no built-in
//! scenario names an object after itself) and container arguments, which are the fixture's
//! behaviour.

use serde_json::Value;

use super::namespace::random_suffix;

/// The scenario label's value on a blind run's namespace.
pub const OPAQUE: &str = "blind";
/// What replaces the scenario's name in labels, annotations and selectors.
pub const NEUTRAL: &str = "app";

/// `crashlab-` and ten random characters: the first five from `suffix` (fixed in replays).
pub fn namespace_name(suffix: &str) -> String {
    format!("crashlab-{suffix}{}", random_suffix())
}

/// `manifest` with every label, annotation and selector value equal to `scenario` replaced.
pub fn manifest(manifest: &Value, scenario: &str) -> Value {
    let mut out = manifest.clone();
    scrub(&mut out, scenario, Within::Other);
    out
}

/// Maps under these keys hold labels (or label selectors) and annotations.
const LABEL_MAPS: [&str; 4] = ["labels", "annotations", "matchLabels", "selector"];

/// Where a value sits.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Within {
    /// A map of labels, annotations or a selector's labels.
    LabelMap,
    /// `matchExpressions: [{key, operator, values}]`.
    Expressions,
    /// The `values` of a match expression.
    Values,
    Other,
}

fn scrub(v: &mut Value, scenario: &str, within: Within) {
    match v {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                match child {
                    Value::String(s) if within == Within::LabelMap && s == scenario => {
                        *s = NEUTRAL.to_owned();
                    }
                    _ => {
                        let next = match key.as_str() {
                            k if LABEL_MAPS.contains(&k) => Within::LabelMap,
                            "matchExpressions" => Within::Expressions,
                            "values" if within == Within::Expressions => Within::Values,
                            _ => Within::Other,
                        };
                        scrub(child, scenario, next);
                    }
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::String(s) if within == Within::Values && s == scenario => {
                        *s = NEUTRAL.to_owned();
                    }
                    _ => scrub(item, scenario, within),
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::scenario::Catalogue;

    #[test]
    fn labels_and_selectors_lose_the_name_and_still_match() {
        let deploy = json!({
            "kind": "Deployment",
            "metadata": {"name": "app", "labels": {"app.kubernetes.io/name": "oom"},
                         "annotations": {"note": "oom"}},
            "spec": {
                "selector": {"matchLabels": {"app.kubernetes.io/name": "oom"}},
                "template": {
                    "metadata": {"labels": {"app.kubernetes.io/name": "oom"}},
                    "spec": {"containers": [{"name": "app", "args": ["wrap", "oom", "8", "100"]}]}
                }
            }
        });
        let out = manifest(&deploy, "oom");
        assert_eq!(out["metadata"]["labels"]["app.kubernetes.io/name"], "app");
        assert_eq!(out["metadata"]["annotations"]["note"], "app");
        assert_eq!(
            out["spec"]["selector"]["matchLabels"],
            out["spec"]["template"]["metadata"]["labels"]
        );
        // The fixture's behaviour stays.
        assert_eq!(
            out["spec"]["template"]["spec"]["containers"][0]["args"][1],
            "oom"
        );
        assert_eq!(out["metadata"]["name"], "app");
    }

    #[test]
    fn no_built_in_scenario_leaks_its_name_through_labels_or_selectors() {
        let cat = Catalogue::builtin();
        for entry in cat.entries() {
            let s = &entry.scenario;
            let name = &s.metadata.name;
            for m in s.spec.all_manifests() {
                let blinded = manifest(m, name);
                let mut leaks = Vec::new();
                find_in_label_maps(&blinded, name, false, &mut leaks);
                assert!(leaks.is_empty(), "{name}: {leaks:?}");
            }
        }
    }

    fn find_in_label_maps(v: &Value, name: &str, in_map: bool, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for (k, c) in map {
                    if in_map && c.as_str().is_some_and(|s| s.contains(name)) {
                        out.push(format!("{k}={c}"));
                    }
                    find_in_label_maps(c, name, LABEL_MAPS.contains(&k.as_str()), out);
                }
            }
            Value::Array(items) => items
                .iter()
                .for_each(|i| find_in_label_maps(i, name, false, out)),
            _ => {}
        }
    }

    #[test]
    fn the_namespace_is_opaque() {
        let ns = namespace_name("b4x7q");
        assert!(ns.starts_with("crashlab-b4x7q") && ns.len() == "crashlab-".len() + 10);
        assert!(super::super::namespace::is_dns_label(&ns));
    }
}
