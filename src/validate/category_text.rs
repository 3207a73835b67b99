//! Reading a cause category out of words: a category field's value (`missing-config`,
//! `MissingConfig`, `OOM`) or a free-text diagnosis, through a fixed list of synonyms.

use std::sync::LazyLock;

use regex::{Regex, RegexBuilder};

use crate::expect::pattern;
use crate::scenario::Category;

/// Phrases that name each category, as diagnoses word them. Case-insensitive.
const SYNONYMS: [(Category, &[&str]); 6] = [
    (
        Category::MissingConfig,
        &[
            r"missing[-_ ]config(uration)?",
            r"misconfigur\w*",
            r"config(uration)? (error|problem|issue)",
            r"(missing|absent|non-?existent) (secret|configmap|config ?map|environment variable|env var|config(uration)? file)",
            r"(secret|configmap)s? \S+ (is )?(missing|not found|does not exist)",
            r#"(secret|configmap)s? "[^"]+" not found"#,
            r"environment variable \S+ (is )?(not set|missing|unset)",
            r"config(uration)? file \S* ?(is )?(missing|not found)",
            r"CreateContainerConfigError",
            // Wording of public diagnosers (tests/fixtures/tool-outputs/).
            r#"(secret|configmap|config ?map)s? ['"]?[\w.-]+['"]? (referenced by the container )?(does not|doesn't) exist"#,
            r"(have not|haven't) created the (secret|configmap)",
            r"config(uration)?[- ]based (issue|problem)s?",
        ],
    ),
    (
        Category::DependencyDown,
        &[
            r"dependency[-_ ]down",
            r"dependenc(y|ies) (is |are )?(down|unavailable|unreachable|failing|not ready)",
            r"connection refused",
            r"ECONNREFUSED",
            r"no (ready )?endpoints",
            r"(database|db|upstream|backend|downstream) (is |was )?(down|unavailable|unreachable|not reachable)",
            r"(cannot|can't|could not|unable to) (reach|connect to)",
        ],
    ),
    (
        Category::ResourceLimits,
        &[
            r"resource[-_ ]limits?",
            r"OOM[-_ ]?kill\w*",
            r"\bOOM\b",
            r"out of memory",
            r"memory limit",
            r"(insufficient|not enough) (memory|cpu)",
            r"(increase|raise|bump) (the )?(memory|cpu)",
            r"cpu throttl\w*",
            r"(did not|didn't) have (sufficient|enough) memory",
        ],
    ),
    (
        Category::CodeBug,
        &[
            r"code[-_ ]bug",
            r"(application|app|software|program) (bug|crash(es)?|defect)",
            r"bug in the (app|application|code|program)",
            r"\bpanic(ked|s)?\b",
            r"segmentation fault|segfault",
            r"unhandled exception|uncaught exception",
            r"null pointer|nil pointer",
            r"(something|an? issue|a problem) (is )?related to your application",
            r"mismatch in (the )?logic",
        ],
    ),
    (
        Category::ProbeFailure,
        &[
            r"probe[-_ ]failure",
            r"(liveness|readiness|startup) probe",
            r"probes? fail\w*",
            r"health ?check (is )?fail\w*",
            r"\bUnhealthy\b",
        ],
    ),
    (
        Category::ImageProblem,
        &[
            r"image[-_ ]problem",
            r"ErrImage\w*|ImagePullBackOff",
            r"image (is )?(not present|missing|not found|not built)",
            r"(binary|executable|entrypoint|command) (is )?(missing|not found)",
            r"no such file or directory",
        ],
    ),
];

static COMPILED: LazyLock<Vec<(Category, Regex)>> = LazyLock::new(|| {
    SYNONYMS
        .iter()
        .flat_map(|(c, pats)| {
            pats.iter().map(move |p| {
                (
                    *c,
                    RegexBuilder::new(p)
                        .case_insensitive(true)
                        .build()
                        .expect("built-in synonym"),
                )
            })
        })
        .collect()
});

/// The category a diagnosis mentions first, with the phrase that named it. "First" because
/// diagnoses lead with their conclusion; ties go to the earlier category in [`Category::ALL`].
pub fn category_in_text(text: &str) -> Option<(Category, String)> {
    category_in_text_with(text, &[]).and_then(|(c, phrase)| Some((c?, phrase)))
}

