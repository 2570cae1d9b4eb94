//! One user must never stop the service for the others. The release binary
//! serves the demo while, at once, 2,000 logins arrive at concurrency 50 (each
//! from its own address behind a trusted proxy, so that every one is judged or
//! told to wait), one client opens 5,000 idle connections, and two officers
//! upload spreadsheets that inflate to 1.5 GB. Meanwhile a well-behaved client
//! keeps loading `/healthz` and a report page: every answer must come within a
//! second, and the server's memory must stay under 1 GB.
//!
//! Ignored by default (it needs a release build):
//! `cargo build --release --bin baocao && BAOCAO_FLOOD_BIN=$CARGO_TARGET_DIR/release/baocao \
//!  cargo test -p baocao --test flood -- --ignored --nocapture` (as `.ci/run` does).
// Scenario tests read top to bottom, as a user goes through the system:
// the 80-line bound on functions is for the code they test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    missing_docs
)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

const PASSWORD: &str = "flood test password";
const ONE_GB: u64 = 1024 * 1024 * 1024;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/vn-admin")
}

/// Resident memory of a process, in bytes (Linux).
fn rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

async fn wait_up(base: &str) {
    let c = Client::new();
    for _ in 0..1200 {
        if let Ok(r) = c.get(format!("{base}/healthz")).send().await {
            if r.status() == StatusCode::OK {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("server did not start");
}

/// A logged-in client (cookie) and its CSRF token.
async fn login(base: &str, username: &str) -> (Client, String) {
    let http = Client::builder().cookie_store(true).build().unwrap();
    let r = http
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"username": username, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "login {username}");
    let body: Value = r.json().await.unwrap();
    (http, body["csrf_token"].as_str().unwrap().to_string())
}

/// The current month's id in Vietnam, e.g. `2026M11`.
fn this_month() -> String {
    use chrono::Datelike;
    let today = (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive();
    format!("{}M{:02}", today.year(), today.month())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs the release binary: BAOCAO_FLOOD_BIN=…/release/baocao (see .ci/run)"]
async fn a_flood_of_logins_connections_and_bombs_does_not_stop_the_service() {
    let bin = std::env::var("BAOCAO_FLOOD_BIN").expect("BAOCAO_FLOOD_BIN names the release binary");
    let dir = std::env::temp_dir().join(format!("baocao-flood-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("baocao.toml"),
        "trusted_proxies = [\"127.0.0.1\"]\n",
    )
    .unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = Command::new(&bin)
        .args(["demo", "--no-history", "--password", PASSWORD, "--data-dir"])
        .arg(data_dir())
        .arg("--config")
        .arg(dir.join("baocao.toml"))
        .args([
            "--database",
            &format!("sqlite://{}", dir.join("flood.db").display()),
        ])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = server.id();
    wait_up(&base).await;

    // The officer's report: the well-behaved client reads its page, the bombs aim at it.
    let (officer, oc) = login(&base, "xa2025.nhaplieu").await;
    let session: Value = officer
        .get(format!("{base}/api/v1/session"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let unit = session["grants"][0]["unit_id"].as_i64().unwrap();
    let r = officer
        .post(format!("{base}/api/v1/reports"))
        .header("x-csrf-token", &oc)
        .json(&json!({"regime": "BC-KTXH-T", "unit_id": unit, "period": this_month()}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let report = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let page = format!("{base}/reports/{report}");
    let (officer_page, _) = login(&base, "xa2025.nhaplieu").await;
    assert_eq!(
        officer_page.get(&page).send().await.unwrap().status(),
        StatusCode::OK
    );

    let t0 = Instant::now();
    let bomb = Arc::new(baocao_testkit::bombs::bare_inflation_bomb(
        1536 * 1024 * 1024,
    ));
    println!(
        "bomb: {} bytes inflating to 1.5 GB, made in {:.1} s",
        bomb.len(),
        t0.elapsed().as_secs_f64()
    );

    let done = Arc::new(AtomicBool::new(false));
    // Memory, sampled all along.
    let peak = Arc::new(AtomicUsize::new(0));
    let sampler = {
        let (done, peak) = (done.clone(), peak.clone());
        tokio::spawn(async move {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(rss(pid) as usize, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    // The well-behaved client: /healthz and the report page, over and over.
    let watcher = {
        let (done, base, page) = (done.clone(), base.clone(), page.clone());
        tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = Vec::new();
            while !done.load(Ordering::Relaxed) {
                for url in [format!("{base}/healthz"), page.clone()] {
                    let start = Instant::now();
                    let r =
                        tokio::time::timeout(Duration::from_secs(5), officer_page.get(&url).send())
                            .await;
                    let took = start.elapsed();
                    match r {
                        Ok(Ok(r)) if r.status() == StatusCode::OK => latencies.push(took),
                        other => failures.push(format!("{url}: {other:?}")),
                    }
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            (latencies, failures)
        })
    };

    // 5,000 idle connections from one client (address 127.0.0.2).
    let idle = tokio::spawn({
        let base = base.clone();
        async move {
            let addr: std::net::SocketAddr = base.trim_start_matches("http://").parse().unwrap();
            let mut held = Vec::new();
            for _ in 0..5000 {
                let socket = tokio::net::TcpSocket::new_v4().unwrap();
                socket.bind("127.0.0.2:0".parse().unwrap()).unwrap();
                if let Ok(stream) = socket.connect(addr).await {
                    held.push(stream);
                }
            }
            tokio::time::sleep(Duration::from_secs(5)).await;
            held.len()
        }
    });
    // Two bombs at once.
    let bombs: Vec<_> = (0..2)
        .map(|_| {
            let (officer, oc, bomb, base) =
                (officer.clone(), oc.clone(), bomb.clone(), base.clone());
            tokio::spawn(async move {
                let start = Instant::now();
                let r = officer
                    .put(format!("{base}/api/v1/reports/{report}/xlsx"))
                    .header("x-csrf-token", oc)
                    .body(bomb.as_ref().clone())
                    .send()
                    .await
                    .unwrap();
                (r.status(), start.elapsed())
            })
        })
        .collect();
    // 2,000 logins at concurrency 50, each from its own forwarded address.
    let statuses = Arc::new(std::sync::Mutex::new(std::collections::BTreeMap::<
        u16,
        usize,
    >::new()));
    let next = Arc::new(AtomicUsize::new(0));
    let flood_start = Instant::now();
    let workers: Vec<_> = (0..50)
        .map(|_| {
            let (statuses, next, base) = (statuses.clone(), next.clone(), base.clone());
            tokio::spawn(async move {
                let http = Client::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= 2000 {
                        break;
                    }
                    let r = http
                        .post(format!("{base}/api/v1/session"))
                        .header("x-forwarded-for", format!("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256))
                        .json(&json!({"username": format!("khong.co.{i}"), "password": "sai mat khau dai"}))
                        .send()
                        .await;
                    let code = r.map(|r| r.status().as_u16()).unwrap_or(0);
                    *statuses.lock().unwrap().entry(code).or_default() += 1;
                }
            })
        })
        .collect();
    for w in workers {
        w.await.unwrap();
    }
    let flood_took = flood_start.elapsed();
    let mut bomb_answers = Vec::new();
    for b in bombs {
        bomb_answers.push(b.await.unwrap());
    }
    let kept = idle.await.unwrap();
    done.store(true, Ordering::Relaxed);
    let (mut latencies, failures) = watcher.await.unwrap();
    sampler.await.unwrap();
    let peak = peak.load(Ordering::Relaxed) as u64;
    latencies.sort();
    let statuses = statuses.lock().unwrap().clone();
    println!("logins: {statuses:?} in {:.1} s", flood_took.as_secs_f64());
    println!("idle connections opened by the client: {kept} of 5000");
    println!("bombs: {bomb_answers:?}");
    println!(
        "well-behaved client: {} answers, p50 {:?}, p99 {:?}, max {:?}, failures {}",
        latencies.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or_default(),
        failures.len()
    );
    println!("server memory: peak {} MB resident", peak / (1024 * 1024));

    // The server is still up and answers.
    assert_eq!(
        Client::new()
            .get(format!("{base}/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    server.kill().ok();
    server.wait().ok();
    let _ = std::fs::remove_dir_all(&dir);

    assert!(failures.is_empty(), "{failures:?}");
    assert!(latencies.len() > 10, "the client kept being served");
    assert!(
        latencies.last().copied().unwrap_or_default() < Duration::from_secs(1),
        "every answer within a second"
    );
    assert!(peak < ONE_GB, "memory under 1 GB: {peak}");
    assert_eq!(statuses.values().sum::<usize>(), 2000);
    assert!(
        statuses.keys().all(|s| [401, 429, 503].contains(s)),
        "{statuses:?}"
    );
    for (status, _) in &bomb_answers {
        assert_eq!(*status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}
