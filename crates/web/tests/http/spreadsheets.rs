//! The .xlsx template and CSV round trips and their refusals.

use crate::support::*;

both_backends!(
    async fn the_xlsx_template_round_trip_refuses_bad_files_cell_by_cell(store) {
        let t = spawn_app(store).await;
        t.app.apply_metadata(&system_principal(), &three_level_metadata()).await.unwrap();
        let (officer, oc) = t.login("commune.officer").await;
        let (_, report) = t.post(&officer, &oc, "/api/v1/reports", json!({"regime": "BC-LD", "unit_id": t.commune.get(), "period": "2025M03"})).await;
        let id = report["id"].as_i64().unwrap();
        let (_, other_report) = t.post(&officer, &oc, "/api/v1/reports", json!({"regime": "BC-LD", "unit_id": t.commune.get(), "period": "2025M04"})).await;
        let other_id = other_report["id"].as_i64().unwrap();
        let url = format!("{}/api/v1/reports/{id}/xlsx", t.base);
        let r = officer.get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let disposition = r.headers()["content-disposition"].to_str().unwrap().to_string();
        // The unit's name readable (UTF-8), an ASCII stand-in for old clients, both with the extension.
        assert!(disposition.starts_with("attachment; filename=\"bc-ld_2025m03_") && disposition.contains(".xlsx\"; filename*=UTF-8''BC-LD_2025M03_") && disposition.ends_with(".xlsx"), "{disposition}");
        let csv = officer.get(format!("{}/api/v1/reports/{id}/csv", t.base)).send().await.unwrap();
        let csv_name = csv.headers()["content-disposition"].to_str().unwrap().to_string();
        assert!(csv_name.contains("filename*=UTF-8''BC-LD_2025M03_") && csv_name.ends_with(".csv"), "{csv_name}");
        let template = r.bytes().await.unwrap().to_vec();
        let up = baocao_formats::xlsx::read_upload(&template, BOUNDS).unwrap();
        assert_eq!(up.meta["report"], id.to_string());
        let keys: Vec<&str> = up.cells.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, vec!["LD01", "LD01/sex:male", "LD01/sex:female", "LD02"], "computed LD03 is not an input");

        let upload = |bytes: Vec<u8>| {
            let officer = officer.clone();
            let url = url.clone();
            let oc = oc.clone();
            async move {
                let r = officer.put(&url).header("x-csrf-token", oc).body(bytes).send().await.unwrap();
                let status = r.status();
                (status, r.json::<Value>().await.unwrap_or(Value::Null))
            }
        };
        let stored = || async { t.get(&officer, &format!("/api/v1/reports/{id}")).await.1["content"]["values"].clone() };

        // A typed "abc" is refused with its sheet reference; nothing is stored.
        let filled = fill(&template, &[("LD01", "1234"), ("LD01/sex:female", "abc")], None);
        let female_at = baocao_formats::xlsx::read_upload(&filled, BOUNDS).unwrap().cells[2].reference.clone();
        assert_eq!(female_at, "BaoCao!E9", "the reference in the uploaded file");
        let (status, body) = upload(filled).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["fields"][0]["field"], female_at);
        assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("\"abc\" không phải là số"), "{body}");
        assert_eq!(stored().await, json!({}));
        // Another report's file, a corrupted file, an oversized file, a foreign workbook.
        let other = officer.get(format!("{}/api/v1/reports/{other_id}/xlsx", t.base)).send().await.unwrap().bytes().await.unwrap().to_vec();
        let (status, body) = upload(fill(&other, &[("LD01", "5")], None)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("2025M04"), "{body}");
        let (status, _) = upload(fill(&template, &[("LD01", "5")], Some(("unit", "1")))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let mut broken = template.clone();
        broken.truncate(broken.len() / 2);
        let (status, body) = upload(broken).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("bị hỏng"), "{body}");
        let (status, body) = upload(vec![b'x'; baocao_formats::xlsx::MAX_BYTES + 10]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("4 MB"), "{body}");
        // (Bodies past the route's limit get 413 before any of this: tested in
        // bad_input_is_refused_and_changes_nothing.)
        assert_eq!(stored().await, json!({}));

        // The good file: stored, then the template comes back with the values.
        let (status, body) = upload(fill(&template, &[("LD01", "1234"), ("LD01/sex:male", "634"), ("LD01/sex:female", "600"), ("LD02", "50000")], None)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(stored().await["LD01/sex:female"], "600");
        let again = officer.get(&url).send().await.unwrap().bytes().await.unwrap().to_vec();
        let up = baocao_formats::xlsx::read_upload(&again, BOUNDS).unwrap();
        assert_eq!(up.cells[0].text.as_deref(), Some("1234"));
        // CSV for systems: the cells and values out, a bad line refused by number.
        let csv_url = format!("{}/api/v1/reports/{id}/csv", t.base);
        let text = officer.get(&csv_url).send().await.unwrap().text().await.unwrap();
        assert!(text.starts_with("cell,value\nLD01,1234\n"), "{text}");
        let r = officer.put(&csv_url).header("x-csrf-token", &oc).body("cell,value\nLD01,1300\nLD02,nhiều\n").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["lines"][0]["line"], 3, "{body}");
        assert_eq!(stored().await["LD01"], "1234");
        let r = officer.put(&csv_url).header("x-csrf-token", &oc).body("cell,value\nLD01,1.300\nLD01/sex:male,700\nLD01/sex:female,600\nLD02,50000\n").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(stored().await["LD01"], "1300");
        // Impossible values are refused whichever way they come: −5 people.
        let r = officer.put(&csv_url).header("x-csrf-token", &oc).body("cell,value\nLD01,-5\n").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = r.json().await.unwrap();
        assert!(body.to_string().contains("nhỏ hơn mức thấp nhất"), "{body}");
        let (status, body) = upload(fill(&template, &[("LD01", "-5")], None)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("nhỏ hơn mức thấp nhất"), "{body}");
        let (status, body) = send(&officer, reqwest::Method::PUT, format!("{}/api/v1/reports/{id}/draft", t.base), &oc, json!({"values": {"LD01": "-5"}})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["fields"][0]["field"], "LD01");
        assert_eq!(stored().await["LD01"], "1300");
        // Someone else may not upload into this report.
        let (other_officer, xc) = t.login("other.officer").await;
        let r = other_officer.put(&url).header("x-csrf-token", xc).body(fill(&template, &[("LD01", "1")], None)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert_eq!(stored().await["LD01"], "1300");

        // Attachments: judged by content, size-limited, frozen with the submission.
        let att_url = format!("{}/api/v1/reports/{id}/attachments?name=B%C3%A1o%20c%C3%A1o.pdf", t.base);
        let attach = |bytes: Vec<u8>| {
            let (officer, url, oc) = (officer.clone(), att_url.clone(), oc.clone());
            async move {
                let r = officer.post(&url).header("x-csrf-token", oc).body(bytes).send().await.unwrap();
                let status = r.status();
                (status, r.json::<Value>().await.unwrap_or(Value::Null))
            }
        };
        let pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec();
        let (status, att) = attach(pdf.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{att}");
        assert_eq!(att["name"], "Báo cáo.pdf");
        let (status, body) = attach(b"MZ\x90\x00 a program renamed .pdf".to_vec()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("không phải tệp PDF"), "{body}");
        let mut big = b"%PDF-1.4\n".to_vec();
        big.resize(baocao_domain::attachment::MAX_BYTES + 1, b' ');
        let (status, body) = attach(big).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let download = format!("{}/api/v1/attachments/{}", t.base, att["id"]);
        let r = officer.get(&download).send().await.unwrap();
        assert_eq!(r.headers()["content-type"], "application/pdf");
        assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);
        let (other_officer, _) = t.login("other.officer").await;
        assert_eq!(other_officer.get(&download).send().await.unwrap().status(), StatusCode::NOT_FOUND);
        let (head, hc) = t.login("commune.head").await;
        let r = head.post(format!("{}/api/v1/reports/{id}/submit", t.base)).header("x-csrf-token", hc).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let (_, list) = t.get(&officer, &format!("/api/v1/reports/{id}/attachments")).await;
        assert_eq!(list.as_array().unwrap().len(), 1);
        assert_eq!(list[0]["version"], 1);
        let (status, _) = attach(pdf).await;
        assert_eq!(status, StatusCode::CONFLICT, "a submitted report takes no new file");
    }
);
