//! Recording what the cluster did and turning it into a timeline of signals.

mod builder;
pub mod kubelet_backoff;
mod recording;
#[allow(clippy::module_inception)]
mod timeline;

#[cfg(test)]
pub(crate) use builder::recorded;
pub use builder::{TimelineBuilder, controller_and_revision, delay_seconds};
pub use recording::{Observation, Observed, Recording};
pub use timeline::{ContainerRef, Entry, Signal, Timeline};
