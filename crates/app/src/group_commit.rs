//! Group commit for workflow steps: concurrent submissions and reviews are queued to one
//! writer task that runs a batch of them in one transaction — each inside its
//! own savepoint, so one refusal does not undo the others — and makes them
//! durable with one commit (one disk sync). Every caller gets its answer only
//! after that commit: an acknowledged submission is on disk, never "probably".
//!
//! Our disk completes about 250–300 syncs a second; one transaction per
//! submission would cap submissions there. While a commit is under way, the
//! next submissions gather in the queue, so batches grow with the load and
//! latency stays one or two commits.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use baocao_domain::access::Principal;
use baocao_domain::catalogue::Metadata;
use baocao_store::Store;
use tokio::sync::{mpsc, oneshot};

use crate::catalogue::CatalogueCache;
use crate::reports::{review_in, submit_in};
use crate::{now, AppError, AppResult};

/// Most submissions in one transaction.
pub const MAX_BATCH: usize = 256;

/// A queued workflow step: submissions and reviews come in bursts.
enum Step {
    Submit(oneshot::Sender<AppResult<(i64, bool)>>),
    Review {
        accept: bool,
        reason: Option<String>,
        reply: oneshot::Sender<AppResult<()>>,
    },
}

struct Job {
    principal: Principal,
    id: i64,
    step: Step,
}

/// A step's result, held until the batch is committed.
enum Outcome {
    Submit(
        oneshot::Sender<AppResult<(i64, bool)>>,
        AppResult<(i64, bool)>,
    ),
    Review(oneshot::Sender<AppResult<()>>, AppResult<()>),
}

impl Outcome {
    fn send(self) {
        match self {
            Outcome::Submit(reply, result) => {
                let _ = reply.send(result);
            }
            Outcome::Review(reply, result) => {
                let _ = reply.send(result);
            }
        }
    }

    fn fail(self, message: &str) {
        match self {
            Outcome::Submit(reply, _) => {
                let _ = reply.send(Err(AppError::Internal(message.to_string())));
            }
            Outcome::Review(reply, _) => {
                let _ = reply.send(Err(AppError::Internal(message.to_string())));
            }
        }
    }
}

/// The handle the use cases send submissions to.
#[derive(Debug, Clone)]
pub struct GroupCommitter {
    queue: mpsc::Sender<Job>,
    stats: Arc<Stats>,
}

/// How much batching happened: commits and the steps they carried.
#[derive(Debug, Default)]
pub struct Stats {
    commits: AtomicU64,
    steps: AtomicU64,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "submission of report {}", self.id)
    }
}

impl GroupCommitter {
    /// Starts the writer task on the current Tokio runtime.
    pub(crate) fn start(store: Store, catalogue: CatalogueCache) -> GroupCommitter {
        let (queue, jobs) = mpsc::channel(4 * MAX_BATCH);
        let stats = Arc::new(Stats::default());
        tokio::spawn(writer(store, catalogue, jobs, stats.clone()));
        GroupCommitter { queue, stats }
    }

    /// Commits made so far and the workflow steps they carried.
    pub fn stats(&self) -> (u64, u64) {
        (
            self.stats.commits.load(Ordering::Relaxed),
            self.stats.steps.load(Ordering::Relaxed),
        )
    }

    /// Queues a submission and waits until it is committed (or refused).
    pub async fn submit(&self, principal: Principal, id: i64) -> AppResult<(i64, bool)> {
        let (reply, answer) = oneshot::channel();
        self.send(Job {
            principal,
            id,
            step: Step::Submit(reply),
        })
        .await?;
        answer
            .await
            .map_err(|_| AppError::Internal("group commit writer dropped a step".into()))?
    }

    /// Queues a return or an acceptance and waits until it is committed.
    pub async fn review(
        &self,
        principal: Principal,
        id: i64,
        accept: bool,
        reason: Option<String>,
    ) -> AppResult<()> {
        let (reply, answer) = oneshot::channel();
        self.send(Job {
            principal,
            id,
            step: Step::Review {
                accept,
                reason,
                reply,
            },
        })
        .await?;
        answer
            .await
            .map_err(|_| AppError::Internal("group commit writer dropped a step".into()))?
    }

