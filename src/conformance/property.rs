//! The properties `crashlab conformance` measures, as `--only` names them.

use serde::{Deserialize, Serialize};

/// One property of how a cluster reports a crash loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Property {
    /// An OOM kill shows as `OOMKilled`, exit 137, for an app alone as PID 1 and for a child
    /// under an entrypoint, held against the kernel's own record.
    Oom,
    /// The restart delays: first restart at once, then the initial delay doubling to the cap.
    BackoffCurve,
    /// Which changes start the back-off over.
    BackoffReset,
    /// Restarts after liveness kills.
    ProbeKills,
    /// A container that cannot start: exit 128, `StartError`, `startedAt` at the epoch.
    StartError,
    /// The event texts of the version.
    EventTexts,
}

impl Property {
    pub const ALL: [Property; 6] = [
        Property::Oom,
        Property::BackoffCurve,
        Property::BackoffReset,
        Property::ProbeKills,
        Property::StartError,
        Property::EventTexts,
    ];

    /// The name `--only` takes and the JSON writes.
    pub fn name(self) -> &'static str {
        match self {
            Property::Oom => "oom",
            Property::BackoffCurve => "backoff-curve",
            Property::BackoffReset => "backoff-reset",
            Property::ProbeKills => "probe-kills",
            Property::StartError => "start-error",
            Property::EventTexts => "event-texts",
        }
    }

    /// What it asks, as a heading.
    pub fn title(self) -> &'static str {
        match self {
            Property::Oom => "OOM kills reported as OOMKilled",
            Property::BackoffCurve => "restart back-off curve",
            Property::BackoffReset => "what resets the back-off",
            Property::ProbeKills => "restarts after liveness kills",
            Property::StartError => "a container that cannot start",
            Property::EventTexts => "event texts",
        }
    }

    /// `--only a,b`: the properties named, in the order of [`Property::ALL`]; every unknown
    /// name is returned in the error.
    pub fn parse_list(names: &[String]) -> Result<Vec<Property>, Vec<String>> {
        let mut unknown = Vec::new();
        let mut chosen = Vec::new();
        for n in names.iter().flat_map(|n| n.split(',')).map(str::trim) {
            if n.is_empty() {
                continue;
            }
            match Property::ALL.into_iter().find(|p| p.name() == n) {
                Some(p) => chosen.push(p),
                None => unknown.push(n.to_owned()),
            }
        }
        if !unknown.is_empty() {
            return Err(unknown);
        }
        chosen.sort();
        chosen.dedup();
        Ok(chosen)
    }

    /// `oom, backoff-curve, …` for messages.
    pub fn names() -> String {
        Property::ALL.map(Property::name).join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_in_a_fixed_order_and_unknown_names_are_all_returned() {
        let given = vec!["start-error,oom".to_owned(), "oom".to_owned()];
        assert_eq!(
            Property::parse_list(&given).unwrap(),
            vec![Property::Oom, Property::StartError]
        );
        let bad = vec!["oom,oomkill".to_owned(), "curve".to_owned()];
        assert_eq!(
            Property::parse_list(&bad).unwrap_err(),
            vec!["oomkill".to_owned(), "curve".to_owned()]
        );
    }

    #[test]
    fn names_round_trip_through_json() {
        for p in Property::ALL {
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(json, format!("\"{}\"", p.name()));
        }
    }
}
