//! Two `serve` processes on one PostgreSQL database: a report accepted
//! through one shows in the other's analytics within a second (each process
//! follows the audit ledger, docs/decisions/0011).
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
use std::time::{Duration, Instant};

use baocao_store::Backend;
use baocao_testkit::TestDb;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

const PASSWORD: &str = "two servers password";

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

/// A process of the binary with its configuration file; killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(config: &std::path::Path, port: u16, demo: bool) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_baocao"));
    // The demo writes its test PKI into the working folder when the
    // database is not a file: a folder of this process's own, not the crate.
    cmd.current_dir(work_dir(port));
    cmd.arg("--config").arg(config);
    if demo {
        cmd.args(["demo", "--no-history", "--password", PASSWORD, "--data-dir"])
            .arg(data_dir());
    } else {
        cmd.arg("serve");
    }
    cmd.args(["--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    Server(cmd.spawn().unwrap())
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
    panic!("server at {base} did not start");
}

/// A logged-in client and its CSRF token.
async fn login(base: &str, username: &str) -> (Client, String) {
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
    (http, csrf)
}

async fn call(
    c: &Client,
    csrf: &str,
    method: reqwest::Method,
    url: String,
    body: Value,
) -> (StatusCode, Value) {
    let r = c
        .request(method, url)
        .header("x-csrf-token", csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The computed HC02 of Vinh for 2025M03 as the leader sees it through `base`.
async fn vinh_figure(c: &Client, base: &str, vinh: i64) -> (StatusCode, Value) {
    let r = c
        .get(format!(
            "{base}/api/v1/analytics?indicators=HC02&unit={vinh}&periods=2025M03&reading=computed"
        ))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    (status, body["figures"][0]["value"].clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_acceptance_through_one_server_shows_in_the_other_within_a_second() {
    let db = TestDb::new(Backend::Postgres).await;
    let dir = std::env::temp_dir().join(format!("baocao-two-servers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("baocao.toml");
    std::fs::write(
        &config,
        format!(
            "database_url = {:?}\ndatabase_schema = {:?}\n",
            db.options.url,
            db.options.schema.clone().unwrap()
        ),
    )
    .unwrap();
    // The first process loads the demo (without history) and serves; the
    // second serves the same database.
    let (port_a, port_b) = (free_port(), free_port());
    let (a, b) = (
        format!("http://127.0.0.1:{port_a}"),
        format!("http://127.0.0.1:{port_b}"),
    );
    let _first = start(&config, port_a, true);
    wait_up(&a).await;
    let _second = start(&config, port_b, false);
    wait_up(&b).await;

    let (leader, _) = login(&b, "tinh.lanhdao").await;
    let (admin, ac) = login(&a, "admin").await;
    let (_, found) = call(
        &admin,
        &ac,
        reqwest::Method::GET,
        format!("{a}/api/v1/units?code=412&level=district"),
        Value::Null,
    )
    .await;
    let vinh = found[0]["id"].as_i64().unwrap();
    // Nothing yet: the figure is missing, never zero (waiting while the
    // second process builds its engine).
    let started = Instant::now();
    loop {
        let (status, value) = vinh_figure(&leader, &b, vinh).await;
        if status == StatusCode::OK {
            assert!(value.is_null(), "{value}");
            break;
        }
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{value}");
        assert!(started.elapsed() < Duration::from_secs(60));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // A ward of Vinh reports through the first process.
    let (officer, oc) = login(&a, "xa.nhaplieu").await;
    let (head, hc) = login(&a, "xa.chutich").await;
    let (reviewer, rc) = login(&a, "vinh.tonghop").await;
    let (status, mine) = call(
        &officer,
        &oc,
        reqwest::Method::GET,
        format!("{a}/api/v1/session"),
        Value::Null,
    )
    .await;
    let ward = mine["grants"][0]["unit_id"].as_i64();
    assert!(ward.is_some(), "{status} {mine}");
    let (status, report) = call(
        &officer,
        &oc,
        reqwest::Method::POST,
        format!("{a}/api/v1/reports"),
        json!({"regime": "BC-KTXH-T", "unit_id": ward.unwrap(), "period": "2025M03"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let id = report["id"].as_i64().unwrap();
    let (status, body) = call(
        &officer,
        &oc,
        reqwest::Method::PUT,
        format!("{a}/api/v1/reports/{id}/draft"),
        json!({"values": {"HC02": "1234"}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = call(
        &head,
        &hc,
        reqwest::Method::POST,
        format!("{a}/api/v1/reports/{id}/submit"),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = call(
        &reviewer,
        &rc,
        reqwest::Method::POST,
        format!("{a}/api/v1/reports/{id}/accept"),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let accepted = Instant::now();

    // The second process shows it within a second.
    loop {
        let (status, value) = vinh_figure(&leader, &b, vinh).await;
        assert_eq!(status, StatusCode::OK);
        if value == "1234" {
            break;
        }
        assert!(
            accepted.elapsed() < Duration::from_secs(1),
            "not visible through the other server after {:?}: {value}",
            accepted.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    eprintln!(
        "visible through the other server {} ms after the acceptance was answered",
        accepted.elapsed().as_millis()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A folder of the test's own for a server process to work in.
fn work_dir(port: u16) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("baocao-test-server-{port}"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
