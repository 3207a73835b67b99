//! Where scenarios run: the cluster providers (`local`, `kind`, an existing kubeconfig context)
//! behind one small interface, and which of them can run on this machine.

mod detect;
pub mod kind_config;
mod kind_error;
mod kind_exec;
pub mod kind_images;
mod kind_node_image;
mod kind_provider;
pub mod local;

pub use detect::{Detected, NoProvider, ProviderKind, detect};
pub use kind_error::KindError;
pub use kind_node_image::given_image_version as kind_node_image_version;
pub use kind_provider::{
    CLUSTER_NAME as KIND_CLUSTER, CONTEXT as KIND_CONTEXT, KindProvider, KindUpOptions,
    KindUpReport,
};
