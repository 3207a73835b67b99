//! Every integration test of crashlab, in one binary, so that independent end-to-end tests
//! overlap instead of running binary after binary (cargo runs test binaries one at a time).
//! Each module was an integration-test binary of its own; the harness they share is
//! `tests/support` (the crashlab command, finished runs that describe themselves, fixtures,
//! and what a test needs prepared: the local cluster and who may use it when, Docker, kind and
//! a node image).
//!
//! Tests that need a real cluster, root, Docker or a browser are `#[ignore]`d so that a plain
//! `cargo test` stays fast; `cargo test -- --include-ignored` (the README's test command, what
//! CI runs) runs them all, and none of them skips.

#[path = "../support/mod.rs"]
mod support;

mod cli;
mod cluster;
mod conformance;
mod crashprobe;
mod export;
mod faults;
mod html_report;
mod kind;
mod kind_cluster;
mod kubectl_views;
mod leftovers;
mod live_view;
// The local provider's download: Linux only, as the provider.
#[cfg(target_os = "linux")]
mod release_download;
