//! `baocao bench-ledger`: how long `baocao audit verify` takes on a ledger of
//! ten million entries, and the memory it holds while it runs.
//!
//! The ledger is made as a working system makes it: six months of accepted
//! reports of every commune imported through the application (each a
//! `report.import` entry holding the whole version, which verification
//! compares with `report_versions`), then drafts saved again and again on
//! those reports (`report.save` entries holding the whole working copy,
//! recorded as past drafts through the application's one ledger writer) up
//! to the number asked for. Verification is the CLI's: `App::verify_ledger`.

use std::time::Instant;

use baocao_app::auth::system_principal;
use baocao_app::history::{PastDraft, PastReport};
use baocao_app::{App, AppResult, Settings};
use baocao_domain::period::PeriodId;
use baocao_domain::report::{Content, ReportId};

use crate::bench::{at_level, clean_up, open_database, set_up_units};

/// Options of the ledger bench.
pub struct LedgerOptions {
    /// Database URL; a temporary SQLite file when absent.
    pub database: Option<String>,
    /// Folder with the vn-admin CSV files.
    pub data_dir: std::path::PathBuf,
    /// Entries the ledger holds before it is verified.
    pub entries: u64,
    /// Use the ledger a previous run left in `database` (with `--keep`).
    pub reuse: bool,
    /// Leave the database as it is at the end.
    pub keep: bool,
    /// Grow the ledger of an existing database (the demo's, say) to
    /// `entries` instead of making one: its accepted reports' drafts saved
    /// again unchanged, so every page shows what it showed before.
    pub grow: bool,
}

/// Months of imported reports (2025M01–2025M06, while the communes of the
/// 2008–2025 structure were in force).
const MONTHS: u32 = 6;
/// Entries written per transaction while padding.
const BATCH: usize = 20_000;
/// Saves of one draft in a row.
const SAVES_IN_A_ROW: u64 = 200;

fn internal(e: impl std::fmt::Display) -> baocao_app::AppError {
    baocao_app::AppError::Internal(e.to_string())
}

/// Thirty figures, different for every unit, month and save.
fn content(seed: u64) -> Content {
    let mut c = Content::default();
    for i in 1..=30u64 {
        let mut h = (seed ^ i << 40).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        h ^= h >> 31;
        c.values
            .insert(format!("B{i:02}"), (100 + h % 99_900).to_string());
    }
    c
}

/// Peak resident memory of this process, in bytes (Linux).
fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// Runs the benchmark and prints its figures.
pub async fn run(options: LedgerOptions) -> AppResult<()> {
    let kept = (options.keep || options.reuse || options.grow).then_some("bench_ledger");
    if options.grow && options.database.is_none() {
        return Err(internal("--grow needs the --database to grow"));
    }
    let scratch = open_database(options.database.as_deref(), kept).await?;
    println!("database: {}", scratch.url);
    let app = App::new(scratch.store.clone(), Settings::default());
    if options.grow {
        grow(&app, &scratch.store, options.entries).await?;
    } else if !options.reuse {
        generate(&app, &scratch.store, &options).await?;
    }
    let memory_before = peak_rss();
    let started = Instant::now();
    let verdict = app.verify_ledger().await?;
    let took = started.elapsed();
    match &verdict {
        baocao_app::audit::Verdict::Intact {
            entries,
            versions,
            reports,
            ..
        } => println!(
            "verified {entries} entries ({versions} versions compared with the tables, {reports} reports' \
             statuses) in {:.1} s: {:.0} entries/s; peak resident memory {} MB before, {} MB after",
            took.as_secs_f64(),
            *entries as f64 / took.as_secs_f64(),
            memory_before / 1_000_000,
            peak_rss() / 1_000_000
        ),
        other => return Err(internal(format!("the bench ledger does not verify: {other:?}"))),
    }
    if options.keep || options.grow {
        return Ok(());
    }
    clean_up(&scratch).await
}

