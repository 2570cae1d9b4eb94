//! `baocao bench-analytics`: the operations centre's engine at national scale.
//!
//! Generates the 2008–2025 structure's communes × N indicators × M months of
//! accepted reports straight into the store (through the history import a
//! province uses to migrate a previous system's records), then measures in
//! one run: the engine's build from the store, its memory per value, the five
//! questions of the issue in-process (engine, and through the use case with
//! its rights check), freshness (an acceptance committed → visible), and
//! absorbing one more national month. With `--peers DIR` it also writes the
//! values as CSV for `../shared/peers-bench/run.sh` (PostgreSQL `GROUP BY`
//! and DuckDB on the same data) and runs it, printing the ratios.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::bench::Scratch;
use baocao_app::analytics::{FigureQuery, Reading, Relation, TableQuery};
use baocao_app::auth::system_principal;
use baocao_app::history::PastReport;
use baocao_app::{App, AppError, AppResult, Settings};
use baocao_domain::access::{Grant, Principal, Role, UserId};
use baocao_domain::catalogue::Metadata;
use baocao_domain::period::PeriodId;
use baocao_domain::report::Content;
use baocao_domain::unit::{OrgUnit, UnitId};

use crate::bench::{at_level, clean_up, national_units, open_database, percentile, start_server};

/// Options of the analytics bench.
pub struct AnalyticsOptions {
    /// Database URL; a temporary SQLite file when absent.
    pub database: Option<String>,
    /// Folder with the vn-admin CSV files.
    pub data_dir: PathBuf,
    /// Indicators in the regime.
    pub indicators: usize,
    /// Months of history, from 2020M01.
    pub months: usize,
    /// Only the first N communes (all when absent).
    pub communes: Option<usize>,
    /// Write the values as CSV for the peers' benchmark here, and run it.
    pub peers: Option<PathBuf>,
    /// Repetitions of each query.
    pub reps: usize,
    /// Use the values a previous run left in `database` (with `--keep`).
    pub reuse: bool,
    /// Leave the database as it is at the end.
    pub keep: bool,
}

const REGIME: &str = "TK-THANG";
const FIRST_YEAR: i32 = 2020;
/// The indicator the one-indicator questions ask about.
const PROBE: &str = "A017";

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
}

fn code(i: usize) -> String {
    format!("A{i:03}")
}

/// A monthly regime of `n` integer indicators reported by every commune to
/// the central unit; every tenth indicator is a stock (last value over time).
fn metadata(n: usize) -> AppResult<Metadata> {
    let indicators: Vec<serde_json::Value> = (1..=n)
        .map(|i| {
            let over_time = if i % 10 == 0 { "last" } else { "sum" };
            serde_json::json!({"code": code(i), "name_vi": format!("Chỉ tiêu {i}"),
                "name_en": format!("Indicator {i}"), "measure_vi": "đơn vị", "measure_en": "unit",
                "value_type": "integer", "over_units": "sum", "over_time": over_time})
        })
        .collect();
    let rows: Vec<serde_json::Value> = (1..=n)
        .map(|i| serde_json::json!({"indicator": code(i)}))
        .collect();
    let doc = serde_json::json!({
        "format": "baocao-metadata/1",
        "indicators": indicators,
        "regimes": [{"code": REGIME, "versions": [{
            "from": format!("{FIRST_YEAR}M01"), "name_vi": "Báo cáo thống kê tháng", "name_en": "Monthly statistics",
            "legal_basis": "—", "kind": "periodic", "frequency": "monthly", "convention": "calendar",
            "receiving_unit": "0", "methods": ["system"],
            "reporting": [{"name_vi": "Xã", "name_en": "Communes", "select": {"level": "commune"},
                "stage": 1, "deadline": {"working_days_after_window": 5}}],
            "forms": [{"code": "B01", "title_vi": "Biểu", "title_en": "Table",
                "columns": [{"code": "C1", "title_vi": "Kỳ này", "title_en": "This period", "source": "current"}],
                "rows": rows}]
        }]}]
    });
    serde_json::from_value(doc).map_err(internal)
}

