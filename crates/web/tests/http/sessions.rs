//! Sessions, tokens, login throttling, pages and the translated answers to bad input.

use crate::support::*;

both_backends!(
    async fn bad_input_is_refused_and_changes_nothing(store) {
        let t = spawn_app(store).await;
        let (admin, csrf) = t.login("admin").await;
        let before = t.user_count().await;

        // Oversized body.
        let huge = "x".repeat(2 * 1024 * 1024);
        let r = admin
            .post(format!("{}/api/v1/users", t.base))
            .header("x-csrf-token", &csrf)
            .json(&json!({"username": huge, "display_name": "a", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(r.headers()["connection"], "close", "the unread body makes the connection unusable");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "too_large");
        assert!(body["error"]["message"].as_str().unwrap().contains("vượt quá"), "{body}");
        // Malformed JSON and wrong types.
        let r = admin.post(format!("{}/api/v1/users", t.base)).header("x-csrf-token", &csrf)
            .header("content-type", "application/json").body("{not json").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let (status, _) = t.post(&admin, &csrf, "/api/v1/users", json!({"username": 5, "display_name": [], "password": true})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        // Forged or missing CSRF token on a cookie-authenticated write.
        for token in ["", "forged"] {
            let (status, body) = t.post(&admin, token, "/api/v1/users",
                json!({"username": "csrf.victim", "display_name": "x", "password": PASSWORD})).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
            assert_eq!(body["error"]["code"], "csrf");
        }
        // The same on a page form.
        let r = admin.post(format!("{}/admin/users", t.base))
            .form(&[("_csrf", "forged"), ("username", "csrf.victim"), ("display_name", "x"), ("password", PASSWORD)])
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(r.text().await.unwrap().contains("Biểu mẫu đã hết hiệu lực"));
        assert_eq!(t.user_count().await, before);
    }
);

both_backends!(
    async fn ten_wrong_passwords_lock_the_account_for_a_while(store) {
        let t = spawn_app(store).await;
        let c = client();
        let attempt = |password: &'static str| {
            let c = c.clone();
            let url = format!("{}/api/v1/session", t.base);
            async move { c.post(url).json(&json!({"username": "leader", "password": password})).send().await.unwrap() }
        };
        let mut statuses = Vec::new();
        for _ in 0..10 {
            statuses.push(attempt("wrong password!").await.status().as_u16());
        }
        assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);
        let r = attempt(PASSWORD).await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "the right password is refused while locked");
        assert!(r.headers().get("retry-after").is_some());
        let body: Value = r.json().await.unwrap();
        assert!(body["error"]["message"].as_str().unwrap().contains("15 phút"), "{body}");
        // Other accounts are not affected, and the locked one's password is unchanged.
        t.login("admin").await;
        let again = t.app.login("leader", PASSWORD, "10.9.9.9").await;
        assert!(matches!(again, Err(baocao_app::AppError::Throttled { .. })));
    }
);

both_backends!(
    async fn tokens_work_until_revoked_and_sessions_expire(store) {
        let t = spawn_app(store.clone()).await;
        let (c, csrf) = t.login("district.reviewer").await;
        let (status, created) = t.post(&c, &csrf, "/api/v1/tokens", json!({"name": "script"})).await;
        assert_eq!(status, StatusCode::CREATED);
        let token = created["token"].as_str().unwrap().to_string();
        let bearer = Client::new();
        let whoami = |auth: String| {
            let bearer = bearer.clone();
            let url = format!("{}/api/v1/session", t.base);
            async move { bearer.get(url).header("authorization", auth).send().await.unwrap() }
        };
        let r = whoami(format!("Bearer {token}")).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.json::<Value>().await.unwrap()["username"], "district.reviewer");
        // A bearer write needs no CSRF token (nothing ambient to forge).
        let r = bearer.post(format!("{}/api/v1/tokens", t.base)).bearer_auth(&token).json(&json!({"name": "second"})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);

        let id = created["id"].as_i64().unwrap();
        let r = c.delete(format!("{}/api/v1/tokens/{id}", t.base)).header("x-csrf-token", &csrf).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let r = whoami(format!("Bearer {token}")).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "unauthenticated");
        assert_eq!(whoami("Bearer bc_forged".into()).await.status(), StatusCode::UNAUTHORIZED);

        // An expired session is refused with its own message; pages send the user to log in.
        sqlx::query("UPDATE sessions SET expires_at = 0").execute(store.pool()).await.unwrap();
        let (status, body) = t.get(&c, "/api/v1/session").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["error"]["code"], "session_expired");
        let r = c.get(format!("{}/units", t.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert!(r.headers()["location"].to_str().unwrap().starts_with("/login?next=/units"));
    }
);

