//! Group commit for workflow steps: concurrent submissions and reviews are
//! queued to one writer task that runs a batch of them in one transaction and
//! makes them durable with one commit (one disk sync). Every caller gets its
//! answer only after that commit: an acknowledged submission is on disk, never
//! "probably".
//!
//! A batch reads its reports with one query, plans every step in memory
//! ([`crate::reports::workflow::plan`]: a refused step simply writes nothing),
//! changes the rows one statement each and writes the versions, events, frozen
//! attachments and ledger entries of the whole batch with one statement each —
//! a submission costs about one round trip, not ten.
//!
//! Containment: a step that panics while being planned is answered with an
//! error and the batch goes on; if anything fails below the workflow's own
//! refusals (a database error, a panic while writing), the transaction is
//! dropped and every step of the batch is run again alone, so one bad step
//! costs the others a retry, never their answer, and the writer task lives on.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use baocao_domain::catalogue::Metadata;
use baocao_domain::report::ReportId;
use baocao_store::reports::{self as store_reports, StoredReport};
use baocao_store::Store;
use futures_util::FutureExt;
use tokio::sync::{mpsc, oneshot};

use crate::catalogue::CatalogueCache;
use crate::reports::workflow::{after, changed, write_planned, Outcome, Planned};
use crate::{now, AppError, AppResult};

/// Most steps in one transaction.
pub const MAX_BATCH: usize = 256;

/// Plans a step on a report as read inside the batch, at the batch's time.
/// Called again if the batch has to be retried step by step.
pub type Planner = Arc<dyn Fn(&StoredReport, &Metadata, i64) -> AppResult<Planned> + Send + Sync>;

struct Job {
    id: ReportId,
    planner: Planner,
    reply: oneshot::Sender<AppResult<Outcome>>,
}

/// The handle the use cases send steps to.
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
        write!(f, "workflow step on report {}", self.id)
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

    /// Queues a step on report `id` and waits until it is committed (or refused).
    pub async fn run(&self, id: ReportId, planner: Planner) -> AppResult<Outcome> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Job { id, planner, reply })
            .await
            .map_err(|_| AppError::Internal("group commit writer stopped".into()))?;
        answer
            .await
            .map_err(|_| AppError::Internal("group commit writer dropped a step".into()))?
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
        let commits = run_batch(&store, &catalogue, batch).await;
        stats.commits.fetch_add(commits, Ordering::Relaxed);
        stats.steps.fetch_add(size, Ordering::Relaxed);
    }
}

/// Runs one batch and answers every step; the number of commits it took.
async fn run_batch(store: &Store, catalogue: &CatalogueCache, batch: Vec<Job>) -> u64 {
    let steps: Vec<(ReportId, Planner)> = batch.iter().map(|j| (j.id, j.planner.clone())).collect();
    let together = AssertUnwindSafe(commit_steps(store, catalogue, &steps))
        .catch_unwind()
        .await;
    match together {
        Ok(Ok(results)) => {
            for (job, result) in batch.into_iter().zip(results) {
                let _ = job.reply.send(result);
            }
            1
        }
        failed => {
            let why = match failed {
                Ok(Err(e)) => e.to_string(),
                _ => "a step panicked while writing".to_string(),
            };
            tracing::error!(%why, size = steps.len(), "workflow batch failed; running its steps one by one");
            let mut commits = 0;
            for job in batch {
                let alone = [(job.id, job.planner.clone())];
                let result = match AssertUnwindSafe(commit_steps(store, catalogue, &alone))
                    .catch_unwind()
                    .await
                {
                    Ok(Ok(mut results)) => {
                        commits += 1;
                        results
                            .pop()
                            .unwrap_or_else(|| Err(AppError::Internal("no result".into())))
                    }
                    Ok(Err(e)) => Err(e),
                    Err(_) => Err(AppError::Internal("workflow step panicked".into())),
                };
                let _ = job.reply.send(result);
            }
            commits
        }
    }
}

/// Plans and writes `steps` in one transaction; each step's answer, or an
/// error if the transaction itself failed (nothing of it is then stored).
async fn commit_steps(
    store: &Store,
    catalogue: &CatalogueCache,
    steps: &[(ReportId, Planner)],
) -> AppResult<Vec<AppResult<Outcome>>> {
    let mut tx = store.begin_write().await?;
    // The catalogue, once per batch: rules are checked at submission.
    let meta = catalogue.current(&mut tx).await?;
    let mut ids: Vec<ReportId> = steps.iter().map(|(id, _)| *id).collect();
    ids.sort();
    ids.dedup();
    let mut rows: HashMap<ReportId, StoredReport> = store_reports::get_many(&mut tx, &ids)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let at = now();
    // Each step planned against the row as the steps before it left it.
    let mut results: Vec<AppResult<usize>> = Vec::with_capacity(steps.len());
    let mut planned: Vec<Planned> = Vec::new();
    for (id, planner) in steps {
        let Some(row) = rows.get(id) else {
            results.push(Err(AppError::NotFound));
            continue;
        };
        let attempt = std::panic::catch_unwind(AssertUnwindSafe(|| planner(row, &meta, at)));
        match attempt {
            Ok(Ok(p)) => {
                let next = after(row, &p);
                rows.insert(*id, next);
                results.push(Ok(planned.len()));
                planned.push(p);
            }
            Ok(Err(e)) => results.push(Err(e)),
            Err(_) => {
                tracing::error!(report = %id, "a workflow step panicked while being planned");
                results.push(Err(AppError::Internal("workflow step panicked".into())));
            }
        }
    }
    let applied = write_planned(&mut tx, &planned).await?;
    baocao_store::commit(tx).await?;
    Ok(results
        .into_iter()
        .map(|r| {
            let i = r?;
            if applied.get(i).copied().unwrap_or(false) {
                Ok(planned[i].outcome.clone())
            } else {
                Err(changed())
            }
        })
        .collect())
}
