//! The kind provider: crashlab's kind cluster (`kind-crashlab`), one node or, with `--nodes`, a
//! control plane and workers, made from a node image pinned by digest (or one given with
//! `--node-image`), with crashlab's images loaded into every node from archives. Everything
//! goes through the `kind` and `docker` executables on `PATH`.

mod given_node_image;
mod kind_command;
pub mod kind_config;
mod kind_error;
mod kind_provider;
pub mod node_images;
mod node_readiness;

pub use given_node_image::given_image_version;
pub use kind_error::KindError;
pub use kind_provider::{CLUSTER_NAME, CONTEXT, KindProvider, KindUpOptions, KindUpReport};
