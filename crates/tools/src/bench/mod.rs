//! `baocao bench`: submissions, acceptances and synthesis for every commune of
//! the 2008–2025 structure (10,035 communes under 696 districts and 63
//! provinces, below a central unit) for one regime of 30 indicators and one
//! period, over HTTP on loopback, on SQLite or PostgreSQL. Prints what it
//! measures; the figures go to docs/benchmarks.md.
//!
//! The other benchmarks ([`analytics`], [`ledger`], [`pages`]) share its
//! scratch database, national units and latency percentiles.

pub mod analytics;
pub mod ledger;
pub mod pages;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use baocao_app::auth::system_principal;
use baocao_app::units::{read_units_file, StructureFile};
use baocao_app::{App, AppResult, Settings};
use baocao_domain::access::{Principal, Role};
use baocao_domain::catalogue::Metadata;
use baocao_domain::report::{Content, ReportId};
use baocao_domain::unit::{Level, OrgUnit, UnitCode, UnitId, UnitKind, UnitRecord, Validity};
use baocao_store::{Store, StoreOptions};
use tokio::sync::Mutex;

/// Options of the bench command.
pub struct BenchOptions {
    /// Database URL; a temporary SQLite file when absent.
    pub database: Option<String>,
    /// Folder with the vn-admin CSV files.
    pub data_dir: std::path::PathBuf,
    /// Concurrent clients in the concurrent phase.
    pub clients: usize,
    /// Use only the first N communes (all when absent).
    pub communes: Option<usize>,
}

const PERIOD: &str = "2025M03";
const INDICATORS: usize = 30;

fn metadata() -> AppResult<Metadata> {
    let indicators: Vec<serde_json::Value> = (1..=INDICATORS)
        .map(|i| {
            serde_json::json!({"code": format!("B{i:02}"), "name_vi": format!("Chỉ tiêu thử {i}"),
                "name_en": format!("Bench indicator {i}"), "measure_vi": "đơn vị", "measure_en": "unit",
                "value_type": "integer", "over_units": "sum", "over_time": "sum"})
        })
        .collect();
    let rows: Vec<serde_json::Value> = (1..=INDICATORS)
        .map(|i| serde_json::json!({"indicator": format!("B{i:02}")}))
        .collect();
    let doc = serde_json::json!({
        "format": "baocao-metadata/1",
        "indicators": indicators,
        "regimes": [{"code": "BENCH", "versions": [{
            "from": "2025M01", "name_vi": "Báo cáo thử tải", "name_en": "Bench report",
            "legal_basis": "—", "kind": "periodic", "frequency": "monthly", "convention": "administrative",
            "receiving_unit": "0", "methods": ["system"],
            "reporting": [
                {"name_vi": "Xã", "name_en": "Communes", "select": {"level": "commune"}, "stage": 1, "deadline": {"working_days_after_window": 2}},
                {"name_vi": "Huyện", "name_en": "Districts", "select": {"level": "district"}, "stage": 2, "deadline": {"working_days_after_window": 4}},
                {"name_vi": "Tỉnh", "name_en": "Provinces", "select": {"level": "province"}, "stage": 3, "deadline": {"working_days_after_window": 6}}],
            "forms": [{"code": "B01", "title_vi": "Biểu thử", "title_en": "Bench table",
                "columns": [{"code": "C1", "title_vi": "Kỳ này", "title_en": "This period", "source": "current"}],
                "rows": rows}]
        }]}]
    });
    serde_json::from_value(doc).map_err(|e| baocao_app::AppError::Internal(e.to_string()))
}

fn internal(e: impl std::fmt::Display) -> baocao_app::AppError {
    baocao_app::AppError::Internal(e.to_string())
}

/// A user acting for one unit through an API token.
struct Actor {
    unit: UnitId,
    token: String,
}

async fn make_actor(app: &App, unit: &OrgUnit, roles: &[Role]) -> AppResult<Actor> {
    // Token accounts: no Argon2 hash to compute for ten thousand users.
    let (_, token) = app
        .create_token_account(
            &system_principal(),
            &format!("bench{}", unit.id),
            &unit.name,
            unit.id,
            roles,
        )
        .await?;
    Ok(Actor {
        unit: unit.id,
        token,
    })
}

