//! The UI in a real headless Chromium (ignored by default: run with --ignored, see .ci/run).

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: cargo test -p baocao-web --test http -- --ignored (see .ci/run)"]
async fn browser_login_browse_and_language() {
    let db = baocao_testkit::TestDb::new(baocao_store::Backend::Sqlite).await;
    let t = spawn_app(db.store.clone()).await;
    let b = Browser::start().await;

    // Vietnamese by default even though the browser asks for English.
    b.go(&format!("{}/units", t.base)).await;
    assert!(
        b.url().await.contains("/login?next=/units"),
        "{}",
        b.url().await
    );
    assert_eq!(b.text("h1").await, "Đăng nhập");
    b.type_into("input[name=username]", "commune.officer").await;
    b.type_into("input[name=password]", "wrong password").await;
    b.click("main button[type=submit]").await;
    let error = b.wait_text(".error", |t| t.contains("không đúng")).await;
    assert!(error.contains("không đúng"), "{error}");
    // The form comes back with the user name kept; only the password is typed again.
    b.type_into("input[name=password]", PASSWORD).await;
    b.click("main button[type=submit]").await;
    let url = b.wait_url(|u| u.ends_with("/units")).await;
    assert!(url.ends_with("/units"), "{url}");
    assert!(b
        .wait_text("ul.units", |t| t.contains("Tỉnh Nghệ An"))
        .await
        .contains("Tỉnh Nghệ An"));

    // Down the tree: the province, then the district; only the officer's own ward is listed.
    b.click("ul.units a").await;
    assert_eq!(
        b.wait_text("h1", |t| t == "Tỉnh Nghệ An").await,
        "Tỉnh Nghệ An"
    );
    b.go(&format!("{}/units/{}?date=2025-06-01", t.base, t.district))
        .await;
    let wards = b.text("ul.units").await;
    assert_eq!(wards.lines().count(), 1, "{wards}");

    b.go(&format!("{}/units/{}", t.base, t.sibling_commune))
        .await;
    // Another ward: as if it did not exist (a neighbour's existence is not told).
    assert!(b.text(".error").await.contains("Không tìm thấy"));

    b.go(&format!("{}/units", t.base)).await;
    b.click(".lang a[href^='/lang/en']").await;
    let english = "Administrative units and agencies";
    assert_eq!(b.wait_text("h1", |t| t == english).await, english);

    b.click("form[action='/logout'] button").await;
    let url = b.wait_url(|u| u.contains("/login")).await;
    assert!(url.contains("/login"), "{url}");
    b.go(&format!("{}/units", t.base)).await;
    assert!(b.url().await.contains("/login"));
    b.stop().await;
    db.teardown().await;
}

