//! Group commit for submissions: concurrent submissions are queued to one
//! writer task that runs a batch of them in one transaction — each inside its
//! own savepoint, so one refusal does not undo the others — and makes them
//! durable with one commit (one disk sync). Every caller gets its answer only
//! after that commit: an acknowledged submission is on disk, never "probably".
//!
//! Our disk completes about 250–300 syncs a second; one transaction per
//! submission would cap submissions there. While a commit is under way, the
//! next submissions gather in the queue, so batches grow with the load and
//! latency stays one or two commits.

use baocao_domain::access::Principal;
use baocao_store::Store;
use tokio::sync::{mpsc, oneshot};

use crate::reports::submit_in;
use crate::{now, AppError, AppResult};

/// Most submissions in one transaction.
pub const MAX_BATCH: usize = 256;

type Reply = oneshot::Sender<AppResult<(i64, bool)>>;

struct Job {
    principal: Principal,
    id: i64,
    reply: Reply,
}

/// The handle the use cases send submissions to.
#[derive(Debug, Clone)]
pub struct GroupCommitter {
    queue: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "submission of report {}", self.id)
    }
}

impl GroupCommitter {
    /// Starts the writer task on the current Tokio runtime.
    pub fn start(store: Store) -> GroupCommitter {
        let (queue, jobs) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(writer(store, jobs));
        GroupCommitter { queue }
    }

    /// Queues a submission and waits until it is committed (or refused).
    pub async fn submit(&self, principal: Principal, id: i64) -> AppResult<(i64, bool)> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Job {
                principal,
                id,
                reply,
            })
            .await
            .map_err(|_| AppError::Internal("group commit writer stopped".into()))?;
        answer
            .await
            .map_err(|_| AppError::Internal("group commit writer dropped a submission".into()))?
    }
}

async fn writer(store: Store, mut jobs: mpsc::Receiver<Job>) {
    while let Some(first) = jobs.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        run_batch(&store, batch).await;
    }
}

async fn run_batch(store: &Store, batch: Vec<Job>) {
    let mut tx = match store.begin_write().await {
        Ok(tx) => tx,
        Err(e) => {
            for job in batch {
                let _ = job.reply.send(Err(AppError::Internal(e.to_string())));
            }
            return;
        }
    };
    let mut results = Vec::with_capacity(batch.len());
    for job in batch {
        let result = savepoint(&mut tx, &job).await;
        results.push((job.reply, result));
    }
    let size = results.len();
    match baocao_store::commit(tx).await {
        Ok(()) => {
            tracing::debug!(size, "submission batch committed");
            for (reply, result) in results {
                let _ = reply.send(result);
            }
        }
        Err(e) => {
            tracing::error!(%e, size, "submission batch failed to commit");
            for (reply, _) in results {
                let _ = reply.send(Err(AppError::Internal(format!("commit failed: {e}"))));
            }
        }
    }
}

/// One submission inside a savepoint: refused or failed, it leaves no trace.
async fn savepoint(tx: &mut baocao_store::Tx, job: &Job) -> AppResult<(i64, bool)> {
    sqlx_exec(tx, "SAVEPOINT submission").await?;
    match submit_in(tx, &job.principal, job.id, now()).await {
        Ok(done) => {
            sqlx_exec(tx, "RELEASE SAVEPOINT submission").await?;
            Ok(done)
        }
        Err(e) => {
            sqlx_exec(tx, "ROLLBACK TO SAVEPOINT submission").await?;
            sqlx_exec(tx, "RELEASE SAVEPOINT submission").await?;
            Err(e)
        }
    }
}

async fn sqlx_exec(tx: &mut baocao_store::Tx, sql: &str) -> AppResult<()> {
    baocao_store::execute(tx, sql).await?;
    Ok(())
}
