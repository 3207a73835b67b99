//! What happens to a scenario's loop after the watch ends, as the scenario's verified
//! expectations say. The series are held at the loop's last state for a long extension (30
//! minutes by default), so a wrong guess decides whether a `for: 15m` rule fires.

/// What the extension assumes of a container that was restarted after exiting (its exits were
/// followed by a wait, e.g. `CrashLoopBackOff`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outlook {
    /// The scenario reproduced and expects no recovery: a looping container is held in its
    /// wait whatever its last instance was doing when the watch ended. Run time is no evidence
    /// here: in two recorded runs (`abort`, `exit-1` on v1.36.3) the last instance of a loop
    /// that went on had outlived every earlier one when the watch ended.
    LoopGoesOn,
    /// The scenario expects its target to recover (`ready: true`, met), or nothing is known of
    /// it (a recording on its own): a looping container is held in its wait only if it was
    /// last seen terminated, or running for no longer than its longest earlier instance ran.
    MayRecover,
}

impl Outlook {
    /// [`Outlook::MayRecover`] when the target was expected to become ready and did,
    /// [`Outlook::LoopGoesOn`] otherwise.
    pub fn from_recovery(target_recovered: bool) -> Self {
        if target_recovered {
            Self::MayRecover
        } else {
            Self::LoopGoesOn
        }
    }
}
