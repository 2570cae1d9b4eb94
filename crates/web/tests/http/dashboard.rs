//! The operations centre over HTTP: a leader lands on the dashboard, whose
//! figures are the engine's and follow acceptances; dashboards and the
//! pivot explorer keep to what the caller's grants let it read; the pivot's
//! .xlsx holds the CSV's figures; pages stay light; the wall reloads itself;
//! choosing tiles is recorded in the ledger.

use baocao_app::analytics::Reading;
use baocao_domain::period::PeriodId;

use crate::support::*;

/// Largest dashboard page, in bytes.
const PAGE_BUDGET: usize = 200 * 1024;

/// A test account with a role on a unit (made the first time).
async fn account(t: &TestApp, name: &str, role: Role, unit: UnitId) {
    if t.app.user_by_name(name).await.is_ok() {
        return;
    }
    let input = UserInput {
        username: name.to_string(),
        display_name: name.to_string(),
        password: PASSWORD.into(),
        unit: Some(unit),
        locale: "vi".into(),
        role: Some(role),
    };
    t.app
        .create_user(&system_principal(), &input)
        .await
        .unwrap();
}

/// The login names of a commune's officer and head (made the first time).
async fn staff(t: &TestApp, unit: UnitId) -> (String, String) {
    if unit == t.commune {
        return ("commune.officer".into(), "commune.head".into());
    }
    let names = (format!("officer.{unit}"), format!("head.{unit}"));
    account(t, &names.0, Role::DataEntry, unit).await;
    account(t, &names.1, Role::UnitHead, unit).await;
    names
}