/// The month `m` (0-based) of the history.
fn month(m: usize) -> AppResult<PeriodId> {
    PeriodId::month(FIRST_YEAR + (m / 12) as i32, (m % 12) as u32 + 1).map_err(internal)
}

/// A stable value for a commune, an indicator and a month.
fn value(unit: UnitId, indicator: usize, m: usize) -> u64 {
    let mut h = unit.get() as u64 ^ (indicator as u64) << 24 ^ (m as u64) << 44;
    h = h.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    h ^= h >> 29;
    100 + h % 9_900
}

fn content(unit: UnitId, indicators: usize, m: usize) -> Content {
    Content {
        values: (1..=indicators)
            .map(|i| (code(i), value(unit, i, m).to_string()))
            .collect(),
        ..Content::default()
    }
}

/// Unix seconds of the 10th of the month after `period`, 9:00 (a submission).
fn submitted(period: &PeriodId) -> i64 {
    (period.last_day() + chrono::Days::new(10))
        .and_hms_opt(2, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp())
}

/// Imports month `m` for every commune, in batches; returns how many
/// reports were new.
async fn import_month(
    app: &App,
    communes: &[&OrgUnit],
    indicators: usize,
    m: usize,
) -> AppResult<usize> {
    let mut imported = 0;
    let period = month(m)?;
    for chunk in communes.chunks(2_000) {
        let reports: Vec<PastReport> = chunk
            .iter()
            .map(|u| PastReport {
                regime: REGIME.into(),
                unit: u.id,
                period,
                content: content(u.id, indicators, m),
                submitted_at: submitted(&period),
                accepted_at: submitted(&period) + 86_400,
            })
            .collect();
        imported += app
            .import_past_reports(&system_principal(), &reports)
            .await?
            .imported;
    }
    Ok(imported)
}

