//! Where scenarios run: the cluster providers (`local`, `kind`, an existing kubeconfig context)
//! behind one [`Provider`] interface, the [`Registry`] that lists them, which of them can run
//! on this machine ([`detect`]), and how every command finds its cluster ([`connect()`]).

mod connect;
mod connect_error;
mod detect;
mod existing_context;
pub mod kind;
mod kube_client;
mod kubelet_profile;
mod kubelet_tuning;
pub mod local;
pub mod progress;
mod provider;
mod provider_error;
mod registry;
#[cfg(test)]
mod stand_in;
#[cfg(test)]
pub(crate) mod stand_in_program;

/// The old path of kind's pinned node images (integration tests read the table there).
pub use kind::node_images as kind_images;

pub use connect::{
    BringUp, ConnectRequest, Connected, WhenUnreachable, check_named_context, connect,
    running_cluster, when_unreachable,
};
pub use connect_error::ConnectError;
pub use detect::{Detected, NoProvider, detect};
pub use existing_context::ExistingContext;
pub use kube_client::client_for;
pub use kubelet_profile::{CI_MAX_RESTART_PERIOD_S, KubeletProfile};
pub use kubelet_tuning::KubeletTuning;
pub use provider::{
    ClusterState, DownReport, Download, NodeAccess, NodeCount, Provider, UpReport, UpRequest,
};
pub use provider_error::ProviderError;
pub use registry::{ContextNotAllowed, Registry, UnknownProvider};
