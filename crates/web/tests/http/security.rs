//! Hostile and clumsy input (issue "Security and robustness"): spreadsheet
//! bombs, escalation through user administration, login floods, connection
//! floods, periods a regime does not have, existence probing, stale tokens,
//! header injection, silent data loss and lost updates. Each test fails
//! without its fix.

use std::time::Duration;

use baocao_testkit::bombs;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::*;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A commune report of the three-level regime, opened by its officer: the
/// officer's client, CSRF token, the report id and its downloaded template.
async fn commune_report(t: &TestApp) -> (Client, String, i64, Vec<u8>) {
    t.app
        .apply_metadata(&system_principal(), &three_level_metadata())
        .await
        .unwrap();
    let (officer, oc) = t.login("commune.officer").await;
    let (status, report) = t
        .post(
            &officer,
            &oc,
            "/api/v1/reports",
            json!({"regime": "BC-LD", "unit_id": t.commune.get(), "period": "2025M03"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let id = report["id"].as_i64().unwrap();
    let template = officer
        .get(format!("{}/api/v1/reports/{id}/xlsx", t.base))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    (officer, oc, id, template)
}

async fn put_xlsx(
    t: &TestApp,
    c: &Client,
    csrf: &str,
    id: i64,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let r = c
        .put(format!("{}/api/v1/reports/{id}/xlsx", t.base))
        .header("x-csrf-token", csrf)
        .header("content-type", XLSX)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

both_backends!(
    async fn spreadsheet_bombs_are_refused_after_the_rights_check_and_the_server_lives_on(store) {
        let t = spawn_app(store).await;
        let (officer, oc, id, template) = commune_report(&t).await;
        let (_, saved) = send(&officer, reqwest::Method::PUT, format!("{}/api/v1/reports/{id}/draft", t.base), &oc, json!({"values": {"LD01": "120", "LD01/sex:male": "70", "LD01/sex:female": "50"}, "sections": {"I": "Tình hình tốt"}})).await;
        assert_eq!(saved["values"]["LD01"], "120", "{saved}");
        let before = t.stored_values(id).await;

        // Rights first: a report that does not exist, or is not the caller's, is
        // answered before the file is looked at.
        let bomb = bombs::dimension_bomb(&template);
        assert!(bomb.len() < 16 * 1024, "a few kilobytes: {}", bomb.len());
        assert_eq!(put_xlsx(&t, &officer, &oc, 999_999, bomb.clone()).await.0, StatusCode::NOT_FOUND);
        let (other, xc) = t.login("other.officer").await;
        assert_eq!(put_xlsx(&t, &other, &xc, id, bomb.clone()).await.0, StatusCode::NOT_FOUND);

        // A cell at XFD1048576 (declared and actual): refused by its reference.
        let (status, body) = put_xlsx(&t, &officer, &oc, id, bomb).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let message = body["error"]["fields"][0]["message"].as_str().unwrap();
        assert!(message.contains("XFD1048576") && message.contains("ngoài phạm vi biểu mẫu"), "{body}");
        let (status, body) = put_xlsx(&t, &officer, &oc, id, bombs::far_cell(&template)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("Z900000"), "{body}");

        // Inflation: a sheet that inflates to 200 MB, shared strings that declare a trillion.
        let inflated = bombs::inflation_bomb(&template, 200 * 1024 * 1024);
        assert!(inflated.len() < 1024 * 1024, "compressed: {}", inflated.len());
        for bomb in [inflated, bombs::strings_bomb(&template), bombs::bare_inflation_bomb(100 * 1024 * 1024)] {
            let (status, body) = put_xlsx(&t, &officer, &oc, id, bomb).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("giải nén ra quá lớn"), "{body}");
        }
        // The page upload takes the same path.
        let page = page_login(&t, "commune.officer").await;
        let html = page.get(format!("{}/reports/{id}", t.base)).send().await.unwrap().text().await.unwrap();
        let csrf = hidden_field(&html, "_csrf");
        let mut body = format!("--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bom.xlsx\"\r\n\r\n").into_bytes();
        body.extend(bombs::dimension_bomb(&template));
        body.extend_from_slice(b"\r\n--XyZ--\r\n");
        let r = page
            .post(format!("{}/reports/{id}/upload", t.base))
            .header("content-type", "multipart/form-data; boundary=XyZ")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        assert!(text.contains("XFD1048576"), "{status}: {text}");

        // A file that carries no value would erase the draft: refused.
        let (status, body) = put_xlsx(&t, &officer, &oc, id, bombs::without_keys(&template)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("không chứa số liệu"), "{body}");
        let r = officer.put(format!("{}/api/v1/reports/{id}/csv", t.base)).header("x-csrf-token", &oc).body("cell,value\n").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = officer.put(format!("{}/api/v1/reports/{id}/csv", t.base)).header("x-csrf-token", &oc).body("cell,value\nLD01,5\nLD01,6\n").send().await.unwrap();
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["lines"][0]["line"], 3, "a duplicated cell is refused at its second line: {body}");
        // A value the decimal type would round is refused, never rounded.
        let (status, body) = send(&officer, reqwest::Method::PUT, format!("{}/api/v1/reports/{id}/draft", t.base), &oc, json!({"values": {"LD01": "0,0000000000000000000000000000001"}})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

        // Nothing changed, and the server still answers.
        assert_eq!(t.stored_values(id).await, before);
        assert_eq!(client().get(format!("{}/healthz", t.base)).send().await.unwrap().status(), StatusCode::OK);
    }
);

both_backends!(
    async fn a_scoped_administrator_cannot_take_over_a_system_wide_account(store) {
        let t = spawn_app(store).await;
        // A user at home in Vinh holding a system-wide administrator grant.
        let admin = system_principal();
        let input = UserInput {
            username: "vinh.superadmin".into(),
            display_name: "Quản trị toàn hệ thống".into(),
            password: PASSWORD.into(),
            unit: Some(t.district),
            locale: "vi".into(),
            role: None,
        };
        let target = t.app.create_user(&admin, &input).await.unwrap();
        let grant = t.app.grant_role(&admin, target, Role::SystemAdmin, None).await.unwrap();
        let (dadmin, dc) = t.login("district.admin").await;
        let url = |rest: &str| format!("{}/api/v1/users/{target}{rest}", t.base);
        let (status, _) = send(&dadmin, reqwest::Method::PUT, url("/password"), &dc, json!({"password": "taken over password"})).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "password reset");
        let (status, _) = send(&dadmin, reqwest::Method::PUT, url("/email"), &dc, json!({"email": "attacker@example.vn"})).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "e-mail (a reset link would go there)");
        let (status, _) = send(&dadmin, reqwest::Method::POST, url("/grants"), &dc, json!({"role": "data_entry", "unit_id": t.district.get()})).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "grant");
        let r = dadmin.delete(url(&format!("/grants/{grant}"))).header("x-csrf-token", &dc).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "revoke");
        let page = page_login(&t, "district.admin").await;
        let users = page.get(format!("{}/admin/users", t.base)).send().await.unwrap().text().await.unwrap();
        assert!(!users.contains("vinh.superadmin"), "not listed as manageable");
        assert_eq!(page.get(format!("{}/admin/users/{target}", t.base)).send().await.unwrap().status(), StatusCode::NOT_FOUND);
        let html = page.get(format!("{}/admin/users", t.base)).send().await.unwrap().text().await.unwrap();
        let csrf = hidden_field(&html, "_csrf");
        let r = page.post(format!("{}/admin/users/{target}/disable", t.base)).form(&[("_csrf", csrf.as_str()), ("disabled", "1")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "disable");
        // Nothing changed: the account still works with its own password.
        assert!(t.app.login("vinh.superadmin", PASSWORD, "10.0.0.1").await.is_ok());
        assert_eq!(t.app.user_by_name("vinh.superadmin").await.unwrap().email, None);
        // The same administrator still manages its district's own staff.
        let officer = t.user_id("district.officer").await;
        let (status, _) = send(&dadmin, reqwest::Method::PUT, format!("{}/api/v1/users/{officer}/password", t.base), &dc, json!({"password": "a new long password"})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
);

async fn concurrent_logins(
    t: &TestApp,
    attempts: Vec<(String, String)>,
) -> Vec<(StatusCode, Option<String>)> {
    let mut tasks = Vec::new();
    for (username, password) in attempts {
        let url = format!("{}/api/v1/session", t.base);
        tasks.push(tokio::spawn(async move {
            let r = client()
                .post(url)
                .json(&json!({"username": username, "password": password}))
                .send()
                .await
                .unwrap();
            let retry = r
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_string());
            (r.status(), retry)
        }));
    }
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await.unwrap());
    }
    out
}

