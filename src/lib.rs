//! crashlab: reproduce Kubernetes crash loops on purpose and prove that the signals a person
//! or a diagnostic tool relies on really appear.
//!
//! Layers: `scenario` (format, catalogue) → `runner` (deploy → observe → evaluate → clean up,
//! emitting events) → `report` (human, JSON, JUnit). `timeline` and `expect` are pure;
//! `cluster` hides the providers; `image` builds OCI archives of the crash programs.

pub mod cli;
pub mod cluster;
pub mod expect;
pub mod image;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod timeline;
