//! Stopping the process in order: one [`Cancel`] handle that every long-running part checks
//! (scenarios, `matrix` columns, a cluster bring-up), driven by SIGINT/SIGTERM
//! ([`os_signals`]). It sits below the runner and the cluster providers, which both use it.

mod cancel;
pub mod os_signals;

pub use cancel::Cancel;
pub use os_signals::{exit_code_for, install, process_cancel, received, stopping};
