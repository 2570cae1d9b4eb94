//! `GET /api/v1/analytics`: figures as JSON and CSV, fresh after an
//! acceptance, limited to what the caller may read, refusals by name.

use crate::support::*;

/// A commune report for 2025M03 filled, submitted and accepted over the API.
async fn accepted(t: &TestApp, values: Value) {
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
    let url = format!("{}/api/v1/reports/{id}/draft", t.base);
    assert_eq!(
        send(
            &officer,
            reqwest::Method::PUT,
            url,
            &oc,
            json!({"values": values})
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
}

/// Asks until the figure is there (the engine follows the store within a second).
async fn figures(t: &TestApp, c: &Client, query: &str) -> Value {
    let started = std::time::Instant::now();
    loop {
        let (status, body) = t.get(c, &format!("/api/v1/analytics?{query}")).await;
        if status == StatusCode::OK
            && body["figures"]
                .as_array()
                .is_some_and(|f| f.iter().any(|x| !x["value"].is_null()))
        {
            return body;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{status} {body}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

both_backends!(
    async fn figures_come_as_json_and_csv_and_only_for_units_the_caller_may_read(store) {
        let t = spawn_app(store).await;
        t.app.apply_metadata(&system_principal(), &three_level_metadata()).await.unwrap();
        accepted(&t, json!({"LD01": "12", "LD01/sex:male": "5", "LD01/sex:female": "7", "LD02": "400"})).await;

        let (leader, _) = t.login("leader").await;
        let q = format!("indicators=LD01,LD03,LD01/sex:female&unit={}&periods=2025M03,2025Q1&reading=computed", t.province.get());
        let body = figures(&t, &leader, &q).await;
        let value = |ind: &str, period: &str| body["figures"].as_array().unwrap().iter()
            .find(|f| f["indicator"] == ind && f["period"] == period).map(|f| f["value"].clone()).unwrap();
        assert_eq!(value("LD01", "2025M03"), "12");
        assert_eq!(value("LD01", "2025Q1"), "12");
        assert_eq!(value("LD03", "2025M03"), "3", "100 × 12 / 400");
        assert_eq!(value("LD01/sex:female", "2025M03"), "7");
        assert_eq!(body["indicators"][0]["name"], "Số lao động được tạo việc làm");
        assert_eq!(body["indicators"][2]["name"], "Số lao động được tạo việc làm — Nữ");
        let f = &body["figures"][0];
        assert_eq!(f["reading"], "computed");
        assert_eq!(f["units"]["present"], 1);
        assert!(f["units"]["expected"].as_u64().unwrap() > 1, "{f}");

        // The same as CSV: one line per figure, a header, exact decimals.
        let csv = leader.get(format!("{}/api/v1/analytics?{q}&format=csv", t.base)).send().await.unwrap();
        assert_eq!(csv.status(), StatusCode::OK);
        assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let text = csv.text().await.unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("indicator,indicator_name,measure,unit_id"), "{}", lines[0]);
        assert_eq!(lines.len(), 1 + 6, "{text}");
        assert!(lines.iter().any(|l| l.starts_with("LD03,") && l.contains(",2025M03,3,computed,")), "{text}");

        // A commune's head asking for the province's subtree gets their commune only.
        let (head, _) = t.login("commune.head").await;
        let (status, body) = t.get(&head, &format!("/api/v1/analytics?indicators=LD01&unit={}&relation=subtree&periods=2025M03", t.province.get())).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let units: Vec<i64> = body["units"].as_array().unwrap().iter().map(|u| u["id"].as_i64().unwrap()).collect();
        assert_eq!(units, vec![t.commune.get()]);
        assert!(body["withheld_units"].as_u64().unwrap() > 100);
        assert_eq!(body["figures"][0]["value"], "12");
        // The province itself: not for them. A data-entry officer reads no dashboards.
        let (status, _) = t.get(&head, &format!("/api/v1/analytics?indicators=LD01&unit={}&periods=2025M03", t.province.get())).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (officer, _) = t.login("commune.officer").await;
        let (status, _) = t.get(&officer, &format!("/api/v1/analytics?indicators=LD01&unit={}&periods=2025M03", t.commune.get())).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = t.get(&client(), &format!("/api/v1/analytics?indicators=LD01&unit={}&periods=2025M03", t.commune.get())).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);

        // Refusals name the parameter, in the caller's language.
        let p = t.province.get();
        for (query, field, words) in [
            (format!("indicators=XX9&unit={p}&periods=2025M03"), "indicators", "XX9"),
            (format!("indicators=LD01&unit={p}&periods=2025M13"), "periods", "2025M13"),
            (format!("indicators=LD01&unit={p}&periods=2025M03&relation=cousins"), "relation", "cousins"),
            (format!("indicators=LD01&unit={p}&periods=2025M03&reading=guessed"), "reading", "guessed"),
        ] {
            let (status, body) = t.get(&leader, &format!("/api/v1/analytics?{query}")).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
            assert_eq!(body["error"]["fields"][0]["field"], field, "{body}");
            assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains(words), "{body}");
        }
        // Too large a table is refused before any figure is computed.
        let months: Vec<String> = (2006..2026).flat_map(|y| (1..=12).map(move |m| format!("{y}M{m:02}"))).collect();
        let (status, body) = t.get(&leader, &format!("/api/v1/analytics?indicators=LD01,LD02,LD03&unit={p}&relation=subtree&periods={}", months.join(","))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("vượt quá"), "{body}");
    }
);