both_backends!(
    async fn concurrent_wrong_passwords_are_evaluated_no_more_than_the_limit(store) {
        let t = spawn_app(store).await;
        let wrong: Vec<(String, String)> = (0..40).map(|i| ("commune.officer".to_string(), format!("wrong password {i}"))).collect();
        let answers = concurrent_logins(&t, wrong).await;
        let evaluated = answers.iter().filter(|(s, _)| *s == StatusCode::UNAUTHORIZED).count();
        let throttled = answers.iter().filter(|(s, _)| *s == StatusCode::TOO_MANY_REQUESTS).count();
        assert_eq!((evaluated, throttled), (5, 35), "{answers:?}");
        assert!(answers.iter().filter(|(s, _)| *s == StatusCode::TOO_MANY_REQUESTS).all(|(_, retry)| retry.is_some()));
        // Locked: even the right password waits for the window.
        let answers = concurrent_logins(&t, vec![("commune.officer".into(), PASSWORD.into())]).await;
        assert_eq!(answers[0].0, StatusCode::TOO_MANY_REQUESTS);
    }
);

both_backends!(
    async fn a_burst_from_one_address_is_evaluated_no_more_than_the_address_limit(store) {
        let t = spawn_app(store).await;
        let attempts = |from: usize, n: usize| -> Vec<(String, String)> {
            (from..from + n).map(|i| (format!("nobody.{i}"), "some wrong password".to_string())).collect()
        };
        // A burst: some are judged, some wait for the password threads (503,
        // and then they do not count), the rest are throttled.
        let answers = concurrent_logins(&t, attempts(0, 80)).await;
        let count = |answers: &[(StatusCode, Option<String>)], s: StatusCode| answers.iter().filter(|(x, _)| *x == s).count();
        let mut evaluated = count(&answers, StatusCode::UNAUTHORIZED);
        assert!(evaluated <= 50, "{answers:?}");
        assert_eq!(
            evaluated + count(&answers, StatusCode::SERVICE_UNAVAILABLE) + count(&answers, StatusCode::TOO_MANY_REQUESTS),
            80,
            "{answers:?}"
        );
        // Then one at a time until the address is throttled (with the time to
        // wait): never more than 50 judged in the window.
        let mut throttled = None;
        for i in 0..60 {
            let answer = concurrent_logins(&t, attempts(100 + i, 1)).await;
            match answer[0].0 {
                StatusCode::UNAUTHORIZED => evaluated += 1,
                StatusCode::TOO_MANY_REQUESTS => {
                    throttled = answer[0].1.clone();
                    break;
                }
                // Busy (a loaded machine): not judged, not counted; try again.
                StatusCode::SERVICE_UNAVAILABLE => {}
                other => panic!("{other}"),
            }
        }
        assert!(throttled.is_some(), "throttled within the limit");
        assert!(evaluated <= 50, "{evaluated}");
        // One at a time from another address: exactly 50 judged, then throttled.
        for i in 0..50 {
            // Busy (a loaded machine: the hashing queue is full) is not judged; try again.
            let e = loop {
                match t.app.login(&format!("ghost.{i}"), "wrong wrong wrong", "192.0.2.9").await.unwrap_err() {
                    baocao_app::AppError::Busy { .. } => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
                    e => break e,
                }
            };
            assert!(matches!(e, baocao_app::AppError::BadCredentials), "{i}: {e:?}");
        }
        let e = t.app.login("ghost.50", "wrong wrong wrong", "192.0.2.9").await.unwrap_err();
        assert!(matches!(e, baocao_app::AppError::Throttled { .. }), "{e:?}");
        // A successful login from another address is not affected.
        assert!(t.app.login("leader", PASSWORD, "192.0.2.1").await.is_ok());
    }
);