/// The `p` quantile (0–1) of sorted latencies.
pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Posts `path(id)` for every job with `clients` concurrent clients; returns
/// the elapsed time and each request's latency.
async fn burst(
    base: &str,
    jobs: Vec<(ReportId, String)>,
    clients: usize,
    path: fn(ReportId) -> String,
) -> AppResult<(Duration, Vec<Duration>)> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .map_err(internal)?;
    let queue = Arc::new(Mutex::new(jobs));
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..clients {
        let (http, queue, latencies, base) = (
            http.clone(),
            queue.clone(),
            latencies.clone(),
            base.to_string(),
        );
        workers.push(tokio::spawn(async move {
            loop {
                let Some((id, token)) = queue.lock().await.pop() else {
                    return Ok::<(), baocao_app::AppError>(());
                };
                let t = Instant::now();
                let r = http
                    .post(format!("{base}{}", path(id)))
                    .bearer_auth(&token)
                    .json(&serde_json::json!({}))
                    .send()
                    .await
                    .map_err(internal)?;
                if !r.status().is_success() {
                    let text = r.text().await.unwrap_or_default();
                    return Err(internal(format!("report {id}: {text}")));
                }
                latencies.lock().await.push(t.elapsed());
            }
        }));
    }
    for w in workers {
        w.await.map_err(internal)??;
    }
    let elapsed = started.elapsed();
    let mut all = latencies.lock().await.clone();
    all.sort();
    Ok((elapsed, all))
}

fn print_phase(
    app: &App,
    before: (u64, u64),
    name: &str,
    elapsed: Duration,
    latencies: &[Duration],
) {
    let n = latencies.len();
    let (commits, steps) = app.group_commit_stats().unwrap_or_default();
    let (commits, steps) = (commits - before.0, steps - before.1);
    println!(
        "{name}: {n} in {:.2} s = {:.0}/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; \
         {commits} commits ({:.1} steps per commit)",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64().max(1e-9),
        percentile(latencies, 0.5).as_secs_f64() * 1000.0,
        percentile(latencies, 0.99).as_secs_f64() * 1000.0,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1000.0,
        steps as f64 / commits.max(1) as f64,
    );
}