/// Imports the reports, then pads the ledger with saved drafts.
async fn generate(
    app: &App,
    store: &baocao_store::Store,
    options: &LedgerOptions,
) -> AppResult<()> {
    let started = Instant::now();
    let units = set_up_units(app, &options.data_dir).await?;
    let communes = at_level(&units, "commune");
    for month in 1..=MONTHS {
        let period = PeriodId::month(2025, month).map_err(internal)?;
        for chunk in communes.chunks(2_000) {
            let reports: Vec<PastReport> = chunk
                .iter()
                .map(|u| PastReport {
                    regime: "BENCH".into(),
                    unit: u.id,
                    period,
                    content: content(u.id.get() as u64 ^ u64::from(month) << 32),
                    submitted_at: 1_740_000_000 + i64::from(month) * 2_600_000,
                    accepted_at: 1_740_100_000 + i64::from(month) * 2_600_000,
                })
                .collect();
            app.import_past_reports(&system_principal(), &reports)
                .await?;
        }
    }
    let (reports, mut written) = {
        let mut conn = store.conn().await?;
        let ids = baocao_store::reports::statuses(&mut conn, ReportId::new(0), i64::MAX)
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect::<Vec<_>>();
        (ids, baocao_store::ledger::head(&mut conn).await?.0 as u64)
    };
    println!(
        "imported {} reports ({written} entries) in {:.1} s",
        reports.len(),
        started.elapsed().as_secs_f64()
    );
    let mut save = 0u64;
    while written < options.entries {
        let n = (options.entries - written).min(BATCH as u64) as usize;
        // An officer saves the same draft many times over (the form saves
        // itself as they type): a few reports per batch, each left with its
        // last save.
        let drafts: Vec<PastDraft> = (0..n)
            .map(|_| {
                save += 1;
                PastDraft {
                    report: reports[((save / SAVES_IN_A_ROW) as usize * 7_919) % reports.len()],
                    content: content(save),
                    at: 1_760_000_000 + save as i64,
                }
            })
            .collect();
        app.record_past_drafts(&system_principal(), &drafts).await?;
        written += n as u64;
        if written % 1_000_000 < BATCH as u64 {
            println!(
                "{written} entries written ({:.0} s)",
                started.elapsed().as_secs_f64()
            );
        }
    }
    println!(
        "ledger of {written} entries made in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Grows the ledger of an existing database to `entries`: the drafts of its
/// accepted reports saved again as they are, [`SAVES_IN_A_ROW`] at a time,
/// through the application.
async fn grow(app: &App, store: &baocao_store::Store, entries: u64) -> AppResult<()> {
    use baocao_domain::report::Status;
    let started = Instant::now();
    let (accepted, mut written) = {
        let mut conn = store.conn().await?;
        let ids: Vec<ReportId> =
            baocao_store::reports::statuses(&mut conn, ReportId::new(0), i64::MAX)
                .await?
                .into_iter()
                .filter(|(_, s)| *s == Status::Accepted)
                .map(|(id, _)| id)
                .collect();
        (ids, baocao_store::ledger::head(&mut conn).await?.0 as u64)
    };
    if accepted.is_empty() {
        return Err(internal("no accepted report to save again"));
    }
    println!("{written} entries, {} accepted reports", accepted.len());
    let system = system_principal();
    let mut drafts_of: std::collections::HashMap<ReportId, Content> = Default::default();
    let mut save = 0u64;
    while written < entries {
        let n = (entries - written).min(BATCH as u64) as usize;
        let mut drafts = Vec::with_capacity(n);
        for _ in 0..n {
            save += 1;
            let report = accepted[((save / SAVES_IN_A_ROW) as usize * 7_919) % accepted.len()];
            if let std::collections::hash_map::Entry::Vacant(e) = drafts_of.entry(report) {
                e.insert(app.report(&system, report).await?.content);
            }
            drafts.push(PastDraft {
                report,
                content: drafts_of[&report].clone(),
                at: baocao_app::now() - 1,
            });
        }
        app.record_past_drafts(&system, &drafts).await?;
        written += n as u64;
        if written % 1_000_000 < BATCH as u64 {
            println!(
                "{written} entries ({:.0} s)",
                started.elapsed().as_secs_f64()
            );
        }
    }
    println!(
        "ledger grown to {written} entries in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