/// A regime administrator creates a regime with a numeric form and an outline
/// in a real headless Chromium, then reads its deadline calendar.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: cargo test -p baocao-web --test http -- --ignored (see .ci/run)"]
async fn browser_regime_administrator_creates_a_regime() {
    let db = baocao_testkit::TestDb::new(baocao_store::Backend::Sqlite).await;
    let t = spawn_app(db.store.clone()).await;
    let mut doc: baocao_domain::catalogue::Metadata = serde_json::from_value(metadata()).unwrap();
    doc.regimes.clear();
    doc.requests.clear();
    t.app
        .apply_metadata(&system_principal(), &doc)
        .await
        .unwrap();
    let b = Browser::start().await;
    b.go(&format!("{}/login", t.base)).await;
    b.type_into("input[name=username]", "regime.admin").await;
    b.type_into("input[name=password]", PASSWORD).await;
    b.click("main button[type=submit]").await;
    b.wait_url(|u| u.ends_with("/units")).await;

    b.go(&format!("{}/regimes", t.base)).await;
    b.click("#new-regime").await;
    b.wait_url(|u| u.ends_with("/regimes/new")).await;
    for (field, text) in [
        ("code", "BC-TN"),
        ("from", "2026M01"),
        ("name_vi", "Báo cáo thanh niên hằng tháng"),
        ("name_en", "Monthly youth report"),
        ("legal_basis", "Quyết định 3/2026/QĐ-UBND"),
        ("receiving_unit", "40"),
        ("g0_name_vi", "Phường Thành Vinh và Trường Vinh"),
        ("g0_units", "16681 16690"),
        ("g0_stage", "1"),
        ("g0_n", "3"),
        ("f0_code", "B01"),
        ("f0_title_vi", "Biểu 01: Việc làm thanh niên"),
        ("f0_c0_code", "C1"),
        ("f0_c0_title_vi", "Thực hiện kỳ này"),
        ("f0_c1_code", "C2"),
        ("f0_c1_title_vi", "Cùng kỳ"),
        // Rows and sections are structured: an indicator picked by its code, a section's fields.
        ("f0_r0_indicator", "LD01"),
        ("f0_r1_indicator", "LD02"),
        ("o0_number", "I"),
        ("o0_title_vi", "Tình hình thanh niên"),
        ("o0_title_en", "Youth"),
        ("o0_guidance_vi", "Nêu số liệu chính"),
    ] {
        let css = if field.contains("guidance") {
            format!("textarea[name={field}]")
        } else {
            format!("input[name={field}]")
        };
        b.type_into(&css, text).await;
    }
    // The second column is last year's figures, chosen by name.
    b.click("select[name=f0_c1_source] option[value=same_period_last_year]")
        .await;
    // The first row is broken down; rows move without losing what was typed.
    b.click("input[name=f0_r0_breakdown]").await;
    // (The form posts to the page it is on: the URL does not change, the
    // rows do.)
    b.click("button[value='down:rows:0:0']").await;
    assert_eq!(
        b.wait_attribute("input[name=f0_r1_indicator]", "value", |v| v == "LD01")
            .await,
        "LD01"
    );
    b.click("button[value='up:rows:0:1']").await;
    assert_eq!(
        b.wait_attribute("input[name=f0_r0_indicator]", "value", |v| v == "LD01")
            .await,
        "LD01"
    );
    b.click("#save-regime").await;
    let url = b.wait_url(|u| u.ends_with("/regimes/BC-TN")).await;
    assert!(url.ends_with("/regimes/BC-TN"), "{url}");
    assert_eq!(b.text("h1").await, "Báo cáo thanh niên hằng tháng");
    let table = b.text("table.form").await;
    assert!(
        table.contains("Số lao động được tạo việc làm") && table.contains("Nữ"),
        "{table}"
    );

    b.click("#regime-calendar").await;
    let calendar = b.wait_text("#deadlines", |t| t.contains("2026M02")).await;
    // February: window 15/01–14/02, Tết 16–20/02, third working day after: 25/02.
    assert!(
        calendar.contains("15/01/2026 – 14/02/2026 25/02/2026"),
        "{calendar}"
    );
    b.screenshot("regime-calendar-desktop").await;
    // The editor on a phone: every field reachable without sideways scrolling, in Vietnamese.
    b.resize(390, 844).await;
    b.go(&format!("{}/regimes/BC-TN/edit?mode=new", t.base))
        .await;
    assert_eq!(b.text("h1").await, "Phiên bản mới · BC-TN");
    assert!(
        b.width_fits(390).await,
        "the editor scrolls sideways on a phone"
    );
    let words = internal_words(&b.source().await);
    assert!(words.is_empty(), "{words:?}");
    b.screenshot("regime-editor-phone").await;
    b.stop().await;
    db.teardown().await;
}

