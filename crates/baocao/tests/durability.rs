//! Nothing acknowledged is lost: the real binary is killed with SIGKILL in the
//! middle of a burst of concurrent submissions; after a restart every
//! submission that got a 200 is there, frozen as version 1, and the audit
//! ledger still verifies.
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
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

const PASSWORD: &str = "durability test password";

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

fn start(db: &str, port: u16, demo: bool) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_baocao"));
    // The demo writes its test PKI into the working folder when the
    // database is not a file: a folder of this process's own, not the crate.
    cmd.current_dir(work_dir(port));
    if demo {
        cmd.args(["demo", "--no-history", "--password", PASSWORD, "--data-dir"])
            .arg(data_dir());
    } else {
        cmd.arg("serve");
    }
    cmd.args(["--database", db, "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn wait_up(base: &str) {
    let c = Client::new();
    for _ in 0..600 {
        if let Ok(r) = c.get(format!("{base}/healthz")).send().await {
            if r.status() == StatusCode::OK {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("server did not start");
}

struct Api {
    http: Client,
    base: String,
    token: String,
}

impl Api {
    async fn login(base: &str, username: &str) -> Api {
        let http = Client::builder().cookie_store(true).build().unwrap();
        let r = http
            .post(format!("{base}/api/v1/session"))
            .json(&json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "login {username}");
        let csrf = r.json::<Value>().await.unwrap()["csrf_token"]
            .as_str()
            .unwrap()
            .to_string();
        let r = http
            .post(format!("{base}/api/v1/tokens"))
            .header("x-csrf-token", csrf)
            .json(&json!({"name": "durability"}))
            .send()
            .await
            .unwrap();
        let token = r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string();
        Api {
            http: Client::new(),
            base: base.to_string(),
            token,
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Value) -> (StatusCode, Value) {
        let mut r = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if !body.is_null() {
            r = r.json(&body);
        }
        let r = r.send().await.unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_server_loses_no_acknowledged_submission() {
    let dir = std::env::temp_dir().join(format!("baocao-durability-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}", dir.join("d.db").display());
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = start(&db, port, true);
    wait_up(&base).await;
    let get = reqwest::Method::GET;
    let post = reqwest::Method::POST;

    // An officer who is data-entry officer and unit head of 60 pre-reform
    // communes, each owing six months of the demo's monthly regime: 360 reports.
    let admin = Api::login(&base, "admin").await;
    let (_, found) = admin
        .call(
            get.clone(),
            "/api/v1/units?code=40&level=province",
            Value::Null,
        )
        .await;
    let province = found[0]["id"].as_i64().unwrap();
    let (_, tree) = admin
        .call(
            get.clone(),
            &format!("/api/v1/units/{province}/subtree?date=2025-06-01"),
            Value::Null,
        )
        .await;
    let communes: Vec<i64> = tree
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["level"] == "commune")
        .map(|u| u["id"].as_i64().unwrap())
        .take(60)
        .collect();
    assert_eq!(communes.len(), 60);
    let (status, user) = admin
        .call(
            post.clone(),
            "/api/v1/users",
            json!({"username": "burst", "display_name": "Burst",
            "password": PASSWORD, "unit_id": communes[0], "role": "unit_head"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let uid = user["id"].as_i64().unwrap();
    for (i, c) in communes.iter().enumerate() {
        for role in ["data_entry", "unit_head"] {
            if i == 0 && role == "unit_head" {
                continue;
            }
            let (status, body) = admin
                .call(
                    post.clone(),
                    &format!("/api/v1/users/{uid}/grants"),
                    json!({"role": role, "unit_id": c}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
    }
    let officer = Arc::new(Api::login(&base, "burst").await);
    let (_, regime) = officer
        .call(get.clone(), "/api/v1/regimes/BC-KTXH-T", Value::Null)
        .await;
    let (_, indicators) = officer
        .call(get.clone(), "/api/v1/indicators", Value::Null)
        .await;
    let entered = |code: &str| {
        indicators
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["code"] == code && i.get("formula").is_none())
    };
    let cell = regime["versions"][0]["forms"][0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["indicator"].as_str().unwrap().to_string())
        .find(|c| entered(c))
        .unwrap();
    let mut ids = Vec::new();
    for c in &communes {
        for month in 1..=6 {
            let (status, report) = officer
                .call(post.clone(), "/api/v1/reports", json!({"regime": "BC-KTXH-T", "unit_id": c, "period": format!("2025M{month:02}")}))
                .await;
            assert_eq!(status, StatusCode::OK, "{report}");
            let id = report["id"].as_i64().unwrap();
            let (status, body) = officer
                .call(
                    reqwest::Method::PUT,
                    &format!("/api/v1/reports/{id}/draft"),
                    json!({"values": {cell.clone(): format!("{}", id * 7)}}),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            ids.push(id);
        }
    }

    // The burst: 16 clients submit; the server is killed after 120 acknowledgements.
    let acked = Arc::new(std::sync::Mutex::new(Vec::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let queue = Arc::new(std::sync::Mutex::new(ids.clone()));
    let mut workers = Vec::new();
    for _ in 0..16 {
        let (officer, acked, count, queue) =
            (officer.clone(), acked.clone(), count.clone(), queue.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let Some(id) = queue.lock().unwrap().pop() else {
                    break;
                };
                let sent = officer
                    .http
                    .post(format!("{}/api/v1/reports/{id}/submit", officer.base))
                    .bearer_auth(&officer.token)
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status() == StatusCode::OK => {
                        acked.lock().unwrap().push(id);
                        count.fetch_add(1, Ordering::SeqCst);
                    }
                    Ok(r) => panic!("submission {id} refused: {}", r.status()),
                    Err(_) => break, // the server is gone
                }
            }
        }));
    }
    let waiting = std::time::Instant::now();
    while count.load(Ordering::SeqCst) < 120 {
        assert!(
            waiting.elapsed() < Duration::from_secs(120),
            "only {} submissions acknowledged in two minutes",
            count.load(Ordering::SeqCst)
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    for w in workers {
        w.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 120 && acked.len() < ids.len(),
        "killed mid-burst: {} of {}",
        acked.len(),
        ids.len()
    );

    // Restart: every acknowledged submission is there, frozen as version 1.
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = start(&db, port, false);
    wait_up(&base).await;
    let officer = Api::login(&base, "burst").await;
    let mut submitted = std::collections::BTreeSet::new();
    for id in &ids {
        let (status, view) = officer
            .call(get.clone(), &format!("/api/v1/reports/{id}"), Value::Null)
            .await;
        assert_eq!(status, StatusCode::OK);
        match view["status"].as_str() {
            Some("submitted") => {
                assert_eq!(view["versions"].as_array().unwrap().len(), 1);
                assert_eq!(
                    view["versions"][0]["content"]["values"][&cell],
                    format!("{}", id * 7)
                );
                submitted.insert(*id);
            }
            other => assert_eq!(other, Some("draft"), "report {id}"),
        }
    }
    // Every acknowledged submission survived the kill (submissions in flight
    // when it came may have been committed too, unacknowledged).
    let lost: Vec<_> = acked.iter().filter(|id| !submitted.contains(id)).collect();
    assert!(lost.is_empty(), "acknowledged submissions lost: {lost:?}");
    let submitted = submitted.len();
    eprintln!(
        "acknowledged {} of {}, found {submitted} submitted after the restart",
        acked.len(),
        ids.len()
    );
    server.kill().unwrap();
    server.wait().unwrap();

    // The audit ledger is intact.
    let out = Command::new(env!("CARGO_BIN_EXE_baocao"))
        .args(["audit", "verify", "--database", &db, "--lang", "en"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A folder of the test's own for a server process to work in.
fn work_dir(port: u16) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("baocao-test-server-{port}"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
