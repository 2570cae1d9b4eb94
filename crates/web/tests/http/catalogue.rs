//! The metadata catalogue: import, checks, export, the regime editor and requests.

use crate::support::*;

both_backends!(
    async fn the_catalogue_is_imported_checked_and_exported(store) {
        let t = spawn_app(store).await;
        let (admin, csrf) = t.login("regime.admin").await;
        let (status, body) = t.post(&admin, &csrf, "/api/v1/metadata", metadata()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["created"], 7, "{body}");
        let (officer, officer_csrf) = t.login("commune.officer").await;
        let (status, export) = t.get(&officer, "/api/v1/metadata").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(export, exported(metadata()));
        let (_, again) = t.post(&admin, &csrf, "/api/v1/metadata", metadata()).await;
        assert_eq!((again["created"].as_u64(), again["changed"].as_u64(), again["unchanged"].as_u64()), (Some(0), Some(0), Some(7)));

        // Each bad document is refused with the path of the problem, in Vietnamese,
        // and nothing changes.
        let cases: Vec<(Change, &str, &str)> = vec![
            (Box::new(|d| d["indicators"][2]["formula"] = json!("100 * LD01 /")), "indicators[2].formula", "Ký tự thứ"),
            (Box::new(|d| d["indicators"][1]["formula"] = json!("LD03 + 1")), "indicators[1].formula", "vòng tròn"),
            (Box::new(|d| d["regimes"][0]["versions"][0]["reporting"][0]["deadline"] = json!({"fixed_day_of_month": {"day": 15, "months_after": 0}})),
             "regimes[0].versions[0].reporting[0].deadline", "Nghị định 09"),
            (Box::new(|d| d["indicators"][0]["measure_vi"] = json!("nghìn người")), "indicators[0]", "không được dùng lại"),
            (Box::new(|d| d["regimes"][0]["versions"][0]["from"] = json!("2026M13")), "regimes[0].versions[0].from", "2026M13"),
            (Box::new(|d| d["requests"][0]["units"][1] = json!("99999")), "requests[0].units[1]", "99999"),
            (Box::new(|d| d["regimes"][0]["versions"][0]["forms"][0]["rows"][0]["indicator"] = json!("XX9")),
             "regimes[0].versions[0].forms[0].rows[0].indicator", "XX9"),
            (Box::new(|d| d["format"] = json!("other/1")), "format", "other/1"),
        ];
        for (change, path, text) in cases {
            let mut doc = metadata();
            change(&mut doc);
            let (status, body) = t.post(&admin, &csrf, "/api/v1/metadata", doc).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
            assert_eq!(body["error"]["code"], "document_rejected");
            let fields = body["error"]["fields"].as_array().unwrap();
            assert!(
                fields.iter().any(|f| f["field"] == path && f["message"].as_str().unwrap().contains(text)),
                "{path}: {body}"
            );
        }
        // Unknown fields and wrong types are refused before any check.
        let (status, _) = t.post(&admin, &csrf, "/api/v1/metadata", json!({"format": "baocao-metadata/1", "indicatorz": []})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = admin
            .post(format!("{}/api/v1/metadata", t.base))
            .header("x-csrf-token", &csrf)
            .header("content-type", "application/json")
            .body("{\"format\": ")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = r.json().await.unwrap();
        assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("dòng 1"), "{body}");
        assert_eq!(t.get(&officer, "/api/v1/metadata").await.1, exported(metadata()));

        // English on request.
        let r = admin
            .post(format!("{}/api/v1/metadata", t.base))
            .header("x-csrf-token", &csrf)
            .header("accept-language", "en")
            .json(&{
                let mut d = metadata();
                d["indicators"][2]["formula"] = json!("LD01 / ");
                d
            })
            .send()
            .await
            .unwrap();
        let body: Value = r.json().await.unwrap();
        assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("Character"), "{body}");

        // Who may: an officer reads but does not write; a district regime
        // administrator may not define the province's regimes or the shared indicators.
        let (status, _) = t.post(&officer, &officer_csrf, "/api/v1/metadata", metadata()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (district, district_csrf) = t.login("district.regimes").await;
        let mut changed = metadata();
        changed["indicators"][0]["name_en"] = json!("Jobs created (persons)");
        let (status, _) = t.post(&district, &district_csrf, "/api/v1/metadata", changed.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let regime_only = json!({"format": "baocao-metadata/1", "regimes": [metadata()["regimes"][0].clone()]});
        let (status, _) = t.post(&district, &district_csrf, "/api/v1/metadata", regime_only).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(t.get(&officer, "/api/v1/metadata").await.1, exported(metadata()));

        // A revision keeping the meaning adds a catalogue version.
        let r = admin
            .put(format!("{}/api/v1/indicators/LD01", t.base))
            .header("x-csrf-token", &csrf)
            .json(&changed["indicators"][0])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let (_, history) = t.get(&officer, "/api/v1/indicators/LD01").await;
        assert_eq!(history.as_array().unwrap().len(), 2, "{history}");
        assert_eq!(history[1]["indicator"]["name_en"], "Jobs created (persons)");
        let (_, found) = t.get(&officer, "/api/v1/indicators?q=viec%20lam").await;
        assert_eq!(found.as_array().unwrap().len(), 2, "{found}");

        // A new version from 2027 keeps the first; removing a stored version is refused.
        let mut regime = metadata()["regimes"][0].clone();
        let mut v2 = regime["versions"][0].clone();
        v2["from"] = json!("2027M01");
        v2["name_vi"] = json!("Báo cáo lao động, việc làm hằng tháng (sửa đổi)");
        regime["versions"].as_array_mut().unwrap().push(v2);
        let r = admin.put(format!("{}/api/v1/regimes/BC-LD", t.base)).header("x-csrf-token", &csrf).json(&regime).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        regime["versions"].as_array_mut().unwrap().remove(0);
        let r = admin.put(format!("{}/api/v1/regimes/BC-LD", t.base)).header("x-csrf-token", &csrf).json(&regime).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let (_, stored) = t.get(&officer, "/api/v1/regimes/BC-LD").await;
        assert_eq!(stored["versions"].as_array().unwrap().len(), 2);

        // The deadline calendar: February 2026's window ends Saturday 14/2 and
        // Tết closes offices 16–20/2, so communes are due on the 2nd working
        // day after: Tuesday 24/2; departments on the 4th: Thursday 26/2.
        let (status, cal) = t.get(&officer, "/api/v1/regimes/BC-LD/calendar/2026").await;
        assert_eq!(status, StatusCode::OK, "{cal}");
        let periods = cal["periods"].as_array().unwrap();
        assert_eq!(periods.len(), 12);
        assert_eq!(periods[1]["period"], "2026M02");
        assert_eq!(periods[1]["window"]["first"], "2026-01-15");
        assert_eq!(periods[1]["deadlines"][0]["deadline"], "2026-02-24");
        assert_eq!(periods[1]["deadlines"][1]["deadline"], "2026-02-26");
        let (_, cal) = t.get(&officer, "/api/v1/regimes/BC-LD/calendar/2027").await;
        assert_eq!(cal["periods"][0]["version"], 2);
        let (_, cal) = t.get(&officer, "/api/v1/regimes/DX-BAO/calendar/2026").await;
        assert_eq!(cal["requests"][0]["code"], "YC-01");
        let (status, _) = t.get(&officer, "/api/v1/regimes/NOPE/calendar/2026").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);

both_backends!(
    async fn a_regime_administrator_creates_a_regime_with_the_editor(store) {
        let t = spawn_app(store).await;
        let mut doc: baocao_domain::catalogue::Metadata = serde_json::from_value(metadata()).unwrap();
        doc.regimes.clear();
        doc.requests.clear();
        t.app.apply_metadata(&system_principal(), &doc).await.unwrap();

        let officer = page_login(&t, "commune.officer").await;
        let page = officer.get(format!("{}/catalogue?q=lao%20dong", t.base)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Số lao động được tạo việc làm") && page.contains("LD03"), "{page}");
        let page = officer.get(format!("{}/catalogue/indicators/LD03", t.base)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("100 * LD01 / LD02") && page.contains("≥ 2,5"), "{page}");
        let r = officer.get(format!("{}/regimes/new", t.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        let admin = page_login(&t, "regime.admin").await;
        let editor = admin.get(format!("{}/regimes/new", t.base)).send().await.unwrap().text().await.unwrap();
        let csrf = hidden_field(&editor, "_csrf");
        // The 15th leaves no working day after the 14th: refused, form kept, nothing stored.
        let r = admin.post(format!("{}/regimes/new", t.base)).form(&editor_form(&csrf, "BC-VL", "15")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let page = r.text().await.unwrap();
        assert!(page.contains("Nghị định 09") && page.contains("Báo cáo việc làm hằng tháng"), "{page}");
        assert_eq!(t.app.metadata().await.unwrap().regimes.len(), 0);
        // A bad column source is refused the same way.
        let mut form = editor_form(&csrf, "BC-VL", "20");
        form.iter_mut().find(|(k, _)| k == "f0_c0_source").unwrap().1 = "sometimes".into();
        let page = admin.post(format!("{}/regimes/new", t.base)).form(&form).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("sometimes"), "{page}");
        assert_eq!(t.app.metadata().await.unwrap().regimes.len(), 0);

        // The 28th is fine: saved, shown with its form, outline and calendar.
        let r = admin.post(format!("{}/regimes/new", t.base)).form(&editor_form(&csrf, "BC-VL", "28")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()["location"], "/regimes/BC-VL");
        let page = officer.get(format!("{}/regimes/BC-VL", t.base)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Biểu 01: Lao động, việc làm") && page.contains("Nữ") && page.contains("Nhiệm vụ tháng tới"), "{page}");
        assert!(page.contains("Tỉnh Nghệ An (40)"), "the receiving unit by its name: {page}");
        let page = officer.get(format!("{}/regimes/BC-VL/calendar?year=2026", t.base)).send().await.unwrap().text().await.unwrap();
        // Saturday 28/02/2026 moves to Monday 02/03/2026.
        assert!(page.contains("15/01/2026 – 14/02/2026</td><td>02/03/2026"), "{page}");
        // The same code again is refused.
        let page = admin.post(format!("{}/regimes/new", t.base)).form(&editor_form(&csrf, "BC-VL", "28")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Đã có chế độ báo cáo mã"), "{page}");

        // Editing loads the version back; a new period adds version 2.
        let editor = admin.get(format!("{}/regimes/BC-VL/edit", t.base)).send().await.unwrap().text().await.unwrap();
        assert!(editor.contains("name=\"f0_c2_formula\" value=\"100 * C1 / C2\"") && editor.contains("name=\"f0_r0_indicator\" value=\"LD01\""), "{editor}");
        assert!(editor.contains("name=\"f0_r0_breakdown\" value=\"1\" checked"), "{editor}");
        let mut form = editor_form(&csrf, "BC-VL", "28");
        form.iter_mut().find(|(k, _)| k == "is_new").unwrap().1 = "0".into();
        form.iter_mut().find(|(k, _)| k == "from").unwrap().1 = "2027M01".into();
        let r = admin.post(format!("{}/regimes/BC-VL/edit", t.base)).form(&form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(t.app.regime("BC-VL").await.unwrap().versions.len(), 2);
        // Without the CSRF token nothing happens.
        form.iter_mut().find(|(k, _)| k == "_csrf").unwrap().1 = "forged".into();
        form.iter_mut().find(|(k, _)| k == "from").unwrap().1 = "2028M01".into();
        let r = admin.post(format!("{}/regimes/BC-VL/edit", t.base)).form(&form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(t.app.regime("BC-VL").await.unwrap().versions.len(), 2);
    }
);

both_backends!(
    async fn the_regime_editor_refuses_what_it_cannot_read_instead_of_guessing(store) {
        let t = spawn_app(store).await;
        let mut doc: baocao_domain::catalogue::Metadata = serde_json::from_value(metadata()).unwrap();
        doc.regimes.clear();
        doc.requests.clear();
        t.app.apply_metadata(&system_principal(), &doc).await.unwrap();
        let admin = page_login(&t, "regime.admin").await;
        let editor = admin.get(format!("{}/regimes/new", t.base)).send().await.unwrap().text().await.unwrap();
        let csrf = hidden_field(&editor, "_csrf");
        fn set(form: &mut [(String, String)], key: &str, value: &str) {
            form.iter_mut().find(|(k, _)| k == key).unwrap().1 = value.to_string();
        }
        // Each malformed or missing field used to be replaced by a default
        // (a periodic, monthly, administrative regime; a group due on a
        // request's deadline; a column of current values; stage 0). Now each is
        // refused on the form, in the user's language, and nothing is stored.
        type FormChange = Box<dyn Fn(&mut Vec<(String, String)>)>;
        let cases: Vec<(FormChange, &str, &str)> = vec![
            (Box::new(|f| set(f, "kind", "weekly")), "Loại: ", "không phải là một lựa chọn hợp lệ (periodic, thematic, ad_hoc)"),
            (Box::new(|f| f.retain(|(k, _)| k != "frequency")), "Tần suất: ", "Trường này là bắt buộc"),
            (Box::new(|f| set(f, "convention", "lunar")), "Thời gian chốt số liệu: ", "lunar"),
            (Box::new(|f| f.push(("method".into(), "fax".into()))), "Phương thức gửi: ", "fax"),
            (Box::new(|f| set(f, "g0_rule", "whenever")), "Nhóm đơn vị báo cáo 1 — Thời hạn gửi: ", "whenever"),
            (Box::new(|f| set(f, "g0_stage", "300")), "Nhóm đơn vị báo cáo 1 — Bước: ", "nằm ngoài khoảng cho phép 1–255"),
            (Box::new(|f| { set(f, "g0_rule", "working_days"); set(f, "g0_n", "70000") }), "Nhóm đơn vị báo cáo 1 — Thời hạn gửi: ", "Giá trị 70000 nằm ngoài khoảng cho phép 1–90"),
            (Box::new(|f| set(f, "f0_c0_source", "")), "Biểu 1, cột 1 — Nguồn số liệu: ", "Thiếu nguồn của cột"),
            (Box::new(|f| set(f, "f0_c2_formula", "")), "Biểu 1, cột 3 — Công thức (cột tính): ", "bắt buộc"),
        ];
        for (change, path, text) in cases {
            let mut form = editor_form(&csrf, "BC-VL", "28");
            change(&mut form);
            let r = admin.post(format!("{}/regimes/new", t.base)).form(&form).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{path}");
            let page = r.text().await.unwrap();
            assert!(page.contains("id=\"problems\"") && page.contains(path) && page.contains(text), "{path}: {page}");
            assert!(page.contains("Báo cáo việc làm hằng tháng"), "the form is kept: {page}");
            assert_eq!(t.app.metadata().await.unwrap().regimes.len(), 0, "{path}");
        }
        // In English for an administrator who chose English.
        admin.get(format!("{}/lang/en", t.base)).send().await.unwrap();
        let mut form = editor_form(&csrf, "BC-VL", "28");
        set(&mut form, "kind", "weekly");
        let page = admin.post(format!("{}/regimes/new", t.base)).form(&form).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("is not one of the choices (periodic, thematic, ad_hoc)"), "{page}");
        // A group with only its deadline typed is no longer dropped as blank.
        let mut form = editor_form(&csrf, "BC-VL", "28");
        set(&mut form, "g1_n", "5");
        let page = admin.post(format!("{}/regimes/new", t.base)).form(&form).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Reporting group 2"), "in English, in words: {page}");
        assert_eq!(t.app.metadata().await.unwrap().regimes.len(), 0);

        // What is genuinely optional stays so: no months after the window
        // (the same month), no English names, an outline section without guidance.
        let mut form = editor_form(&csrf, "BC-VL", "28");
        set(&mut form, "g0_months", "");
        set(&mut form, "name_en", "");
        set(&mut form, "g0_name_en", "");
        let r = admin.post(format!("{}/regimes/new", t.base)).form(&form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
        let regime = t.app.regime("BC-VL").await.unwrap();
        let v = &regime.versions[0];
        assert_eq!(v.reporting[0].deadline, Some(baocao_domain::deadline::DeadlineRule::fixed_day(28, 0).unwrap()));
        assert_eq!((v.name_en.as_str(), v.outline[1].guidance_vi.as_str()), ("", ""));
    }
);

both_backends!(
    async fn a_regime_administrator_issues_a_request_in_the_browser(store) {
        let t = spawn_app(store).await;
        let mut doc: baocao_domain::catalogue::Metadata =
            serde_json::from_value(metadata()).unwrap();
        doc.requests.clear();
        t.app.apply_metadata(&system_principal(), &doc).await.unwrap();
        let admin = page_login(&t, "regime.admin").await;
        let page = admin
            .get(format!("{}/requests/new", t.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        // Only thematic and ad-hoc regimes take requests.
        assert!(page.contains("DX-BAO") && !page.contains("value=\"BC-LD\""), "{page}");
        let csrf = hidden_field(&page, "_csrf");
        let form = |deadline: &str| {
            vec![
                ("_csrf", csrf.clone()),
                ("code", "YC-02".to_string()),
                ("regime", "DX-BAO".to_string()),
                ("title_vi", "Thiệt hại do mưa lũ tháng 10".to_string()),
                ("title_en", "October flood damage".to_string()),
                ("issued_by", "40".to_string()),
                ("window_first", "2026-10-01".to_string()),
                ("window_last", "2026-10-07".to_string()),
                ("deadline", deadline.to_string()),
                ("units", "16681, 16690".to_string()),
            ]
        };
        // 11 October 2026 is a Sunday; "hôm qua" is not a date.
        for (deadline, text) in [("2026-10-11", "không phải ngày làm việc"), ("hôm qua", "hôm qua")] {
            let r = admin
                .post(format!("{}/requests/new", t.base))
                .form(&form(deadline))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            let page = r.text().await.unwrap();
            assert!(page.contains(text) && page.contains("Thiệt hại do mưa lũ tháng 10"), "{page}");
            assert!(t.app.metadata().await.unwrap().requests.is_empty());
        }
        let r = admin
            .post(format!("{}/requests/new", t.base))
            .form(&form("2026-10-09"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let officer = page_login(&t, "commune.officer").await;
        let page = officer
            .get(format!("{}/regimes/DX-BAO/calendar?year=2026", t.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("YC-02") && page.contains("09/10/2026"), "{page}");
        let r = officer
            .get(format!("{}/requests/new", t.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        // The province's leader issues one too (over the API); a district
        // reviewer may not issue in the province's name.
        let (leader, lc) = t.login("leader").await;
        let mut request = json!({"code": "YC-03", "regime": "DX-BAO", "title_vi": "Thiệt hại do sạt lở", "title_en": "",
            "issued_by": "40", "window_first": "2026-10-12", "window_last": "2026-10-14", "deadline": "2026-10-16",
            "units": ["16681"]});
        let r = leader.put(format!("{}/api/v1/requests/YC-03", t.base)).header("x-csrf-token", &lc).json(&request).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let (dreviewer, drc) = t.login("district.reviewer").await;
        request["code"] = json!("YC-04");
                let r = dreviewer.put(format!("{}/api/v1/requests/YC-04", t.base)).header("x-csrf-token", &drc).json(&request).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{}", r.text().await.unwrap());
        // Nor take over the province's request by naming the district as issuer.
        let mut takeover = request.clone();
        takeover["code"] = json!("YC-03");
        takeover["issued_by"] = json!("412");
        takeover["deadline"] = json!("2026-10-30");
        let r = dreviewer.put(format!("{}/api/v1/requests/YC-03", t.base)).header("x-csrf-token", &drc).json(&takeover).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{}", r.text().await.unwrap());
        let (_, requests) = t.get(&leader, "/api/v1/requests").await;
        let yc03 = requests.as_array().unwrap().iter().find(|r| r["code"] == "YC-03").unwrap();
        assert_eq!((yc03["issued_by"].as_str(), yc03["deadline"].as_str()), (Some("40"), Some("2026-10-16")));
        // Likewise a district's regime administrator and the province's regime.
        let (dregimes, dgc) = t.login("district.regimes").await;
        let mut regime = serde_json::to_value(&doc.regimes[0]).unwrap();
        for v in regime["versions"].as_array_mut().unwrap() {
            v["receiving_unit"] = json!("412");
        }
        let r = dregimes.put(format!("{}/api/v1/regimes/{}", t.base, doc.regimes[0].code)).header("x-csrf-token", &dgc).json(&regime).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{}", r.text().await.unwrap());
        // A leader still cannot touch regimes.
        let regime = serde_json::to_value(&doc.regimes[0]).unwrap();
        let r = leader.put(format!("{}/api/v1/regimes/{}", t.base, doc.regimes[0].code)).header("x-csrf-token", &lc).json(&regime).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
);
