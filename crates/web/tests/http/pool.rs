//! No request holds one database connection while it waits for another. With
//! a pool of one connection, such a request would wait for ever (until the
//! pool's timeout); under load with the usual pool every request in flight
//! can be such a request, and the server stops answering (found on the
//! dashboard with 16 clients: every request waited 30 s). Every page and the
//! main API reads must answer with a single connection.

use std::time::Duration;

use crate::support::*;

/// Loads `path` and fails if it does not answer within a few seconds; a
/// redirection counts as the page's own answer unless it is to the login.
async fn answers(t: &TestApp, c: &Client, path: &str) -> StatusCode {
    let sent = c.get(format!("{}{path}", t.base)).send();
    match tokio::time::timeout(Duration::from_secs(8), sent).await {
        Ok(Ok(r)) if r.status().is_redirection() => {
            let to = r.headers()["location"]
                .to_str()
                .unwrap_or_default()
                .to_string();
            assert!(!to.starts_with("/login"), "{path}: sent to {to}");
            StatusCode::OK
        }
        Ok(Ok(r)) => r.status(),
        Ok(Err(e)) => panic!("{path}: {e}"),
        Err(_) => panic!("{path}: no answer within 8 s with one database connection"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_answers_with_a_single_database_connection_sqlite() {
    one_connection(baocao_store::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_answers_with_a_single_database_connection_postgres() {
    one_connection(baocao_store::Backend::Postgres).await;
}

async fn one_connection(backend: baocao_store::Backend) {
    {
        let db = baocao_testkit::TestDb::new(backend).await;
        let mut options = db.options.clone();
        options.max_connections = 1;
        // A request waiting for a second connection fails fast (and the test with it).
        options.acquire_timeout = Duration::from_secs(3);
        let store = Store::connect(&options).await.unwrap();
        let t = spawn_app(store).await;
        t.app
            .apply_metadata(&system_principal(), &three_level_metadata())
            .await
            .unwrap();

        // A report through the workflow, so that lists, pages and figures have content.
        let (officer, oc) = t.login("commune.officer").await;
        let (head, hc) = t.login("commune.head").await;
        let (reviewer, rc) = t.login("district.reviewer").await;
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
        let draft = json!({"values": {"LD01": "12", "LD01/sex:male": "5", "LD01/sex:female": "7", "LD02": "400"}});
        assert_eq!(
            send(
                &officer,
                reqwest::Method::PUT,
                format!("{}/api/v1/reports/{id}/draft", t.base),
                &oc,
                draft
            )
            .await
            .0,
            StatusCode::OK
        );
        assert_eq!(
            t.post(
                &head,
                &hc,
                &format!("/api/v1/reports/{id}/submit"),
                json!({})
            )
            .await
            .0,
            StatusCode::OK
        );
        assert_eq!(
            t.post(
                &reviewer,
                &rc,
                &format!("/api/v1/reports/{id}/accept"),
                json!({})
            )
            .await
            .0,
            StatusCode::NO_CONTENT
        );

        let (p, d, c) = (t.province.get(), t.district.get(), t.commune.get());
        let pages: Vec<(&str, Vec<String>)> = vec![
            ("leader", vec![
                "/".into(), "/dashboard".into(), format!("/dashboard/{p}"), format!("/dashboard/{d}"),
                format!("/dashboard/{p}/wall"), format!("/dashboard/{p}?map=bubbles"),
                format!("/analytics?unit={p}"), format!("/analytics/export.csv?unit={p}"),
                format!("/analytics/export.xlsx?unit={p}"), "/units".into(), format!("/units/{p}"),
                format!("/api/v1/analytics?indicators=LD01,LD03&unit={p}&relation=children&periods=2025M03"),
            ]),
            ("district.reviewer", vec![
                "/reports".into(), format!("/reports/{id}"), "/notifications".into(),
                format!("/reports/timeliness?regime=BC-LD&period=2025M03&unit={d}"),
                format!("/reports/{id}/template.xlsx"), "/api/v1/reports/inbox".into(),
                format!("/api/v1/reports/{id}"), format!("/api/v1/reports/timeliness?regime=BC-LD&period=2025M03&unit={d}"),
                format!("/dashboard/{d}"),
            ]),
            ("commune.officer", vec![
                "/reports".into(), format!("/reports/{id}"), "/api/v1/reports/mine".into(),
                "/api/v1/notifications".into(), "/account".into(), format!("/units/{c}"),
                "/regimes".into(), "/regimes/BC-LD".into(), "/regimes/BC-LD/calendar?year=2025".into(),
                "/catalogue".into(), "/calendar".into(),
            ]),
            ("admin", vec!["/admin/users".into(), "/units".into(), "/api/v1/users".into(), "/api/v1/regimes".into()]),
        ];
        for (user, paths) in pages {
            let c = page_login(&t, user).await;
            for path in paths {
                let status = answers(&t, &c, &path).await;
                assert!(
                    status.is_success() || status == StatusCode::SERVICE_UNAVAILABLE,
                    "{user} {path}: {status}"
                );
            }
        }
        // Concurrent requests queue for the one connection; none waits for ever.
        let c = page_login(&t, "leader").await;
        let many: Vec<_> = (0..8)
            .map(|_| {
                let (c, url) = (c.clone(), format!("{}/dashboard", t.base));
                tokio::spawn(async move {
                    tokio::time::timeout(Duration::from_secs(20), c.get(url).send()).await
                })
            })
            .collect();
        for task in many {
            let status = task
                .await
                .unwrap()
                .expect("no answer within 20 s")
                .unwrap()
                .status();
            assert!(
                status.is_success() || status == StatusCode::SERVICE_UNAVAILABLE,
                "{status}"
            );
        }
        drop(t);
        db.teardown().await;
    }
}