/// Resident memory of this process, in bytes (Linux).
fn rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// Times `run` `reps` times; prints p50/p99 and returns p99.
fn timed(name: &str, reps: usize, mut run: impl FnMut() -> usize) -> Duration {
    let rows = run(); // warm-up
    let mut times = Vec::with_capacity(reps);
    for _ in 0..reps {
        let t = Instant::now();
        std::hint::black_box(run());
        times.push(t.elapsed());
    }
    times.sort();
    let (p50, p99) = (percentile(&times, 0.5), percentile(&times, 0.99));
    println!(
        "  {name}: p50 {:.3} ms, p99 {:.3} ms ({rows} figures)",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
    p99
}

/// The places the five questions are about.
struct Probe {
    root: UnitId,
    commune: OrgUnit,
    province: UnitId,
    district: UnitId,
    provinces: Vec<UnitId>,
    months: Vec<PeriodId>,
    year: PeriodId,
    quarter: PeriodId,
    month: PeriodId,
    indicators: Vec<String>,
}

fn table(cells: &[String], unit: UnitId, relation: Relation, periods: &[PeriodId]) -> TableQuery {
    TableQuery {
        cells: cells.to_vec(),
        unit,
        relation,
        periods: periods.to_vec(),
        reading: Reading::Computed,
    }
}

/// Q1–Q5 on the engine itself.
fn engine_questions(app: &App, p: &Probe, reps: usize) -> AppResult<()> {
    let probe = [PROBE.to_string()];
    let a = app.analytics();
    println!("in-process, engine:");
    let q1 = table(&probe, p.province, Relation::Itself, &p.months);
    timed("Q1 one province, one indicator, every month", reps, || {
        a.read(|e| e.table(&q1).len()).unwrap_or(0)
    });
    let q2 = table(&probe, p.root, Relation::Children, &[p.quarter]);
    timed(
        "Q2 provinces ranked, one indicator, one quarter",
        reps,
        || {
            a.read(|e| {
                let mut rows = e.table(&q2);
                rows.sort_by_key(|r| std::cmp::Reverse(r.figure.value));
                rows.len()
            })
            .unwrap_or(0)
        },
    );
    let q3 = table(&p.indicators, p.root, Relation::Itself, &[p.year]);
    timed(
        "Q3 national totals, every indicator, one year",
        reps,
        || a.read(|e| e.table(&q3).len()).unwrap_or(0),
    );
    let q4 = table(&probe, p.district, Relation::Itself, &p.months);
    timed("Q4 one district, one indicator, every month", reps, || {
        a.read(|e| e.table(&q4).len()).unwrap_or(0)
    });
    timed("Q5 completeness per province, one month", reps, || {
        a.read(|e| {
            p.provinces
                .iter()
                .filter_map(|u| e.completeness(REGIME, *u, &p.month))
                .count()
        })
        .unwrap_or(0)
    });
    Ok(())
}

/// Q1–Q4 through the use case (rights check, names, catalogue read).
async fn use_case_questions(app: &App, p: &Probe, reps: usize) -> AppResult<()> {
    println!("in-process, through the use case (App::figures):");
    // A national leader: dashboards everywhere.
    let who = Principal {
        user_id: UserId::SYSTEM,
        username: "bench-leader".into(),
        grants: vec![Grant {
            role: Role::Leader,
            scope: None,
        }],
    };
    for (name, cells, unit, relation, periods) in figure_questions(p) {
        let q = FigureQuery {
            cells,
            unit,
            relation,
            periods,
            reading: Reading::Computed,
        };
        let mut times = Vec::with_capacity(reps);
        let mut rows = 0;
        for _ in 0..=reps {
            let t = Instant::now();
            rows = app.figures(&who, q.clone()).await?.rows.len();
            times.push(t.elapsed());
        }
        times.remove(0);
        times.sort();
        println!(
            "  {name}: p50 {:.3} ms, p99 {:.3} ms ({rows} figures)",
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            percentile(&times, 0.99).as_secs_f64() * 1e3
        );
    }
    Ok(())
}

/// A question as a table of figures: name, cells, unit, relation, periods.
type Question = (&'static str, Vec<String>, UnitId, Relation, Vec<PeriodId>);

/// Q1–Q4 as tables of figures.
fn figure_questions(p: &Probe) -> Vec<Question> {
    let probe = vec![PROBE.to_string()];
    vec![
        (
            "Q1",
            probe.clone(),
            p.province,
            Relation::Itself,
            p.months.clone(),
        ),
        (
            "Q2",
            probe.clone(),
            p.root,
            Relation::Children,
            vec![p.quarter],
        ),
        (
            "Q3",
            p.indicators.clone(),
            p.root,
            Relation::Itself,
            vec![p.year],
        ),
        ("Q4", probe, p.district, Relation::Itself, p.months.clone()),
    ]
}

/// Q1–Q4 over HTTP: `GET /api/v1/analytics` with a national leader's API
/// token, one request at a time against the real router on loopback.
async fn http_questions(app: &App, p: &Probe, reps: usize) -> AppResult<()> {
    println!("over HTTP (GET /api/v1/analytics, JSON, one client):");
    let base = start_server(app).await?;
    // A fresh name: a database kept from an earlier run has the others.
    let username = format!("bench-leader-{}", chrono::Utc::now().timestamp_micros());
    let (_, token) = app
        .create_token_account(
            &system_principal(),
            &username,
            "Bench leader",
            p.root,
            &[Role::Leader],
        )
        .await?;
    let http = reqwest::Client::new();
    let join = |periods: &[PeriodId]| {
        periods
            .iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    for (name, cells, unit, relation, periods) in figure_questions(p) {
        let relation = match relation {
            Relation::Children => "children",
            _ => "self",
        };
        let url = format!(
            "{base}/api/v1/analytics?indicators={}&unit={unit}&relation={relation}&periods={}&reading=computed",
            cells.join(","),
            join(&periods)
        );
        let mut times = Vec::with_capacity(reps);
        let mut bytes = 0;
        for i in 0..=reps {
            let t = Instant::now();
            let answer = http
                .get(&url)
                .bearer_auth(&token)
                .send()
                .await
                .map_err(internal)?;
            if !answer.status().is_success() {
                return Err(internal(format!("{name}: {}", answer.status())));
            }
            bytes = answer.bytes().await.map_err(internal)?.len();
            if i > 0 {
                times.push(t.elapsed());
            }
        }
        times.sort();
        println!(
            "  {name}: p50 {:.3} ms, p99 {:.3} ms ({bytes} bytes)",
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            percentile(&times, 0.99).as_secs_f64() * 1e3
        );
    }
    Ok(())
}

/// The province's figure for the probe in `period` as the engine has it now.
fn probe_value(app: &App, province: UnitId, period: &PeriodId) -> Option<String> {
    app.analytics()
        .read(|e| e.figure(PROBE, province, period, Reading::Computed))
        .ok()
        .flatten()
        .and_then(|f| f.value)
        .map(|v| v.to_string())
}

/// Imports one report of a new month through `app` and waits until the
/// province's figure shows it: in `app` (whose follower the commit wakes)
/// and in `other`, another process on the same database (which polls).
async fn freshness(
    app: &App,
    other: &App,
    p: &Probe,
    unit: &OrgUnit,
    indicators: usize,
    m: usize,
) -> AppResult<()> {
    // The first month the unit has no report for yet (a rerun with --reuse
    // finds earlier ones there).
    let mut m = m;
    let (period, before, t, committed) = loop {
        let period = month(m)?;
        let before = (
            probe_value(app, p.province, &period),
            probe_value(other, p.province, &period),
        );
        let t = Instant::now();
        if import_month(app, &[unit], indicators, m).await? == 1 {
            break (period, before, t, t.elapsed());
        }
        m += 1;
        if m > 70 {
            return Err(internal("freshness: no month left to import"));
        }
    };
    let (mut local, mut remote) = (None, None);
    while local.is_none() || remote.is_none() {
        if local.is_none() && probe_value(app, p.province, &period) != before.0 {
            local = Some(t.elapsed());
        }
        if remote.is_none() && probe_value(other, p.province, &period) != before.1 {
            remote = Some(t.elapsed());
        }
        if t.elapsed() > Duration::from_secs(10) {
            return Err(internal("freshness: not visible within 10 s"));
        }
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
    let ms = |d: Option<Duration>| d.unwrap_or_default().as_secs_f64() * 1e3;
    println!(
        "freshness (import committed in {:.1} ms, then visible in Q1): this process {:.1} ms, \
         another process {:.1} ms after the call began",
        committed.as_secs_f64() * 1e3,
        ms(local),
        ms(remote)
    );
    Ok(())
}

/// Runs the benchmark and prints its figures.
pub async fn run(options: AnalyticsOptions) -> AppResult<()> {
    // Kept data is found again by name (`--reuse` after `--keep`).
    let kept = (options.keep || options.reuse).then_some("bench_analytics");
    let scratch = open_database(options.database.as_deref(), kept).await?;
    println!("database: {}", scratch.url);
    let app = App::new(scratch.store.clone(), Settings::default());
    let units = national_units(&app, &options.data_dir).await?;
    app.apply_metadata(&system_principal(), &metadata(options.indicators)?)
        .await?;
    let mut communes = at_level(&units, "commune");
    if let Some(n) = options.communes {
        communes.truncate(n);
    }
    let values = communes.len() * options.indicators * options.months;
    println!(
        "generating {} communes × {} indicators × {} months = {values} values",
        communes.len(),
        options.indicators,
        options.months
    );
    generate(&app, &communes, &options).await?;
    if let Some(dir) = &options.peers {
        export_for_peers(&units, &communes, &options, dir)?;
    }

    // A process starting: the engine built from the store.
    let engine_app = build_engine(&scratch).await?;

    let probe = probe(&units, &communes, &options)?;
    engine_questions(&engine_app, &probe, options.reps)?;
    use_case_questions(&engine_app, &probe, options.reps).await?;
    http_questions(&engine_app, &probe, options.reps).await?;

    let m = absorb_month(&app, &engine_app, &communes, &options).await?;

    // Freshness: this process wakes its follower; another one polls.
    engine_app.start_analytics();
    let other = App::new(scratch.store.clone(), Settings::default());
    other.follow_once().await?;
    other.start_analytics();
    freshness(
        &engine_app,
        &other,
        &probe,
        &probe.commune,
        options.indicators,
        m + 1,
    )
    .await?;
    if let Some(dir) = &options.peers {
        run_peers(dir, &units, &probe)?;
    }
    if options.keep {
        return Ok(());
    }
    clean_up(&scratch).await
}

/// Stores `options.months` months of every commune's reports (none with
/// `--reuse`).
async fn generate(app: &App, communes: &[&OrgUnit], options: &AnalyticsOptions) -> AppResult<()> {
    let t = Instant::now();
    for m in (0..options.months).filter(|_| !options.reuse) {
        import_month(app, communes, options.indicators, m).await?;
        if m % 6 == 5 {
            println!("  {} months in {:.0} s", m + 1, t.elapsed().as_secs_f64());
        }
    }
    println!("generated in {:.1} s", t.elapsed().as_secs_f64());
    Ok(())
}

/// A process starting: the engine built from the store, with its time and
/// memory printed.
async fn build_engine(scratch: &Scratch) -> AppResult<App> {
    let rss_before = rss();
    let t = Instant::now();
    let engine_app = App::new(scratch.store.clone(), Settings::default());
    engine_app.follow_once().await?;
    let built = t.elapsed();
    let rss_after = rss();
    let (held, bytes) = engine_app.analytics().read(|e| (e.len(), e.bytes()))?;
    println!(
        "build from the store: {:.1} s, {held} values; engine {:.1} MB = {:.1} bytes per value; \
         resident memory +{:.0} MB = {:.1} bytes per value",
        built.as_secs_f64(),
        bytes as f64 / 1e6,
        bytes as f64 / held.max(1) as f64,
        rss_after.saturating_sub(rss_before) as f64 / 1e6,
        rss_after.saturating_sub(rss_before) as f64 / held.max(1) as f64
    );
    Ok(engine_app)
}

/// Absorbing a whole national month: stored through another process, then
/// read from the store and put in; returns the month stored.
async fn absorb_month(
    app: &App,
    engine_app: &App,
    communes: &[&OrgUnit],
    options: &AnalyticsOptions,
) -> AppResult<usize> {
    // (A rerun with --reuse takes the first month not imported yet.)
    let mut m = options.months;
    let mut t = Instant::now();
    let mut absorbed = import_month(app, communes, options.indicators, m).await?;
    while absorbed == 0 && m < 70 {
        m += 1;
        t = Instant::now();
        absorbed = import_month(app, communes, options.indicators, m).await?;
    }
    if options.keep {
        println!(
            "(kept: the extra months stay in the database; rerun with --reuse to skip generation)"
        );
    }
    let imported = t.elapsed();
    let t = Instant::now();
    engine_app.follow_once().await?;
    println!(
        "absorbing one national month ({absorbed} reports, {} values): stored in {:.1} s; \
         read from the store and absorbed in {:.2} s",
        absorbed * options.indicators,
        imported.as_secs_f64(),
        t.elapsed().as_secs_f64()
    );

    Ok(m)
}

/// The national unit, the probe's commune, district and province (Vinh and
/// Nghệ An, 412 and 40, when their communes are in the run, else the first
/// commune's), and the periods asked about.
fn probe(units: &[OrgUnit], communes: &[&OrgUnit], options: &AnalyticsOptions) -> AppResult<Probe> {
    let provinces = at_level(units, "province");
    let root = units
        .iter()
        .find(|u| u.level.as_str() == "central")
        .ok_or_else(|| internal("no central unit"))?;
    let parent_of = |u: &OrgUnit| units.iter().find(|p| Some(p.id) == u.parent);
    let in_vinh = communes
        .iter()
        .find(|c| parent_of(c).is_some_and(|d| d.code.to_string() == "412"));
    let commune = in_vinh
        .or(communes.first())
        .ok_or_else(|| internal("no commune"))?;
    let district = parent_of(commune).ok_or_else(|| internal("no district"))?;
    let province = parent_of(district).ok_or_else(|| internal("no province"))?;
    let months: Vec<PeriodId> = (0..options.months).map(month).collect::<AppResult<_>>()?;
    let last_year = FIRST_YEAR + (options.months.saturating_sub(1) / 12) as i32;
    let parse = |text: String| text.parse::<PeriodId>().map_err(internal);
    Ok(Probe {
        root: root.id,
        commune: (*commune).clone(),
        province: province.id,
        district: district.id,
        provinces: provinces.iter().map(|u| u.id).collect(),
        months: months.clone(),
        year: parse(last_year.to_string())?,
        quarter: parse(format!("{last_year}Q1"))?,
        month: months
            .last()
            .copied()
            .ok_or_else(|| internal("no months"))?,
        indicators: (1..=options.indicators).map(code).collect(),
    })
}

/// Writes `orgunit.csv` and `datavalue.csv` as `../shared/peers-bench` reads them.
fn export_for_peers(
    units: &[OrgUnit],
    communes: &[&OrgUnit],
    options: &AnalyticsOptions,
    dir: &std::path::Path,
) -> AppResult<()> {
    use std::io::Write;
    std::fs::create_dir_all(dir).map_err(internal)?;
    let by_id: std::collections::HashMap<UnitId, &OrgUnit> =
        units.iter().map(|u| (u.id, u)).collect();
    let level = |u: &OrgUnit| match u.level.as_str() {
        "central" => 1,
        "province" => 2,
        "district" => 3,
        _ => 4,
    };
    let ancestor_at = |u: &OrgUnit, l: u8| {
        let mut cur = Some(u);
        while let Some(c) = cur {
            if level(c) == l {
                return c.id.get();
            }
            cur = c.parent.and_then(|p| by_id.get(&p).copied());
        }
        0
    };
    let mut out =
        std::io::BufWriter::new(std::fs::File::create(dir.join("orgunit.csv")).map_err(internal)?);
    for u in units {
        let parent = u.parent.map_or(0, UnitId::get);
        writeln!(
            out,
            "{},{},{},{},{}",
            u.id.get(),
            level(u),
            parent,
            ancestor_at(u, 2),
            ancestor_at(u, 3)
        )
        .map_err(internal)?;
    }
    out.flush().map_err(internal)?;
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(dir.join("datavalue.csv")).map_err(internal)?,
    );
    for m in 0..options.months {
        let period = month(m)?;
        let yyyymm = period.year() * 100 + chrono::Datelike::month(&period.first_day()) as i32;
        for u in communes {
            for i in 1..=options.indicators {
                writeln!(out, "{i},{},{yyyymm},0,{}", u.id.get(), value(u.id, i, m))
                    .map_err(internal)?;
            }
        }
    }
    out.flush().map_err(internal)?;
    println!("peers: wrote {}", dir.display());
    Ok(())
}

/// Runs `../shared/peers-bench/run.sh` on the exported files and prints its answer.
fn run_peers(dir: &std::path::Path, units: &[OrgUnit], p: &Probe) -> AppResult<()> {
    let script = std::env::current_dir()
        .map_err(internal)?
        .join("../shared/peers-bench/run.sh");
    let district = units
        .iter()
        .find(|u| u.id == p.district)
        .map_or(0, |u| u.id.get());
    let yyyymm = p.month.year() * 100 + chrono::Datelike::month(&p.month.first_day()) as i32;
    let out = std::process::Command::new(&script)
        .arg(dir)
        .args(["--indicator", PROBE[1..].trim_start_matches('0')])
        .args(["--province", &p.province.get().to_string()])
        .args(["--district", &district.to_string()])
        .args(["--year", &p.year.year().to_string()])
        .args(["--quarter", "1"])
        .args(["--month", &yyyymm.to_string()])
        .output()
        .map_err(|e| internal(format!("{}: {e}", script.display())))?;
    println!("peers ({}):", script.display());
    println!("{}", String::from_utf8_lossy(&out.stdout));
    if !out.status.success() {
        return Err(internal(String::from_utf8_lossy(&out.stderr)));
    }
    Ok(())
}
