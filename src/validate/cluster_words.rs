//! What the cluster itself said during an incident: the app's log lines, event messages and
//! reasons, waiting and termination messages and reasons, as the timeline recorded them. A
//! tool that copies these into its output has surfaced evidence, not concluded anything: a
//! dump of `config file /etc/app/config.yaml not found` names no cause by itself, and
//! `Warning Unhealthy …` is kubectl's line, not a diagnosis. The category is read from what
//! is left once they are taken out ([`ClusterWords::strip`]); key facts may still be met by
//! the quoted evidence, and are reported as quoted.
//!
//! The incident's object names (pods, containers, ConfigMaps, Services, labels: what
//! `kubectl get` lists) are kept apart ([`ClusterWords::strip_names`]): a diagnosis names them
//! in its own sentences ("the init container migrate fails"), so they do not make a fact
//! quoted; but an answer whose only words about the incident are its names concluded nothing
//! (a tool that lists what is in the namespace), and [`super::grade`] credits no fact then.

use crate::timeline::{Signal, Timeline};

/// What replaces a quotation of the cluster.
pub const QUOTED: &str = "⟨quoted⟩";
/// Shorter lines are too common to be a quotation (`Error`, `OK`).
const MIN_LINE: usize = 6;
/// What replaces one of the incident's names.
const NAME: &str = "⟨name⟩";
/// A one-letter name (`a`) is not told apart from a word.
const MIN_NAME: usize = 2;

/// What a listing of the namespace shows of a manifest (`kubectl get all,configmaps,...` with
/// names and labels, `kubectl get pods`): its object's name, its containers' names and every
/// label value. Not the names it refers to (an env variable, a Secret that does not exist, a
/// volume): a diagnosis that names those has read the spec.
fn collect_names(manifest: &serde_json::Value, out: &mut Vec<String>) {
    if let Some(name) = manifest["metadata"]["name"].as_str() {
        out.push(name.to_owned());
    }
    collect_listed(manifest, out);
}

fn collect_listed(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("labels" | "matchLabels", serde_json::Value::Object(labels)) => out.extend(
                        labels
                            .values()
                            .filter_map(|l| l.as_str().map(str::to_owned)),
                    ),
                    ("containers" | "initContainers", serde_json::Value::Array(cs)) => out.extend(
                        cs.iter()
                            .filter_map(|c| c["name"].as_str().map(str::to_owned)),
                    ),
                    _ => collect_listed(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| collect_listed(i, out)),
        _ => {}
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClusterWords {
    /// Whole lines and messages, longest first.
    lines: Vec<String>,
    /// Reasons (`OOMKilled`, `Unhealthy`, `CreateContainerConfigError`), taken out as
    /// whole words.
    reasons: Vec<String>,
    /// Object and container names, label values, longest first: see [`Self::strip_names`].
    names: Vec<String>,
}

impl ClusterWords {
    pub fn of(timeline: &Timeline) -> ClusterWords {
        let mut lines = Vec::new();
        let mut reasons = Vec::new();
        let add_text = |text: &str, lines: &mut Vec<String>| {
            for line in text.lines().map(str::trim).filter(|l| l.len() >= MIN_LINE) {
                lines.push(line.to_owned());
            }
        };
        let mut names = Vec::new();
        for e in &timeline.entries {
            if let Signal::Started { container: c, .. }
            | Signal::Terminated { container: c, .. }
            | Signal::Waiting { container: c, .. }
            | Signal::BackOff { container: c, .. }
            | Signal::PreviousLogs { container: c, .. }
            | Signal::Ready { container: c, .. } = &e.signal
            {
                names.push(c.pod.clone());
                names.push(c.container.clone());
            }
            match &e.signal {
                Signal::PreviousLogs { text, .. } => add_text(text, &mut lines),
                Signal::Event {
                    reason,
                    message,
                    object,
                    ..
                } => {
                    add_text(message, &mut lines);
                    reasons.push(reason.clone());
                    names.extend(object.split_once('/').map(|(_, n)| n.to_owned()));
                }
                Signal::PodCreated { pod, owner, .. } => {
                    names.push(pod.clone());
                    names.extend(
                        owner
                            .as_ref()
                            .and_then(|o| o.split_once('/'))
                            .map(|(_, n)| n.to_owned()),
                    );
                }
                Signal::Waiting {
                    reason, message, ..
                } => {
                    add_text(message.as_deref().unwrap_or_default(), &mut lines);
                    reasons.push(reason.clone());
                }
                Signal::Terminated {
                    reason, message, ..
                } => {
                    add_text(message.as_deref().unwrap_or_default(), &mut lines);
                    reasons.extend(reason.clone());
                }
                _ => {}
            }
        }
        lines.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        lines.dedup();
        reasons.retain(|r| !r.is_empty());
        reasons.sort();
        reasons.dedup();
        let mut words = ClusterWords {
            lines,
            reasons,
            names: Vec::new(),
        };
        words.add_names(names);
        words
    }

    /// These words and the names a listing of the incident's objects shows (see
    /// `collect_names`), except `scenario`: blind incidents relabel what carries the
    /// scenario's name, and a tool told it has the name masked as a word anyway.
    pub fn with_manifest_names<'a>(
        mut self,
        manifests: impl IntoIterator<Item = &'a serde_json::Value>,
        scenario: &str,
    ) -> ClusterWords {
        let mut names = Vec::new();
        for m in manifests {
            collect_names(m, &mut names);
        }
        names.retain(|n| n != scenario);
        self.add_names(names);
        self
    }

    fn add_names(&mut self, more: Vec<String>) {
        self.names.extend(
            more.into_iter()
                .map(|n| n.trim().to_owned())
                .filter(|n| n.len() >= MIN_NAME && !n.contains(char::is_whitespace)),
        );
        self.names
            .sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        self.names.dedup();
    }

    /// `text` without the incident's names, as whole words: what is left is what the tool
    /// said about them.
    pub fn strip_names(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for name in &self.names {
            out = replace_word(&out, name, NAME);
        }
        out
    }

    /// Whether nothing was recorded (a grade then reads the whole output).
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty() && self.reasons.is_empty()
    }

    /// `text` without what it quoted of the cluster.
    pub fn strip(&self, text: &str) -> String {
        let mut out = text.to_owned();
        // As whole words: the log line `Killed` is not the end of the tool's `OOMKilled`.
        for line in &self.lines {
            if out.contains(line.as_str()) {
                out = replace_word(&out, line, QUOTED);
            }
        }
        for reason in &self.reasons {
            out = replace_word(&out, reason, QUOTED);
        }
        out
    }
}