/// As [`category_in_text`], with the tool's own labels (`--category-map`) read too, as whole
/// words; a label mapped to no category (`None`) ends the search there when it comes first.
pub fn category_in_text_with(
    text: &str,
    map: &[(String, Option<Category>)],
) -> Option<(Option<Category>, String)> {
    let labels = map.iter().filter_map(|(label, c)| {
        let re = pattern::cached(
            &format!(r"(^|[^\w-]){}($|[^\w-])", regex::escape(label)),
            pattern::Flags::CASE_INSENSITIVE,
        )
        .ok()?;
        let m = re.find(text)?;
        // Rank a label before a synonym at the same place: it is the tool's own word.
        Some((m.start(), 0, *c, label.clone()))
    });
    let synonyms = COMPILED.iter().filter_map(|(c, re)| {
        re.find(text).map(|m| {
            let rank = 1 + Category::ALL.iter().position(|x| x == c).unwrap_or(0);
            (m.start(), rank, Some(*c), m.as_str().to_owned())
        })
    });
    labels
        .chain(synonyms)
        .min_by_key(|(start, rank, _, _)| (*start, *rank))
        .map(|(_, _, c, phrase)| (c, phrase))
}

/// A category field's value with the tool's own labels (`--category-map`) looked up first.
pub fn category_from_value_with(
    value: &str,
    map: &[(String, Option<Category>)],
) -> Option<Category> {
    let norm = |s: &str| s.trim().to_lowercase().replace(['_', ' '], "-");
    match map.iter().find(|(label, _)| norm(label) == norm(value)) {
        Some((_, c)) => *c,
        None => category_from_value(value),
    }
}

/// `--category-map LABEL=CATEGORY,…`: the tool's own labels; `none` maps a label to no
/// category. The error names the pair that is wrong.
pub fn parse_category_map(spec: &str) -> Result<Vec<(String, Option<Category>)>, String> {
    spec.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (label, cat) = pair
                .split_once('=')
                .ok_or_else(|| format!("{pair:?}: expected LABEL=CATEGORY"))?;
            let (label, cat) = (label.trim(), cat.trim());
            if label.is_empty() {
                return Err(format!("{pair:?}: the label is empty"));
            }
            if cat.eq_ignore_ascii_case("none") {
                return Ok((label.to_owned(), None));
            }
            let c = Category::ALL
                .into_iter()
                .find(|c| c.as_str() == cat)
                .ok_or_else(|| {
                    format!(
                        "{pair:?}: unknown category {cat:?}; expected one of {}, or none",
                        Category::ALL.map(|c| c.as_str()).join(", ")
                    )
                })?;
            Ok((label.to_owned(), Some(c)))
        })
        .collect()
}

/// A category field's value: a category name in any spelling (`missing-config`,
/// `missing_config`, `Missing Config`, `MissingConfig`), else whatever its words name.
pub fn category_from_value(value: &str) -> Option<Category> {
    let mut kebab = String::new();
    let mut prev_lower = false;
    for ch in value.trim().chars() {
        if ch.is_uppercase() && prev_lower {
            kebab.push('-');
        }
        prev_lower = ch.is_lowercase() || ch.is_ascii_digit();
        kebab.extend(ch.to_lowercase());
    }
    let kebab = kebab.replace(['_', ' '], "-");
    Category::ALL
        .into_iter()
        .find(|c| c.as_str() == kebab)
        .or_else(|| category_in_text(value).map(|(c, _)| c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_in_any_spelling() {
        for (v, want) in [
            ("missing-config", Some(Category::MissingConfig)),
            ("MissingConfig", Some(Category::MissingConfig)),
            ("missing_config", Some(Category::MissingConfig)),
            ("Dependency Down", Some(Category::DependencyDown)),
            ("OOMKilled", Some(Category::ResourceLimits)),
            ("probe-failure", Some(Category::ProbeFailure)),
            ("CODE_BUG", Some(Category::CodeBug)),
            ("network", None),
        ] {
            assert_eq!(category_from_value(v), want, "{v}");
        }
    }

    #[test]
    fn the_first_mention_wins() {
        let (c, phrase) = category_in_text(
            "The pod is running out of memory. Increase memory: set limits.memory to 512Mi.",
        )
        .unwrap();
        assert_eq!(
            (c, phrase.as_str()),
            (Category::ResourceLimits, "out of memory")
        );
        let (c, _) =
            category_in_text("Liveness probe failed with 500; not an OOM kill, memory is fine.")
                .unwrap();
        assert_eq!(c, Category::ProbeFailure);
        let (c, phrase) =
            category_in_text(r#"Error: secret "app-db" not found (CreateContainerConfigError)"#)
                .unwrap();
        assert_eq!(
            (c, phrase.as_str()),
            (Category::MissingConfig, r#"secret "app-db" not found"#)
        );
        assert_eq!(category_in_text("all good"), None);
    }
}
