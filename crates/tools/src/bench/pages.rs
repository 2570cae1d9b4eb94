//! `baocao bench-pages`: the pages people open all day (the reports list, a
//! report, the dashboard), loaded by concurrent
//! clients against a running server (normally the demo after its history is
//! loaded). For each target it keeps `clients` clients busy for `seconds`
//! seconds, one request after another, and prints the throughput and the
//! latency percentiles. The figures go to docs/benchmarks.md.

use std::sync::Arc;
use std::time::{Duration, Instant};

use baocao_app::{AppError, AppResult};
use tokio::sync::Mutex;

use crate::bench::percentile;

/// Options of the page bench.
pub struct PagesOptions {
    /// Address of the running server, e.g. `http://127.0.0.1:8080`.
    pub url: String,
    /// Account to log in as (the province reviewer in the demo).
    pub username: String,
    /// Account whose dashboard, wall and pivot are loaded (the province's
    /// leader in the demo; the same password).
    pub leader: String,
    /// Its password.
    pub password: String,
    /// Concurrent clients.
    pub clients: usize,
    /// Seconds per target.
    pub seconds: u64,
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
}

/// Logs in as `username` with a cookie session; the client then carries
/// it. Also the unit of the account's first grant.
async fn log_in(
    options: &PagesOptions,
    username: &str,
) -> AppResult<(reqwest::Client, Option<i64>)> {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .pool_max_idle_per_host(options.clients)
        .build()
        .map_err(internal)?;
    let r = http
        .post(format!("{}/api/v1/session", options.url))
        .json(&serde_json::json!({"username": username, "password": options.password}))
        .send()
        .await
        .map_err(internal)?;
    if !r.status().is_success() {
        return Err(internal(format!(
            "login as {username} refused: {}",
            r.status()
        )));
    }
    let session: serde_json::Value = r.json().await.map_err(internal)?;
    let unit = session["grants"]
        .as_array()
        .and_then(|g| g.iter().find_map(|g| g["unit_id"].as_i64()));
    Ok((http, unit))
}

/// The most recent report in the caller's inbox or, failing that, of their
/// own units: the report page the bench loads (none for a leader).
async fn some_report(http: &reqwest::Client, base: &str) -> AppResult<Option<i64>> {
    for path in ["/api/v1/reports/inbox", "/api/v1/reports/mine"] {
        let list: serde_json::Value = http
            .get(format!("{base}{path}"))
            .send()
            .await
            .map_err(internal)?
            .json()
            .await
            .map_err(internal)?;
        let first = list
            .as_array()
            .and_then(|l| l.iter().find_map(|r| r["id"].as_i64()));
        if first.is_some() {
            return Ok(first);
        }
    }
    Ok(None)
}

/// What one target gave.
struct Loaded {
    elapsed: Duration,
    latencies: Vec<Duration>,
    bytes: usize,
}

/// Keeps `clients` clients loading `path` for `seconds`.
async fn load(http: &reqwest::Client, url: String, options: &PagesOptions) -> AppResult<Loaded> {
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let bytes = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let until = Instant::now() + Duration::from_secs(options.seconds);
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..options.clients {
        let (http, url, latencies, bytes) =
            (http.clone(), url.clone(), latencies.clone(), bytes.clone());
        workers.push(tokio::spawn(async move {
            while Instant::now() < until {
                let t = Instant::now();
                let r = http.get(&url).send().await.map_err(internal)?;
                let status = r.status();
                let body = r.bytes().await.map_err(internal)?;
                if !status.is_success() {
                    return Err(internal(format!("{url}: {status}")));
                }
                latencies.lock().await.push(t.elapsed());
                bytes.store(body.len(), std::sync::atomic::Ordering::Relaxed);
            }
            Ok::<(), AppError>(())
        }));
    }
    for w in workers {
        w.await.map_err(internal)??;
    }
    let elapsed = started.elapsed();
    let mut latencies = latencies.lock().await.clone();
    latencies.sort();
    let bytes = bytes.load(std::sync::atomic::Ordering::Relaxed);
    Ok(Loaded {
        elapsed,
        latencies,
        bytes,
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Loads `path` with `http` and prints its figures.
async fn measure(
    http: &reqwest::Client,
    base: &str,
    path: &str,
    options: &PagesOptions,
) -> AppResult<()> {
    let loaded = load(http, format!("{base}{path}"), options).await?;
    let n = loaded.latencies.len();
    println!(
        "GET {path}: {n} in {:.1} s = {:.0}/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {} bytes",
        loaded.elapsed.as_secs_f64(),
        n as f64 / loaded.elapsed.as_secs_f64().max(1e-9),
        ms(percentile(&loaded.latencies, 0.5)),
        ms(percentile(&loaded.latencies, 0.99)),
        ms(loaded.latencies.last().copied().unwrap_or_default()),
        loaded.bytes,
    );
    Ok(())
}

/// Runs the page bench and prints its figures: the reviewer's list, a
/// report (page and JSON) and the inbox, then the leader's dashboard, wall
/// screen and pivot.
pub async fn run(options: PagesOptions) -> AppResult<()> {
    let base = options.url.trim_end_matches('/').to_string();
    let (http, _) = log_in(&options, &options.username).await?;
    let mut targets = vec!["/reports".to_string()];
    if let Some(report) = some_report(&http, &base).await? {
        targets.push(format!("/reports/{report}"));
        targets.push(format!("/api/v1/reports/{report}"));
    }
    targets.push("/api/v1/reports/inbox".to_string());
    println!(
        "{} as {} and {}, {} clients, {} s per page",
        base, options.username, options.leader, options.clients, options.seconds
    );
    for path in targets {
        measure(&http, &base, &path, &options).await?;
    }
    let (leader, unit) = log_in(&options, &options.leader).await?;
    let mut boards = vec!["/dashboard".to_string()];
    if let Some(unit) = unit {
        boards.push(format!("/dashboard/{unit}/wall"));
    }
    boards.push("/analytics".to_string());
    for path in boards {
        measure(&leader, &base, &path, &options).await?;
    }
    Ok(())
}