/// `text` with each whole-word occurrence of `word` (not inside a longer word of letters,
/// digits, `-` or `_`) replaced.
pub fn replace_word(text: &str, word: &str, with: &str) -> String {
    if word.is_empty() || !text.contains(word) {
        return text.to_owned();
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(word) {
        let before = rest[..i].chars().next_back().or(out.chars().next_back());
        let after = rest[i + word.len()..].chars().next();
        out.push_str(&rest[..i]);
        if before.is_some_and(is_word) || after.is_some_and(is_word) {
            out.push_str(word);
        } else {
            out.push_str(with);
        }
        rest = &rest[i + word.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use serde::Deserialize as _;

    use super::*;

    #[test]
    fn a_short_log_line_is_not_cut_out_of_a_longer_word() {
        let words = ClusterWords {
            lines: vec!["Killed".to_owned()],
            ..ClusterWords::default()
        };
        assert_eq!(
            words.strip("terminated (exit 137): OOMKilled\nKilled"),
            format!("terminated (exit 137): OOMKilled\n{QUOTED}")
        );
    }

    #[test]
    fn names_are_what_a_listing_of_the_namespace_shows() {
        let manifests: Vec<serde_json::Value> = serde_yaml::Deserializer::from_str(
            r#"
kind: Pod
metadata: {name: shop, labels: {app: web, app.kubernetes.io/name: missing-secret}}
spec:
  initContainers: [{name: migrate, image: app:1}]
  containers:
    - name: app
      env: [{name: DATABASE_URL, valueFrom: {secretKeyRef: {name: app-db, key: url}}}]
      envFrom: [{configMapRef: {name: app-settings}}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: shop-data}}]
---
kind: ConfigMap
metadata: {name: app-config}
"#,
        )
        .map(|d| serde_yaml::from_value(serde_yaml::Value::deserialize(d).unwrap()).unwrap())
        .collect();
        let words = ClusterWords::default().with_manifest_names(&manifests, "missing-secret");
        // Not the variable, the Secret, ConfigMap and claim it refers to, the volume, nor the
        // scenario's own name.
        assert_eq!(words.names, ["app-config", "migrate", "shop", "app", "web"]);
        assert_eq!(
            words.strip_names("Pod shop: init container migrate; ConfigMap app-config; apps"),
            "Pod ⟨name⟩: init container ⟨name⟩; ConfigMap ⟨name⟩; apps"
        );
    }

    #[test]
    fn whole_words_only() {
        assert_eq!(
            replace_word("exit-1 and exit-10", "exit-1", "X"),
            "X and exit-10"
        );
        assert_eq!(replace_word("OOMKilled, oom", "oom", "X"), "OOMKilled, X");
        assert_eq!(
            replace_word("crashlab-oom-x7k2p", "oom", "X"),
            "crashlab-oom-x7k2p"
        );
    }
}