/// The report workflow in a real headless Chromium: the commune officer fills
/// the form (Vietnamese notation) and the unit head submits; the district
/// reviewer returns it with a reason; the officer corrects, the head resubmits
/// (version 2); the reviewer accepts. Each page shows only what its user may do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: cargo test -p baocao-web --test http -- --ignored (see .ci/run)"]
async fn browser_report_submit_return_resubmit_accept() {
    let db = baocao_testkit::TestDb::new(baocao_store::Backend::Sqlite).await;
    let t = spawn_app(db.store.clone()).await;
    t.app
        .apply_metadata(&system_principal(), &three_level_metadata())
        .await
        .unwrap();
    let b = Browser::start().await;
    let login = |user: &'static str| {
        let b = &b;
        let base = t.base.clone();
        async move {
            b.go(&format!("{base}/login")).await;
            b.type_into("input[name=username]", user).await;
            b.type_into("input[name=password]", PASSWORD).await;
            b.click("main button[type=submit]").await;
            b.wait_url(|u| !u.contains("/login")).await;
        }
    };
    let logout = || async {
        b.click("form[action='/logout'] button").await;
        b.wait_url(|u| u.contains("/login")).await;
    };

    // The officer sees what the commune owes and starts March 2025.
    login("commune.officer").await;
    b.go(&format!("{}/reports", t.base)).await;
    let owed = b.text("#owed").await;
    assert!(
        owed.contains("Tháng 3/2025") && owed.contains("Quá hạn"),
        "{owed}"
    );
    b.click("#owed form:has(input[value='2025M03']) button")
        .await;
    b.wait_url(|u| u.contains("/reports/") && !u.ends_with("/reports"))
        .await;
    assert!(b.text("#status").await.contains("Dự thảo"));
    // Autosave: typed, not saved by hand, still there after a reload.
    b.type_into("input[name='v:LD01']", "1.234").await;
    let saved = b
        .wait_text("#autosave-status", |t| t.contains("tự động lưu"))
        .await;
    assert!(saved.contains("tự động lưu"), "{saved}");
    let here = b.url().await;
    b.go(&here).await;
    assert!(b.source().await.contains("name=\"v:LD01\" value=\"1.234\""));
    b.type_into("input[name='v:LD01/sex:female']", "abc").await;
    b.click("#save-report").await;
    let problem = b
        .wait_text(".cell-problem", |t| t.contains("không phải là số"))
        .await;
    assert!(problem.contains("abc"), "{problem}");
    // The typed values come back; fix the bad one.
    b.cmd(
        reqwest::Method::POST,
        &format!(
            "/element/{}/clear",
            b.find("input[name='v:LD01/sex:female']").await
        ),
        json!({}),
    )
    .await;
    b.type_into("input[name='v:LD01/sex:female']", "600").await;
    b.type_into("input[name='v:LD02']", "50.000").await;
    b.click("#save-report").await;
    b.wait_url(|u| u.contains("done=saved")).await;
    assert!(
        b.text("#done").await.contains("Đã lưu lúc"),
        "the save is confirmed"
    );
    b.screenshot("report-desktop").await;
    // On a phone the form is one block per indicator: no sideways scrolling.
    b.resize(390, 844).await;
    b.go(&b.url().await).await;
    let width = b
        .cmd(
            reqwest::Method::POST,
            "/execute/sync",
            json!({"script": "return document.documentElement.scrollWidth", "args": []}),
        )
        .await
        .as_i64()
        .unwrap();
    assert!(
        width <= 400,
        "the report page is {width} px wide on a 390 px phone"
    );
    b.screenshot("report-phone").await;
    b.resize(1366, 768).await;
    let url = b.url().await;
    let report_path = url[url.find("/reports/").unwrap()..url.find('?').unwrap()].to_string();
    // LD03 = 100 × 1 234 / 50 000 = 2,47, computed, not typed.
    assert!(b.text("table.form").await.contains("2,47"));
    assert!(
        !b.source().await.contains("id=\"submit-report\""),
        "an officer does not submit"
    );
    logout().await;

    login("commune.head").await;
    b.go(&format!("{}{report_path}", t.base)).await;
    b.click("#confirm-submit").await;
    b.click("#submit-report").await;
    assert!(b
        .wait_text("#status", |t| t.contains("Đã gửi"))
        .await
        .contains("Đã gửi"));
    let receipt = b.text("#done").await;
    assert!(
        receipt.contains("Đã gửi lúc") && receipt.contains("hạn"),
        "{receipt}"
    );
    logout().await;

    login("district.reviewer").await;
    b.go(&format!("{}/reports", t.base)).await;
    assert!(b.text("#inbox").await.contains("Tháng 3/2025"));
    b.go(&format!("{}{report_path}", t.base)).await;
    assert!(
        !b.source().await.contains("id=\"save-report\""),
        "a reviewer never edits the figures"
    );
    b.type_into("textarea[name=reason]", "Thiếu số liệu lao động nam")
        .await;
    b.click("#return-report").await;
    assert!(b
        .wait_text("#status", |t| t.contains("Bị trả lại"))
        .await
        .contains("Bị trả lại"));
    logout().await;

    login("commune.officer").await;
    b.go(&format!("{}{report_path}", t.base)).await;
    assert!(
        b.text("#returned")
            .await
            .contains("Thiếu số liệu lao động nam"),
        "why it came back, at the top"
    );
    b.type_into("input[name='v:LD01/sex:male']", "634").await;
    b.click("#save-report").await;
    b.wait_url(|u| u.contains("done=saved")).await;
    logout().await;

    login("commune.head").await;
    b.go(&format!("{}{report_path}", t.base)).await;
    b.click("#confirm-submit").await;
    b.click("#submit-report").await;
    b.wait_text("#status", |t| t.contains("Đã gửi")).await;
    logout().await;

    login("district.reviewer").await;
    b.go(&format!("{}{report_path}", t.base)).await;
    b.click("#accept-report").await;
    assert!(b
        .wait_text("#status", |t| t.contains("Đã tiếp nhận"))
        .await
        .contains("Đã tiếp nhận"));
    let versions = b.text("#versions").await;
    assert!(
        versions.contains("Phiên bản 1")
            && versions.contains("Phiên bản 2")
            && versions.contains("634"),
        "{versions}"
    );
    logout().await;

    // The district's own report: synthesized from its communes, submitted to the province.
    login("district.officer").await;
    b.go(&format!("{}/reports", t.base)).await;
    b.click("#owed form:has(input[value='2025M03']) button")
        .await;
    b.wait_url(|u| u.contains("/reports/") && !u.ends_with("/reports"))
        .await;
    let district_path = {
        let url = b.url().await;
        url[url.find("/reports/").unwrap()..].to_string()
    };
    b.click("#synthesize-report").await;
    let panel = b
        .wait_text("#synthesis", |t| t.contains("Đã tổng hợp 1"))
        .await;
    assert!(
        panel.contains("Đã tổng hợp 1") && panel.contains("Chưa lập"),
        "{panel}"
    );
    assert!(
        b.source().await.contains("LD01 (1): "),
        "contributors per cell"
    );
    let source = b.source().await;
    assert!(
        source.contains("name=\"v:LD01\" value=\"1.234\""),
        "the commune's figure, in Vietnamese notation"
    );
    assert!(!b.source().await.contains("id=\"submit-report\""));
    logout().await;

    login("district.head").await;
    b.go(&format!("{}{district_path}", t.base)).await;
    b.click("#confirm-submit").await;
    b.click("#submit-report").await;
    b.wait_text("#status", |t| t.contains("Đã gửi")).await;
    logout().await;

    // A lower level does not read the district's report, nor learn it exists.
    login("commune.officer").await;
    b.go(&format!("{}{district_path}", t.base)).await;
    assert!(b.text(".error").await.contains("Không tìm thấy"));
    let page = b.source().await;
    assert!(!page.contains("id=\"save-report\"") && !page.contains("id=\"accept-report\""));
    b.go(&format!("{}/reports", t.base)).await;
    logout().await;

    login("province.reviewer").await;
    b.go(&format!("{}/reports", t.base)).await;
    assert!(b.text("#inbox").await.contains("Tháng 3/2025"));
    b.go(&format!("{}{district_path}", t.base)).await;
    b.click("#accept-report").await;
    assert!(b
        .wait_text("#status", |t| t.contains("Đã tiếp nhận"))
        .await
        .contains("Đã tiếp nhận"));
    logout().await;

    // A neighbour's officer cannot even read it, nor learn that it exists.
    login("other.officer").await;
    b.go(&format!("{}{report_path}", t.base)).await;
    assert!(b.text(".error").await.contains("Không tìm thấy"));
    b.stop().await;
    db.teardown().await;
}

