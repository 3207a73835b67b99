//! What `kubectl get pod`, `kubectl describe pod` (container state and Events) and
//! `kubectl logs --previous` print, rendered from the same Pod and Event objects kubectl
//! reads: pure functions, ported from kubectl's own printers (k8s.io/kubectl
//! pkg/describe/describe.go, k8s.io/kubernetes pkg/printers/internalversion/printers.go,
//! k8s.io/apimachinery pkg/util/duration), and checked against a real kubectl on the same
//! pod (`tests/kubectl_views.rs`).

mod container_state;
mod events_table;
mod human_duration;
mod logs_tail;
mod pod_row;
mod tab_table;

pub use container_state::{container_state_lines, container_status};
pub use events_table::{events_table, pod_events};
pub use human_duration::human_duration;
pub use logs_tail::logs_tail;
pub use pod_row::PodRow;
pub use tab_table::align;