    async fn send(&self, job: Job) -> AppResult<()> {
        self.queue
            .send(job)
            .await
            .map_err(|_| AppError::Internal("group commit writer stopped".into()))
    }
}
async fn writer(
    store: Store,
    catalogue: CatalogueCache,
    mut jobs: mpsc::Receiver<Job>,
    stats: Arc<Stats>,
) {
    while let Some(first) = jobs.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let size = batch.len() as u64;
        if run_batch(&store, &catalogue, batch).await {
            stats.commits.fetch_add(1, Ordering::Relaxed);
            stats.steps.fetch_add(size, Ordering::Relaxed);
        }
    }
}
/// Runs and commits one batch; whether the commit happened.
async fn run_batch(store: &Store, catalogue: &CatalogueCache, batch: Vec<Job>) -> bool {
    let mut tx = match store.begin_write().await {
        Ok(tx) => tx,
        Err(e) => {
            for job in batch {
                let outcome = match job.step {
                    Step::Submit(reply) => Outcome::Submit(reply, Ok((0, false))),
                    Step::Review { reply, .. } => Outcome::Review(reply, Ok(())),
                };
                outcome.fail(&e.to_string());
            }
            return false;
        }
    };
    // The catalogue, once per batch: rules are checked at submission.
    let meta = catalogue.current(&mut tx).await;
    let mut outcomes = Vec::with_capacity(batch.len());
    for job in batch {
        let Job {
            principal,
            id,
            step,
        } = job;
        outcomes.push(match step {
            Step::Submit(reply) => {
                let result = match &meta {
                    Ok(meta) => submit_step(&mut tx, meta, &principal, id).await,
                    Err(e) => Err(AppError::Internal(e.to_string())),
                };
                Outcome::Submit(reply, result)
            }
            Step::Review {
                accept,
                reason,
                reply,
            } => {
                let result = review_step(&mut tx, &principal, id, accept, reason).await;
                Outcome::Review(reply, result)
            }
        });
    }
    let size = outcomes.len();
    match baocao_store::commit(tx).await {
        Ok(()) => {
            tracing::debug!(size, "workflow batch committed");
            for outcome in outcomes {
                outcome.send();
            }
            true
        }
        Err(e) => {
            tracing::error!(%e, size, "workflow batch failed to commit");
            for outcome in outcomes {
                outcome.fail(&format!("commit failed: {e}"));
            }
            false
        }
    }
}

/// Each step runs inside a savepoint: refused or failed, it leaves no trace
/// and the rest of the batch goes on.
async fn submit_step(
    tx: &mut baocao_store::Tx,
    meta: &Metadata,
    principal: &Principal,
    id: i64,
) -> AppResult<(i64, bool)> {
    sqlx_exec(tx, "SAVEPOINT step").await?;
    let result = submit_in(tx, meta, principal, id, now()).await;
    close(tx, result.is_ok()).await?;
    result
}

async fn review_step(
    tx: &mut baocao_store::Tx,
    principal: &Principal,
    id: i64,
    accept: bool,
    reason: Option<String>,
) -> AppResult<()> {
    sqlx_exec(tx, "SAVEPOINT step").await?;
    let result = review_in(tx, principal, id, accept, reason, now()).await;
    close(tx, result.is_ok()).await?;
    result
}

async fn close(tx: &mut baocao_store::Tx, keep: bool) -> AppResult<()> {
    if !keep {
        sqlx_exec(tx, "ROLLBACK TO SAVEPOINT step").await?;
    }
    sqlx_exec(tx, "RELEASE SAVEPOINT step").await
}

async fn sqlx_exec(tx: &mut baocao_store::Tx, sql: &str) -> AppResult<()> {
    baocao_store::execute(tx, sql).await?;
    Ok(())
}