/// The operations centre in a real headless Chromium: the leader lands on
/// the dashboard, a report accepted in another session shows on reload
/// within a second, the wall reloads itself, the pivot's .xlsx holds the
/// figures of its table; screenshots of the dashboard, the wall, the pivot
/// and both maps are saved (`BAOCAO_SCREENSHOTS`, default target/screenshots).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: cargo test -p baocao-web --test http -- --ignored (see .ci/run)"]
async fn browser_leader_dashboard_wall_pivot_and_maps() {
    use crate::dashboard::accept_through_api;
    let db = baocao_testkit::TestDb::new(baocao_store::Backend::Sqlite).await;
    let t = spawn_app(db.store.clone()).await;
    t.app
        .apply_metadata(&system_principal(), &three_level_metadata())
        .await
        .unwrap();
    accept_through_api(&t, t.commune, "2025M03", 12).await;
    accept_through_api(&t, t.far_commune, "2025M03", 30).await;
    t.app.follow_once().await.unwrap();
    let b = Browser::start().await;
    b.resize(1280, 2200).await;
    b.go(&format!("{}/login", t.base)).await;
    b.type_into("input[name=username]", "leader").await;
    b.type_into("input[name=password]", PASSWORD).await;
    b.click("main button[type=submit]").await;
    let url = b.wait_url(|u| u.ends_with("/dashboard")).await;
    assert!(
        url.ends_with("/dashboard"),
        "the leader lands on the dashboard: {url}"
    );
    let figure = "li.tile[data-cell='LD01'] .figure";
    assert_eq!(b.wait_text(figure, |x| x == "42").await, "42");
    b.screenshot("dashboard").await;

    // Another session accepts a report; a reload within a second shows it.
    accept_through_api(&t, t.sibling_commune, "2025M03", 8).await;
    let accepted = std::time::Instant::now();
    let mut seen = String::new();
    while accepted.elapsed() < std::time::Duration::from_secs(1) {
        b.go(&format!("{}/dashboard", t.base)).await;
        seen = b.text(figure).await;
        if seen == "50" {
            break;
        }
    }
    assert_eq!(seen, "50", "the acceptance shows within a second");

    b.go(&format!("{}/dashboard?map=bubbles#map", t.base)).await;
    assert!(b.source().await.contains("class=\"plot bubbles\""));
    b.screenshot("map-bubbles").await;
    b.go(&format!("{}/dashboard?map=areas#map", t.base)).await;
    assert!(b.text("#map-panel").await.contains("Vùng gần đúng"));
    b.screenshot("map-areas").await;

    b.go(&format!("{}/dashboard/{}/wall", t.base, t.province))
        .await;
    assert!(b.source().await.contains("http-equiv=\"refresh\""));
    b.screenshot("wall").await;

    let query = format!(
        "i=LD01&i=LD03&unit={}&rel=children&from=2025M02&to=2025M03&rows=unit&cols=period",
        t.district
    );
    b.go(&format!("{}/analytics?{query}", t.base)).await;
    let table = b.text("#pivot-table").await;
    b.screenshot("pivot").await;
    let href = b.attribute("#export-xlsx", "href").await;
    assert!(href.contains("/analytics/export.xlsx?"), "{href}");
    let leader = page_login(&t, "leader").await;
    let bytes = leader
        .get(format!("{}{href}", t.base))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let range = calamine::Reader::worksheet_range(&mut book, "SoLieu").unwrap();
    let numbers: Vec<f64> = range
        .rows()
        .flat_map(|r| {
            r.iter()
                .filter_map(|c| match c {
                    calamine::Data::Float(f) => Some(*f),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        numbers.contains(&12.0) && numbers.contains(&8.0) && numbers.contains(&3.0),
        "{numbers:?}"
    );
    for n in &numbers {
        let shown = baocao_domain::number::vn_number(&n.to_string());
        assert!(
            table.contains(&shown),
            "{shown} is in the page's table: {table}"
        );
    }
    // The leader's pages on a phone: no sideways scrolling, no internal words.
    b.resize(390, 844).await;
    for (path, name) in [
        ("/dashboard".to_string(), "dashboard-phone"),
        (format!("/analytics?{query}"), "pivot-phone"),
    ] {
        b.go(&format!("{}{path}", t.base)).await;
        assert!(
            b.width_fits(390).await,
            "{path} scrolls sideways on a phone"
        );
        let words = internal_words(&b.source().await);
        assert!(words.is_empty(), "{path}: {words:?}");
        b.screenshot(name).await;
    }
    b.stop().await;
    db.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium, chromedriver and axe-core: cargo test -p baocao-web --test http -- --ignored (see .ci/run)"]
async fn browser_the_form_the_inbox_and_user_admin_pass_an_accessibility_check() {
    let db = baocao_testkit::TestDb::new(baocao_store::Backend::Sqlite).await;
    let t = spawn_app(db.store.clone()).await;
    t.app
        .apply_metadata(&system_principal(), &three_level_metadata())
        .await
        .unwrap();
    let good = json!({"values": {"LD01": "1234", "LD01/sex:female": "600", "LD01/sex:male": "634", "LD02": "50000"}});
    let sent = submitted_report(
        &t,
        "commune.officer",
        "commune.head",
        t.commune,
        "2025M03",
        good,
    )
    .await;
    let (officer, oc) = t.login("commune.officer").await;
    let (_, draft) = t
        .post(
            &officer,
            &oc,
            "/api/v1/reports",
            json!({"regime": "BC-LD", "unit_id": t.commune.get(), "period": "2025M04"}),
        )
        .await;
    let draft = draft["id"].as_i64().unwrap();
    let b = Browser::start().await;
    let mut found = Vec::new();
    for (user, pages) in [
        (
            "commune.officer",
            vec![format!("/reports/{draft}"), "/reports".to_string()],
        ),
        (
            "district.reviewer",
            vec!["/reports".to_string(), format!("/reports/{sent}")],
        ),
        // The head sees the submission forms, with and without a signature.
        ("commune.head", vec![format!("/reports/{draft}")]),
        (
            "admin",
            vec![
                "/admin/users".to_string(),
                format!("/admin/users/{}", t.user_id("commune.officer").await),
                "/admin/trust".to_string(),
            ],
        ),
    ] {
        b.login(&t.base, user).await;
        for page in pages {
            b.go(&format!("{}{page}", t.base)).await;
            for v in b.accessibility_violations().await {
                found.push(format!("{user} {page}: {v}"));
            }
        }
        b.click("form[action='/logout'] button").await;
        b.wait_url(|u| u.contains("/login")).await;
    }
    // Printed, the report page leaves the menus and the buttons out.
    b.login(&t.base, "district.reviewer").await;
    b.go(&format!("{}/reports/{sent}", t.base)).await;
    b.cmd(
        reqwest::Method::POST,
        "/goog/cdp/execute",
        json!({"cmd": "Emulation.setEmulatedMedia", "params": {"media": "print"}}),
    )
    .await;
    let shown = |css: &str| {
        format!("return [...document.querySelectorAll('{css}')].filter(e => getComputedStyle(e).display !== 'none').length")
    };
    for css in [
        "header.top",
        "nav",
        "button",
        "form.inline",
        "form.card",
        "#official-pdf",
    ] {
        let visible = b
            .cmd(
                reqwest::Method::POST,
                "/execute/sync",
                json!({"script": shown(css), "args": []}),
            )
            .await;
        assert_eq!(visible, json!(0), "{css} printed");
    }
    let table = b
        .cmd(
            reqwest::Method::POST,
            "/execute/sync",
            json!({"script": shown("table.form"), "args": []}),
        )
        .await;
    assert!(
        table.as_i64().unwrap_or_default() > 0,
        "the figures are printed: {table}"
    );
    b.cmd(
        reqwest::Method::POST,
        "/goog/cdp/execute",
        json!({"cmd": "Emulation.setEmulatedMedia", "params": {"media": ""}}),
    )
    .await;
    b.click("form[action='/logout'] button").await;
    b.wait_url(|u| u.contains("/login")).await;
    // The check finds what it should: an input without a label is reported.
    b.cmd(
        reqwest::Method::POST,
        "/execute/sync",
        json!({"script": "document.querySelector('main').appendChild(document.createElement('input'));", "args": []}),
    )
    .await;
    let control = b.accessibility_violations().await;
    assert!(
        control.iter().any(|v| v.starts_with("label")),
        "{control:?}"
    );
    b.stop().await;
    assert!(
        found.is_empty(),
        "serious accessibility violations:\n{}",
        found.join("\n")
    );
}

/// The system administrator and the reviewer walk their main tasks at a
/// desktop and a phone width: what they see is said in Vietnamese (no
/// internal words on any page visited), nothing scrolls sideways on the
/// phone, and screenshots are kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: cargo test -p baocao-web --test http -- --ignored (see .ci/run)"]
async fn browser_administrator_and_reviewer_at_desktop_and_phone_widths() {
    let db = baocao_testkit::TestDb::new(baocao_store::Backend::Sqlite).await;
    let t = spawn_app(db.store.clone()).await;
    t.app
        .apply_metadata(&system_principal(), &three_level_metadata())
        .await
        .unwrap();
    let good = json!({"values": {"LD01": "1234", "LD01/sex:female": "600", "LD01/sex:male": "634", "LD02": "50000"}});
    let sent = submitted_report(
        &t,
        "commune.officer",
        "commune.head",
        t.commune,
        "2025M03",
        good,
    )
    .await;
    let commune = t
        .app
        .unit_detail(&system_principal(), t.commune, None)
        .await
        .unwrap()
        .unit;
    let b = Browser::start().await;
    let mut words = Vec::new();
    let mut seen = |page: String, what: &str| {
        for w in internal_words(&page) {
            words.push(format!("{what}: {w}"));
        }
    };
    for (width, height, name) in [(1366, 768, "desktop"), (390, 844, "phone")] {
        b.resize(width, height).await;
        // The system administrator adds an officer to a commune picked by its code.
        b.login(&t.base, "admin").await;
        b.go(&format!("{}/admin/users", t.base)).await;
        let username = format!("can.bo.{name}");
        b.type_into("input[name=username]", &username).await;
        b.type_into("input[name=display_name]", "Nguyễn Văn An")
            .await;
        b.type_into("input[name=password]", PASSWORD).await;
        b.type_into("input[name=unit]", commune.code.as_str()).await;
        b.click("select[name=role] option[value=data_entry]").await;
        b.click("#new-user button[type=submit]").await;
        let done = b.wait_text("#done", |t| t.contains("Đã tạo")).await;
        assert!(done.contains("Đã tạo người dùng"), "{done}");
        assert!(
            b.width_fits(width).await,
            "the user page scrolls sideways at {width} px"
        );
        seen(b.source().await, "user page");
        b.screenshot(&format!("admin-user-{name}")).await;
        // Locking asks for a confirmation first.
        b.click("#lock input[name=confirm]").await;
        b.click("#lock button.danger").await;
        let done = b.wait_text("#done", |t| t.contains("khóa")).await;
        assert!(done.contains("Đã khóa tài khoản"), "{done}");
        b.click("form[action='/logout'] button").await;
        b.wait_url(|u| u.contains("/login")).await;

        // The reviewer works from the inbox.
        b.login(&t.base, "district.reviewer").await;
        b.go(&format!("{}/reports", t.base)).await;
        let inbox = b.text("#inbox").await;
        assert!(
            inbox.contains(&commune.name) && inbox.contains("Tháng 3/2025"),
            "{inbox}"
        );
        assert!(
            b.width_fits(width).await,
            "the inbox scrolls sideways at {width} px"
        );
        seen(b.source().await, "inbox");
        b.screenshot(&format!("inbox-{name}")).await;
        if name == "desktop" {
            b.go(&format!("{}/reports/{sent}", t.base)).await;
            seen(b.source().await, "report");
        } else {
            // On the phone: the report with nothing to look at is accepted with the others.
            b.click(&format!("input[name=accept_{sent}]")).await;
            b.click("#bulk-accept input[name=confirm]").await;
            b.click("#bulk-accept-button").await;
            let done = b.wait_text("#bulk-done", |t| t.contains("chấp nhận")).await;
            assert!(done.contains("Đã chấp nhận 1 báo cáo"), "{done}");
            seen(b.source().await, "inbox after the bulk accept");
            b.screenshot("inbox-accepted-phone").await;
        }
        b.click("form[action='/logout'] button").await;
        b.wait_url(|u| u.contains("/login")).await;
    }
    b.stop().await;
    assert!(words.is_empty(), "{}", words.join("\n"));
    db.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: cargo test -p baocao-web --test http -- --ignored (see .ci/run)"]
async fn browser_a_head_submits_with_a_signature_file() {
    let db = baocao_testkit::TestDb::new(baocao_store::Backend::Sqlite).await;
    let t = spawn_app(db.store.clone()).await;
    let mut meta = three_level_metadata();
    meta.regimes[0].versions[0].signature_required = true;
    t.app
        .apply_metadata(&system_principal(), &meta)
        .await
        .unwrap();
    let pki = tokio::task::spawn_blocking(baocao_testkit::pki::TestPki::make)
        .await
        .unwrap();
    t.app
        .add_trust_anchors(&system_principal(), pki.cert("root"))
        .await
        .unwrap();
    let (officer, oc) = t.login("commune.officer").await;
    let (_, report) = t
        .post(
            &officer,
            &oc,
            "/api/v1/reports",
            json!({"regime": "BC-LD", "unit_id": t.commune.get(), "period": "2025M03"}),
        )
        .await;
    let id = report["id"].as_i64().unwrap();
    let draft = json!({"values": {"LD01": "1234", "LD01/sex:female": "600", "LD01/sex:male": "634", "LD02": "50000"}});
    let (status, _) = send(
        &officer,
        reqwest::Method::PUT,
        format!("{}/api/v1/reports/{id}/draft", t.base),
        &oc,
        draft,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let head = t.app.user_by_name("commune.head").await.unwrap();
    let principal = t.app.principal_of_user(head.id).await.unwrap();
    let (_, canonical) = t
        .app
        .draft_canonical(&principal, ReportId::new(id))
        .await
        .unwrap();
    let file = |name: &str, bytes: Vec<u8>| {
        let path = pki.dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_string_lossy().to_string()
    };
    let foreign = file(
        "foreign.p7s",
        pki.sign("stranger", &canonical, "sha256", false),
    );
    let good = file("good.p7s", pki.sign("signer", &canonical, "sha256", false));

    let b = Browser::start().await;
    b.login(&t.base, "commune.head").await;
    b.go(&format!("{}/reports/{id}", t.base)).await;
    // The regime requires a signature: no plain submit button, the signed form instead.
    assert!(!b.source().await.contains("id=\"submit-report\""));
    assert!(b
        .attribute("#draft-canonical", "href")
        .await
        .ends_with("/draft/canonical.json"));
    b.type_into("#signature-file", &foreign).await;
    b.click("#submit-signed").await;
    let said = b
        .wait_text("main", |t| t.contains("không do tổ chức chứng thực"))
        .await;
    assert!(
        said.contains("không do tổ chức chứng thực được tin cậy cấp"),
        "{said}"
    );
    b.type_into("#signature-file", &good).await;
    b.click("#submit-signed").await;
    b.wait_url(|u| u.contains("done=submit")).await;
    let listed = b
        .wait_text("#signature-list", |t| t.contains("Nguyễn Văn Thủ Trưởng"))
        .await;
    assert!(
        listed.contains("Nguyễn Văn Thủ Trưởng") && listed.contains("Hợp lệ"),
        "{listed}"
    );
    b.screenshot("report-signed").await;
    b.stop().await;
}
