//! The diagnose rules, one file each, listed per step in the order they are tried.
//!
//! The order is the precedence: among clues of equal strength the first one names the cause
//! (as a person stops at the first thing that explains the crash), and the summary strings
//! together the agreeing clues in this order. Rules of one step that exclude each other (one
//! exit code, one key log line) may stand in any order among themselves.

use super::diagnosis::StepKind;
use super::rule::Rule;

mod abort;
mod app_crash;
mod app_itself;
mod app_out_of_memory;
mod bad_config;
mod bad_config_source;
mod connection_failed;
mod crash_signal;
mod create_container_config_error;
mod create_container_error;
mod dependency_came_up_later;
mod eviction;
mod exit_zero_restarted;
mod heap_limit;
mod image_never_pull;
mod image_pull_event;
mod image_pull_failed;
mod memory_limit;
mod missing_env;
mod missing_file;
mod missing_object_event;
mod missing_ref;
mod oom_killed;
mod port_in_use;
mod probe_kill;
mod read_only_fs;
mod readiness_probe;
mod rollout_changed_env;
mod rollout_changed_image;
mod schema_mismatch;
mod segfault;
mod service_not_serving;
pub(super) mod start_failed;
mod unschedulable;

/// Each step's rules, steps in [`StepKind::ALL`] order.
pub(super) const RULES: [(StepKind, &[Rule]); 5] = [
    (
        StepKind::ExitCode,
        &[
            exit_zero_restarted::RULE,
            oom_killed::RULE,
            segfault::RULE,
            abort::RULE,
            start_failed::RULE,
            create_container_config_error::RULE,
            image_never_pull::RULE,
            image_pull_failed::RULE,
            create_container_error::RULE,
            unschedulable::RULE,
        ],
    ),
    (
        StepKind::PreviousLogs,
        &[
            missing_env::RULE,
            missing_file::RULE,
            bad_config::RULE,
            schema_mismatch::RULE,
            port_in_use::RULE,
            read_only_fs::RULE,
            connection_failed::RULE,
            dependency_came_up_later::RULE,
            app_crash::RULE,
            heap_limit::RULE,
            app_out_of_memory::RULE,
            crash_signal::RULE,
        ],
    ),
    (
        StepKind::Events,
        &[
            readiness_probe::RULE,
            probe_kill::RULE,
            missing_object_event::RULE,
            image_pull_event::RULE,
            eviction::RULE,
        ],
    ),
    (
        StepKind::RecentChanges,
        &[
            rollout_changed_env::RULE,
            rollout_changed_image::RULE,
            missing_ref::RULE,
            bad_config_source::RULE,
            service_not_serving::RULE,
        ],
    ),
    (StepKind::Resources, &[memory_limit::RULE]),
];

/// Tried only when no rule of [`RULES`] gave a clue; its clue belongs to no step.
pub(super) const FALLBACK: Rule = app_itself::RULE;
