//! The namespace each scenario owns: its name and the labels that mark it as crashlab's.

use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

/// Label on every namespace crashlab creates, so leftovers can be found with
/// `kubectl get ns -l app.kubernetes.io/managed-by=crashlab`.
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
pub const MANAGED_BY_VALUE: &str = "crashlab";
/// Label naming the scenario a namespace belongs to.
pub const SCENARIO_LABEL: &str = "crashlab.dev/scenario";

/// Characters of the random suffix: the alphabet of `generateName`
/// (k8s.io/apimachinery/pkg/util/rand `alphanums`), which has no vowels so no words are spelled.
const SUFFIX_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
const SUFFIX_LEN: usize = 5;
const PREFIX: &str = "crashlab-";
/// Namespace names are DNS-1123 labels.
const MAX_NAME_LEN: usize = 63;
/// Label values are at most 63 characters too.
const MAX_LABEL_VALUE_LEN: usize = 63;

/// `crashlab-<scenario>-<suffix>`, with the scenario part reduced to a DNS-1123 label
/// (lowercase alphanumerics and `-`) and shortened so the whole name fits in 63 characters.
pub fn namespace_name(scenario: &str, suffix: &str) -> String {
    let budget = MAX_NAME_LEN - PREFIX.len() - 1 - suffix.len();
    let middle = dns_label_part(scenario, budget);
    if middle.is_empty() {
        format!("{PREFIX}{suffix}")
    } else {
        format!("{PREFIX}{middle}-{suffix}")
    }
}

/// `crashlab-<scenario>`: the fixed namespace of an exported fixture, which its prompt can
/// name (the scenario part reduced to a DNS-1123 label as in [`namespace_name`]).
pub fn fixture_namespace(scenario: &str) -> String {
    let middle = dns_label_part(scenario, MAX_NAME_LEN - PREFIX.len());
    if middle.is_empty() {
        "crashlab".to_owned()
    } else {
        format!("{PREFIX}{middle}")
    }
}

/// Whether `s` is a DNS-1123 label, the form of a namespace name: 1 to 63 lowercase
/// alphanumerics or `-`, beginning and ending alphanumeric.
pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_NAME_LEN
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// A fresh random suffix of five characters from [`SUFFIX_ALPHABET`].
pub fn random_suffix() -> String {
    // Per-process random keys plus a counter: unique within a run and across runs, without
    // pulling in a random-number crate for five characters.
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    suffix_from(h.finish())
}

fn suffix_from(mut bits: u64) -> String {
    let n = SUFFIX_ALPHABET.len() as u64;
    (0..SUFFIX_LEN)
        .map(|_| {
            let c = SUFFIX_ALPHABET[(bits % n) as usize] as char;
            bits /= n;
            c
        })
        .collect()
}

/// Labels of a scenario's namespace.
pub fn namespace_labels(scenario: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (MANAGED_BY_LABEL.to_owned(), MANAGED_BY_VALUE.to_owned()),
        (SCENARIO_LABEL.to_owned(), label_value(scenario)),
    ])
}

/// A valid label value: alphanumerics, `-`, `_`, `.`, beginning and ending alphanumeric.
fn label_value(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .take(MAX_LABEL_VALUE_LEN)
        .collect();
    cleaned
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_owned()
}

fn dns_label_part(s: &str, max: usize) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let c = c.to_ascii_lowercase();
        let c = if c.is_ascii_lowercase() || c.is_ascii_digit() {
            c
        } else {
            '-'
        };
        if c == '-' && (out.is_empty() || out.ends_with('-')) {
            continue;
        }
        out.push(c);
    }
    out.truncate(max);
    out.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_is_prefix_scenario_suffix() {
        assert_eq!(namespace_name("exit-1", "b4x7q"), "crashlab-exit-1-b4x7q");
        assert_eq!(namespace_name("oom", "zzzzz"), "crashlab-oom-zzzzz");
    }

    #[test]
    fn odd_scenario_names_become_dns_labels() {
        assert_eq!(
            namespace_name("Liveness_HTTP.500", "b4x7q"),
            "crashlab-liveness-http-500-b4x7q"
        );
        assert_eq!(namespace_name("--a--b--", "b4x7q"), "crashlab-a-b-b4x7q");
        assert_eq!(namespace_name("", "b4x7q"), "crashlab-b4x7q");
        assert_eq!(namespace_name("___", "b4x7q"), "crashlab-b4x7q");
    }

    #[test]
    fn long_scenario_names_are_shortened_to_63_characters() {
        let long = "a-very-long-scenario-name-that-goes-on-and-on-and-on-and-on-forever";
        let ns = namespace_name(long, "b4x7q");
        assert_eq!(ns.len(), 63);
        assert!(ns.starts_with("crashlab-a-very-long-scenario"));
        assert!(ns.ends_with("-b4x7q"));
        assert!(is_dns_label(&ns), "{ns}");
        // Truncation that would end in '-' drops it instead of doubling the separator.
        let ns = namespace_name(&format!("{}-x", "a".repeat(47)), "b4x7q");
        assert_eq!(ns, format!("crashlab-{}-b4x7q", "a".repeat(47)));
    }

    #[test]
    fn suffixes_use_the_generate_name_alphabet() {
        for bits in [0, 1, 26, 27, u64::MAX, 0xdead_beef] {
            let s = suffix_from(bits);
            assert_eq!(s.len(), 5);
            assert!(s.bytes().all(|b| SUFFIX_ALPHABET.contains(&b)), "{s}");
        }
        assert_eq!(suffix_from(0), "bbbbb");
        assert_eq!(suffix_from(1), "cbbbb");
        let a = random_suffix();
        let b = random_suffix();
        assert_ne!(a, b);
        assert!(is_dns_label(&namespace_name("x", &a)));
    }

    #[test]
    fn fixture_namespaces_are_fixed_dns_labels() {
        assert_eq!(fixture_namespace("oom"), "crashlab-oom");
        assert_eq!(fixture_namespace("Liveness_HTTP"), "crashlab-liveness-http");
        assert!(is_dns_label(&fixture_namespace(&"x".repeat(80))));
        assert!(!is_dns_label("Bad_Name"));
        assert!(!is_dns_label("-a"));
        assert!(!is_dns_label(""));
    }

    #[test]
    fn labels_mark_the_namespace_as_crashlabs() {
        let labels = namespace_labels("exit-1");
        assert_eq!(labels[MANAGED_BY_LABEL], "crashlab");
        assert_eq!(labels[SCENARIO_LABEL], "exit-1");
        assert_eq!(namespace_labels("-a b-")[SCENARIO_LABEL], "a-b");
    }
}
