//! Cancelling a run: the first request stops every scenario (which then cleans up), a second
//! one stops waiting for namespaces to disappear (their deletion has already been requested).

use std::sync::Arc;

use tokio::sync::watch;

/// A cloneable cancellation handle. `Runner::run` wires Ctrl-C to it; embedders
/// and tests can call [`Cancel::cancel`] themselves.
#[derive(Debug, Clone)]
pub struct Cancel {
    tx: Arc<watch::Sender<u32>>,
}

impl Default for Cancel {
    fn default() -> Self {
        Self::new()
    }
}

impl Cancel {
    pub fn new() -> Self {
        Self {
            tx: Arc::new(watch::Sender::new(0)),
        }
    }

    /// Requests cancellation; a second call also abandons waiting for cleanup.
    pub fn cancel(&self) {
        self.tx.send_modify(|n| *n = n.saturating_add(1));
    }

    /// Whether cancellation has been requested.
    pub fn is_cancelled(&self) -> bool {
        *self.tx.borrow() >= 1
    }

    /// Resolves once cancellation has been requested.
    pub async fn cancelled(&self) {
        self.reached(1).await
    }

    /// Resolves once cancellation has been requested twice.
    pub async fn forced(&self) {
        self.reached(2).await
    }

    async fn reached(&self, level: u32) {
        let mut rx = self.tx.subscribe();
        // The sender lives in `self`, so `wait_for` cannot fail while we are borrowed.
        let _ = rx.wait_for(|n| *n >= level).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn first_cancel_cancels_second_forces() {
        let c = Cancel::new();
        assert!(!c.is_cancelled());
        let waiter = c.clone();
        c.cancel();
        waiter.cancelled().await;
        assert!(c.is_cancelled());
        // `forced` is still pending after one request.
        assert!(futures::FutureExt::now_or_never(c.forced()).is_none());
        c.cancel();
        c.forced().await;
    }
}