/// Opens a TCP connection to `base` from `source` (an address of 127.0.0.0/8).
async fn connect_from(base: &str, source: &str) -> tokio::net::TcpStream {
    let addr: std::net::SocketAddr = base.trim_start_matches("http://").parse().unwrap();
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(format!("{source}:0").parse().unwrap()).unwrap();
    socket.connect(addr).await.unwrap()
}

/// Whether the server closes the connection within `wait` (reads end of file).
async fn closed_within(stream: &mut tokio::net::TcpStream, wait: Duration) -> bool {
    let mut buf = [0u8; 64];
    matches!(
        tokio::time::timeout(wait, stream.read(&mut buf)).await,
        Ok(Ok(0) | Err(_))
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_slow_connections_are_bounded_and_closed() {
    let db = baocao_testkit::TestDb::new(baocao_testkit::Backend::Sqlite).await;
    let config = baocao_web::WebConfig {
        connections: baocao_web::ConnectionLimits {
            max_connections: 12,
            max_per_address: 4,
            header_read_timeout: Duration::from_secs(4),
            trusted_proxies: Vec::new(),
        },
        ..Default::default()
    };
    let t = spawn_app_with(db.store.clone(), config).await;
    // One address gets its four; the rest are closed at once.
    let mut flood = Vec::new();
    for _ in 0..10 {
        flood.push(connect_from(&t.base, "127.0.0.2").await);
    }
    let mut closed = 0;
    for stream in flood.iter_mut() {
        if closed_within(stream, Duration::from_millis(150)).await {
            closed += 1;
        }
    }
    assert_eq!(closed, 6, "four kept, six refused");
    // Another client is served meanwhile.
    let r = client()
        .get(format!("{}/healthz", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // Idle and slow-header connections are closed after the header timeout.
    let mut slow = connect_from(&t.base, "127.0.0.3").await;
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    assert!(
        closed_within(&mut slow, Duration::from_secs(6)).await,
        "slow headers cut"
    );
    let mut kept = 0;
    for stream in flood.iter_mut() {
        if closed_within(stream, Duration::from_secs(6)).await {
            kept += 1;
        }
    }
    assert_eq!(kept, 10, "idle connections closed after the timeout");
    // The total cap: past it, connections are closed at once, from any address.
    let mut many = Vec::new();
    for i in 0..14 {
        many.push(connect_from(&t.base, &format!("127.0.1.{}", i + 1)).await);
    }
    let mut refused = 0;
    for stream in many.iter_mut() {
        if closed_within(stream, Duration::from_millis(150)).await {
            refused += 1;
        }
    }
    assert_eq!(refused, 2, "twelve at most");
    db.teardown().await;
}

both_backends!(
    async fn a_forged_forwarded_for_does_not_escape_the_address_limit(store) {
        // No trusted proxy: X-Forwarded-For from a client is ignored.
        let t = spawn_app(store).await;
        let mut statuses = Vec::new();
        for i in 0..52 {
            let r = client()
                .post(format!("{}/api/v1/session", t.base))
                .header("x-forwarded-for", format!("198.51.100.{i}"))
                .json(&json!({"username": format!("nobody.{i}"), "password": "wrong wrong wrong"}))
                .send()
                .await
                .unwrap();
            statuses.push(r.status());
        }
        assert_eq!(statuses[49], StatusCode::UNAUTHORIZED);
        assert_eq!(statuses[50], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
    }
);

both_backends!(
    async fn only_periods_of_the_regime_can_be_opened(store) {
        let t = spawn_app(store).await;
        let mut meta = three_level_metadata();
        meta.regimes[0].versions[0].from = "2024M01".into();
        t.app.apply_metadata(&system_principal(), &meta).await.unwrap();
        let (officer, oc) = t.login("commune.officer").await;
        let open = |period: &str| json!({"regime": "BC-LD", "unit_id": t.commune.get(), "period": period});
        for period in ["2025", "2025Q1", "2025S1", "ADHOC:2025-03-01..2025-03-20", "2099M12", "2023M12"] {
            let (status, body) = t.post(&officer, &oc, "/api/v1/reports", open(period)).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{period}: {body}");
            assert_eq!(body["error"]["fields"][0]["field"], "period", "{period}: {body}");
        }
        // The ward was abolished on 30/06/2025: nothing to report after.
        let (status, body) = t.post(&officer, &oc, "/api/v1/reports", open("2025M09")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("không tồn tại"), "{body}");
        // An ad-hoc regime takes only its requests' periods.
        let (status, _) = t.post(&officer, &oc, "/api/v1/reports", json!({"regime": "DX-BAO", "unit_id": t.commune.get(), "period": "2025M03"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, body) = t.post(&officer, &oc, "/api/v1/reports", open("2025M03")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // Timeliness of the receiving unit shows no phantom periods.
        let (reviewer, _) = t.login("district.reviewer").await;
        let (status, tl) = t.get(&reviewer, &format!("/api/v1/reports/timeliness?regime=BC-LD&period=2025M03&unit={}", t.district.get())).await;
        assert_eq!(status, StatusCode::OK, "{tl}");
    }
);

both_backends!(
    async fn only_instance_wide_administrators_change_the_calendar(store) {
        let t = spawn_app(store).await;
        let exception = json!({"date": "2026-03-10", "kind": "day_off", "reason": "Nghỉ bù"});
        let (district, dc) = t.login("district.regimes").await;
        let (status, _) = t.post(&district, &dc, "/api/v1/calendar/exceptions", exception.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let r = district.delete(format!("{}/api/v1/calendar/exceptions/2026-03-10", t.base)).header("x-csrf-token", &dc).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(t.app.calendar_exceptions().await.unwrap().is_empty());
        let (province, pc) = t.login("regime.admin").await;
        let (status, body) = t.post(&province, &pc, "/api/v1/calendar/exceptions", exception).await;
        assert!(status.is_success(), "{status}: {body}");
        assert_eq!(t.app.calendar_exceptions().await.unwrap().len(), 1);
    }
);

both_backends!(
    async fn absent_and_not_yours_read_the_same(store) {
        let t = spawn_app(store).await;
        let (officer, oc, id, _) = commune_report(&t).await;
        let pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec();
        let r = officer.post(format!("{}/api/v1/reports/{id}/attachments?name=a.pdf", t.base)).header("x-csrf-token", &oc).body(pdf).send().await.unwrap();
        let attachment: Value = r.json().await.unwrap();
        let (other, _) = t.login("other.officer").await;
        for (absent, foreign) in [
            ("/api/v1/reports/999999".to_string(), format!("/api/v1/reports/{id}")),
            ("/api/v1/reports/999999/attachments".into(), format!("/api/v1/reports/{id}/attachments")),
            ("/api/v1/attachments/999999".into(), format!("/api/v1/attachments/{}", attachment["id"])),
            ("/api/v1/reports/999999/xlsx".into(), format!("/api/v1/reports/{id}/xlsx")),
            ("/api/v1/units/999999".into(), format!("/api/v1/units/{}", t.commune)),
        ] {
            let a = t.get(&other, &absent).await;
            let f = t.get(&other, &foreign).await;
            assert_eq!(a.0, StatusCode::NOT_FOUND, "{absent}");
            assert_eq!(a, f, "{absent} vs {foreign}");
        }
        let (dadmin, dc) = t.login("district.admin").await;
        let province_reviewer = t.user_id("province.reviewer").await;
        let absent = send(&dadmin, reqwest::Method::PUT, format!("{}/api/v1/users/999999/email", t.base), &dc, json!({"email": ""})).await;
        let foreign = send(&dadmin, reqwest::Method::PUT, format!("{}/api/v1/users/{province_reviewer}/email", t.base), &dc, json!({"email": ""})).await;
        assert_eq!(absent.0, StatusCode::NOT_FOUND);
        assert_eq!(absent, foreign);
        // Lower levels do not read the levels above: not the district's report,
        // not the province's timeliness of its neighbours.
        let (dofficer, dc) = t.login("district.officer").await;
        let (_, district_report) = t.post(&dofficer, &dc, "/api/v1/reports", json!({"regime": "BC-LD", "unit_id": t.district.get(), "period": "2025M03"})).await;
        let did = district_report["id"].as_i64().unwrap();
        assert_eq!(t.get(&officer, &format!("/api/v1/reports/{did}")).await.0, StatusCode::NOT_FOUND);
        assert_eq!(t.get(&officer, &format!("/api/v1/reports/{did}/attachments")).await.0, StatusCode::NOT_FOUND);
        let province_tl = format!("/api/v1/reports/timeliness?regime=BC-LD&period=2025M03&unit={}", t.province.get());
        assert_eq!(t.get(&officer, &province_tl).await.0, StatusCode::NOT_FOUND);
        let (reviewer, _) = t.login("province.reviewer").await;
        assert_eq!(t.get(&reviewer, &province_tl).await.0, StatusCode::OK);
        // The receiving district's reviewer reads the commune's report.
        let (dreviewer, _) = t.login("district.reviewer").await;
        assert_eq!(t.get(&dreviewer, &format!("/api/v1/reports/{id}")).await.0, StatusCode::OK);
    }
);

both_backends!(
    async fn a_password_reset_revokes_api_tokens_unless_told_to_keep_them(store) {
        let t = spawn_app(store).await;
        let (officer, oc) = t.login("commune.officer").await;
        let (status, token) = t.post(&officer, &oc, "/api/v1/tokens", json!({"name": "script"})).await;
        assert_eq!(status, StatusCode::CREATED, "{token}");
        let secret = token["token"].as_str().unwrap().to_string();
        let with_token = |secret: String| {
            let url = format!("{}/api/v1/session", t.base);
            async move { client().get(url).bearer_auth(secret).send().await.unwrap().status() }
        };
        assert_eq!(with_token(secret.clone()).await, StatusCode::OK);
        let (admin, ac) = t.login("admin").await;
        let officer_id = t.user_id("commune.officer").await;
        let url = format!("{}/api/v1/users/{officer_id}/password", t.base);
        let (status, _) = send(&admin, reqwest::Method::PUT, url.clone(), &ac, json!({"password": "a fresh long password", "keep_tokens": true})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(with_token(secret.clone()).await, StatusCode::OK, "kept on request");
        let (status, _) = send(&admin, reqwest::Method::PUT, url, &ac, json!({"password": "another fresh password"})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(with_token(secret).await, StatusCode::UNAUTHORIZED, "revoked by default");
    }
);

both_backends!(
    async fn headers_names_and_texts_are_bounded_and_safe(store) {
        let t = spawn_app(store).await;
        // A `next` with CR/LF cannot split the Location header (it was a 500).
        let c = client();
        let login = c.get(format!("{}/login?next=/units%0D%0ASet-Cookie:%20x=1", t.base)).send().await.unwrap().text().await.unwrap();
        let csrf = hidden_field(&login, "_csrf");
        let r = c.post(format!("{}/login", t.base))
            .form(&[("_csrf", csrf.as_str()), ("username", "commune.officer"), ("password", PASSWORD), ("next", "/units\r\nSet-Cookie: x=1")])
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()["location"], "/reports", "an officer lands on its reports");
        // Security headers on pages and the API; caches keep only the assets.
        let page = c.get(format!("{}/reports", t.base)).send().await.unwrap();
        for h in ["content-security-policy", "x-frame-options", "referrer-policy", "x-content-type-options"] {
            assert!(page.headers().contains_key(h), "{h}");
        }
        assert!(page.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
        assert_eq!(page.headers()["cache-control"], "no-store");
        let api = c.get(format!("{}/api/v1/session", t.base)).send().await.unwrap();
        assert_eq!(api.headers()["cache-control"], "no-store");
        let css = c.get(format!("{}/assets/style.css", t.base)).send().await.unwrap();
        assert_ne!(css.headers()["cache-control"], "no-store");
        // Pages name the style sheet by its content's hash: kept a year on weak links.
        let html = c.get(format!("{}/reports", t.base)).send().await.unwrap().text().await.unwrap();
        let start = html.find("href=\"/assets/style.").expect("a hashed style sheet") + "href=\"".len();
        let href = &html[start..start + html[start..].find('"').unwrap()];
        assert!(href.ends_with(".css") && href.len() > "/assets/style.css".len(), "{href}");
        let css = c.get(format!("{}{href}", t.base)).send().await.unwrap();
        assert_eq!(css.status(), StatusCode::OK);
        assert_eq!(css.headers()["cache-control"], "public, max-age=31536000, immutable");
        assert_eq!(c.get(format!("{}/assets/style.0000000000000000.css", t.base)).send().await.unwrap().status(), StatusCode::NOT_FOUND);
        // Attachment names keep the extension of their content, without bidi controls.
        let (officer, oc, id, _) = commune_report(&t).await;
        let pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec();
        for (name, kept) in [("trang.html", "trang.pdf"), ("hinh.svg", "hinh.pdf"), ("hoa-don\u{202E}fdp.exe", "hoa-donfdp.pdf")] {
            let r = officer.post(format!("{}/api/v1/reports/{id}/attachments", t.base))
                .query(&[("name", name)]).header("x-csrf-token", &oc).body(pdf.clone()).send().await.unwrap();
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["name"], kept, "{body}");
        }
        // Free text has limits: a 900 KB unit name is refused.
        let (admin, ac) = t.login("admin").await;
        let name = "Xã ".to_string() + &"a".repeat(900 * 1024);
        let (status, body) = t.post(&admin, &ac, "/api/v1/units", json!({"kind": "agency", "level": "district", "code": "000.09.09.H40", "name": name, "parent_id": t.district.get()})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (status, _) = t.get(&admin, &format!("/api/v1/units?q={}", "a".repeat(500))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
);

both_backends!(
    async fn a_second_writer_is_told_instead_of_overwriting(store) {
        let t = spawn_app(store).await;
        let (officer, oc, id, template) = commune_report(&t).await;
        let (_, view) = t.get(&officer, &format!("/api/v1/reports/{id}")).await;
        let revision = view["revision"].as_i64().unwrap();
        let draft = format!("{}/api/v1/reports/{id}/draft", t.base);
        let save = |values: Value, base: i64| {
            let (officer, draft, oc) = (officer.clone(), draft.clone(), oc.clone());
            async move {
                officer.put(draft).header("x-csrf-token", oc).header("if-match", format!("\"{base}\"")).json(&json!({"values": values})).send().await.unwrap()
            }
        };
        // Two people opened revision N; the first saves, the second is told.
        let first = save(json!({"LD02": "1000"}), revision).await;
        assert_eq!(first.status(), StatusCode::OK);
        assert_eq!(first.headers()["etag"], format!("\"{}\"", revision + 1));
        let second = save(json!({"LD02": "2000"}), revision).await;
        assert_eq!(second.status(), StatusCode::CONFLICT);
        let body: Value = second.json().await.unwrap();
        assert!(body["error"]["message"].as_str().unwrap().contains("người khác lưu"), "{body}");
        assert_eq!(t.stored_values(id).await["LD02"], "1000");
        // The narrative typed after the template was downloaded survives an upload.
        let (status, _) = send(&officer, reqwest::Method::PUT, draft.clone(), &oc, json!({"values": {"LD02": "1000"}, "sections": {"I": "Viết sau khi tải biểu mẫu"}})).await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = put_xlsx(&t, &officer, &oc, id, fill(&template, &[("LD01", "12"), ("LD01/sex:male", "5"), ("LD01/sex:female", "7")], None)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, view) = t.get(&officer, &format!("/api/v1/reports/{id}")).await;
        assert_eq!(view["content"]["sections"]["I"], "Viết sau khi tải biểu mẫu");
        assert_eq!(view["content"]["values"]["LD01"], "12");
        // An attachment cannot slip into a submitted version.
        let (head, hc) = t.login("commune.head").await;
        let r = head.post(format!("{}/api/v1/reports/{id}/submit", t.base)).header("x-csrf-token", hc).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let pdf = b"%PDF-1.4\n%%EOF\n".to_vec();
        let r = officer.post(format!("{}/api/v1/reports/{id}/attachments?name=late.pdf", t.base)).header("x-csrf-token", &oc).body(pdf).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT);
    }
);

both_backends!(
    async fn catalogue_documents_are_refused_by_rights_first_and_by_size(store) {
        let t = spawn_app(store).await;
        let mut regime = metadata()["regimes"][0].clone();
        regime["code"] = json!("BC-MOI");
        // A district's regime administrator sending a regime received by the
        // province: forbidden, whatever the document holds.
        let (district, dc) = t.login("district.regimes").await;
        let mut broken = regime.clone();
        broken["versions"][0]["reporting"][0]["deadline"] = json!({"working_days_after_window": 65535});
        let r = district.put(format!("{}/api/v1/regimes/BC-MOI", t.base)).header("x-csrf-token", &dc).json(&broken).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        // Someone who may not change the catalogue at all is refused before the body is read.
        let (officer, oc) = t.login("commune.officer").await;
        let garbage = vec![b'['; 1024 * 1024];
        let r = officer.post(format!("{}/api/v1/metadata", t.base)).header("x-csrf-token", &oc).body(garbage).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        // The province's administrator: a deadline 65,535 working days away is refused.
        let (admin, ac) = t.login("regime.admin").await;
        let r = admin.put(format!("{}/api/v1/regimes/BC-MOI", t.base)).header("x-csrf-token", &ac).json(&broken).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = r.json().await.unwrap();
        assert!(body.to_string().contains("tối đa 90"), "{body}");
        // Lists beyond any real catalogue are refused before the rules run.
        let mut doc = metadata();
        doc["regimes"] = json!((0..600).map(|i| { let mut r = regime.clone(); r["code"] = json!(format!("BC-{i}")); r }).collect::<Vec<_>>());
        let r = admin.post(format!("{}/api/v1/metadata", t.base)).header("x-csrf-token", &ac).json(&doc).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["fields"][0]["field"], "regimes", "{body}");
        assert!(t.app.metadata().await.unwrap().regimes.is_empty(), "nothing stored");
    }
);

both_backends!(
    async fn pages_travel_compressed_with_a_csrf_token_masked_afresh(store) {
        let t = spawn_app(store).await;
        let (officer, oc, id, _) = commune_report(&t).await;
        let url = format!("{}/reports/{id}", t.base);
        let page = || async {
            let r = officer.get(&url).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            r.text().await.unwrap()
        };
        let (plain, again) = (page().await, page().await);
        // Over a weak link: gzip when the browser accepts it.
        let r = officer.get(&url).header("accept-encoding", "gzip").send().await.unwrap();
        assert_eq!(r.headers()["content-encoding"], "gzip");
        let zipped = r.bytes().await.unwrap().len();
        assert!(zipped * 2 < plain.len(), "{zipped} bytes zipped of {}", plain.len());
        // Files that are zips already go as they are.
        let r = officer.get(format!("{}/api/v1/reports/{id}/xlsx", t.base)).header("accept-encoding", "gzip").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers().get("content-encoding").is_none());
        // Each page carries the session's token masked differently (so that a
        // compressed page's size tells nothing of it), and each copy works.
        let (a, b) = (hidden_field(&plain, "_csrf"), hidden_field(&again, "_csrf"));
        assert!(a != b && a != oc && b != oc, "{a} {b} {oc}");
        let draft = format!("{}/api/v1/reports/{id}/draft", t.base);
        for token in [&a, &b, &oc] {
            let (status, body) = send(&officer, reqwest::Method::PUT, draft.clone(), token, json!({"values": {"LD01": "5"}})).await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        let mut forged = a.clone().into_bytes();
        forged[70] = if forged[70] == b'0' { b'1' } else { b'0' };
        let forged = String::from_utf8(forged).unwrap();
        let (status, _) = send(&officer, reqwest::Method::PUT, draft, &forged, json!({"values": {"LD01": "6"}})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
);
