//! Turns recorded watch objects into timeline entries, without calling the API.

use super::{Observation, Timeline};

/// Builds a [`Timeline`] from observations fed in arrival order.
#[derive(Debug, Default)]
pub struct TimelineBuilder {
    timeline: Timeline,
}

impl TimelineBuilder {
    pub fn push(&mut self, _obs: &Observation) -> Vec<super::Entry> {
        Vec::new()
    }

    pub fn finish(self) -> Timeline {
        self.timeline
    }
}