/// A commune's report for `period` opened, filled, submitted and accepted
/// through the API.
pub async fn accept_through_api(t: &TestApp, unit: UnitId, period: &str, jobs: i64) -> i64 {
    let (officer_name, head_name) = staff(t, unit).await;
    let (officer, oc) = t.login(&officer_name).await;
    let (head, hc) = t.login(&head_name).await;
    let (status, report) = t
        .post(
            &officer,
            &oc,
            "/api/v1/reports",
            json!({"regime": "BC-LD", "unit_id": unit.get(), "period": period}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let id = report["id"].as_i64().unwrap();
    let receiver = UnitId::new(report["receiver"].as_i64().unwrap());
    let reviewer_name = if receiver == t.district {
        "district.reviewer".to_string()
    } else {
        let name = format!("reviewer.{receiver}");
        account(t, &name, Role::Reviewer, receiver).await;
        name
    };
    let (reviewer, rc) = t.login(&reviewer_name).await;
    let male = jobs / 2;
    let values = json!({"values": {"LD01": jobs.to_string(), "LD01/sex:male": male.to_string(),
        "LD01/sex:female": (jobs - male).to_string(), "LD02": "400"}});
    let url = |path: String| format!("{}{path}", t.base);
    let put = send(
        &officer,
        reqwest::Method::PUT,
        url(format!("/api/v1/reports/{id}/draft")),
        &oc,
        values,
    )
    .await;
    assert_eq!(put.0, StatusCode::OK, "{}", put.1);
    let submitted = send(
        &head,
        reqwest::Method::POST,
        url(format!("/api/v1/reports/{id}/submit")),
        &hc,
        json!({}),
    )
    .await;
    assert_eq!(submitted.0, StatusCode::OK, "{}", submitted.1);
    let accepted = send(
        &reviewer,
        reqwest::Method::POST,
        url(format!("/api/v1/reports/{id}/accept")),
        &rc,
        json!({}),
    )
    .await;
    assert_eq!(accepted.0, StatusCode::NO_CONTENT, "{}", accepted.1);
    id
}

/// The figure a tile of a dashboard page shows for `cell`.
pub fn tile_figure(page: &str, cell: &str) -> Option<String> {
    let tile = &page[page.find(&format!("data-cell=\"{cell}\""))?..];
    let tile = &tile[..tile.find("</li>")?];
    let at = tile.find("class=\"figure\">")? + "class=\"figure\">".len();
    Some(tile[at..at + tile[at..].find('<')?].to_string())
}

async fn page(c: &Client, t: &TestApp, path: &str) -> (StatusCode, String) {
    let r = c.get(format!("{}{path}", t.base)).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

/// The engine's preferred figure, as the dashboard shows it in Vietnamese.
fn engine_figure(t: &TestApp, cell: &str, unit: UnitId, period: &str) -> Option<String> {
    let period: PeriodId = period.parse().unwrap();
    t.app
        .analytics()
        .read(|e| e.figure(cell, unit, &period, Reading::Preferred))
        .unwrap()
        .and_then(|f| f.value)
        .map(|v| baocao_domain::number::vn_number(&v.round_dp(0).normalize().to_string()))
}

both_backends!(
    async fn a_leader_lands_on_the_dashboard_whose_figures_follow_acceptances(store) {
        let t = spawn_app(store.clone()).await;
        t.app.apply_metadata(&system_principal(), &three_level_metadata()).await.unwrap();
        accept_through_api(&t, t.commune, "2025M03", 12).await;
        t.app.follow_once().await.unwrap();

        // The login form sends a leader to the dashboard; officers keep their reports.
        let leader = page_login(&t, "leader").await;
        let home = leader.get(format!("{}/", t.base)).send().await.unwrap();
        assert_eq!(home.headers()["location"], "/dashboard");
        let officer = page_login(&t, "commune.officer").await;
        let home = officer.get(format!("{}/", t.base)).send().await.unwrap();
        assert_eq!(home.headers()["location"], "/reports");
        let reviewer = page_login(&t, "district.reviewer").await;
        let home = reviewer.get(format!("{}/", t.base)).send().await.unwrap();
        assert_eq!(home.headers()["location"], "/reports");

        let (status, body) = page(&leader, &t, "/dashboard").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("Tỉnh Nghệ An"), "the leader's own unit");
        assert_eq!(tile_figure(&body, "LD01").as_deref(), Some("12"));
        assert_eq!(tile_figure(&body, "LD01"), engine_figure(&t, "LD01", t.province, "2025M03"));
        assert!(body.contains("tháng 3/2025"), "the latest period with data");
        assert!(body.contains("Tổng hợp từ 1 / "), "computed from the communes, with coverage: {body}");
        let sentences: Vec<&str> = body.split("class=\"sentence\">").skip(1).map(|s| &s[..s.find('<').unwrap()]).collect();
        assert!(sentences.contains(&"Số lao động được tạo việc làm tháng 3/2025 đạt 12 người."), "the sentence: {sentences:?}");
        // Charts and the map carry a title, a legend and a data table.
        for id in ["ranking", "map", "trend-1"] {
            let fig = &body[body.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("{id}"))..];
            let fig = &fig[..fig.find("</figure>").unwrap()];
            assert!(fig.contains("<figcaption") && fig.contains("class=\"legend\"") && fig.contains("<details"), "{id}: {fig}");
        }
        assert!(body.contains("Vùng gần đúng"), "the area map says it is approximate");
        // Missing is missing, never zero: the other districts have no figure.
        assert!(body.contains("Chưa có số liệu"));

        // A second acceptance changes the figure.
        accept_through_api(&t, t.sibling_commune, "2025M03", 8).await;
        t.app.follow_once().await.unwrap();
        let (_, body) = page(&leader, &t, &format!("/dashboard/{}", t.province)).await;
        assert_eq!(tile_figure(&body, "LD01").as_deref(), Some("20"));
        assert_eq!(tile_figure(&body, "LD01"), engine_figure(&t, "LD01", t.province, "2025M03"));
        assert!(body.len() < PAGE_BUDGET, "dashboard page of {} bytes", body.len());
        // Drill down: the district's dashboard, linked from the ranking.
        assert!(body.contains(&format!("href=\"/dashboard/{}?focus=", t.district)));
        let (status, body) = page(&leader, &t, &format!("/dashboard/{}?focus=LD01&map=bubbles", t.district)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(tile_figure(&body, "LD01").as_deref(), Some("20"));
        assert!(body.len() < PAGE_BUDGET, "{} bytes", body.len());
    }
);

both_backends!(
    async fn dashboards_and_the_pivot_keep_to_the_callers_grants(store) {
        let t = spawn_app(store.clone()).await;
        t.app.apply_metadata(&system_principal(), &three_level_metadata()).await.unwrap();
        accept_through_api(&t, t.commune, "2025M03", 12).await;
        accept_through_api(&t, t.sibling_commune, "2025M03", 8).await;
        t.app.follow_once().await.unwrap();
        let head = page_login(&t, "commune.head").await;
        let (status, _) = page(&head, &t, &format!("/dashboard/{}", t.province)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "a commune does not see its province's dashboard");
        let (status, _) = page(&head, &t, &format!("/dashboard/{}/wall", t.district)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, body) = page(&head, &t, "/dashboard").await;
        assert_eq!(status, StatusCode::OK, "its own: {body}");
        assert_eq!(tile_figure(&body, "LD01").as_deref(), Some("12"));
        // The province's whole subtree in the pivot: only the commune.
        let path = format!("/analytics?i=LD01&unit={}&rel=subtree&from=2025M03&to=2025M03&rows=unit&cols=period", t.province);
        let (status, body) = page(&head, &t, &path).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let table = &body[body.find("id=\"pivot-table\"").unwrap()..];
        let table = &table[..table.find("</table>").unwrap()];
        assert_eq!(table.matches("<tr>").count(), 2, "a heading and the commune: {table}");
        let names = t.app.analytics().read(|e| {
            let name = |id: UnitId| e.units().unit(e.units().ix(id).unwrap()).name.clone();
            (name(t.commune), name(t.sibling_commune))
        }).unwrap();
        assert!(table.contains(&names.0) && !table.contains(&names.1), "{table}");
        assert!(table.contains(">12<"));
        // An officer without dashboards is refused; a table too large is refused with a message.
        let officer = page_login(&t, "commune.officer").await;
        assert_eq!(page(&officer, &t, "/dashboard").await.0, StatusCode::FORBIDDEN);
        let leader = page_login(&t, "leader").await;
        let huge = format!("/analytics?i=LD01&i=LD02&i=LD03&unit={}&rel=subtree&from=2020M01&to=2025M12", t.province);
        let (status, body) = page(&leader, &t, &huge).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("vượt quá giới hạn"), "{body}");
    }
);

both_backends!(
    async fn the_pivot_xlsx_holds_the_figures_of_its_csv(store) {
        use calamine::{Data, Reader, Xlsx};
        let t = spawn_app(store.clone()).await;
        t.app.apply_metadata(&system_principal(), &three_level_metadata()).await.unwrap();
        accept_through_api(&t, t.commune, "2025M03", 12).await;
        accept_through_api(&t, t.sibling_commune, "2025M03", 7).await;
        t.app.follow_once().await.unwrap();
        let leader = page_login(&t, "leader").await;
        let query = format!("i=LD01&i=LD03&unit={}&rel=children&from=2025M02&to=2025M03&rows=unit&cols=period", t.district);
        let (status, body) = page(&leader, &t, &format!("/analytics?{query}")).await;
        assert_eq!(status, StatusCode::OK);
        let link = &body[body.find("/analytics/export.xlsx").unwrap()..];
        assert!(link.starts_with(&format!("/analytics/export.xlsx?{}", query.replace('&', "&#38;"))), "the export keeps the view: {}", &link[..300]);
        let csv = leader.get(format!("{}/analytics/export.csv?{query}", t.base)).send().await.unwrap();
        assert_eq!(csv.status(), StatusCode::OK);
        let csv = csv.text().await.unwrap();
        let xlsx = leader.get(format!("{}/analytics/export.xlsx?{query}", t.base)).send().await.unwrap();
        assert_eq!(xlsx.status(), StatusCode::OK);
        let bytes = xlsx.bytes().await.unwrap().to_vec();
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("SoLieu").unwrap();
        let sheet: Vec<Vec<String>> = range
            .rows()
            .map(|r| r.iter().map(|c| match c {
                Data::Float(f) => format!("{f}"),
                Data::Int(i) => i.to_string(),
                Data::String(s) => s.clone(),
                _ => String::new(),
            }).collect())
            .collect();
        let csv_rows: Vec<Vec<String>> = csv.lines().map(|l| l.split(',').map(|c| c.parse::<f64>().map_or(c.to_string(), |f| format!("{f}"))).collect()).collect();
        let header = sheet.iter().position(|r| r.first().map(String::as_str) == csv_rows[0].first().map(String::as_str)).unwrap();
        assert_eq!(&sheet[header..], &csv_rows[..], "the spreadsheet's table is the CSV's");
        assert!(csv.lines().any(|l| l.starts_with("LD01") && l.ends_with(",,12")), "{csv}");
        assert!(csv.lines().any(|l| l.starts_with("LD03") && l.ends_with(",,3")), "the commune's rate 100 × 12 / 400: {csv}");
    }
);

both_backends!(
    async fn the_wall_reloads_and_tiles_are_chosen_by_administrators_in_the_ledger(store) {
        let t = spawn_app(store.clone()).await;
        t.app.apply_metadata(&system_principal(), &three_level_metadata()).await.unwrap();
        accept_through_api(&t, t.commune, "2025M03", 12).await;
        t.app.follow_once().await.unwrap();
        let leader = page_login(&t, "leader").await;
        let (status, wall) = page(&leader, &t, &format!("/dashboard/{}/wall", t.province)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(wall.contains(&format!("<meta http-equiv=\"refresh\" content=\"30; url=/dashboard/{}/wall?focus=", t.province)), "{wall}");
        assert!(wall.contains("panel=1\">"), "the next reload shows the next panel");
        let (_, second) = page(&leader, &t, &format!("/dashboard/{}/wall?panel=1", t.province)).await;
        assert!(second.contains("data-panel=\"trends\""));
        assert!(wall.len() < PAGE_BUDGET);

        // A leader does not choose tiles; a regime administrator of the province does.
        assert_eq!(page(&leader, &t, &format!("/dashboard/{}/tiles", t.province)).await.0, StatusCode::NOT_FOUND);
        let admin = page_login(&t, "regime.admin").await;
        let (status, form) = page(&admin, &t, &format!("/dashboard/{}/tiles", t.province)).await;
        assert_eq!(status, StatusCode::OK, "{form}");
        let csrf = hidden_field(&form, "_csrf");
        let r = admin.post(format!("{}/dashboard/{}/tiles", t.base, t.province))
            .form(&[("_csrf", csrf.as_str()), ("LD01", "2"), ("LD02", "1"), ("LD03", "")])
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, board) = page(&leader, &t, "/dashboard").await;
        let (ld02, ld01) = (board.find("data-cell=\"LD02\"").unwrap(), board.find("data-cell=\"LD01\"").unwrap());
        assert!(ld02 < ld01 && !board.contains("data-cell=\"LD03\""), "the chosen tiles, in order");
        let bad = admin.post(format!("{}/dashboard/{}/tiles", t.base, t.province))
            .form(&[("_csrf", csrf.as_str()), ("XX99", "1")]).send().await.unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().await.unwrap().contains("XX99"));
        let mut conn = store.conn().await.unwrap();
        let (subject, payload): (String, String) = sqlx::query_as(
            "SELECT subject, payload FROM audit_ledger WHERE action = 'dashboard.tiles' ORDER BY seq DESC LIMIT 1")
            .fetch_one(&mut *conn).await.unwrap();
        assert_eq!(subject, format!("unit:{}", t.province));
        assert_eq!(payload, r#"{"cells":["LD02","LD01"]}"#);
    }
);

both_backends!(
    async fn loaded_boundaries_make_the_map_a_choropleth(store) {
        let t = spawn_app(store.clone()).await;
        t.app.apply_metadata(&system_principal(), &three_level_metadata()).await.unwrap();
        accept_through_api(&t, t.commune, "2025M03", 12).await;
        t.app.follow_once().await.unwrap();
        let leader = page_login(&t, "leader").await;
        let (_, before) = page(&leader, &t, "/dashboard").await;
        assert!(before.contains("Vùng gần đúng"));
        // A square around each district's point, as an administrator would load them.
        let march: PeriodId = "2025M03".parse().unwrap();
        let districts: Vec<(String, f64, f64)> = t.app.analytics().read(|e| {
            e.related(t.province, &baocao_app::analytics::Relation::Children, &[march])
                .into_iter()
                .filter_map(|id| {
                    let u = e.units().unit(e.units().ix(id)?);
                    Some((u.code.to_string(), u.lon?, u.lat?))
                })
                .collect()
        }).unwrap();
        assert!(districts.len() > 10);
        let features: Vec<String> = districts.iter().map(|(code, lon, lat)| {
            let (a, b, c, d) = (lon - 0.05, lat - 0.05, lon + 0.05, lat + 0.05);
            format!(r#"{{"type":"Feature","properties":{{"code":"{code}"}},"geometry":{{"type":"Polygon","coordinates":[[[{a},{b}],[{c},{b}],[{c},{d}],[{a},{d}],[{a},{b}]]]}}}}"#)
        }).collect();
        let file = format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(","));
        let loaded = t.app.load_boundaries(&system_principal(), "district", "code", file.into_bytes()).await.unwrap();
        assert!(loaded.units >= districts.len());
        let (status, after) = page(&leader, &t, "/dashboard").await;
        assert_eq!(status, StatusCode::OK);
        assert!(after.contains("Ranh giới hành chính do quản trị viên nạp") && !after.contains("Vùng gần đúng"), "a true choropleth");
        assert!(after.len() < PAGE_BUDGET);
    }
);

both_backends!(
    async fn the_discrepancy_view_lists_what_does_not_add_up_to_those_who_may_read_it(store) {
        use baocao_app::history::PastReport;
        let t = spawn_app(store.clone()).await;
        t.app.apply_metadata(&system_principal(), &three_level_metadata()).await.unwrap();
        let past = |unit: UnitId, ld01: &str, ld02: &str| PastReport {
            regime: "BC-LD".into(),
            unit,
            period: "2025M01".parse().unwrap(),
            content: baocao_domain::report::Content {
                values: [("LD01".to_string(), ld01.to_string()), ("LD02".to_string(), ld02.to_string())].into_iter().collect(),
                ..Default::default()
            },
            submitted_at: 1_740_000_000,
            accepted_at: 1_740_100_000,
        };
        t.app.import_past_reports(&system_principal(), &[
            past(t.commune, "3", "500"),
            past(t.sibling_commune, "4", "500"),
            past(t.district, "1.008", "1000"),
        ]).await.unwrap();
        t.app.follow_once().await.unwrap();
        let leader = page_login(&t, "leader").await;
        let (status, body) = page(&leader, &t, &format!("/dashboard/{}", t.province)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains(&format!("href=\"/dashboard/{}/discrepancies\"", t.province)), "linked from the dashboard");
        let path = format!("/dashboard/{}/discrepancies?period=2025M01", t.province);
        let (status, body) = page(&leader, &t, &path).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let table = &body[body.find("id=\"discrepancies\"").expect("a table")..];
        let table = &table[..table.find("</table>").unwrap()];
        assert_eq!(table.matches("<tr>").count(), 3, "a heading, LD01 and the rate LD03: {table}");
        assert!(table.contains(">1.008<") && table.contains(">7<") && table.contains(">1.001<"), "reported, computed, difference in Vietnamese notation: {table}");
        assert!(body.contains("selected>tháng 1/2025"), "the period asked for is selected");
        // A month where everything adds up says so.
        let (status, body) = page(&leader, &t, &format!("/dashboard/{}/discrepancies?period=2025M02", t.province)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("id=\"no-discrepancy\""));
        // Not for a commune's head, and a bad period is refused by name.
        let head = page_login(&t, "commune.head").await;
        assert_eq!(page(&head, &t, &path).await.0, StatusCode::NOT_FOUND);
        let (status, body) = page(&leader, &t, &format!("/dashboard/{}/discrepancies?period=2025M13", t.province)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
);
