//! Digital signatures over HTTP, with a real PKI from the `openssl` command
//! line: an administrator trusts a root on the trust page, a unit head
//! signs a version through the API, refusals come in the caller's language
//! and store nothing, the report page lists the signature, and the official
//! PDF downloads.

use baocao_testkit::pki::TestPki;

use crate::support::*;

/// A multipart form body with the CSRF token and one file.
fn form_with_file(csrf: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "baocaoSignatureBoundary7";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.pem\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post_bytes(
    t: &TestApp,
    c: &reqwest::Client,
    csrf: &str,
    path: &str,
    body: Vec<u8>,
    lang: &str,
) -> (StatusCode, Value) {
    let r = c
        .post(format!("{}{path}", t.base))
        .header("x-csrf-token", csrf)
        .header("accept-language", lang)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

both_backends!(
    async fn a_head_signs_a_version_and_refusals_say_why(store) {
        let pki = tokio::task::spawn_blocking(TestPki::make).await.unwrap();
        let t = spawn_app(store.clone()).await;
        t.app.apply_metadata(&system_principal(), &three_level_metadata()).await.unwrap();
        let draft = json!({"values": {"LD01": "1234", "LD01/sex:female": "600", "LD01/sex:male": "634", "LD02": "50000"}});
        let id = submitted_report(&t, "commune.officer", "commune.head", t.commune, "2025M03", draft).await;
        let (head, hc) = t.login("commune.head").await;
        let canonical = head
            .get(format!("{}/api/v1/reports/{id}/versions/1/canonical", t.base))
            .send().await.unwrap().bytes().await.unwrap().to_vec();
        let path = format!("/api/v1/reports/{id}/versions/1/signatures");

        // No trust anchor yet: refused, and said so.
        let (status, body) = post_bytes(&t, &head, &hc, &path, pki.sign("signer", &canonical, "sha256", false), "vi").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["fields"][0]["field"], "signature");
        assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("chưa cấu hình"), "{body}");

        // The administrator trusts the test root on the trust page.
        let admin = page_login(&t, "admin").await;
        let page = admin.get(format!("{}/admin/trust", t.base)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("id=\"no-anchors\""), "{page}");
        let csrf = hidden_field(&page, "_csrf");
        let (kind, body) = form_with_file(&csrf, &pki.cert("root"));
        let r = admin.post(format!("{}/admin/trust", t.base)).header("content-type", kind).body(body).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let page = admin.get(format!("{}/admin/trust", t.base)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Baocao Test Root CA"), "{page}");
        // A file that is not a CA certificate: said on the page, nothing added.
        let (kind, body) = form_with_file(&csrf, b"not a certificate");
        let r = admin.post(format!("{}/admin/trust", t.base)).header("content-type", kind).body(body).send().await.unwrap();
        let page = r.text().await.unwrap();
        assert!(page.contains("id=\"trust-problem\""), "{page}");
        assert_eq!(t.app.trust_anchors(&system_principal()).await.unwrap().len(), 1);
        // Only an administrator of the top unit manages trust.
        let district_admin = page_login(&t, "district.admin").await;
        let r = district_admin.get(format!("{}/admin/trust", t.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        // A foreign root, in Vietnamese and in English.
        let foreign = pki.sign("stranger", &canonical, "sha256", false);
        let (status, body) = post_bytes(&t, &head, &hc, &path, foreign.clone(), "vi").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("không do tổ chức chứng thực được tin cậy cấp"), "{body}");
        let (_, body) = post_bytes(&t, &head, &hc, &path, foreign, "en").await;
        assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("not issued by a trusted certification authority"), "{body}");
        // Someone else's unit: the district's head may not sign the commune's report.
        let (district_head, dc) = t.login("district.head").await;
        let (status, _) = post_bytes(&t, &district_head, &dc, &path, pki.sign("signer", &canonical, "sha256", false), "vi").await;
        assert!(status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND, "{status}");
        // Larger than the route accepts: 413, before anything is read.
        let (status, _) = post_bytes(&t, &head, &hc, &path, vec![b'0'; 9 * 1024 * 1024], "vi").await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        let (_, listed) = t.get(&head, &format!("/api/v1/reports/{id}/signatures")).await;
        assert_eq!(listed, json!([]), "nothing stored by a refusal");

        // A good signature (PEM) is recorded with what the check found.
        let (status, body) = post_bytes(&t, &head, &hc, &path, pki.sign("signer", &canonical, "sha256", true), "vi").await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["signer"], "Nguyễn Văn Thủ Trưởng");
        assert_eq!(body["verdict"], "valid");
        assert_eq!(body["digest"], "SHA-256");
        let (_, listed) = t.get(&head, &format!("/api/v1/reports/{id}/signatures")).await;
        assert_eq!(listed.as_array().unwrap().len(), 1);

        // The report page lists it for the receiving unit too, with the PDF.
        let reviewer = page_login(&t, "district.reviewer").await;
        let page = reviewer.get(format!("{}/reports/{id}", t.base)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Nguyễn Văn Thủ Trưởng") && page.contains("Hợp lệ"), "{page}");
        assert!(page.contains(&format!("/reports/{id}/versions/1/official.pdf")));
        // The history from the ledger names the signature.
        let history = &page[page.find("id=\"events\"").expect("the history")..];
        assert!(history.contains("ký số phiên bản 1: Nguyễn Văn Thủ Trưởng, chứng thư số"), "{history}");
        let r = reviewer.get(format!("{}/reports/{id}/versions/1/official.pdf", t.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        let pdf = r.bytes().await.unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let (_, api_pdf) = (StatusCode::OK, reviewer.get(format!("{}/api/v1/reports/{id}/versions/1/pdf", t.base)).send().await.unwrap().bytes().await.unwrap());
        assert_eq!(api_pdf, pdf, "the same bytes each time");
    }
);
