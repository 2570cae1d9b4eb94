//! Reports through the workflow: submit, return, accept, correct, recall, synthesis after the reform.

use crate::support::*;

both_backends!(
    async fn a_report_goes_through_submit_return_resubmit_accept_and_correction(store) {
        let t = spawn_app(store.clone()).await;
        t.app.apply_metadata(&system_principal(), &three_level_metadata()).await.unwrap();
        let (officer, oc) = t.login("commune.officer").await;
        let (head, hc) = t.login("commune.head").await;
        let (reviewer, rc) = t.login("district.reviewer").await;
        let (province, pc) = t.login("province.reviewer").await;
        let (other, xc) = t.login("other.officer").await;
        let put = reqwest::Method::PUT;
        let post = reqwest::Method::POST;
        let url = |path: String| format!("{}{path}", t.base);

        // Someone else's unit: refused, as if it did not exist.
        let (status, _) = t.post(&other, &xc, "/api/v1/reports", json!({"regime": "BC-LD", "unit_id": t.commune.get(), "period": "2025M03"})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, report) = t.post(&officer, &oc, "/api/v1/reports", json!({"regime": "BC-LD", "unit_id": t.commune.get(), "period": "2025M03"})).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        let id = report["id"].as_i64().unwrap();
        assert_eq!(report["status"], "draft");
        assert_eq!(report["receiver"], t.district.get(), "a commune reports to its district");
        assert_eq!(report["deadline"], "2025-03-18");
        assert_eq!(t.get(&other, &format!("/api/v1/reports/{id}")).await.0, StatusCode::NOT_FOUND);
        let draft = format!("/api/v1/reports/{id}/draft");
        assert_eq!(send(&other, put.clone(), url(draft.clone()), &xc, json!({"values": {"LD01": "1"}})).await.0, StatusCode::NOT_FOUND);

        // Bad values are refused cell by cell and nothing is stored.
        let (status, body) = send(&officer, put.clone(), url(draft.clone()), &oc,
            json!({"values": {"LD01": "abc", "XX9": "1", "LD03": "5", "LD02": "1,5"}})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let cells: Vec<&str> = body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert_eq!(cells, vec!["LD01", "LD02", "LD03", "XX9"], "{body}");
        assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("không phải là số"));
        assert_eq!(t.get(&officer, &format!("/api/v1/reports/{id}")).await.1["content"]["values"], json!({}));
        // Validation: an error blocks submission; a warning needs an explanation.
        let submit_url = url(format!("/api/v1/reports/{id}/submit"));
        let bad = json!({"values": {"LD01": "1.000", "LD01/sex:female": "600", "LD01/sex:male": "500", "LD02": "50.000"}});
        assert_eq!(send(&officer, put.clone(), url(draft.clone()), &oc, bad).await.0, StatusCode::OK);
        let (_, view) = t.get(&officer, &format!("/api/v1/reports/{id}")).await;
        assert_eq!(view["checks"][0]["code"], "R1", "shown before submitting: {view}");
        assert_eq!(view["checks"][0]["cells"], json!(["LD01", "LD01/sex:female", "LD01/sex:male"]));
        let (status, body) = send(&head, post.clone(), submit_url.clone(), &hc, json!({})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["fields"][0]["field"], "R1");
        assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("Tổng số phải bằng nam cộng nữ"), "{body}");
        let high = json!({"values": {"LD01": "1.100", "LD01/sex:female": "600", "LD01/sex:male": "500", "LD02": "5.000"}});
        assert_eq!(send(&officer, put.clone(), url(draft.clone()), &oc, high.clone()).await.0, StatusCode::OK);
        let (status, body) = send(&head, post.clone(), submit_url.clone(), &hc, json!({})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["fields"][0]["field"], "W1");
        assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("giải trình"), "{body}");
        let mut explained = high.clone();
        explained["explanations"] = json!({"W9": "?"});
        let (status, body) = send(&officer, put.clone(), url(draft.clone()), &oc, explained).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "unknown rule: {body}");
        assert_eq!(t.get(&officer, &format!("/api/v1/reports/{id}")).await.1["status"], "draft");

        // A good draft, in Vietnamese notation.
        let good = json!({"values": {"LD01": "1.234", "LD01/sex:female": "600", "LD01/sex:male": "634", "LD02": "50.000"}, "sections": {"I": "Tạo việc làm tốt."}});
        let (status, saved) = send(&officer, put.clone(), url(draft.clone()), &oc, good.clone()).await;
        assert_eq!(status, StatusCode::OK, "{saved}");
        assert_eq!(saved["values"]["LD02"], "50000");
        // Only the unit head submits.
        let submit = url(format!("/api/v1/reports/{id}/submit"));
        assert_eq!(send(&officer, post.clone(), submit.clone(), &oc, json!({})).await.0, StatusCode::FORBIDDEN);
        let (status, done) = send(&head, post.clone(), submit.clone(), &hc, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{done}");
        assert_eq!(done, json!({"version": 1, "on_time": false}), "submitted long after 18/03/2025");
        // Frozen: no edit, no second submission.
        let (status, body) = send(&officer, put.clone(), url(draft.clone()), &oc, good.clone()).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(send(&head, post.clone(), submit.clone(), &hc, json!({})).await.0, StatusCode::CONFLICT);

        // Only the receiving unit's reviewer decides, and a return needs a reason.
        let ret = url(format!("/api/v1/reports/{id}/return"));
        let accept = url(format!("/api/v1/reports/{id}/accept"));
        assert_eq!(send(&province, post.clone(), accept.clone(), &pc, json!({})).await.0, StatusCode::FORBIDDEN);
        assert_eq!(send(&head, post.clone(), accept.clone(), &hc, json!({})).await.0, StatusCode::FORBIDDEN);
        assert_eq!(send(&reviewer, post.clone(), ret.clone(), &rc, json!({"reason": " "})).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        let (_, inbox) = t.get(&reviewer, "/api/v1/reports/inbox").await;
        assert_eq!(inbox.as_array().unwrap().len(), 1);
        // A summary to work from: when it came and whether in time, no contents.
        assert!(inbox[0]["submitted_at"].as_i64().unwrap() > 0 && inbox[0]["on_time"].is_boolean(), "{inbox}");
        assert!(inbox[0].get("content").is_none());
        let (_, notes) = t.get(&reviewer, "/api/v1/notifications").await;
        assert!(notes.as_array().unwrap().iter().any(|n| n["kind"] == "to_review" && n["text"].as_str().unwrap().contains("Có 1 báo cáo")), "{notes}");
        let digest = notes.as_array().unwrap().iter().find(|n| n["kind"] == "digest").expect("a daily digest");
        assert!(digest["text"].as_str().unwrap().contains("1 báo cáo mới gửi đến"), "{digest}");
        assert_eq!(send(&reviewer, post.clone(), ret.clone(), &rc, json!({"reason": "Thiếu số liệu nữ"})).await.0, StatusCode::NO_CONTENT);
        assert_eq!(send(&reviewer, post.clone(), ret.clone(), &rc, json!({"reason": "lần nữa"})).await.0, StatusCode::CONFLICT);
        let (_, mine) = t.get(&officer, "/api/v1/reports/mine").await;
        assert_eq!(mine[0]["urgency"], "returned", "{mine}");
        let (_, notes) = t.get(&officer, "/api/v1/notifications").await;
        assert_eq!(notes[0]["kind"], "returned", "{notes}");
        assert!(notes[0]["text"].as_str().unwrap().contains("bị trả lại, lý do: Thiếu số liệu nữ"), "the reason travels with the notification: {notes}");
        assert!(notes.as_array().unwrap().iter().any(|n| n["kind"] == "overdue"), "{notes}");
        assert_eq!(mine[0]["report_id"], id);

        // Corrected and resubmitted: version 2; then accepted.
        let mut fixed = good.clone();
        fixed["values"]["LD01/sex:female"] = json!("601");
        fixed["values"]["LD01"] = json!("1235");
        assert_eq!(send(&officer, put.clone(), url(draft.clone()), &oc, fixed).await.0, StatusCode::OK);
        assert_eq!(send(&head, post.clone(), submit.clone(), &hc, json!({})).await.1["version"], 2);
        assert_eq!(send(&reviewer, post.clone(), accept.clone(), &rc, json!({})).await.0, StatusCode::NO_CONTENT);
        let (_, view) = t.get(&officer, &format!("/api/v1/reports/{id}")).await;
        assert_eq!(view["status"], "accepted");
        let (_, notes) = t.get(&officer, "/api/v1/notifications").await;
        assert!(notes.as_array().unwrap().iter().any(|n| n["kind"] == "accepted"), "{notes}");
        let versions = view["versions"].as_array().unwrap();
        assert_eq!(versions.len(), 2);
        assert_eq!(versions[0]["content"]["values"]["LD01"], "1234", "version 1 stays readable");
        assert_eq!(versions[1]["content"]["values"]["LD01"], "1235");
        let actions: Vec<&str> = view["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, vec!["report.submit", "report.return", "report.submit", "report.accept"]);
        assert_eq!(view["events"][1]["reason"], "Thiếu số liệu nữ");

        // A correction after acceptance: reason required, then version 3 carries it.
        let correct = url(format!("/api/v1/reports/{id}/correct"));
        assert_eq!(send(&officer, post.clone(), correct.clone(), &oc, json!({})).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(send(&reviewer, post.clone(), correct.clone(), &rc, json!({"reason": "x"})).await.0, StatusCode::FORBIDDEN);
        assert_eq!(send(&officer, post.clone(), correct.clone(), &oc, json!({"reason": "Sai số lao động nam"})).await.0, StatusCode::NO_CONTENT);
        assert_eq!(send(&head, post.clone(), submit.clone(), &hc, json!({})).await.1["version"], 3);
        let (_, view) = t.get(&officer, &format!("/api/v1/reports/{id}")).await;
        assert_eq!(view["versions"][2]["reason"], "Sai số lao động nam");
        assert_eq!(t.app.draft_saves(ReportId::new(id)).await.unwrap(), 4);
        // The district's report is synthesized from its communes' accepted
        // reports: only the one accepted commune contributes, the others are
        // listed as missing, never counted as zero.
        assert_eq!(send(&reviewer, post.clone(), accept.clone(), &rc, json!({})).await.0, StatusCode::NO_CONTENT);
        let (dofficer, dc) = t.login("district.officer").await;
        let (status, district_report) = t.post(&dofficer, &dc, "/api/v1/reports", json!({"regime": "BC-LD", "unit_id": t.district.get(), "period": "2025M03"})).await;
        assert_eq!(status, StatusCode::OK, "{district_report}");
        assert_eq!(district_report["receiver"], t.province.get());
        let did = district_report["id"].as_i64().unwrap();
        let synth = url(format!("/api/v1/reports/{did}/synthesize"));
        // A commune does not even see its district's report.
        assert_eq!(send(&officer, post.clone(), synth.clone(), &oc, json!({})).await.0, StatusCode::NOT_FOUND);
        let (status, s1) = send(&dofficer, post.clone(), synth.clone(), &dc, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{s1}");
        assert_eq!(s1["aggregated"], 1);
        let expected = s1["expected"].as_array().unwrap();
        assert!(expected.len() > 10, "Vinh has about 25 wards and communes: {s1}");
        assert_eq!(expected.iter().filter(|c| c["status"] == "accepted").count(), 1);
        assert_eq!(s1["contributors"]["LD01"].as_array().unwrap().len(), 1);
        let (_, dview) = t.get(&dofficer, &format!("/api/v1/reports/{did}")).await;
        assert_eq!(dview["content"]["values"]["LD01"], "1235");
        assert_eq!(dview["content"]["values"]["LD01/sex:female"], "601");
assert_eq!(dview["content"]["values"]["LD02"], "50000");
        // The regime version these reports were made with can no longer change.
        let (regime_admin, rac) = t.login("regime.admin").await;
        let mut regime = serde_json::to_value(&three_level_metadata().regimes[0]).unwrap();
        regime["versions"][0]["name_vi"] = json!("Tên mới");
        let (status, body) = send(&regime_admin, reqwest::Method::PUT, url("/api/v1/regimes/BC-LD".into()), &rac, regime).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("không được sửa"), "{body}");
        // Timeliness at the district: one late commune, the rest missing.
        let tl_path = format!("/api/v1/reports/timeliness?regime=BC-LD&period=2025M03&unit={}", t.district.get());
        let (status, tl) = t.get(&dofficer, &tl_path).await;
        assert_eq!(status, StatusCode::OK, "{tl}");
        let expected_count = tl["expected"].as_u64().unwrap();
        assert_eq!((tl["on_time"].as_u64(), tl["late"].as_u64(), tl["missing"].as_u64()), (Some(0), Some(1), Some(expected_count - 1)), "{tl}");
        assert_eq!(tl["deadline"], "2025-03-18");
        assert_eq!(t.get(&other, &tl_path).await.0, StatusCode::NOT_FOUND);
        // Run again: nothing changed.
        let (_, s2) = send(&dofficer, post.clone(), synth.clone(), &dc, json!({})).await;
        assert_eq!(s2["changed"], json!([]));
        // The district head submits it to the province, whose reviewer accepts.
        let (dhead, dhc) = t.login("district.head").await;
        let (status, _) = send(&dhead, post.clone(), url(format!("/api/v1/reports/{did}/submit")), &dhc, json!({})).await;
        assert_eq!(status, StatusCode::OK);
assert_eq!(send(&reviewer, post.clone(), url(format!("/api/v1/reports/{did}/accept")), &rc, json!({})).await.0, StatusCode::FORBIDDEN, "the district does not receive its own report");
        // Someone reviewing for the province who also enters the district's
        // data may not accept the district's report.
        let both = t.app.create_user(&system_principal(), &UserInput {
            username: "both".into(), display_name: "both".into(), password: PASSWORD.into(),
            unit: Some(t.province), locale: "vi".into(), role: Some(Role::Reviewer),
        }).await.unwrap();
        t.app.grant_role(&system_principal(), both, Role::DataEntry, Some(t.district)).await.unwrap();
        let (both_client, bc) = t.login("both").await;
        let (status, body) = send(&both_client, post.clone(), url(format!("/api/v1/reports/{did}/accept")), &bc, json!({})).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("chính đơn vị mình"));
        assert_eq!(send(&province, post.clone(), url(format!("/api/v1/reports/{did}/accept")), &pc, json!({})).await.0, StatusCode::NO_CONTENT);

        // Every step is in the audit ledger, and an edit made directly in the
        // database is found.
        let (head_hash, count) = t.app.verify_ledger().await.unwrap().intact().unwrap();
        let mut conn = store.conn().await.unwrap();
        let entries = baocao_store::ledger::entries(&mut conn, 0, 1_000).await.unwrap();
        assert_eq!(entries.len() as i64, count);
        let about_reports: Vec<&str> = entries
            .iter()
            .map(|e| e.entry.action.as_str())
            .filter(|a| a.starts_with("report.") || a.starts_with("metadata."))
            .collect();
        assert_eq!(about_reports.len(), 18, "metadata; commune: create, 4 saves, 3 submits, return, 2 accepts, correct; district: create, 2 syntheses, submit, accept: {about_reports:?}");
        // The rest are the accounts made, their grants and the logins.
        assert!(entries.iter().any(|e| e.entry.action == "auth.login" && e.entry.actor == "both"));
        assert!(entries.iter().any(|e| e.entry.action == "user.grant"));
        assert_eq!(head_hash.len(), 64);
        // An entry about a report, altered in the table.
        let fifth = entries.iter().filter(|e| e.entry.action.starts_with("report.")).nth(3).unwrap().entry.seq;
        sqlx::query("UPDATE audit_ledger SET payload = '{\"version\":1}' WHERE seq = $1")
            .bind(fifth)
            .execute(&mut *conn)
            .await
            .unwrap();
        let broken = t.app.verify_ledger().await.unwrap().broken().unwrap();
        assert_eq!((broken.seq, broken.reason), (fifth, "audit.altered_entry"));
    }
);

both_backends!(
    async fn a_unit_head_recalls_a_submission_before_review(store) {
        let t = spawn_app(store.clone()).await;
        t.app.apply_metadata(&system_principal(), &three_level_metadata()).await.unwrap();
        let (officer, oc) = t.login("commune.officer").await;
        let (head, hc) = t.login("commune.head").await;
        let (reviewer, rc) = t.login("district.reviewer").await;
        let post = reqwest::Method::POST;
        let url = |path: String| format!("{}{path}", t.base);
        let (_, report) = t.post(&officer, &oc, "/api/v1/reports", json!({"regime": "BC-LD", "unit_id": t.commune.get(), "period": "2025M05"})).await;
        let id = report["id"].as_i64().unwrap();
        let good = json!({"values": {"LD01": "1.234", "LD01/sex:female": "600", "LD01/sex:male": "634", "LD02": "50.000"}});
                assert_eq!(send(&officer, reqwest::Method::PUT, url(format!("/api/v1/reports/{id}/draft")), &oc, good.clone()).await.0, StatusCode::OK);
        // A number past 18 digits is refused (sums and averages stay exact),
        // and 0.125 through the API is a fraction, not a thousands group.
        let (status, body) = send(&officer, reqwest::Method::PUT, url(format!("/api/v1/reports/{id}/draft")), &oc,
            json!({"values": {"LD01": "9.999.999.999.999.999.999", "LD02": "50000"}})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["fields"][0]["field"], "LD01");
        assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("quá lớn"), "{body}");
        assert_eq!(t.get(&officer, &format!("/api/v1/reports/{id}")).await.1["content"]["values"]["LD01"], "1234");
        let recall = url(format!("/api/v1/reports/{id}/recall"));
        // Nothing to recall before submitting.
        let (status, body) = send(&head, post.clone(), recall.clone(), &hc, json!({"reason": "Sai"})).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("Chỉ rút lại được"), "{body}");
        assert_eq!(send(&head, post.clone(), url(format!("/api/v1/reports/{id}/submit")), &hc, json!({})).await.1["version"], 1);
        // Only the unit head, and with a reason.
        assert_eq!(send(&officer, post.clone(), recall.clone(), &oc, json!({"reason": "Sai"})).await.0, StatusCode::FORBIDDEN);
        assert_eq!(send(&reviewer, post.clone(), recall.clone(), &rc, json!({"reason": "Sai"})).await.0, StatusCode::FORBIDDEN);
        assert_eq!(send(&head, post.clone(), recall.clone(), &hc, json!({"reason": "  "})).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(t.get(&head, &format!("/api/v1/reports/{id}")).await.1["status"], "submitted", "refusals change nothing");
        // The page offers it to the head only.
        let head_page = page_login(&t, "commune.head").await;
        let page = head_page.get(url(format!("/reports/{id}"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("id=\"recall-report\""), "{page}");
        let officer_page = page_login(&t, "commune.officer").await;
        let r = officer_page.get(url(format!("/reports/{id}"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let page = r.text().await.unwrap();
        // The officer does see this report's page (its form and period), only
        // without the button: an error page would lack the button too.
        let form = format!("action=\"/reports/{id}/save\" id=\"report-form\"");
        assert!(page.contains(&form) && page.contains("Tháng 5/2025"), "{page}");
        assert!(!page.contains("id=\"recall-report\""), "{page}");
        assert_eq!(send(&head, post.clone(), recall.clone(), &hc, json!({"reason": "Nhập nhầm số lao động nữ"})).await.0, StatusCode::NO_CONTENT);
        // Back to a draft: out of the reviewer's inbox, editable, version 1 kept.
        let (_, inbox) = t.get(&reviewer, "/api/v1/reports/inbox").await;
        assert_eq!(inbox, json!([]));
        assert_eq!(send(&reviewer, post.clone(), url(format!("/api/v1/reports/{id}/accept")), &rc, json!({})).await.0, StatusCode::CONFLICT);
        assert_eq!(send(&head, post.clone(), recall.clone(), &hc, json!({"reason": "lần nữa"})).await.0, StatusCode::CONFLICT);
        let mut fixed = good.clone();
        fixed["values"]["LD01/sex:female"] = json!("601");
        fixed["values"]["LD01"] = json!("1235");
        assert_eq!(send(&officer, reqwest::Method::PUT, url(format!("/api/v1/reports/{id}/draft")), &oc, fixed).await.0, StatusCode::OK);
        assert_eq!(send(&head, post.clone(), url(format!("/api/v1/reports/{id}/submit")), &hc, json!({})).await.1["version"], 2);
        let (_, view) = t.get(&officer, &format!("/api/v1/reports/{id}")).await;
        assert_eq!(view["versions"][0]["content"]["values"]["LD01"], "1234");
        assert_eq!(view["versions"][1]["reason"], "Nhập nhầm số lao động nữ");
        let actions: Vec<&str> = view["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, vec!["report.submit", "report.recall", "report.submit"]);
        // Once reviewed, it can no longer be recalled.
        assert_eq!(send(&reviewer, post.clone(), url(format!("/api/v1/reports/{id}/accept")), &rc, json!({})).await.0, StatusCode::NO_CONTENT);
        assert_eq!(send(&head, post.clone(), recall.clone(), &hc, json!({"reason": "Sai"})).await.0, StatusCode::CONFLICT);
        assert!(t.app.verify_ledger().await.unwrap().is_intact());
    }
);

both_backends!(
    async fn after_the_reform_communes_and_departments_report_straight_to_the_province_which_synthesizes(store) {
        let t = spawn_app(store.clone()).await;
        t.app.apply_metadata(&system_principal(), &three_level_metadata()).await.unwrap();
        let admin = system_principal();
        // A department of the province: an agency reporting to its People's Committee.
        let (admin_client, ac) = t.login("admin").await;
        let (status, dept) = t.post(&admin_client, &ac, "/api/v1/units", json!({
            "kind": "agency", "level": "province", "code": "000.00.06.H40", "name": "Sở Nội vụ",
            "parent_id": t.province.get(), "valid_from": "2025-01-01"})).await;
        assert_eq!(status, StatusCode::CREATED, "{dept}");
        let dept = UnitId::new(dept["id"].as_i64().unwrap());
        // A commune of the two-level structure (its parent is the province).
        let day = NaiveDate::from_ymd_opt(2025, 10, 1);
        let commune = t.app.unit_children(&admin, t.province, day).await.unwrap().into_iter()
            .find(|u| u.level.as_str() == "commune").expect("a new commune");
        let mut users = Vec::new();
        for (name, role, unit) in [
            ("new.officer", Role::DataEntry, commune.id), ("new.head", Role::UnitHead, commune.id),
            ("dept.officer", Role::DataEntry, dept), ("dept.head", Role::UnitHead, dept),
            ("province.officer", Role::DataEntry, t.province), ("province.head", Role::UnitHead, t.province),
        ] {
            let input = UserInput { username: name.into(), display_name: name.into(), password: PASSWORD.into(),
                unit: Some(unit), locale: "vi".into(), role: Some(role) };
            t.app.create_user(&admin, &input).await.unwrap();
            users.push(t.login(name).await);
        }
        let url = |path: String| format!("{}{path}", t.base);
        let (reviewer, rc) = t.login("province.reviewer").await;
                let values = [("1.000", "400", "600"), ("250", "100", "150")];
        let mut ids = Vec::new();
        for (i, unit) in [commune.id, dept].into_iter().enumerate() {
            let ((officer, oc), (head, hc)) = (&users[2 * i], &users[2 * i + 1]);
            let (status, report) = t.post(officer, oc, "/api/v1/reports", json!({"regime": "BC-LD", "unit_id": unit.get(), "period": "2025M10"})).await;
            assert_eq!(status, StatusCode::OK, "{report}");
            assert_eq!(report["receiver"], t.province.get(), "no district in between any more");
            let id = report["id"].as_i64().unwrap();
            let (total, male, female) = values[i];
            let body = json!({"values": {"LD01": total, "LD01/sex:male": male, "LD01/sex:female": female, "LD02": "50000"}});
            assert_eq!(send(officer, reqwest::Method::PUT, url(format!("/api/v1/reports/{id}/draft")), oc, body).await.0, StatusCode::OK);
                        assert_eq!(send(head, reqwest::Method::POST, url(format!("/api/v1/reports/{id}/submit")), hc, json!({})).await.0, StatusCode::OK);
            ids.push(id);
        }
        let accept = |id: i64| send(&reviewer, reqwest::Method::POST, url(format!("/api/v1/reports/{id}/accept")), &rc, json!({}));
        assert_eq!(accept(ids[0]).await.0, StatusCode::NO_CONTENT);
        // The province's own, consolidated report: synthesized from both; the
        // other communes are listed as missing; the abolished districts are not expected.
        let (po, pc) = &users[4];
        let (status, own) = t.post(po, pc, "/api/v1/reports", json!({"regime": "BC-LD", "unit_id": t.province.get(), "period": "2025M10"})).await;
        assert_eq!(status, StatusCode::OK, "{own}");
        assert_eq!(own["receiver"], t.province.get(), "sent to the level above, not reviewed here");
                let pid = own["id"].as_i64().unwrap();
        let synthesize = || send(po, reqwest::Method::POST, url(format!("/api/v1/reports/{pid}/synthesize")), pc, json!({}));
        let (status, s) = synthesize().await;
        assert_eq!(status, StatusCode::OK, "{s}");
        assert_eq!(s["aggregated"], 1, "the department's report is not accepted yet: {s}");
        assert_eq!(t.get(po, &format!("/api/v1/reports/{pid}")).await.1["content"]["values"]["LD01"], "1000");
        // The department's report is accepted late: synthesizing again takes it
        // in and lists what changed.
        assert_eq!(accept(ids[1]).await.0, StatusCode::NO_CONTENT);
        let (status, s) = synthesize().await;
        assert_eq!(status, StatusCode::OK, "{s}");
        assert_eq!(s["aggregated"], 2);
        assert!(s["changed"].as_array().unwrap().contains(&json!(["LD01", "1000", "1250"])), "{s}");
        let expected = s["expected"].as_array().unwrap();
        assert!(expected.iter().any(|c| c["unit"] == dept.get()), "{s}");
        assert!(expected.len() > 100, "Nghệ An has 130 communes since July 2025: {}", expected.len());
        assert!(expected.iter().all(|c| c["unit"] != t.district.get()), "{s}");
        let (_, view) = t.get(po, &format!("/api/v1/reports/{pid}")).await;
        assert_eq!(view["content"]["values"]["LD01"], "1250");
        assert_eq!(view["content"]["values"]["LD01/sex:female"], "750");
        // The province head submits it; it is in nobody's inbox here, and the
        // province's reviewer cannot accept the province's own report.
        let (ph, phc) = &users[5];
        assert_eq!(send(ph, reqwest::Method::POST, url(format!("/api/v1/reports/{pid}/submit")), phc, json!({})).await.0, StatusCode::OK);
        let (_, inbox) = t.get(&reviewer, "/api/v1/reports/inbox").await;
        assert_eq!(inbox, json!([]));
        let (status, body) = send(&reviewer, reqwest::Method::POST, url(format!("/api/v1/reports/{pid}/accept")), &rc, json!({})).await;
                assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("chính đơn vị mình"), "{body}");
        let (_, mine) = t.get(po, "/api/v1/reports/mine").await;
        let own_row = mine.as_array().unwrap().iter().find(|o| o["report_id"] == pid).expect("in the province's list");
        assert_eq!(own_row["urgency"], "waiting");
    }
);

both_backends!(
    async fn the_report_page_says_what_happened_and_why_a_report_came_back(store) {
        let t = spawn_app(store).await;
        t.app.apply_metadata(&system_principal(), &three_level_metadata()).await.unwrap();
        let (api, oc) = t.login("commune.officer").await;
        let (_, report) = t.post(&api, &oc, "/api/v1/reports", json!({"regime": "BC-LD", "unit_id": t.commune.get(), "period": "2025M03"})).await;
        let id = report["id"].as_i64().unwrap();
        let page_url = format!("{}/reports/{id}", t.base);
        // Follows one redirect by hand: where it goes, and the page there.
        let base = t.base.clone();
        let post_form = |c: Client, path: String, fields: Vec<(String, String)>| {
            let base = base.clone();
            async move {
                let r = c.post(format!("{base}{path}")).form(&fields).send().await.unwrap();
                assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
                let to = r.headers()["location"].to_str().unwrap().to_string();
                let page = c.get(format!("{base}{to}")).send().await.unwrap().text().await.unwrap();
                (to, page)
            }
        };
        let officer = page_login(&t, "commune.officer").await;
        let page = officer.get(&page_url).send().await.unwrap().text().await.unwrap();
        let csrf = hidden_field(&page, "_csrf");
        let revision_of = |page: &str| {
            let marker = "id=\"revision\" value=\"";
            let start = page.find(marker).expect("the revision field") + marker.len();
            page[start..start + page[start..].find('"').unwrap()].to_string()
        };
        let revision = revision_of(&page);
        // A good save says so, with the time, and no "invalid" banner.
        let fields = vec![("_csrf".to_string(), csrf.clone()), ("revision".into(), revision), ("v:LD01".into(), "12".into()), ("v:LD01/sex:male".into(), "5".into()), ("v:LD01/sex:female".into(), "7".into()), ("v:LD02".into(), "400".into())];
        let (to, page) = post_form(officer.clone(), format!("/reports/{id}/save"), fields).await;
        assert_eq!(to, format!("/reports/{id}?done=saved"));
        assert!(page.contains("id=\"done\"") && page.contains("Đã lưu lúc"), "{page}");
        assert!(!page.contains("id=\"problems\""), "no problems banner after a good save");
        // A refused save does show it, and says nothing was saved.
        let page = officer.get(&page_url).send().await.unwrap().text().await.unwrap();
        let fields = vec![("_csrf".to_string(), hidden_field(&page, "_csrf")), ("revision".into(), revision_of(&page)), ("v:LD01".into(), "abc".into())];
        let r = officer.post(format!("{}/reports/{id}/save", t.base)).form(&fields).send().await.unwrap();
        let refused = r.text().await.unwrap();
        assert!(refused.contains("id=\"problems\"") && !refused.contains("id=\"done\""), "{refused}");
        // The problem is tied to its input for screen readers; an option's
        // input says its indicator; a skip link leads past the menu.
        assert!(refused.contains("aria-describedby=\"problem-v:LD01\"") && refused.contains("<span class=\"error cell-problem\" id=\"problem-v:LD01\""), "{refused}");
        assert!(refused.contains("aria-label=\"Số lao động được tạo việc làm — Nữ\""), "{refused}");
        assert!(refused.contains("class=\"skip\" href=\"#main\"") && refused.contains("<main id=\"main\">"));
        // The head submits: a receipt with the time and whether on time.
        let head = page_login(&t, "commune.head").await;
        let page = head.get(&page_url).send().await.unwrap().text().await.unwrap();
        // Sending asks for a confirmation first.
        let unconfirmed = head.post(format!("{}/reports/{id}/submit", t.base)).form(&[("_csrf", hidden_field(&page, "_csrf"))]).send().await.unwrap();
        assert_eq!(unconfirmed.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(t.get(&api, &format!("/api/v1/reports/{id}")).await.1["status"], "draft", "nothing sent");
        let (to, page) = post_form(head.clone(), format!("/reports/{id}/submit"), vec![("_csrf".into(), hidden_field(&page, "_csrf")), ("confirm".into(), "1".into())]).await;
        assert_eq!(to, format!("/reports/{id}?done=submit"));
        assert!(page.contains("Đã gửi lúc") && (page.contains("— đúng hạn") || page.contains("— trễ hạn")), "{page}");
        // The reviewer returns it with a reason: the officer reads why at the top.
        let reviewer = page_login(&t, "district.reviewer").await;
        // The inbox says when it came and that it came late (March 2025 is long past).
        let list = reviewer.get(format!("{}/reports", t.base)).send().await.unwrap().text().await.unwrap();
        let inbox = &list[list.find("id=\"inbox\"").expect("an inbox")..];
        let inbox = &inbox[..inbox.find("</table>").unwrap()];
        assert!(inbox.contains("Gửi lúc") && inbox.contains("trễ hạn") && inbox.contains("class=\"late\""), "{inbox}");
        let page = reviewer.get(&page_url).send().await.unwrap().text().await.unwrap();
        let (to, _) = post_form(reviewer.clone(), format!("/reports/{id}/return"), vec![("_csrf".into(), hidden_field(&page, "_csrf")), ("reason".into(), "Thiếu số lao động nữ".into())]).await;
        assert_eq!(to, format!("/reports/{id}?done=return"));
        let page = officer.get(&page_url).send().await.unwrap().text().await.unwrap();
        let top = &page[page.find("id=\"returned\"").expect("the reason at the top")..];
        let top = &top[..top.find("</div>").unwrap()];
        assert!(top.contains("Thiếu số lao động nữ") && top.contains("bị trả lại"), "{top}");
        assert!(page.find("id=\"returned\"").unwrap() < page.find("id=\"report-form\"").unwrap(), "above the form");
    }
);

both_backends!(
    async fn past_reports_are_found_by_regime_year_and_status(store) {
        let t = spawn_app(store).await;
        t.app.apply_metadata(&system_principal(), &three_level_metadata()).await.unwrap();
        let (api, oc) = t.login("commune.officer").await;
        for period in ["2025M01", "2025M02", "2025M03"] {
            let (status, _) = t.post(&api, &oc, "/api/v1/reports", json!({"regime": "BC-LD", "unit_id": t.commune.get(), "period": period})).await;
            assert_eq!(status, StatusCode::OK);
        }
        let officer = page_login(&t, "commune.officer").await;
        let page = |path: String| {
            let officer = officer.clone();
            let base = t.base.clone();
            async move {
                let r = officer.get(format!("{base}{path}")).send().await.unwrap();
                assert_eq!(r.status(), StatusCode::OK);
                r.text().await.unwrap()
            }
        };
        let list = page("/reports".into()).await;
        assert!(list.contains("href=\"/reports/archive\""), "linked from the reports page");
        let all = page("/reports/archive".into()).await;
        let table = &all[all.find("id=\"archive\"").expect("a table")..];
        let table = &table[..table.find("</table>").unwrap()];
        let months: Vec<usize> = ["Tháng 3/2025", "Tháng 2/2025", "Tháng 1/2025"].iter().map(|m| table.find(m).unwrap_or_else(|| panic!("{m}: {table}"))).collect();
        assert!(months[0] < months[1] && months[1] < months[2], "newest first");
        let none = page("/reports/archive?year=2024&status=&regime=".into()).await;
        assert!(!none.contains("id=\"archive\"") && none.contains("0 báo cáo"), "{none}");
        let drafts = page("/reports/archive?regime=BC-LD&year=2025&status=draft".into()).await;
        assert!(drafts.contains("3 báo cáo"));
        let accepted = page("/reports/archive?status=accepted".into()).await;
        assert!(accepted.contains("0 báo cáo"));
        // Past the last page: the last page. A malformed filter is refused,
        // by name, as the API refuses it (pages run to 1,000,000).
        let far = page("/reports/archive?page=999999".into()).await;
        assert!(far.contains("3 báo cáo") && far.contains("1/1"), "{far}");
        for bad in ["status=bogus", "year=abc", "page=18446744073709551615", "page=0"] {
            let r = officer.get(format!("{}/reports/archive?{bad}", t.base)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        }
        // Another commune's officer does not find them.
        let other = page_login(&t, "other.officer").await;
        let theirs = other.get(format!("{}/reports/archive", t.base)).send().await.unwrap().text().await.unwrap();
        assert!(theirs.contains("0 báo cáo"), "{theirs}");
    }
);

both_backends!(
    async fn timeliness_is_in_the_reviewers_menu_for_their_own_unit(store) {
        let t = spawn_app(store).await;
        t.app.apply_metadata(&system_principal(), &three_level_metadata()).await.unwrap();
        let reviewer = page_login(&t, "district.reviewer").await;
        let home = reviewer.get(format!("{}/reports", t.base)).send().await.unwrap().text().await.unwrap();
        assert!(home.contains("href=\"/reports/timeliness\""), "in the menu");
        let r = reviewer.get(format!("{}/reports/timeliness", t.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let page = r.text().await.unwrap();
        let district = t.app.unit_detail(&system_principal(), t.district, None).await.unwrap().unit.name;
        assert!(page.contains(&district) && page.contains("id=\"timeliness-choice\""), "its own unit, with a choice of regime and period: {page}");
        assert!(page.contains("id=\"timeliness\""));
        // The same table as .xlsx: every expected unit, named.
        let marker = "id=\"timeliness-xlsx\"";
        let link = &page[..page.find(marker).expect("an export link")];
        assert!(link[link.rfind("href=\"").unwrap()..].starts_with("href=\"/reports/timeliness/export.xlsx?regime=BC-LD"));
        // (The district was abolished in 2025: March 2025 has communes to expect.)
        let href = format!("/reports/timeliness/export.xlsx?regime=BC-LD&period=2025M03&unit={}", t.district);
        let r = reviewer.get(format!("{}{href}", t.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{href}");
        assert!(r.headers()["content-disposition"].to_str().unwrap().ends_with(".xlsx"));
        let bytes = r.bytes().await.unwrap().to_vec();
        let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let range = calamine::Reader::worksheet_range(&mut book, "SoLieu").unwrap();
        let text: Vec<String> = range.rows().flat_map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>()).collect();
        let commune = t.app.unit_detail(&system_principal(), t.commune, None).await.unwrap().unit.name;
        assert!(text.contains(&commune), "{text:?}");
        assert!(text.iter().any(|c| c == "Đúng/trễ hạn"), "{text:?}");
        // A commune's officer has no such link.
        let officer = page_login(&t, "commune.officer").await;
        let home = officer.get(format!("{}/reports", t.base)).send().await.unwrap().text().await.unwrap();
        assert!(!home.contains("href=\"/reports/timeliness\""));
    }
);

both_backends!(
    async fn typing_errors_and_rule_errors_are_reported_in_one_pass(store) {
        let t = spawn_app(store).await;
        t.app.apply_metadata(&system_principal(), &three_level_metadata()).await.unwrap();
        let (api, oc) = t.login("commune.officer").await;
        let (_, report) = t.post(&api, &oc, "/api/v1/reports", json!({"regime": "BC-LD", "unit_id": t.commune.get(), "period": "2025M03"})).await;
        let id = report["id"].as_i64().unwrap();
        // A typing error in LD02 and, among what could be read, R1 failing
        // (1.000 is not 600 + 500): both in the same answer, nothing stored.
        let typed = json!({"values": {"LD01": "1.000", "LD01/sex:female": "600", "LD01/sex:male": "500", "LD02": "năm mươi"}});
        let (status, body) = send(&api, reqwest::Method::PUT, format!("{}/api/v1/reports/{id}/draft", t.base), &oc, typed).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let fields: Vec<&str> = body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert!(fields.contains(&"LD02") && fields.contains(&"R1"), "{body}");
        assert_eq!(t.stored_values(id).await, json!({}), "nothing stored");
        // The page says the same at once: the refused cell, and the rule in the checks.
        let officer = page_login(&t, "commune.officer").await;
        let page_url = format!("{}/reports/{id}", t.base);
        let page = officer.get(&page_url).send().await.unwrap().text().await.unwrap();
        let revision = {
            let marker = "id=\"revision\" value=\"";
            let start = page.find(marker).unwrap() + marker.len();
            page[start..start + page[start..].find('"').unwrap()].to_string()
        };
        let fields = [("_csrf", hidden_field(&page, "_csrf")), ("revision", revision), ("v:LD01", "1.000".into()),
            ("v:LD01/sex:female", "600".into()), ("v:LD01/sex:male", "500".into()), ("v:LD02", "năm mươi".into())];
        let refused = officer.post(format!("{page_url}/save")).form(&fields).send().await.unwrap().text().await.unwrap();
        assert!(refused.contains("id=\"problem-v:LD02\""), "the typing error at its cell: {refused}");
        let checks = &refused[refused.find("id=\"checks\"").expect("the checks")..];
        assert!(checks.contains("Tổng số phải bằng nam cộng nữ"), "the rule in the same pass: {checks}");
        assert!(refused.contains("value=\"năm mươi\""), "what was typed is kept");
    }
);

both_backends!(
    async fn the_receiving_unit_reminds_the_units_that_have_not_sent(store) {
        let t = spawn_app(store.clone()).await;
        t.app.apply_metadata(&system_principal(), &three_level_metadata()).await.unwrap();
        let input = UserInput { username: "sibling.officer".into(), display_name: "Cán bộ xã bên".into(), password: PASSWORD.into(),
            unit: Some(t.sibling_commune), locale: "vi".into(), role: Some(Role::DataEntry) };
        let sibling = t.app.create_user(&system_principal(), &input).await.unwrap();
        t.app.set_email(&system_principal(), sibling, "xa.ben@example.vn").await.unwrap();
        let good = json!({"values": {"LD01": "1234", "LD01/sex:female": "600", "LD01/sex:male": "634", "LD02": "50000"}});
        let sent = submitted_report(&t, "commune.officer", "commune.head", t.commune, "2025M03", good).await;

        let reviewer = page_login(&t, "district.reviewer").await;
        let table_url = format!("{}/reports/timeliness?regime=BC-LD&period=2025M03&unit={}", t.base, t.district);
        let page = reviewer.get(&table_url).send().await.unwrap().text().await.unwrap();
        // Unit names lead to their reports; the units still to send can be reminded.
        assert!(page.contains(&format!("<a href=\"/reports/{sent}\">")), "{page}");
        assert!(page.contains("id=\"remind\""), "{page}");
        let missing = page.matches("class=\"late\"").count();
        assert!(missing >= 1, "{page}");
        let csrf = hidden_field(&page, "_csrf");
        let form = [("_csrf", csrf.as_str()), ("regime", "BC-LD"), ("period", "2025M03"), ("unit", &t.district.get().to_string())];
        let remind = |c: Client, form: Vec<(String, String)>| {
            let base = t.base.clone();
            async move { c.post(format!("{base}/reports/timeliness/remind")).form(&form).send().await.unwrap() }
        };
        let owned: Vec<(String, String)> = form.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let r = remind(reviewer.clone(), owned.clone()).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let to = r.headers()["location"].to_str().unwrap().to_string();
        assert!(to.ends_with(&format!("&reminded={missing}")), "{to}");
        let after = reviewer.get(format!("{}{to}", t.base)).send().await.unwrap().text().await.unwrap();
        assert!(after.contains(&format!("Đã nhắc {missing} đơn vị")), "{after}");
        // The same day, nobody is reminded twice.
        let r = remind(reviewer.clone(), owned.clone()).await;
        assert!(r.headers()["location"].to_str().unwrap().ends_with("&reminded=0"));
        // The reminded unit hears it in the system and by e-mail; the unit that sent does not.
        let (api, _) = t.login("sibling.officer").await;
        let (_, notes) = t.get(&api, "/api/v1/notifications").await;
        let note = notes.as_array().unwrap().iter().find(|n| n["kind"] == "reminded").expect("a reminder");
        assert!(note["text"].as_str().unwrap().contains("nhắc gửi báo cáo BC-LD"), "{note}");
        let (api, _) = t.login("commune.officer").await;
        let (_, notes) = t.get(&api, "/api/v1/notifications").await;
        assert!(!notes.as_array().unwrap().iter().any(|n| n["kind"] == "reminded"), "{notes}");
        assert_eq!(t.app.mail_summary().await.unwrap().queued, 1, "one e-mail: the only reminded user with an address");
        // In the ledger, once, naming the units reminded.
        let mut conn = store.conn().await.unwrap();
        let (subject, payload): (String, String) = sqlx::query_as(
            "SELECT subject, payload FROM audit_ledger WHERE action = 'report.remind'").fetch_one(&mut *conn).await.unwrap();
        assert_eq!(subject, format!("unit:{}", t.district));
        assert!(payload.contains(&format!("{}", t.sibling_commune.get())), "{payload}");
        drop(conn);
        // Only the receiving unit's reviewers remind: a leader above watches, a commune does not see it.
        for (who, status) in [("province.reviewer", StatusCode::FORBIDDEN), ("commune.officer", StatusCode::NOT_FOUND)] {
            let c = page_login(&t, who).await;
            let csrf = hidden_field(&c.get(format!("{}/reports", t.base)).send().await.unwrap().text().await.unwrap(), "_csrf");
            let mut form = owned.clone();
            form[0].1 = csrf;
            assert_eq!(remind(c, form).await.status(), status, "{who}");
        }
    }
);

both_backends!(
    async fn versions_are_compared_by_name_showing_what_changed_in_words(store) {
        let t = spawn_app(store).await;
        t.app.apply_metadata(&system_principal(), &three_level_metadata()).await.unwrap();
        let first = json!({"values": {"LD01": "1234", "LD01/sex:female": "600", "LD01/sex:male": "634", "LD02": "50000"},
            "sections": {"I": "Tạo việc làm tốt."}});
        let id = submitted_report(&t, "commune.officer", "commune.head", t.commune, "2025M03", first).await;
        let (reviewer, rc) = t.login("district.reviewer").await;
        let (status, _) = send(&reviewer, reqwest::Method::POST, format!("{}/api/v1/reports/{id}/return", t.base), &rc, json!({"reason": "Sai số nữ"})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (officer, oc) = t.login("commune.officer").await;
        let second = json!({"values": {"LD01": "1235", "LD01/sex:female": "601", "LD01/sex:male": "634", "LD02": "50000"},
            "sections": {"I": "Tạo việc làm tốt, thêm một lao động nữ."}});
        assert_eq!(send(&officer, reqwest::Method::PUT, format!("{}/api/v1/reports/{id}/draft", t.base), &oc, second).await.0, StatusCode::OK);
        let (head, hc) = t.login("commune.head").await;
        assert_eq!(send(&head, reqwest::Method::POST, format!("{}/api/v1/reports/{id}/submit", t.base), &hc, json!({})).await.0, StatusCode::OK);

        let page_client = page_login(&t, "district.reviewer").await;
        let table = |page: String| {
            let start = page.find("id=\"versions\"").expect("the comparison");
            page[start..start + page[start..].find("</table>").unwrap()].to_string()
        };
        let page = page_client.get(format!("{}/reports/{id}", t.base)).send().await.unwrap().text().await.unwrap();
        let changed = table(page.clone());
        // By name, the new value marked in more than colour, the narrative too.
        assert!(changed.contains("Số lao động được tạo việc làm — Nữ") && changed.contains("<ins>601</ins>"), "{changed}");
        assert!(changed.contains("đã thay đổi") && changed.contains("Mục I") && changed.contains("thêm một lao động nữ"), "{changed}");
        // Only what changed by default; a switch shows every line.
        assert!(!changed.contains("LD02") && !changed.contains("LD01/sex:male"), "{changed}");
        assert!(page.contains(&format!("href=\"/reports/{id}?versions=all#versions-title\"")), "{page}");
        // The history is read from the ledger: entry numbers, who, what, which version, why.
        let history = &page[page.find("id=\"events\"").expect("the history")..];
        let history = &history[..history.find("</ol>").unwrap()];
        assert!(history.contains("Bản ghi số") && history.contains("district.reviewer · trả lại phiên bản 1: Sai số nữ"), "{history}");
        assert!(history.contains("commune.head · gửi phiên bản 2"), "{history}");
        // Each version's canonical bytes, to sign with any tool: always the same, for those who may read it.
        assert!(page.contains(&format!("href=\"/reports/{id}/versions/2/canonical.json\"")), "{page}");
        let bytes = |c: Client, path: String| async move { c.get(path).send().await.unwrap() };
        let first = bytes(page_client.clone(), format!("{}/reports/{id}/versions/2/canonical.json", t.base)).await;
        assert_eq!(first.status(), StatusCode::OK);
        assert!(first.headers()["content-disposition"].to_str().unwrap().contains("BC-LD_2025M03_"));
        let first = first.bytes().await.unwrap();
        let canonical: Value = serde_json::from_slice(&first).unwrap();
        assert_eq!((canonical["format"].as_str(), canonical["version"].as_i64()), (Some("baocao-report-version/2"), Some(2)));
        assert_eq!(canonical["values"]["LD01/sex:female"], "601");
        let text = String::from_utf8(first.to_vec()).unwrap();
        assert!(text.starts_with("{\"format\":\"baocao-report-version/2\",\"regime\":\"BC-LD\",\"regime_version\":1,"), "{text}");
        assert!(!text.contains("\": ") && !text.contains(", \"") && text.contains("thêm một lao động nữ"), "no whitespace between members, UTF-8 kept: {text}");
        let (api, _) = t.login("district.reviewer").await;
        let again = bytes(api, format!("{}/api/v1/reports/{id}/versions/2/canonical", t.base)).await.bytes().await.unwrap();
        assert_eq!(again, first, "the same bytes every time, page or API");
        let (other, _) = t.login("other.officer").await;
        assert_eq!(bytes(other, format!("{}/api/v1/reports/{id}/versions/2/canonical", t.base)).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(bytes(page_client.clone(), format!("{}/reports/{id}/versions/9/canonical.json", t.base)).await.status(), StatusCode::NOT_FOUND);
        let all = table(page_client.get(format!("{}/reports/{id}?versions=all", t.base)).send().await.unwrap().text().await.unwrap());
        assert!(all.contains("LD02") && all.contains("50.000") && all.contains("<ins>601</ins>"), "{all}");
    }
);
