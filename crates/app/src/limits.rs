//! Bounds on CPU-heavy work (reading uploaded spreadsheets, parsing large
//! documents): it never runs on the async workers that answer requests, and
//! at most a few pieces run at once. A caller that cannot get a turn within
//! the wait is told the server is busy (503 with Retry-After) rather than
//! queueing without end — one user's uploads cannot stall everyone's pages.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::{AppError, AppResult};

/// A pool of turns for heavy work.
#[derive(Debug, Clone)]
pub struct HeavyWork {
    turns: Arc<Semaphore>,
    wait: Duration,
}

/// Seconds a refused caller is told to wait before trying again.
pub const RETRY_AFTER_SECONDS: u64 = 5;

impl Default for HeavyWork {
    /// As many turns as the machine has cores; a caller waits at most 10 s.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        HeavyWork::new(cores, Duration::from_secs(10))
    }
}

impl HeavyWork {
    /// At most `parallel` pieces at once; a caller waits at most `wait` for a turn.
    pub fn new(parallel: usize, wait: Duration) -> Self {
        HeavyWork {
            turns: Arc::new(Semaphore::new(parallel.max(1))),
            wait,
        }
    }

    /// Runs `work` on a blocking thread when a turn is free.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> AppResult<T> {
        let turn = tokio::time::timeout(self.wait, self.turns.clone().acquire_owned())
            .await
            .map_err(|_| AppError::Busy {
                retry_after: RETRY_AFTER_SECONDS,
            })?
            .map_err(|_| AppError::Internal("heavy work pool closed".into()))?;
        tokio::task::spawn_blocking(move || {
            let out = work();
            drop(turn);
            out
        })
        .await
        .map_err(|e| AppError::Internal(format!("heavy work failed: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_caller_beyond_the_turns_is_told_to_come_back() {
        let pool = HeavyWork::new(1, Duration::from_millis(50));
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let busy = pool.clone();
        let first = tokio::spawn(async move { busy.run(move || wait.recv().ok()).await });
        tokio::time::sleep(Duration::from_millis(20)).await;
        let second = pool.run(|| 1).await;
        assert!(matches!(second, Err(AppError::Busy { retry_after: 5 })));
        release.send(()).ok();
        assert!(first.await.unwrap().is_ok());
        assert_eq!(pool.run(|| 2).await.unwrap(), 2);
    }
}
