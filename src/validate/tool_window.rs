//! `--tool-window`: the tool runs in a `CrashLoopBackOff` wait at least this long. A window
//! as long as the longest wait a scenario can reach within its observe window (on the
//! kubelet's default curve) would never come, so it is refused before anything runs.

use std::time::Duration;

use crate::expect::moment;
use crate::scenario::{Scenario, humantime_secs};
use crate::timeline::kubelet_backoff::KubeletBackoff;

/// Why a tool window cannot be: what is wrong, and what to use instead.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolWindowTooLong {
    pub message: String,
    pub hint: String,
}

/// The first scenario expecting a crash loop whose waits never reach `window`, if any.
pub fn check_tool_window(
    scenarios: &[Scenario],
    window: Duration,
) -> Result<(), ToolWindowTooLong> {
    let curve = KubeletBackoff::defaults("");
    for s in scenarios
        .iter()
        .filter(|s| moment::expects_crash_loop(&s.spec.expect))
    {
        let observe = s.spec.timeouts.observe_on(curve.initial_s);
        let longest = moment::longest_reachable_backoff(observe, curve.initial_s, curve.max_s);
        if window >= longest {
            return Err(ToolWindowTooLong {
                message: format!(
                    "--tool-window {}: scenario \"{}\" reaches back-off waits of at most {} within its observe window ({}), so no CrashLoopBackOff moment that long would come",
                    humantime_secs::format(window),
                    s.metadata.name,
                    humantime_secs::format(longest),
                    humantime_secs::format(observe),
                ),
                hint: format!(
                    "use a --tool-window below {}, or --moment evidence",
                    humantime_secs::format(longest)
                ),
            });
        }
    }
    Ok(())
}