/// Runs the benchmark and prints its figures.
pub async fn run(options: BenchOptions) -> AppResult<()> {
    let scratch = open_database(options.database.as_deref(), None).await?;
    let app = App::new(scratch.store.clone(), Settings::default()).with_group_commit();
    println!("database: {}", scratch.url);

    let t = Instant::now();
    let units = set_up_units(&app, &options.data_dir).await?;
    let mut communes = at_level(&units, "commune");
    if let Some(n) = options.communes {
        communes.truncate(n);
    }
    let districts = at_level(&units, "district");
    let provinces = at_level(&units, "province");
    println!(
        "setup: {} units imported, {} communes, {} districts, {} provinces in {:.1} s",
        units.len(),
        communes.len(),
        districts.len(),
        provinces.len(),
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let (submissions, reviewers) = set_up_drafts(&app, &communes, &districts, &provinces).await?;
    println!(
        "setup: {} accounts and {} drafts in {:.1} s",
        submissions.len() + reviewers.len(),
        submissions.len(),
        t.elapsed().as_secs_f64()
    );

    let base = start_server(&app).await?;
    submit_and_accept(&app, &base, &submissions, &reviewers, options.clients).await?;
    synthesize(&app, &districts, &provinces, &reviewers).await?;
    let verified = app.verify_ledger().await?;
    println!("audit ledger: {:?}", verified.intact().map(|(_, n)| n));
    clean_up(&scratch).await
}

/// The database the benchmark runs in.
pub(crate) struct Scratch {
    /// The store.
    pub(crate) store: Store,
    /// Its URL.
    pub(crate) url: String,
    /// The PostgreSQL schema made for the run.
    schema: Option<String>,
    /// The SQLite file made for the run (when no database is given).
    temp: std::path::PathBuf,
}

/// Connects to the benchmark's database, migrated: a new SQLite file, or a
/// new schema of the PostgreSQL database given.
/// A PostgreSQL database gets a scratch schema of its own: `bench_<pid>`,
/// or `kept` (e.g. `bench_analytics`) when a run keeps its data for a later
/// `--reuse` to find.
pub(crate) async fn open_database(
    database: Option<&str>,
    kept: Option<&str>,
) -> AppResult<Scratch> {
    // In the working directory, not /tmp: /tmp is often in memory, where a disk
    // sync costs nothing and the figures would mean nothing.
    let temp = std::env::current_dir()
        .map_err(internal)?
        .join(format!("baocao-bench-{}.db", std::process::id()));
    let url = database.map_or_else(|| format!("sqlite://{}", temp.display()), str::to_string);
    let schema = url
        .starts_with("postgres")
        .then(|| kept.map_or_else(|| format!("bench_{}", std::process::id()), str::to_string));
    let store = Store::connect(&StoreOptions {
        url: url.clone(),
        schema: schema.clone(),
        max_connections: 32,
        ..StoreOptions::new("")
    })
    .await?;
    store.migrate().await?;
    Ok(Scratch {
        store,
        url,
        schema,
        temp,
    })
}

/// Removes what [`open_database`] made: the PostgreSQL schema, or the SQLite
/// files.
pub(crate) async fn clean_up(scratch: &Scratch) -> AppResult<()> {
    if let Some(schema) = &scratch.schema {
        let mut conn = scratch.store.conn().await?;
        baocao_store::execute(&mut conn, &format!("DROP SCHEMA {schema} CASCADE")).await?;
    }
    if scratch.url.starts_with("sqlite://")
        && scratch.url.ends_with(&*scratch.temp.to_string_lossy())
    {
        let temp = &scratch.temp;
        let _ = std::fs::remove_file(temp);
        let _ = std::fs::remove_file(temp.with_extension("db-wal"));
        let _ = std::fs::remove_file(temp.with_extension("db-shm"));
    }
    Ok(())
}

/// Imports the 2008–2025 structure below one central unit ("0") and the
/// bench regime; returns the units below the central one.
pub(crate) async fn set_up_units(app: &App, data_dir: &std::path::Path) -> AppResult<Vec<OrgUnit>> {
    let units = national_units(app, data_dir).await?;
    app.apply_metadata(&system_principal(), &metadata()?)
        .await?;
    Ok(units)
}

/// Imports the 2008–2025 structure of the whole country below one central
/// unit ("0"); returns the central unit and every unit below it.
pub(crate) async fn national_units(
    app: &App,
    data_dir: &std::path::Path,
) -> AppResult<Vec<OrgUnit>> {
    let central = UnitCode::parse(UnitKind::Area, "0").map_err(internal)?;
    let mut records = read_units_file(&data_dir.join("units-2008-2025.csv"))?;
    for r in &mut records {
        if r.level.as_str() == "province" {
            r.parent_code = Some(central.clone());
        }
    }
    records.insert(
        0,
        UnitRecord {
            line: 0,
            kind: UnitKind::Area,
            level: Level::parse("central").map_err(internal)?,
            code: central.clone(),
            name: "Trung ương".into(),
            division_type: "trung ương".into(),
            parent_code: None,
            lat: None,
            lon: None,
        },
    );
    let validity = Validity {
        from: None,
        to: chrono::NaiveDate::from_ymd_opt(2025, 6, 30),
    };
    app.import_units(
        &system_principal(),
        &[StructureFile { records, validity }],
        None,
    )
    .await?;
    let root = app
        .search_units(
            &system_principal(),
            None,
            Some("0"),
            Some("central"),
            None,
            1,
        )
        .await?
        .first()
        .map(|u| u.id)
        .ok_or_else(|| internal("no central unit"))?;
    app.unit_subtree(&system_principal(), root, None, None)
        .await
}

/// The units of `level`.
pub(crate) fn at_level<'a>(units: &'a [OrgUnit], level: &str) -> Vec<&'a OrgUnit> {
    units.iter().filter(|u| u.level.as_str() == level).collect()
}

/// A draft to submit: the report, its commune's token and the receiving unit.
type Draft = (ReportId, String, UnitId);

/// Accounts with tokens for every commune and for every district and
/// province (reviewers too), and every commune's draft (30 values); returns
/// the drafts and the reviewers by unit.
async fn set_up_drafts(
    app: &App,
    communes: &[&OrgUnit],
    districts: &[&OrgUnit],
    provinces: &[&OrgUnit],
) -> AppResult<(Vec<Draft>, HashMap<UnitId, Actor>)> {
    let entry = [Role::DataEntry, Role::UnitHead];
    let upper = [Role::DataEntry, Role::UnitHead, Role::Reviewer];
    let mut commune_actors = Vec::new();
    for c in communes {
        commune_actors.push(make_actor(app, c, &entry).await?);
    }
    let mut reviewers = HashMap::new();
    for u in districts.iter().chain(provinces.iter()) {
        let actor = make_actor(app, u, &upper).await?;
        // A token's first use is recorded (a write); do it here, not in a phase.
        app.token_caller(&actor.token).await?;
        reviewers.insert(u.id, actor);
    }
    let mut submissions = Vec::new();
    for (i, actor) in commune_actors.iter().enumerate() {
        let caller = app.token_caller(&actor.token).await?;
        let view = app
            .open_report(&caller.principal, "BENCH", actor.unit, PERIOD)
            .await?;
        let mut content = Content::default();
        for k in 1..=INDICATORS {
            content
                .values
                .insert(format!("B{k:02}"), format!("{}", (i * 31 + k * 7) % 1000));
        }
        app.save_report(&caller.principal, view.id, &content, None)
            .await?;
        submissions.push((view.id, actor.token.clone(), view.receiver));
    }
    Ok((submissions, reviewers))
}

