//! The operations centre's figures: the aggregate engine (crate
//! `baocao-analytics`) built from the store and kept current.
//!
//! One task per process follows the store (decision record 0011): it builds
//! the engine from every latest accepted version, then polls where the store
//! stands — the ledger's last sequence number and the revisions of the
//! catalogue and of the unit tree — every quarter of a second, and at once
//! when this process commits a workflow step. New `report.accept` entries are
//! put into the engine in ledger order; a changed catalogue or unit tree
//! rebuilds it beside the old one, which keeps answering until the new one is
//! ready. Every process on one database follows the same ledger, so an
//! acceptance through one is seen by all within the polling interval.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use baocao_analytics::{AcceptedReport, Cells, Reorg, Units};
use baocao_domain::access::{Permission, Principal, Target};
use baocao_domain::report::ReportId;
use baocao_domain::unit::UnitId;
use baocao_store::analytics::{self as store_analytics, Acceptance, AcceptedRow, Position};
use baocao_store::units as store_units;
use rust_decimal::Decimal;
use tokio::sync::Notify;

use crate::{App, AppError, AppResult};

mod boundaries;
mod queries;
pub use boundaries::{BoundariesLoaded, MAX_BOUNDARY_POINTS};
mod dashboard;
mod discrepancies;
pub use dashboard::{DashUnit, Dashboard, DashboardQuery, Ranking, TargetPanel, TargetRow, Tile};
pub use discrepancies::{Discrepancies, DiscrepancyRow, MAX_DISCREPANCIES};
mod explorer;
mod pivot;
pub use explorer::{parse_reading, parse_relation, PivotFilter, PivotRequest, PivotScreen};
pub use pivot::{periods_between, pivot_csv, pivot_xlsx, Dim, Pivot, PivotChoices, PivotQuery};
mod tiles;
pub use tiles::{TileSettings, MAX_TILES};

pub use baocao_analytics::{Coverage, Engine, Figure, Reading, Relation, Row, TableQuery};

pub use queries::{
    reading_name, CellInfo, FigureQuery, FigureTable, UnitInfo, MAX_CELLS, MAX_FIGURES, MAX_PERIODS,
};

/// How often the follower looks for changes made through other processes.
pub const POLL: Duration = Duration::from_millis(250);
/// Reports read per page while building the engine.
const PAGE: i64 = 2_000;
/// Ledger entries taken per catch-up batch (small enough for reading the
/// next batch to overlap putting in this one several times over a month).
const CATCH_UP: i64 = 2_500;
/// Seconds a caller is told to wait while the engine is first built.
const RETRY_WHILE_LOADING: u64 = 5;

/// The engine and how far into the store it has read.
struct Followed {
    engine: Engine,
    position: Position,
}

/// How far the first build has come.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Reports read.
    pub done: u64,
    /// Reports to read.
    pub total: u64,
}

#[derive(Default)]
struct Shared {
    followed: RwLock<Option<Followed>>,
    wake: Notify,
    started: AtomicBool,
    progress: Mutex<Progress>,
}

/// The engine of one process, shared by its requests.
#[derive(Clone, Default)]
pub struct Analytics(Arc<Shared>);

impl std::fmt::Debug for Analytics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analytics")
            .field("ready", &self.is_ready())
            .finish()
    }
}

impl Analytics {
    /// Asks the follower to look at the store now (after a local commit).
    pub(crate) fn wake(&self) {
        self.0.wake.notify_one();
    }

    /// Whether the engine has been built.
    pub fn is_ready(&self) -> bool {
        self.0.followed.read().map(|f| f.is_some()).unwrap_or(false)
    }

