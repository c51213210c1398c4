//! The one place background jobs start and stop. Each job is a loop that runs until Accord
//! shuts down; what a job works on is kept in the database (outbox rows with leases), so a
//! job stopped half-way, or a crash, loses nothing: the next start takes it up again.

use std::future::Future;
use std::time::Duration;

use tokio::task::JoinSet;

/// The running background jobs of this instance.
#[derive(Default)]
pub struct Jobs {
    running: JoinSet<()>,
    names: Vec<&'static str>,
}

impl Jobs {
    /// Starts `job` in the background under `name` (for the log).
    pub fn start(&mut self, name: &'static str, job: impl Future<Output = ()> + Send + 'static) {
        self.names.push(name);
        self.running.spawn(async move {
            job.await;
            tracing::warn!(job = name, "background job ended");
        });
    }

    /// Starts a job that calls `tick` every `period` (the first time after one period).
    pub fn every<F, Fut>(&mut self, name: &'static str, period: Duration, mut tick: F)
    where
        F: FnMut() -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.start(name, async move {
            loop {
                tokio::time::sleep(period).await;
                tick().await;
            }
        });
    }

    /// The names of the jobs started, in order.
    pub fn names(&self) -> &[&'static str] {
        &self.names
    }

    /// Stops every job and waits until they are gone.
    pub async fn stop(mut self) {
        self.running.shutdown().await;
        tracing::info!(jobs = ?self.names, "background jobs stopped");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[tokio::test(start_paused = true)]
    async fn jobs_tick_until_stopped() {
        let ticks = Arc::new(AtomicUsize::new(0));
        let mut jobs = Jobs::default();
        let counter = ticks.clone();
        jobs.every("count", Duration::from_secs(10), move || {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        });
        assert_eq!(jobs.names(), ["count"]);
        tokio::time::sleep(Duration::from_secs(35)).await;
        assert_eq!(ticks.load(Ordering::SeqCst), 3);
        jobs.stop().await;
        tokio::time::sleep(Duration::from_secs(100)).await;
        assert_eq!(ticks.load(Ordering::SeqCst), 3, "no tick after stop");
    }
}
