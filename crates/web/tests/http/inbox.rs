//! The reviewer's inbox: filters, order and pages in the URL, what each
//! report has to look at, the next report after a decision, and a careful
//! bulk accept that takes only reports with nothing to look at, one ledgered
//! step each.

use crate::support::*;

fn inbox_table(page: &str) -> &str {
    let table = &page[page.find("id=\"inbox\"").expect("an inbox table")..];
    &table[..table.find("</table>").unwrap()]
}

both_backends!(
    async fn the_inbox_filters_sorts_pages_and_accepts_in_bulk_only_what_has_nothing_to_look_at(store) {
        let t = spawn_app(store).await;
        t.app.apply_metadata(&system_principal(), &three_level_metadata()).await.unwrap();
        for (name, role) in [("sibling.officer", Role::DataEntry), ("sibling.head", Role::UnitHead)] {
            let input = UserInput { username: name.into(), display_name: name.into(), password: PASSWORD.into(),
                unit: Some(t.sibling_commune), locale: "vi".into(), role: Some(role) };
            t.app.create_user(&system_principal(), &input).await.unwrap();
        }
        let good = json!({"values": {"LD01": "1234", "LD01/sex:female": "600", "LD01/sex:male": "634", "LD02": "50000"}});
        let march = submitted_report(&t, "commune.officer", "commune.head", t.commune, "2025M03", good.clone()).await;
        let february = submitted_report(&t, "commune.officer", "commune.head", t.commune, "2025M02", good).await;
        // A warning, explained by the unit: submitted, but a reviewer should look.
        let high = json!({"values": {"LD01": "1100", "LD01/sex:female": "600", "LD01/sex:male": "500", "LD02": "5000"},
            "explanations": {"W1": "Khu công nghiệp mới tuyển dụng"}});
        let warned = submitted_report(&t, "sibling.officer", "sibling.head", t.sibling_commune, "2025M03", high).await;

        let reviewer = page_login(&t, "district.reviewer").await;
        let get = |path: String| {
            let c = reviewer.clone();
            let base = t.base.clone();
            async move {
                let r = c.get(format!("{base}{path}")).send().await.unwrap();
                (r.status(), r.text().await.unwrap())
            }
        };
        let (status, page) = get("/reports".into()).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("id=\"inbox-count\">3 "), "three waiting: {page}");
        let table = inbox_table(&page);
        // Nothing to look at: a box to accept it with others; a warning: none.
        assert!(table.contains(&format!("name=\"accept_{march}\"")) && table.contains(&format!("name=\"accept_{february}\"")), "{table}");
        assert!(!table.contains(&format!("name=\"accept_{warned}\"")), "{table}");
        assert!(table.contains("1 cảnh báo") && table.contains("Không có gì bất thường"), "{table}");
        // Earliest deadline first: February before March.
        assert!(table.find(&format!("/reports/{february}\"")).unwrap() < table.find(&format!("/reports/{march}\"")).unwrap());

        // Filters and order live in the address.
        let (_, page) = get(format!("/reports?unit={}", t.sibling_commune.get())).await;
        assert!(page.contains("id=\"inbox-count\">1 ") && inbox_table(&page).contains(&format!("/reports/{warned}\"")), "{page}");
        let (_, page) = get("/reports?period=2025M02".into()).await;
        assert!(page.contains("id=\"inbox-count\">1 ") && inbox_table(&page).contains(&format!("/reports/{february}\"")));
        assert!(page.contains("<option value=\"2025M02\" selected>Tháng 2/2025</option>"), "periods by name: {page}");
        let (_, page) = get("/reports?sort=newest".into()).await;
        let table = inbox_table(&page);
        assert!(table.find(&format!("/reports/{warned}\"")).unwrap() < table.find(&format!("/reports/{march}\"")).unwrap(), "newest first");
        // A malformed filter is refused by name, in Vietnamese, with no parser detail.
        for bad in ["status=draft", "sort=fastest", "period=2025M13", "unit=abc"] {
            let (status, page) = get(format!("/reports?{bad}")).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
            assert!(page.contains("Bộ lọc không hợp lệ") && !page.contains("deserialize"), "{bad}: {page}");
        }

        // The API lists the same summaries, a page at a time, filtered the same way.
        let (api_reviewer, _) = t.login("district.reviewer").await;
        let r = api_reviewer.get(format!("{}/api/v1/reports/inbox?unit={}", t.base, t.sibling_commune.get())).send().await.unwrap();
        assert_eq!(r.headers()["x-total-count"], "1");
        let listed: Value = r.json().await.unwrap();
        assert_eq!((listed[0]["id"].as_i64(), listed[0]["warnings"].as_u64(), listed[0]["flags"].as_u64()), (Some(warned), Some(1), Some(0)), "{listed}");
        assert!(listed[0].get("content").is_none(), "a summary, not the report");
        let long = format!("regime={}", "X".repeat(65));
        for bad in ["period=2025M13", "status=", "status=draft", "sort=", "sort=fastest", "page=0", long.as_str()] {
            let r = api_reviewer.get(format!("{}/api/v1/reports/inbox?{bad}", t.base)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        }
        let r = api_reviewer.get(format!("{}/api/v1/reports/inbox?page=2", t.base)).send().await.unwrap();
        assert_eq!(r.headers()["x-total-count"], "3");
        assert_eq!(r.json::<Value>().await.unwrap().as_array().unwrap().len(), 3, "past the last page: the last page");

        // Bulk accept: a confirmation is required; nothing is decided without it.
        let csrf = hidden_field(&get("/reports".into()).await.1, "_csrf");
        let r = reviewer.post(format!("{}/reports/accept-many", t.base))
            .form(&[("_csrf", csrf.as_str()), (&format!("accept_{march}"), "1")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let (api, _) = t.login("district.reviewer").await;
        assert_eq!(t.get(&api, &format!("/api/v1/reports/{march}")).await.1["status"], "submitted", "nothing accepted");
        // With it, the report with a warning is left even when ticked (a forged form).
        let r = reviewer.post(format!("{}/reports/accept-many", t.base))
            .form(&[("_csrf", csrf.as_str()), ("confirm", "1"), (&format!("accept_{march}"), "1"), (&format!("accept_{warned}"), "1")])
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let to = r.headers()["location"].to_str().unwrap().to_string();
        let (_, page) = get(to).await;
        assert!(page.contains("Đã chấp nhận 1 báo cáo; 1 báo cáo để lại"), "{page}");
        let (_, view) = t.get(&api, &format!("/api/v1/reports/{march}")).await;
        assert_eq!(view["status"], "accepted");
        let actions: Vec<&str> = view["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, vec!["report.submit", "report.accept"], "its own workflow step");
        assert_eq!(t.get(&api, &format!("/api/v1/reports/{warned}")).await.1["status"], "submitted");
        assert!(page.contains("id=\"inbox-count\">2 "), "{page}");

        // Someone who does not receive these reports decides on none of them.
        let province = t.app.principal_of_user(t.user_id("province.reviewer").await).await.unwrap();
        let done = t.app.accept_many(&province, &[ReportId::new(february)]).await.unwrap();
        assert!(done.accepted.is_empty() && done.skipped.len() == 1, "{done:?}");
        assert_eq!(t.get(&api, &format!("/api/v1/reports/{february}")).await.1["status"], "submitted");

        // After a decision on one report, the next one waiting is one click away.
        let page = get(format!("/reports/{february}")).await.1;
        let r = reviewer.post(format!("{}/reports/{february}/accept", t.base))
            .form(&[("_csrf", hidden_field(&page, "_csrf"))]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, page) = get(r.headers()["location"].to_str().unwrap().to_string()).await;
        assert!(page.contains(&format!("href=\"/reports/{warned}\" id=\"next-report\"")), "{page}");

        // The accepted ones are listed under their status.
        let (_, page) = get("/reports?status=accepted".into()).await;
        assert!(page.contains("id=\"inbox-count\">2 "), "{page}");
        assert!(!inbox_table(&page).contains("name=\"accept_"), "nothing to accept among accepted reports");
    }
);