    /// How far the first build has come.
    pub fn progress(&self) -> Progress {
        *self.0.progress.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The ledger position the engine reflects (`None` before it is built).
    pub fn ledger_position(&self) -> Option<i64> {
        let followed = self.0.followed.read().ok()?;
        followed.as_ref().map(|f| f.position.ledger)
    }

    /// Runs `query` on the engine; busy while it is first built.
    pub fn read<T>(&self, query: impl FnOnce(&Engine) -> T) -> AppResult<T> {
        let followed = self
            .0
            .followed
            .read()
            .map_err(|_| AppError::Internal("analytics lock poisoned".into()))?;
        match followed.as_ref() {
            Some(f) => Ok(query(&f.engine)),
            None => Err(AppError::Busy {
                retry_after: RETRY_WHILE_LOADING,
            }),
        }
    }

    fn position(&self) -> Option<Position> {
        let followed = self.0.followed.read().ok()?;
        followed.as_ref().map(|f| f.position.clone())
    }
}

impl App {
    /// Starts following the store on the current Tokio runtime (once; later
    /// calls do nothing). Queries answer busy until the first build is done.
    pub fn start_analytics(&self) {
        if self.analytics.0.started.swap(true, Ordering::SeqCst) {
            return;
        }
        let app = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = app.follow_once().await {
                    tracing::warn!(error = %e, "analytics: following the store failed");
                }
                tokio::select! {
                    _ = app.analytics.0.wake.notified() => {}
                    _ = tokio::time::sleep(POLL) => {}
                }
            }
        });
    }

    /// The analytics engine of this process.
    pub fn analytics(&self) -> &Analytics {
        &self.analytics
    }

    /// Brings the engine up to where the store stands: builds it (first time,
    /// or after the catalogue or the unit tree changed) or puts in the
    /// acceptances recorded since it last looked.
    pub async fn follow_once(&self) -> AppResult<()> {
        let now = {
            let mut conn = self.store.conn().await?;
            store_analytics::position(&mut conn).await?
        };
        match self.analytics.position() {
            Some(seen) if seen.catalogue == now.catalogue && seen.units == now.units => {
                // Batch after batch, the next one read from the store while
                // the last one is parsed and put in (a national month is
                // 10⁴ reports: reading and putting in then take turns on the
                // two cores instead of waiting for each other).
                let mut from = seen.ledger;
                if from >= now.ledger {
                    return Ok(());
                }
                let mut batch = self.read_batch(from, now.ledger).await?;
                loop {
                    let reached = batch.reached;
                    let more = reached < now.ledger;
                    let (applied, next) = tokio::join!(self.apply_batch(from, batch), async {
                        if more {
                            Some(self.read_batch(reached, now.ledger).await)
                        } else {
                            None
                        }
                    });
                    applied?;
                    from = reached;
                    match next {
                        Some(next) => batch = next?,
                        None => return Ok(()),
                    }
                }
            }
            _ => self.rebuild(now).await,
        }
    }

    /// Builds a new engine from the store as it stands at `position` (or
    /// later: what is read twice is put in twice, to the same effect) and puts
    /// it in place of the old one.
    async fn rebuild(&self, position: Position) -> AppResult<()> {
        let started = Instant::now();
        let (engine, total) = self.empty_engine().await?;
        self.set_progress(0, total);
        tracing::info!(reports = total, "analytics: building the engine");
        let (engine, done) = self.load_accepted(engine, total).await?;
        let engine = tokio::task::spawn_blocking(move || {
            let mut engine = engine;
            engine.build_aggregates();
            engine
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
        tracing::info!(
            reports = done,
            values = engine.len(),
            megabytes = engine.bytes() / 1_000_000,
            seconds = started.elapsed().as_secs_f64(),
            "analytics: engine built"
        );
        let mut followed = self
            .analytics
            .0
            .followed
            .write()
            .map_err(|_| AppError::Internal("analytics lock poisoned".into()))?;
        *followed = Some(Followed { engine, position });
        Ok(())
    }

    /// An engine with the unit tree and the catalogue but no values yet, and
    /// how many accepted reports there are to load into it.
    async fn empty_engine(&self) -> AppResult<(Engine, i64)> {
        let meta = self.metadata().await?;
        let (units, reorgs, total) = {
            let mut conn = self.store.conn().await?;
            let units = store_units::all_units(&mut conn).await?;
            let reorgs = store_units::all_reorgs(&mut conn).await?;
            let total = store_analytics::accepted_count(&mut conn).await?;
            (units, reorgs, total)
        };
        let reorgs: Vec<Reorg> = reorgs
            .into_iter()
            .map(|e| Reorg {
                old: e.old,
                new: e.new,
                kind: e.kind,
                default_target: e.is_default,
                weight: None,
            })
            .collect();
        let engine = tokio::task::spawn_blocking(move || {
            Engine::new(Units::new(units, &reorgs), Cells::new(&meta))
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
        Ok((engine, total))
    }

    /// Loads every accepted report into `engine`, page by page, off the async
    /// workers; returns the engine and how many reports were read.
    async fn load_accepted(&self, mut engine: Engine, total: i64) -> AppResult<(Engine, u64)> {
        let mut after = ReportId::new(0);
        let mut done = 0u64;
        let mut logged = Instant::now();
        loop {
            let page = {
                let mut conn = self.store.conn().await?;
                store_analytics::accepted_page(&mut conn, after, PAGE).await?
            };
            let Some(last) = page.last() else { break };
            after = last.report;
            done += page.len() as u64;
            engine = tokio::task::spawn_blocking(move || {
                for row in &page {
                    if let Some(report) = accepted_row(row) {
                        engine.load(&report);
                    }
                }
                engine
            })
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
            self.set_progress(done, total);
            if logged.elapsed() > Duration::from_secs(5) {
                tracing::info!(done, total, "analytics: reading accepted reports");
                logged = Instant::now();
            }
        }
        Ok((engine, done))
    }

    /// Records how far the rebuild has come, for the status page and CLI.
    fn set_progress(&self, done: u64, total: i64) {
        *self
            .analytics
            .0
            .progress
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Progress {
            done,
            total: u64::try_from(total).unwrap_or(0),
        };
    }

    /// Reads the acceptances recorded after ledger entry `from` up to `upto`
    /// (at most [`CATCH_UP`] of them) with the versions they accept.
    async fn read_batch(&self, from: i64, upto: i64) -> AppResult<Batch> {
        let started = Instant::now();
        let mut conn = self.store.conn().await?;
        let entries = store_analytics::accepted_since(&mut conn, from, upto, CATCH_UP).await?;
        // A report accepted at version 1 only (nearly all of them) needs only
        // that version; one accepted at a later version also needs the version
        // accepted before it, found among its acceptances.
        let corrected: HashSet<ReportId> = entries
            .iter()
            .filter(|(_, _, version)| *version > 1)
            .map(|(_, id, _)| *id)
            .collect();
        let mut ids: Vec<ReportId> = entries.iter().map(|(_, id, _)| *id).collect();
        ids.sort();
        ids.dedup();
        let (later, first): (Vec<ReportId>, Vec<ReportId>) =
            ids.into_iter().partition(|id| corrected.contains(id));
        let mut acceptances = store_analytics::first_versions(&mut conn, &first).await?;
        if !later.is_empty() {
            acceptances.extend(store_analytics::acceptances(&mut conn, &later).await?);
        }
        let reached = if entries.len() as i64 == CATCH_UP {
            entries.last().map_or(upto, |(seq, _, _)| *seq)
        } else {
            upto
        };
        tracing::debug!(
            from,
            reached,
            entries = entries.len(),
            read_ms = started.elapsed().as_millis(),
            "analytics: batch read"
        );
        Ok(Batch {
            entries,
            acceptances,
            reached,
        })
    }

    /// Parses a batch read after ledger entry `from` and puts it in the
    /// engine (unless the engine was rebuilt meanwhile).
    async fn apply_batch(&self, from: i64, batch: Batch) -> AppResult<()> {
        let started = Instant::now();
        let Batch {
            entries,
            acceptances,
            reached,
        } = batch;
        let steps = tokio::task::spawn_blocking(move || replacements(&entries, &acceptances))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let parsed = started.elapsed();
        let shared = self.analytics.0.clone();
        tokio::task::spawn_blocking(move || {
            let mut followed = shared
                .followed
                .write()
                .map_err(|_| AppError::Internal("analytics lock poisoned".into()))?;
            let Some(f) = followed.as_mut() else {
                return Ok(());
            };
            if f.position.ledger != from {
                return Ok(()); // rebuilt meanwhile
            }
            for (new, previous) in &steps {
                f.engine.accept(new, previous.as_ref());
            }
            f.position.ledger = reached;
            Ok::<(), AppError>(())
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
        tracing::debug!(
            from,
            reached,
            parsed_ms = parsed.as_millis(),
            total_ms = started.elapsed().as_millis(),
            "analytics: batch put in"
        );
        Ok(())
    }
}

/// Acceptances read from the store, up to a ledger position.
struct Batch {
    /// (ledger entry, report, version accepted), in ledger order.
    entries: Vec<(i64, ReportId, i64)>,
    /// The versions those entries accept and, for a report accepted at a
    /// later version, every version accepted of it (the one replaced among them).
    acceptances: Vec<Acceptance>,
    /// The ledger position the batch reaches.
    reached: i64,
}

/// For each acceptance entry, in order: the accepted report as the engine
/// takes it, and the version it replaces (the one accepted before it). Large
/// batches are parsed on two threads (a whole national month is 10⁶ values).
fn replacements(
    entries: &[(i64, ReportId, i64)],
    acceptances: &[Acceptance],
) -> Vec<(AcceptedReport, Option<AcceptedReport>)> {
    let mut by_report: HashMap<ReportId, Vec<&Acceptance>> = HashMap::new();
    for a in acceptances {
        by_report.entry(a.report).or_default().push(a);
    }
    let report = |a: &Acceptance| AcceptedReport {
        unit: a.unit,
        regime: a.regime.clone(),
        period: a.period,
        values: numeric_values(&a.content),
    };
    let one = |(_, id, version): &(i64, ReportId, i64)| {
        let history = by_report.get(id)?;
        let at = history.iter().position(|a| a.version == *version)?;
        let previous = at.checked_sub(1).map(|p| report(history[p]));
        Some((report(history[at]), previous))
    };
    if entries.len() < 256 {
        return entries.iter().filter_map(one).collect();
    }
    let (first, second) = entries.split_at(entries.len() / 2);
    std::thread::scope(|s| {
        let later = s.spawn(|| second.iter().filter_map(one).collect::<Vec<_>>());
        let mut out: Vec<_> = first.iter().filter_map(one).collect();
        out.extend(later.join().unwrap_or_default());
        out
    })
}

/// A stored accepted version as the engine takes it.
fn accepted_row(row: &AcceptedRow) -> Option<AcceptedReport> {
    Some(AcceptedReport {
        unit: row.unit,
        regime: row.regime.clone(),
        period: row.period,
        values: numeric_values(&row.content),
    })
}

/// The cells of a stored content (`{"values": {"A01": "12", …}, …}`), read
/// without copying the texts where they have no escapes: building the engine
/// reads every accepted value there is.
#[derive(serde::Deserialize)]
struct StoredMap<'a> {
    #[serde(borrow, default)]
    values: Pairs<'a>,
}

/// A JSON object's entries in order, borrowed where possible.
#[derive(Default)]
struct Pairs<'a>(Vec<(Text<'a>, Text<'a>)>);

/// A JSON string, borrowed from the input unless it has escapes.
#[derive(serde::Deserialize)]
struct Text<'a>(#[serde(borrow)] std::borrow::Cow<'a, str>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for Pairs<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visit<'a> {
            type Value = Pairs<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of texts")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<Self::Value, M::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(64));
                while let Some(entry) = map.next_entry::<Text<'a>, Text<'a>>()? {
                    out.push(entry);
                }
                Ok(Pairs(out))
            }
        }
        d.deserialize_map(Visit(std::marker::PhantomData))
    }
}

/// The numeric cells of a stored content (texts and yes/no answers are not
/// figures); a content that does not parse gives none.
fn numeric_values(content: &str) -> Vec<(String, Decimal)> {
    let Ok(stored) = serde_json::from_str::<StoredMap<'_>>(content) else {
        return Vec::new();
    };
    stored
        .values
        .0
        .into_iter()
        .filter_map(|(cell, v)| {
            Decimal::from_str(&v.0)
                .ok()
                .map(|d| (cell.0.into_owned(), d))
        })
        .collect()
}

/// The units of `ids` whose figures `principal` may read: those under a
/// grant that lets them read dashboards (a unit's own heads and reviewers,
/// leaders of the levels above).
pub(crate) fn readable(engine: &Engine, principal: &Principal, ids: &[UnitId]) -> Vec<UnitId> {
    let units = engine.units();
    ids.iter()
        .copied()
        .filter(|id| {
            let Some(ix) = units.ix(*id) else {
                return false;
            };
            let ancestors: Vec<UnitId> = units.ancestors(ix).map(|a| units.unit(a).id).collect();
            principal.may(
                Permission::ViewDashboard,
                &Target {
                    unit: *id,
                    ancestors: &ancestors,
                },
            )
        })
        .collect()
}