/// Serves `app` over HTTP on a loopback port; returns its base URL.
pub(crate) async fn start_server(app: &App) -> AppResult<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(internal)?;
    let base = format!("http://{}", listener.local_addr().map_err(internal)?);
    tokio::spawn(baocao_web::serve(
        listener,
        app.clone(),
        baocao_web::WebConfig::default(),
        std::future::pending(),
    ));
    Ok(base)
}

/// Submissions — a fifth by one client, the rest by `clients` concurrent
/// clients — then acceptance by each district's reviewer.
async fn submit_and_accept(
    app: &App,
    base: &str,
    submissions: &[Draft],
    reviewers: &HashMap<UnitId, Actor>,
    clients: usize,
) -> AppResult<()> {
    let split = submissions.len() / 5;
    let single: Vec<(ReportId, String)> = submissions[..split]
        .iter()
        .map(|(id, t, _)| (*id, t.clone()))
        .collect();
    let many: Vec<(ReportId, String)> = submissions[split..]
        .iter()
        .map(|(id, t, _)| (*id, t.clone()))
        .collect();
    let stats = || app.group_commit_stats().unwrap_or_default();
    let before = stats();
    let (elapsed, lat) =
        burst(base, single, 1, |id| format!("/api/v1/reports/{id}/submit")).await?;
    print_phase(app, before, "submit, 1 client", elapsed, &lat);
    let before = stats();
    let (elapsed, lat) = burst(base, many, clients, |id| {
        format!("/api/v1/reports/{id}/submit")
    })
    .await?;
    let name = format!("submit, {clients} clients");
    print_phase(app, before, &name, elapsed, &lat);

    let accepts: Vec<(ReportId, String)> = submissions
        .iter()
        .filter_map(|(id, _, receiver)| reviewers.get(receiver).map(|a| (*id, a.token.clone())))
        .collect();
    let before = stats();
    let (elapsed, lat) = burst(base, accepts, clients, |id| {
        format!("/api/v1/reports/{id}/accept")
    })
    .await?;
    let name = format!("accept, {clients} clients");
    print_phase(app, before, &name, elapsed, &lat);
    Ok(())
}

/// Synthesis: every district from its communes, then every province from
/// its districts (each district report submitted and accepted in between).
async fn synthesize(
    app: &App,
    districts: &[&OrgUnit],
    provinces: &[&OrgUnit],
    reviewers: &HashMap<UnitId, Actor>,
) -> AppResult<()> {
    let mut per_province: HashMap<UnitId, Duration> = HashMap::new();
    let principal_of = |unit: UnitId| {
        let app = app.clone();
        let token = reviewers.get(&unit).map(|a| a.token.clone());
        async move {
            let token = token.ok_or_else(|| internal("no reviewer"))?;
            Ok::<Principal, baocao_app::AppError>(app.token_caller(&token).await?.principal)
        }
    };
    let t_all = Instant::now();
    let mut district_reports = Vec::new();
    for d in districts {
        let p = principal_of(d.id).await?;
        let view = app.open_report(&p, "BENCH", d.id, PERIOD).await?;
        let t = Instant::now();
        let done = app.synthesize_report(&p, view.id).await?;
        let took = t.elapsed();
        if let Some(province) = d.parent {
            *per_province.entry(province).or_default() += took;
        }
        // With --communes N most districts have no commune in the sample.
        if done.aggregated > 0 {
            district_reports.push((view.id, view.receiver, p));
        }
    }
    for (id, receiver, p) in &district_reports {
        app.submit_report(p, *id).await?;
        let reviewer = principal_of(*receiver).await?;
        app.review_report(&reviewer, *id, true, "").await?;
    }
    for pr in provinces {
        let p = principal_of(pr.id).await?;
        let view = app.open_report(&p, "BENCH", pr.id, PERIOD).await?;
        let t = Instant::now();
        app.synthesize_report(&p, view.id).await?;
        *per_province.entry(pr.id).or_default() += t.elapsed();
    }
    let mut times: Vec<Duration> = per_province.values().copied().collect();
    times.sort();
    println!(
        "synthesis: {} district and {} province reports in {:.2} s (with submit/accept of the districts); \
         per province (its districts + itself): median {:.0} ms, max {:.0} ms",
        districts.len(),
        provinces.len(),
        t_all.elapsed().as_secs_f64(),
        percentile(&times, 0.5).as_secs_f64() * 1000.0,
        times.last().copied().unwrap_or_default().as_secs_f64() * 1000.0,
    );
    Ok(())
}
