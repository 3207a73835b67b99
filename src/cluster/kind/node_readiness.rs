//! When kind's nodes can take crashlab's pods: Ready, and without the taints the node
//! lifecycle controller puts on a node it does not yet count as ready.
//!
//! kind's `--wait` waits for the control plane's Ready condition only, and Ready comes a
//! moment before the controller lifts `node.kubernetes.io/not-ready` (measured in CI on
//! 2026-12-06: a one-node cluster still carried `{"effect":"NoExecute","key":
//! "node.kubernetes.io/not-ready"}` when `kind create cluster --wait` returned). The local
//! provider waits for the same thing (`local::lifecycle`, "Ready and untainted").

/// The listing [`NODES_JSONPATH`] gives, one line per node: `name|ReadyStatus|taint keys`.
pub const NODES_JSONPATH: &str = r#"jsonpath={range .items[*]}{.metadata.name}|{.status.conditions[?(@.type=="Ready")].status}|{.spec.taints[*].key}{"\n"}{end}"#;

/// Taints that say the node is not ready yet, or unreachable.
const NOT_READY_TAINTS: [&str; 2] = [
    "node.kubernetes.io/not-ready",
    "node.kubernetes.io/unreachable",
];

/// The nodes of `listing` that cannot take pods yet, with why; empty when every node can
/// (and `listing` names at least one node).
pub fn nodes_not_ready(listing: &str) -> Vec<String> {
    let lines: Vec<&str> = listing.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() {
        return vec!["no node listed yet".to_owned()];
    }
    lines
        .into_iter()
        .filter_map(|line| {
            let mut parts = line.splitn(3, '|');
            let name = parts.next().unwrap_or_default().trim();
            let ready = parts.next().unwrap_or_default().trim();
            let taints = parts.next().unwrap_or_default();
            if ready != "True" {
                return Some(format!("{name}: Ready is {:?}", ready));
            }
            taints
                .split_whitespace()
                .find(|t| NOT_READY_TAINTS.contains(t))
                .map(|t| format!("{name}: tainted {t}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_and_untainted_nodes_take_pods() {
        // The listing of a three-node cluster once settled: the control plane keeps its own
        // NoSchedule taint (pods go to the workers), which does not hold anything up.
        let listing = "crashlab-control-plane|True|node-role.kubernetes.io/control-plane\n\
                       crashlab-worker|True|\ncrashlab-worker2|True|\n";
        assert_eq!(nodes_not_ready(listing), Vec::<String>::new());
    }

    #[test]
    fn the_not_ready_taint_after_ready_still_waits() {
        let listing = "crashlab-control-plane|True|node.kubernetes.io/not-ready\n";
        assert_eq!(
            nodes_not_ready(listing),
            ["crashlab-control-plane: tainted node.kubernetes.io/not-ready"]
        );
        let listing =
            "crashlab-control-plane|True|\ncrashlab-worker|False|node.kubernetes.io/not-ready\n";
        assert_eq!(
            nodes_not_ready(listing),
            ["crashlab-worker: Ready is \"False\""]
        );
        assert_eq!(nodes_not_ready(""), ["no node listed yet"]);
    }
}