both_backends!(
    async fn pages_log_in_show_units_and_switch_language(store) {
        let t = spawn_app(store).await;
        let c = client();
        let r = c.get(format!("{}/units", t.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);

        // Pages are Vietnamese unless the user chose otherwise, whatever the browser's Accept-Language.
        let login = c.get(format!("{}/login", t.base)).header("accept-language", "en-US,en;q=0.9").send().await.unwrap().text().await.unwrap();
        assert!(login.contains("Đăng nhập"));
        let csrf = hidden_field(&login, "_csrf");
        // A forged login form is refused.
        let r = c.post(format!("{}/login", t.base)).form(&[("_csrf", "x"), ("username", "commune.officer"), ("password", PASSWORD)]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        // A wrong password shows the form again with the reason.
        let r = c.post(format!("{}/login", t.base)).form(&[("_csrf", csrf.as_str()), ("username", "commune.officer"), ("password", "nope nope nope")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(r.text().await.unwrap().contains("Tên đăng nhập hoặc mật khẩu không đúng"));
        let login = c.get(format!("{}/login", t.base)).send().await.unwrap().text().await.unwrap();
        let csrf = hidden_field(&login, "_csrf");
        let r = c.post(format!("{}/login", t.base))
            .form(&[("_csrf", csrf.as_str()), ("username", "commune.officer"), ("password", PASSWORD), ("next", "/units")])
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()["location"], "/units");

        let units = c.get(format!("{}/units", t.base)).send().await.unwrap().text().await.unwrap();
        assert!(units.contains("Tỉnh Nghệ An") && units.contains("Đơn vị"));
        let page = c.get(format!("{}/units/{}?date=2025-06-01", t.base, t.district)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Thành phố Vinh"));
        // Dates are typed as Vietnamese write them, whatever the browser's language.
        assert!(page.contains("placeholder=\"dd/mm/yyyy\"") && !page.contains("type=\"date\""), "{page}");
        let typed = c.get(format!("{}/units/{}?date=01%2F06%2F2025", t.base, t.district)).send().await.unwrap();
        assert_eq!(typed.status(), StatusCode::OK);
        assert!(typed.text().await.unwrap().contains("Thành phố Vinh"));
        let wrong = c.get(format!("{}/units/{}?date=31%2F02%2F2025", t.base, t.district)).send().await.unwrap();
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = c.get(format!("{}/units/{}", t.base, t.sibling_commune)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert!(r.text().await.unwrap().contains("Không tìm thấy"));
        // No user administration for an officer, in the menu or by URL.
        assert!(!units.contains("/admin/users"));
        assert_eq!(c.get(format!("{}/admin/users", t.base)).send().await.unwrap().status(), StatusCode::FORBIDDEN);

        let r = c.get(format!("{}/lang/en?next=/units", t.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let units = c.get(format!("{}/units", t.base)).send().await.unwrap().text().await.unwrap();
        assert!(units.contains("Administrative units and agencies"), "{units}");
        let r = c.get(format!("{}/lang/en?next=//evil.example", t.base)).send().await.unwrap();
        assert_eq!(r.headers()["location"], "/");

        // Logging out ends the session.
        let html = c.get(format!("{}/units", t.base)).send().await.unwrap().text().await.unwrap();
        let csrf = hidden_field(&html, "_csrf");
        let r = c.post(format!("{}/logout", t.base)).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(c.get(format!("{}/units", t.base)).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    }
);

both_backends!(
    async fn an_administrator_manages_users_in_the_browser(store) {
        let t = spawn_app(store).await;
        let c = client();
        let login = c.get(format!("{}/login", t.base)).send().await.unwrap().text().await.unwrap();
        let csrf = hidden_field(&login, "_csrf");
        c.post(format!("{}/login", t.base)).form(&[("_csrf", csrf.as_str()), ("username", "admin"), ("password", PASSWORD)]).send().await.unwrap();
        let page = c.get(format!("{}/admin/users", t.base)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("district.reviewer"));
        // Searched by login or by name, accents ignored.
        let found = c.get(format!("{}/admin/users?q=REVIEWER", t.base)).send().await.unwrap().text().await.unwrap();
        let table = &found[found.find("id=\"users\"").unwrap()..];
        let table = &table[..table.find("</table>").unwrap()];
        assert!(table.contains("district.reviewer") && !table.contains("commune.officer"), "{table}");
        let none = c.get(format!("{}/admin/users?q=kh%C3%B4ng-c%C3%B3-ai", t.base)).send().await.unwrap().text().await.unwrap();
        assert!(none.contains("0 người dùng"), "{none}");
        let long = c.get(format!("{}/admin/users?q={}", t.base, "a".repeat(5000))).send().await.unwrap();
        assert_eq!(long.status(), StatusCode::OK, "a long search is cut, not an error");
        // A unit code no unit has, however long, is refused by name.
        let r = c.post(format!("{}/admin/users", t.base))
            .form(&[("_csrf", hidden_field(&page, "_csrf").as_str()), ("username", "x.officer"), ("display_name", "X"), ("password", PASSWORD), ("unit", &"9".repeat(500)), ("locale", "vi")])
            .send().await.unwrap();
        let status = r.status();
        let body = r.text().await.unwrap();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(t.app.user_by_name("x.officer").await.is_err(), "nothing created");
        // The form comes back with what was typed (never the password) and why.
        assert!(body.contains("id=\"refused\"") && body.contains("value=\"x.officer\"") && !body.contains(PASSWORD), "{body}");
        // Units are picked from a list searchable by name or code.
        assert!(page.contains("<datalist id=\"unit-choices\">") && page.contains(" — Cấp xã</option>"), "{page}");
        let csrf = hidden_field(&page, "_csrf");
        // Units are named by their code, as every page shows them.
        let commune = t.app.unit_detail(&system_principal(), t.commune, None).await.unwrap().unit.code.as_str().to_string();
        let r = c.post(format!("{}/admin/users", t.base))
            .form(&[("_csrf", csrf.as_str()), ("username", "new.officer"), ("display_name", "Trần Thị B"), ("password", PASSWORD), ("unit", commune.as_str()), ("locale", "vi")])
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let location = r.headers()["location"].to_str().unwrap().to_string();
        let created = c.get(format!("{}{location}", t.base)).send().await.unwrap().text().await.unwrap();
        assert!(created.contains("id=\"done\"") && created.contains("Đã tạo người dùng"), "a confirmation: {created}");
        let user_url = format!("{}{}", t.base, location.split('?').next().unwrap());
        // A role with no unit is not quietly system-wide: it is refused, and so
        // is an unknown code; system-wide is a choice made on purpose.
        let refused = c.post(format!("{user_url}/grants")).form(&[("_csrf", csrf.as_str()), ("role", "data_entry"), ("unit", "")]).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let refused = refused.text().await.unwrap();
        assert!(refused.contains("Cấp trên toàn hệ thống"));
        assert!(refused.contains("<option value=\"data_entry\" selected>"), "the role chosen is kept: {refused}");
        let unknown = c.post(format!("{user_url}/grants")).form(&[("_csrf", csrf.as_str()), ("role", "data_entry"), ("unit", "99999")]).send().await.unwrap();
        assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = c.post(format!("{user_url}/grants")).form(&[("_csrf", csrf.as_str()), ("role", "data_entry"), ("unit", commune.as_str())]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let new_id = t.user_id("new.officer").await;
        let view = t.app.user_view(&system_principal(), new_id).await.unwrap();
        assert_eq!(view.grants.len(), 1, "only the unit's grant");
        assert_eq!(view.grants[0].1.as_ref().map(|u| u.id), Some(t.commune));
        let r = c.post(format!("{user_url}/grants")).form(&[("_csrf", csrf.as_str()), ("role", "leader"), ("system_wide", "1")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "system-wide on purpose");
        let view = t.app.user_view(&system_principal(), new_id).await.unwrap();
        assert!(view.grants.iter().any(|(_, unit)| unit.is_none()), "a system-wide grant");
        let page = c.get(&user_url).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Trần Thị B") && page.contains("Cán bộ nhập liệu"), "{page}");
        // The new officer can log in.
        assert!(t.app.login("new.officer", PASSWORD, "127.0.0.2").await.is_ok());
        // Locking is a dangerous action: styled so, and only with a confirmation.
        assert!(page.contains("class=\"danger\">Khóa tài khoản</button>"), "{page}");
        let r = c.post(format!("{user_url}/disable")).form(&[("_csrf", csrf.as_str()), ("disabled", "1")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("Hãy đánh dấu xác nhận trước khi khóa"));
        assert!(t.app.login("new.officer", PASSWORD, "127.0.0.2").await.is_ok(), "not locked without the confirmation");
        let r = c.post(format!("{user_url}/disable")).form(&[("_csrf", csrf.as_str()), ("disabled", "1"), ("confirm", "1")]).send().await.unwrap();
        assert_eq!(r.headers()["location"].to_str().unwrap(), format!("/admin/users/{new_id}?done=locked"));
        assert!(t.app.login("new.officer", PASSWORD, "127.0.0.2").await.is_err(), "locked");

        let spec: Value = c.get(format!("{}/api/openapi.json", t.base)).send().await.unwrap().json().await.unwrap();
        assert!(spec["paths"]["/api/v1/units/{id}"]["get"].is_object());
        assert!(spec["paths"]["/api/v1/session"]["post"].is_object());
    }
);

both_backends!(
    async fn malformed_paths_and_queries_get_translated_errors(store) {
        let t = spawn_app(store).await;
        let (officer, oc) = t.login("commune.officer").await;
        for path in [
            "/api/v1/reports/abc",
            "/api/v1/regimes/X/calendar/abcd",
            "/api/v1/reports/timeliness?regime=X",
            "/api/v1/units/abc",
        ] {
            let r = officer.get(format!("{}{path}", t.base)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path}");
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["error"]["code"], "malformed", "{path}: {body}");
            assert!(body["error"]["message"].as_str().unwrap().contains("không đúng định dạng"), "{path}: {body}");
        }
        // An attachment without its name, and a page form that is not multipart.
        let r = officer
            .post(format!("{}/api/v1/reports/1/attachments", t.base))
            .header("x-csrf-token", &oc)
            .body("x")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "malformed");
        let page = page_login(&t, "commune.officer").await;
        let r = page
            .post(format!("{}/reports/1/upload", t.base))
            .body("not multipart")
            .send()
            .await
            .unwrap();
                assert!(r.status().is_client_error());
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        // A file past the upload limit is refused as too large (not read as an
        // empty or damaged file), in the user's language.
        let mut body = b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.xlsx\"\r\n\r\n".to_vec();
        body.extend(std::iter::repeat_n(b'x', 6 * 1024 * 1024));
        body.extend_from_slice(b"\r\n--XyZ--\r\n");
        for path in ["/reports/1/upload", "/reports/1/attachments"] {
            // The server answers as soon as the limit is passed and stops
            // reading; the client may then fail to write the rest (a broken
            // pipe) before it reads the answer. Such a try says nothing: the
            // answer must still be seen on one of a few tries.
            let mut answered = None;
            for _ in 0..5 {
                let sent = page
                    .post(format!("{}{path}", t.base))
                    .header("content-type", "multipart/form-data; boundary=XyZ")
                    .body(body.clone())
                    .send()
                    .await;
                if let Ok(r) = sent {
                    answered = Some(r);
                    break;
                }
            }
            let r = answered.unwrap_or_else(|| panic!("{path}: no answer in five tries"));
            assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
            assert!(r.text().await.unwrap().contains("vượt quá kích thước cho phép"), "{path}");
        }
    }
);

both_backends!(
    async fn the_api_refuses_what_its_document_refuses(store) {
        let t = spawn_app(store).await;
        let (admin, csrf) = t.login("admin").await;
        // Ranges the document declares are refused, in the user's language, not clamped.
        let p = t.province;
        for (path, field) in [
            ("/api/v1/units?limit=0".to_string(), "limit"),
            ("/api/v1/units?limit=501".to_string(), "limit"),
            ("/api/v1/units?limit=-3".to_string(), "limit"),
            (format!("/api/v1/units/{p}/subtree?depth=65"), "depth"),
            (format!("/api/v1/units/{p}/subtree?depth=-1"), "depth"),
            ("/api/v1/calendar/1799".to_string(), "year"),
            ("/api/v1/calendar/2300".to_string(), "year"),
            ("/api/v1/regimes/BC-X/calendar/1899".to_string(), "year"),
            ("/api/v1/units?date=".to_string(), "date"),
            ("/api/v1/units?date=%202025-06-01".to_string(), "date"),
        ] {
            let (status, body) = t.get(&admin, &path).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
            assert_eq!(body["error"]["fields"][0]["field"], field, "{path}: {body}");
            assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("Giá trị")
                || field == "date", "{path}: {body}");
        }
        let (status, found) = t.get(&admin, "/api/v1/units?limit=500").await;
        assert_eq!(status, StatusCode::OK, "{found}");
        let (status, _) = t.get(&admin, &format!("/api/v1/units/{p}/subtree?depth=64")).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = t.get(&admin, "/api/v1/calendar/2299").await;
        assert_eq!(status, StatusCode::OK);

        // A body is a JSON object: an array is not read as the struct's fields in order
        // (`[]` used to clear an e-mail address).
        let id = t.user_id("admin").await;
        let put = |body: &'static str| {
            admin
                .put(format!("{}/api/v1/users/{id}/email", t.base))
                .header("x-csrf-token", &csrf)
                .header("content-type", "application/json")
                .body(body)
                .send()
        };
        assert_eq!(put(r#"{"email": "admin@example.vn"}"#).await.unwrap().status(), StatusCode::NO_CONTENT);
        for body in ["[]", r#"["other@example.vn"]"#, "null", "5"] {
            let r = put(body).await.unwrap();
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "malformed", "{body}");
        }
        let (_, users) = t.get(&admin, "/api/v1/users").await;
        let me = users.as_array().unwrap().iter().find(|u| u["username"] == "admin").unwrap();
        assert_eq!(me["email"], "admin@example.vn");

        // A whole number written with a fraction is the same integer.
        let (status, body) = t.post(&admin, &csrf, &format!("/api/v1/users/{id}/grants"),
            json!({"role": "leader", "unit_id": t.district.get() as f64})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, body) = t.post(&admin, &csrf, &format!("/api/v1/users/{id}/grants"),
            json!({"role": "leader", "unit_id": t.district.get() as f64 + 0.5})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
);

both_backends!(
    async fn an_unknown_address_gets_the_applications_own_translated_not_found(store) {
        let t = spawn_app(store).await;
        let anonymous = client();
        let r = anonymous.get(format!("{}/khong-co-trang-nay", t.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        let page = r.text().await.unwrap();
        assert!(page.contains("Không tìm thấy") && page.contains("lang=\"vi\""), "{page}");
        let r = anonymous.get(format!("{}/no-such-page", t.base)).header("cookie", "lang=en").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert!(r.text().await.unwrap().contains("was not found"));
        let (officer, _) = t.login("commune.officer").await;
        let r = officer.get(format!("{}/api/v1/no-such-thing", t.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "not_found", "{body}");
    }
);

both_backends!(
    async fn vietnamese_pages_carry_no_english_or_internal_words(store) {
        let t = spawn_app(store).await;
        t.app.apply_metadata(&system_principal(), &three_level_metadata()).await.unwrap();
        let (api, oc) = t.login("commune.officer").await;
        let (_, report) = t.post(&api, &oc, "/api/v1/reports", json!({"regime": "BC-LD", "unit_id": t.commune.get(), "period": "2025M03"})).await;
        let id = report["id"].as_i64().unwrap();
        let mut seen = Vec::new();
        for (user, paths) in [
            ("commune.officer", vec![format!("/reports"), format!("/reports/{id}"), "/reports/archive".into(), "/units".into(), "/regimes".into(), "/regimes/BC-LD".into(), "/catalogue".into(), "/calendar".into(), "/account".into(), "/notifications".into(), "/reports/open".into(), "/reports/timeliness".into(), "/reports/999999".into(), "/khong-co".into()]),
            ("district.reviewer", vec![format!("/reports"), format!("/reports/{id}"), format!("/reports/timeliness?regime=BC-LD&period=2025M03&unit={}", t.district)]),
            ("leader", vec!["/dashboard".into(), "/analytics".into()]),
            ("admin", vec!["/admin/users".into(), "/units".into(), format!("/admin/users/{}", t.user_id("commune.officer").await)]),
            ("regime.admin", vec!["/regimes/new".into(), "/regimes/BC-LD/edit?mode=new".into()]),
        ] {
            let c = page_login(&t, user).await;
            for path in paths {
                let r = c.get(format!("{}{path}", t.base)).send().await.unwrap();
                for found in internal_words(&r.text().await.unwrap()) {
                    seen.push(format!("{user} {path}: {found}"));
                }
            }
        }
        assert!(seen.is_empty(), "{}", seen.join("\n"));
    }
);
