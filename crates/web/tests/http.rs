//! The server driven over HTTP on 127.0.0.1, on SQLite and PostgreSQL, with the
//! real Nghệ An units: the access matrix, sessions, tokens, CSRF and bad input.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::PathBuf;

use baocao_app::auth::system_principal;
use baocao_app::mail::{Mailer, SmtpSecurity, SmtpSettings};
use baocao_app::units::{only_province, read_units_file, reform_2025, StructureFile};
use baocao_app::users::UserInput;
use baocao_app::{App, Settings};
use baocao_domain::access::Role;
use baocao_domain::unit::{UnitId, Validity};
use baocao_store::{both_backends, Store};
use chrono::NaiveDate;
use reqwest::{redirect, Client, StatusCode};
use serde_json::{json, Value};

#[path = "support/smtp_sink.rs"]
mod smtp_sink;
use smtp_sink::SmtpSink;

const PASSWORD: &str = "correct horse battery";

struct TestApp {
    base: String,
    app: App,
    province: UnitId,
    district: UnitId,
    other_district: UnitId,
    commune: UnitId,
    sibling_commune: UnitId,
    far_commune: UnitId,
}

async fn spawn_app(store: Store) -> TestApp {
    let app = App::new(store, Settings::default()).with_group_commit();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/vn-admin");
    let legacy = Validity {
        from: None,
        to: NaiveDate::from_ymd_opt(2025, 6, 30),
    };
    let files = vec![
        StructureFile {
            records: only_province(
                read_units_file(&dir.join("units-2008-2025.csv")).unwrap(),
                "40",
            ),
            validity: legacy,
        },
        StructureFile {
            records: only_province(read_units_file(&dir.join("units-2025.csv")).unwrap(), "40"),
            validity: Validity {
                from: Some(reform_2025()),
                to: None,
            },
        },
    ];
    let admin = system_principal();
    app.import_units(&admin, &files, None).await.unwrap();
    let find = |level: &'static str, code: &'static str| {
        let app = app.clone();
        async move {
            app.search_units(
                &system_principal(),
                None,
                Some(code),
                Some(level),
                NaiveDate::from_ymd_opt(2025, 6, 1),
                1,
            )
            .await
            .unwrap()[0]
                .id
        }
    };
    let province = find("province", "40").await;
    let district = find("district", "412").await; // Thành phố Vinh
    let other_district = find("district", "414").await;
    let day = NaiveDate::from_ymd_opt(2025, 6, 1);
    let communes = app.unit_children(&admin, district, day).await.unwrap();
    let (commune, sibling_commune) = (communes[0].id, communes[1].id);
    let far_commune = app
        .unit_children(&admin, other_district, day)
        .await
        .unwrap()[0]
        .id;

    let accounts: [(&str, Role, Option<UnitId>); 12] = [
        ("admin", Role::SystemAdmin, None),
        ("regime.admin", Role::RegimeAdmin, Some(province)),
        ("district.regimes", Role::RegimeAdmin, Some(district)),
        ("province.reviewer", Role::Reviewer, Some(province)),
        ("leader", Role::Leader, Some(province)),
        ("district.reviewer", Role::Reviewer, Some(district)),
        ("district.officer", Role::DataEntry, Some(district)),
        ("district.head", Role::UnitHead, Some(district)),
        ("district.admin", Role::SystemAdmin, Some(district)),
        ("commune.officer", Role::DataEntry, Some(commune)),
        ("commune.head", Role::UnitHead, Some(commune)),
        ("other.officer", Role::DataEntry, Some(far_commune)),
    ];
    for (name, role, unit) in accounts {
        let input = UserInput {
            username: name.into(),
            display_name: name.into(),
            password: PASSWORD.into(),
            unit,
            locale: "vi".into(),
            role: Some(role),
        };
        app.create_user(&admin, &input).await.unwrap();
    }

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = baocao_web::router(app.clone(), baocao_web::WebConfig::default());
    tokio::spawn(baocao_web::serve(listener, router, std::future::pending()));
    TestApp {
        base,
        app,
        province,
        district,
        other_district,
        commune,
        sibling_commune,
        far_commune,
    }
}

fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(redirect::Policy::none())
        .build()
        .unwrap()
}

impl TestApp {
    /// Logs in through the API; returns the client (holding the cookie) and the CSRF token.
    async fn login(&self, username: &str) -> (Client, String) {
        let c = client();
        let r = c
            .post(format!("{}/api/v1/session", self.base))
            .json(&json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "login {username}");
        let body: Value = r.json().await.unwrap();
        (c, body["csrf_token"].as_str().unwrap().to_string())
    }

    async fn get(&self, c: &Client, path: &str) -> (StatusCode, Value) {
        let r = c.get(format!("{}{path}", self.base)).send().await.unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, c: &Client, csrf: &str, path: &str, body: Value) -> (StatusCode, Value) {
        let r = c
            .post(format!("{}{path}", self.base))
            .header("x-csrf-token", csrf)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn user_count(&self) -> usize {
        self.app
            .list_users(&system_principal())
            .await
            .unwrap()
            .len()
    }
}

both_backends!(
    async fn viewing_units_follows_the_subtree_and_the_ancestry(store) {
        let t = spawn_app(store).await;
        let (p, d, d2, c, c2, c3) = (t.province, t.district, t.other_district, t.commune, t.sibling_commune, t.far_commune);
        let ok = StatusCode::OK;
        let no = StatusCode::FORBIDDEN;
        // user × (province, district, other district, commune, sibling commune, far commune)
        let matrix = [
            ("admin", [ok, ok, ok, ok, ok, ok]),
            ("province.reviewer", [ok, ok, ok, ok, ok, ok]),
            ("leader", [ok, ok, ok, ok, ok, ok]),
            ("district.reviewer", [ok, ok, no, ok, ok, no]),
            ("district.admin", [ok, ok, no, ok, ok, no]),
            ("commune.officer", [ok, ok, no, ok, no, no]),
            ("other.officer", [ok, no, ok, no, no, ok]),
        ];
        for (user, expected) in matrix {
            let (c_, _) = t.login(user).await;
            for (unit, want) in [p, d, d2, c, c2, c3].into_iter().zip(expected) {
                let (status, body) = t.get(&c_, &format!("/api/v1/units/{unit}")).await;
                assert_eq!(status, want, "{user} viewing unit {unit}: {body}");
                if status == no {
                    assert_eq!(body["error"]["code"], "forbidden");
                    assert!(body["error"]["message"].as_str().unwrap().contains("không có quyền"), "{body}");
                }
            }
        }
        // The officer sees its district but, among the district's communes, only its own.
        let (officer, _) = t.login("commune.officer").await;
        let (_, children) = t.get(&officer, &format!("/api/v1/units/{d}/children?date=2025-06-01")).await;
        let ids: Vec<i64> = children.as_array().unwrap().iter().map(|u| u["id"].as_i64().unwrap()).collect();
        assert_eq!(ids, vec![c.0]);
        let (_, found) = t.get(&officer, "/api/v1/units?q=phuong&limit=500").await;
        assert!(found.as_array().unwrap().iter().all(|u| u["id"] == json!(c.0)), "{found}");
        let (_, subtree) = t.get(&officer, &format!("/api/v1/units/{p}/subtree")).await;
        let ids: Vec<i64> = subtree.as_array().unwrap().iter().map(|u| u["id"].as_i64().unwrap()).collect();
        assert_eq!(ids, vec![p.0, d.0, c.0]);
        // Accent-insensitive search for a province reviewer.
        let (reviewer, _) = t.login("province.reviewer").await;
        let (_, found) = t.get(&reviewer, "/api/v1/units?q=dong%20vinh&date=2025-06-01").await;
        assert!(found.as_array().unwrap().iter().any(|u| u["name"] == "Phường Đông Vĩnh"), "{found}");
        // An unknown unit is 404, a bad date 422.
        assert_eq!(t.get(&reviewer, "/api/v1/units/999999").await.0, StatusCode::NOT_FOUND);
        assert_eq!(t.get(&reviewer, "/api/v1/units?date=30-06-2025").await.0, StatusCode::UNPROCESSABLE_ENTITY);
    }
);

both_backends!(
    async fn managing_users_is_limited_to_the_administrators_subtree(store) {
        let t = spawn_app(store).await;
        let new_user = |name: &str, unit: UnitId| {
            json!({"username": name, "display_name": "Nguyễn Văn A", "password": PASSWORD, "unit_id": unit.0})
        };
        let (admin, admin_csrf) = t.login("admin").await;
        let (dadmin, dadmin_csrf) = t.login("district.admin").await;
        let (officer, officer_csrf) = t.login("commune.officer").await;

        let cases = [
            (&admin, &admin_csrf, "adm.one", t.commune, StatusCode::CREATED),
            (&dadmin, &dadmin_csrf, "dist.one", t.commune, StatusCode::CREATED),
            (&dadmin, &dadmin_csrf, "dist.two", t.province, StatusCode::FORBIDDEN),
            (&dadmin, &dadmin_csrf, "dist.three", t.far_commune, StatusCode::FORBIDDEN),
            (&officer, &officer_csrf, "off.one", t.commune, StatusCode::FORBIDDEN),
        ];
        for (c, csrf, name, unit, want) in cases {
            let before = t.user_count().await;
            let (status, body) = t.post(c, csrf, "/api/v1/users", new_user(name, unit)).await;
            assert_eq!(status, want, "{name}: {body}");
            let after = t.user_count().await;
            assert_eq!(after, before + usize::from(want == StatusCode::CREATED));
        }

        let (_, listed) = t.get(&dadmin, "/api/v1/users").await;
        let mut names: Vec<&str> = listed.as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
        names.sort();
        assert_eq!(names, vec!["adm.one", "commune.head", "commune.officer", "dist.one", "district.admin", "district.head", "district.officer", "district.regimes", "district.reviewer"]);
        assert_eq!(t.get(&officer, "/api/v1/users").await.0, StatusCode::FORBIDDEN);
        assert_eq!(t.get(&admin, "/api/v1/users").await.1.as_array().unwrap().len(), 14);

        let d1 = listed.as_array().unwrap().iter().find(|u| u["username"] == "dist.one").unwrap()["id"].as_i64().unwrap();
        let grant = |role: &str, unit: Option<UnitId>| json!({"role": role, "unit_id": unit.map(|u| u.0)});
        let path = format!("/api/v1/users/{d1}/grants");
        assert_eq!(t.post(&dadmin, &dadmin_csrf, &path, grant("data_entry", Some(t.commune))).await.0, StatusCode::CREATED);
        assert_eq!(t.post(&dadmin, &dadmin_csrf, &path, grant("data_entry", Some(t.commune))).await.0, StatusCode::CONFLICT);
        assert_eq!(t.post(&dadmin, &dadmin_csrf, &path, grant("reviewer", Some(t.province))).await.0, StatusCode::FORBIDDEN);
        assert_eq!(t.post(&dadmin, &dadmin_csrf, &path, grant("system_admin", None)).await.0, StatusCode::FORBIDDEN);
        let (status, body) = t.post(&dadmin, &dadmin_csrf, &path, grant("king", Some(t.commune))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"]["fields"][0]["field"], "role");
        // The new grant works: d1 now enters data for the commune and sees it.
        let c = client();
        c.post(format!("{}/api/v1/session", t.base)).json(&json!({"username": "dist.one", "password": PASSWORD})).send().await.unwrap();
        assert_eq!(t.get(&c, &format!("/api/v1/units/{}", t.commune)).await.0, StatusCode::OK);

        // Invalid input is refused field by field, in the user's language.
        let r = admin
            .post(format!("{}/api/v1/users", t.base))
            .header("x-csrf-token", &admin_csrf)
            .header("accept-language", "en")
            .json(&json!({"username": "X Y", "display_name": "", "password": "short", "unit_id": t.commune.0}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = r.json().await.unwrap();
        let fields: Vec<&str> = body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert_eq!(fields, vec!["username", "display_name", "password"]);
        assert!(body["error"]["fields"][2]["message"].as_str().unwrap().contains("at least 10"), "{body}");
        let (status, body) = t.post(&admin, &admin_csrf, "/api/v1/users", new_user("adm.one", t.commune)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("đã được sử dụng"), "{body}");
    }
);

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

fn hidden_field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap() + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

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
        let r = c.get(format!("{}/units/{}", t.base, t.sibling_commune)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(r.text().await.unwrap().contains("không có quyền"));
        // No user administration for an officer, in the menu or by URL.
        assert!(!units.contains("/admin/users"));
        assert_eq!(c.get(format!("{}/admin/users", t.base)).send().await.unwrap().status(), StatusCode::FORBIDDEN);

        let r = c.get(format!("{}/lang/en?next=/units", t.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let units = c.get(format!("{}/units", t.base)).send().await.unwrap().text().await.unwrap();
        assert!(units.contains("Administrative units and agencies"), "{units}");
        let r = c.get(format!("{}/lang/en?next=//evil.example", t.base)).send().await.unwrap();
        assert_eq!(r.headers()["location"], "/units");

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
        let csrf = hidden_field(&page, "_csrf");
        let commune = t.commune.to_string();
        let r = c.post(format!("{}/admin/users", t.base))
            .form(&[("_csrf", csrf.as_str()), ("username", "new.officer"), ("display_name", "Trần Thị B"), ("password", PASSWORD), ("unit_id", commune.as_str()), ("locale", "vi")])
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let user_url = format!("{}{}", t.base, r.headers()["location"].to_str().unwrap());
        let r = c.post(format!("{user_url}/grants")).form(&[("_csrf", csrf.as_str()), ("role", "data_entry"), ("unit_id", commune.as_str())]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let page = c.get(&user_url).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Trần Thị B") && page.contains("Cán bộ nhập liệu"), "{page}");
        // The new officer can log in.
        assert!(t.app.login("new.officer", PASSWORD, "127.0.0.2").await.is_ok());

        let spec: Value = c.get(format!("{}/api/openapi.json", t.base)).send().await.unwrap().json().await.unwrap();
        assert!(spec["paths"]["/api/v1/units/{id}"]["get"].is_object());
        assert!(spec["paths"]["/api/v1/session"]["post"].is_object());
    }
);

both_backends!(
    async fn periods_and_the_working_day_calendar(store) {
        let t = spawn_app(store).await;
        let (officer, _) = t.login("commune.officer").await;
        let (status, p) = t.get(&officer, "/api/v1/periods/2025M01").await;
        assert_eq!(status, StatusCode::OK, "{p}");
        assert_eq!(p["administrative_window"], json!({"first": "2024-12-15", "last": "2025-01-14"}));
        assert_eq!(p["calendar_window"], json!({"first": "2025-01-01", "last": "2025-01-31"}));
        assert_eq!(p["parent"], "2025Q1");
        let (_, p) = t.get(&officer, "/api/v1/periods/2025S1").await;
        assert_eq!(p["administrative_window"], json!({"first": "2024-12-15", "last": "2025-06-14"}));
        for bad in ["2025M13", "2025Q5", "25Q1", "2025M3", "abc"] {
            let (status, body) = t.get(&officer, &format!("/api/v1/periods/{bad}")).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
            assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains(bad), "{body}");
        }

        let (status, cal) = t.get(&officer, "/api/v1/calendar/2026").await;
        assert_eq!(status, StatusCode::OK);
        let day = |cal: &Value, date: &str| {
            cal["non_working_days"].as_array().unwrap().iter().find(|d| d["date"] == date).cloned()
        };
        // Tết 2026 is 17 February; Hùng Kings' day (10/3 lunar) falls on Sunday 26 April, so Monday is off.
        assert_eq!(day(&cal, "2026-02-17").unwrap()["holiday"], "lunar_new_year");
        assert_eq!(day(&cal, "2026-04-26").unwrap()["holiday"], "hung_kings_day");
        let monday = day(&cal, "2026-04-27").unwrap();
        assert_eq!(monday["reason"], "compensatory");
        assert!(monday["label"].as_str().unwrap().contains("Giỗ Tổ Hùng Vương"), "{monday}");
        assert!(day(&cal, "2026-03-10").is_none(), "an ordinary Tuesday works");

        // Only administrators correct the calendar; the correction shows at once.
        let exception = json!({"date": "2026-03-10", "kind": "day_off", "reason": "Thông báo của Chính phủ"});
        let (officer2, csrf2) = t.login("commune.officer").await;
        assert_eq!(t.post(&officer2, &csrf2, "/api/v1/calendar/exceptions", exception.clone()).await.0, StatusCode::FORBIDDEN);
        let (admin, csrf) = t.login("admin").await;
        assert_eq!(t.post(&admin, &csrf, "/api/v1/calendar/exceptions", exception.clone()).await.0, StatusCode::CREATED);
        assert_eq!(t.post(&admin, &csrf, "/api/v1/calendar/exceptions", exception).await.0, StatusCode::CONFLICT);
        let (status, body) = t
            .post(&admin, &csrf, "/api/v1/calendar/exceptions", json!({"date": "2026-03-11", "kind": "day_off", "reason": "  "}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"]["fields"][0]["field"], "reason");
        let (_, cal) = t.get(&officer, "/api/v1/calendar/2026").await;
        assert_eq!(day(&cal, "2026-03-10").unwrap()["label"], "Thông báo của Chính phủ");
        assert!(day(&cal, "2026-03-11").is_none());
        let make_up = json!({"date": "2026-02-28", "kind": "working_day", "reason": "Làm bù"});
        assert_eq!(t.post(&admin, &csrf, "/api/v1/calendar/exceptions", make_up).await.0, StatusCode::CREATED);
        let (_, cal) = t.get(&officer, "/api/v1/calendar/2026").await;
        assert!(day(&cal, "2026-02-28").is_none(), "Saturday made a working day");
        assert_eq!(cal["make_up_working_days"][0]["date"], "2026-02-28");
        let r = admin.delete(format!("{}/api/v1/calendar/exceptions/2026-03-10", t.base)).header("x-csrf-token", &csrf).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let (_, cal) = t.get(&officer, "/api/v1/calendar/2026").await;
        assert!(day(&cal, "2026-03-10").is_none());
    }
);

/// A minimal W3C WebDriver client over HTTP (chromedriver), enough to type, click and read.
struct Browser {
    http: Client,
    base: String,
    driver: std::process::Child,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Browser {
    async fn start() -> Browser {
        let driver_path = std::env::var("BAOCAO_TEST_CHROMEDRIVER")
            .unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = std::process::Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("chromedriver (apt-get install chromium chromium-driver)");
        let http = Client::new();
        let root = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if http.get(format!("{root}/status")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let profile = std::env::temp_dir().join(format!("baocao-chromium-{port}"));
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": std::env::var("BAOCAO_TEST_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--window-size=1024,768", "--lang=en-US", format!("--user-data-dir={}", profile.display())]
        }}}});
        let r: Value = http
            .post(format!("{root}/session"))
            .json(&caps)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = r["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {r}"))
            .to_string();
        let browser = Browser {
            http,
            base: format!("{root}/session/{id}"),
            driver,
        };
        // Element look-ups wait for the element to appear (pages load after clicks).
        browser
            .cmd(
                reqwest::Method::POST,
                "/timeouts",
                json!({"implicit": 10_000}),
            )
            .await;
        browser
    }

    /// Polls until `check` holds for the text of `css` (a click's navigation may
    /// still be under way when the click returns); returns the last text seen.
    async fn wait_text(&self, css: &str, check: impl Fn(&str) -> bool) -> String {
        let mut text = String::new();
        for _ in 0..100 {
            text = self.text(css).await;
            if check(&text) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        text
    }

    /// Polls until the URL satisfies `check`; returns the last URL seen.
    async fn wait_url(&self, check: impl Fn(&str) -> bool) -> String {
        let mut url = String::new();
        for _ in 0..100 {
            url = self.url().await;
            if check(&url) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        url
    }

    async fn cmd(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if !body.is_null() {
            request = request.json(&body);
        }
        let r = request.send().await.unwrap();
        let v: Value = r.json().await.unwrap();
        v["value"].clone()
    }

    async fn go(&self, url: &str) {
        let v = self
            .cmd(reqwest::Method::POST, "/url", json!({"url": url}))
            .await;
        assert!(v.is_null(), "navigation to {url} failed: {v}");
    }

    async fn find(&self, css: &str) -> String {
        let v = self
            .cmd(
                reqwest::Method::POST,
                "/element",
                json!({"using": "css selector", "value": css}),
            )
            .await;
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_string()
    }

    async fn source(&self) -> String {
        self.cmd(reqwest::Method::GET, "/source", Value::Null)
            .await
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    async fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{e}/value"),
            json!({"text": text}),
        )
        .await;
    }

    async fn click(&self, css: &str) {
        let e = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{e}/click"),
            json!({}),
        )
        .await;
    }

    async fn text(&self, css: &str) -> String {
        // The element may be replaced by a navigation between finding and reading it.
        for _ in 0..20 {
            let e = self.find(css).await;
            let v = self
                .cmd(
                    reqwest::Method::GET,
                    &format!("/element/{e}/text"),
                    Value::Null,
                )
                .await;
            if let Some(text) = v.as_str() {
                return text.to_string();
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        String::new()
    }

    async fn url(&self) -> String {
        self.cmd(reqwest::Method::GET, "/url", Value::Null)
            .await
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    async fn stop(mut self) {
        let _ = self.http.delete(&self.base).send().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// The pages in a real headless Chromium: log in with the form, browse units,
/// switch language, be refused a neighbour's unit, log out. Needs Chromium and
/// chromedriver, so it is ignored by default; `.ci/run` installs them and runs it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: cargo test -p baocao-web --test http -- --ignored (see .ci/run)"]
async fn browser_login_browse_and_language() {
    let db = baocao_store::testing::TestDb::new(baocao_store::Backend::Sqlite).await;
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
    assert!(b.text(".error").await.contains("không có quyền"));

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

async fn page_login(t: &TestApp, username: &str) -> Client {
    let c = client();
    let login = c
        .get(format!("{}/login", t.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden_field(&login, "_csrf");
    let r = c
        .post(format!("{}/login", t.base))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", username),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    c
}

both_backends!(
    async fn the_calendar_page_shows_days_off_and_takes_corrections(store) {
        let t = spawn_app(store).await;
        let officer = page_login(&t, "commune.officer").await;
        let page = officer.get(format!("{}/calendar?year=2026", t.base)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("17/02/2026") && page.contains("Tết Âm lịch"), "{page}");
        assert!(page.contains("Nghỉ bù Giỗ Tổ Hùng Vương"));
        // 2026 has 104 Saturdays and Sundays; Sunday 26 April is Hùng Kings' day and is listed
        // as the holiday, so 103 plain weekend days are counted instead of listed.
        assert!(page.contains("Ngoài ra có 103 ngày nghỉ cuối tuần"), "{page}");
        assert!(!page.contains("03/01/2026"), "a plain Saturday is not listed");
        assert!(!page.contains("action=\"/calendar/exceptions\""), "officers cannot correct the calendar");
        let csrf = hidden_field(&page, "_csrf");
        let r = officer
            .post(format!("{}/calendar/exceptions", t.base))
            .form(&[("_csrf", csrf.as_str()), ("date", "2026-03-10"), ("kind", "day_off"), ("reason", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = officer.get(format!("{}/calendar?year=abc", t.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

        let admin = page_login(&t, "admin").await;
        let page = admin.get(format!("{}/calendar?year=2026", t.base)).send().await.unwrap().text().await.unwrap();
        let csrf = hidden_field(&page, "_csrf");
        let form = |token: &str| {
            vec![("_csrf", token.to_string()), ("date", "2026-03-10".into()), ("kind", "day_off".into()), ("reason", "Nghỉ theo thông báo".into())]
        };
        let r = admin.post(format!("{}/calendar/exceptions", t.base)).form(&form("forged")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = admin.post(format!("{}/calendar/exceptions", t.base)).form(&form(&csrf)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let page = officer.get(format!("{}/calendar?year=2026", t.base)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("10/03/2026") && page.contains("Nghỉ theo thông báo"));
        let r = admin.post(format!("{}/calendar/exceptions/2026-03-10/delete", t.base)).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let page = officer.get(format!("{}/calendar?year=2026", t.base)).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains("10/03/2026"));
    }
);

both_backends!(
    async fn administration_endpoints_refuse_what_they_must(store) {
        let t = spawn_app(store).await;
        let (admin, _) = t.login("admin").await;
        let (dadmin, dcsrf) = t.login("district.admin").await;

        // Agencies: under a unit the administrator manages, with a valid, unused code.
        let agency = |parent: UnitId, code: &str| {
            json!({"kind": "agency", "level": "district", "code": code, "name": "Phòng Văn hóa và Thông tin", "parent_id": parent.0})
        };
        let (status, created) = t.post(&dadmin, &dcsrf, "/api/v1/units", agency(t.district, "000.01.01.H40")).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let (status, body) = t.get(&dadmin, &format!("/api/v1/units/{}", created["id"])).await;
        assert_eq!((status, body["unit"]["kind"].as_str()), (StatusCode::OK, Some("agency")));
        assert_eq!(t.post(&dadmin, &dcsrf, "/api/v1/units", agency(t.province, "000.01.02.H40")).await.0, StatusCode::FORBIDDEN);
        let (status, body) = t.post(&dadmin, &dcsrf, "/api/v1/units", agency(t.district, "000.01.01.H40")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"]["fields"][0]["field"], "code");
        let (status, body) = t.post(&dadmin, &dcsrf, "/api/v1/units", agency(t.district, "bad code!")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("Mã định danh"), "{body}");
        let bad_kind = json!({"kind": "planet", "level": "district", "code": "X1", "name": "x", "parent_id": t.district.0});
        assert_eq!(t.post(&dadmin, &dcsrf, "/api/v1/units", bad_kind).await.0, StatusCode::UNPROCESSABLE_ENTITY);

        // A user created with a role gets it in the same transaction; a bad role creates nothing.
        let before = t.user_count().await;
        let new_user = |role: &str| json!({"username": "with.role", "display_name": "B", "password": PASSWORD, "unit_id": t.commune.0, "role": role});
        assert_eq!(t.post(&dadmin, &dcsrf, "/api/v1/users", new_user("emperor")).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(t.user_count().await, before);
        assert_eq!(t.post(&dadmin, &dcsrf, "/api/v1/users", new_user("data_entry")).await.0, StatusCode::CREATED);
        let (with_role, _) = t.login("with.role").await;
        assert_eq!(t.get(&with_role, &format!("/api/v1/units/{}", t.commune)).await.0, StatusCode::OK);

        // Passwords: an administrator of the user's unit sets it, which ends the user's sessions.
        let users = t.app.list_users(&system_principal()).await.unwrap();
        let id_of = |name: &str| users.iter().find(|v| v.user.username == name).unwrap().user.id;
        let (reviewer, _) = t.login("district.reviewer").await;
        let put = |c: &Client, token: &str, id: i64, password: &str| {
            c.put(format!("{}/api/v1/users/{id}/password", t.base)).header("x-csrf-token", token).json(&json!({"password": password})).send()
        };
        assert_eq!(put(&dadmin, &dcsrf, id_of("province.reviewer"), "another long password").await.unwrap().status(), StatusCode::FORBIDDEN);
        assert_eq!(put(&dadmin, &dcsrf, id_of("district.reviewer"), "short").await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(t.get(&reviewer, "/api/v1/session").await.0, StatusCode::OK, "a refused change ends nothing");
        assert_eq!(put(&dadmin, &dcsrf, id_of("district.reviewer"), "another long password").await.unwrap().status(), StatusCode::NO_CONTENT);
        assert_eq!(t.get(&reviewer, "/api/v1/session").await.0, StatusCode::UNAUTHORIZED);
        assert!(t.app.login("district.reviewer", "another long password", "10.1.1.1").await.is_ok());

        // Grants: removed only by an administrator of the grant's unit.
        let leader = users.iter().find(|v| v.user.username == "leader").unwrap();
        let leader_grant = leader.grants[0].0.id;
        let r = dadmin.delete(format!("{}/api/v1/users/{}/grants/{leader_grant}", t.base, leader.user.id)).header("x-csrf-token", &dcsrf).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let officer = users.iter().find(|v| v.user.username == "commune.officer").unwrap();
        let r = dadmin.delete(format!("{}/api/v1/users/{}/grants/{}", t.base, officer.user.id, officer.grants[0].0.id)).header("x-csrf-token", &dcsrf).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let (officer_client, _) = t.login("commune.officer").await;
        assert_eq!(t.get(&officer_client, &format!("/api/v1/units/{}", t.commune)).await.0, StatusCode::FORBIDDEN, "no grant, no access");

        // Disabling (page form): the user's sessions end and it can no longer log in.
        let page = admin.get(format!("{}/admin/users/{}", t.base, id_of("leader"))).send().await.unwrap().text().await.unwrap();
        let page_csrf = hidden_field(&page, "_csrf");
        let (leader_client, _) = t.login("leader").await;
        let r = admin
            .post(format!("{}/admin/users/{}/disable", t.base, id_of("leader")))
            .form(&[("_csrf", page_csrf.as_str()), ("disabled", "1")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(t.get(&leader_client, "/api/v1/session").await.0, StatusCode::UNAUTHORIZED);
        assert!(matches!(t.app.login("leader", PASSWORD, "10.2.2.2").await, Err(baocao_app::AppError::BadCredentials)));
    }
);

/// A small valid metadata document: two indicators and a rate, a monthly regime
/// received by Nghệ An (40), an ad-hoc regime and one request.
fn metadata() -> Value {
    json!({
        "format": "baocao-metadata/1",
        "disaggregations": [{"code": "sex", "name_vi": "Giới tính", "name_en": "Sex", "options": [
            {"code": "male", "name_vi": "Nam", "name_en": "Male"},
            {"code": "female", "name_vi": "Nữ", "name_en": "Female"}]}],
        "indicators": [
            {"code": "LD01", "name_vi": "Số lao động được tạo việc làm", "name_en": "Jobs created",
             "field": "labour", "measure_vi": "người", "measure_en": "persons", "value_type": "integer",
             "over_units": "sum", "over_time": "sum", "disaggregations": ["sex"]},
            {"code": "LD02", "name_vi": "Số lao động trong độ tuổi", "name_en": "Working-age population",
             "field": "labour", "measure_vi": "người", "measure_en": "persons", "value_type": "integer",
             "over_units": "sum", "over_time": "last"},
            {"code": "LD03", "name_vi": "Tỷ lệ lao động được tạo việc làm", "name_en": "Job creation rate",
             "field": "labour", "measure_vi": "%", "measure_en": "%", "value_type": "percentage",
             "over_units": {"weighted_average": "LD02"}, "over_time": "none", "formula": "100 * LD01 / LD02",
             "targets": [{"year": 2026, "applies_to": {"level": "commune"}, "at_least": "2.5"}]}
        ],
        "regimes": [
            {"code": "BC-LD", "versions": [{
                "from": "2026M01", "name_vi": "Báo cáo lao động việc làm hằng tháng", "name_en": "Monthly labour report",
                "legal_basis": "Quyết định 1/2026/QĐ-UBND", "kind": "periodic", "frequency": "monthly",
                "convention": "administrative", "receiving_unit": "40", "methods": ["system"],
                "signature_required": true,
                "reporting": [
                    {"name_vi": "UBND cấp xã", "name_en": "Communes", "select": {"level": "commune"}, "stage": 1,
                     "deadline": {"working_days_after_window": 2}},
                    {"name_vi": "Sở, ngành", "name_en": "Departments", "select": {"level": "province", "kind": "agency"},
                     "stage": 2, "deadline": {"working_days_after_window": 4}}],
                "forms": [{"code": "B01", "title_vi": "Biểu 01", "title_en": "Table 01",
                    "columns": [
                        {"code": "C1", "title_vi": "Thực hiện kỳ này", "title_en": "This period", "source": "current"},
                        {"code": "C2", "title_vi": "Cùng kỳ năm trước", "title_en": "Same period last year", "source": "same_period_last_year"},
                        {"code": "C3", "title_vi": "So cùng kỳ (%)", "title_en": "Change (%)", "source": {"formula": "100 * C1 / C2"}}],
                    "rows": [{"indicator": "LD01", "breakdown": true}, {"indicator": "LD02"}, {"indicator": "LD03"}]}],
                "outline": [{"number": "I", "title_vi": "Kết quả", "title_en": "Results"}]
            }]},
            {"code": "DX-BAO", "versions": [{
                "from": "2026", "name_vi": "Báo cáo đột xuất thiệt hại do thiên tai", "name_en": "Ad-hoc disaster damage report",
                "legal_basis": "Luật Phòng, chống thiên tai", "kind": "ad_hoc", "frequency": "ad_hoc",
                "convention": "calendar", "receiving_unit": "40", "methods": ["system", "email"],
                "signature_required": false,
                "reporting": [{"name_vi": "UBND cấp xã", "name_en": "Communes", "select": {"level": "commune"}, "stage": 1}],
                "outline": [{"number": "1", "title_vi": "Thiệt hại", "title_en": "Damage"}]
            }]}
        ],
        "requests": [{"code": "YC-01", "regime": "DX-BAO", "title_vi": "Thiệt hại do bão số 5", "title_en": "Damage from storm no. 5",
            "issued_by": "40", "window_first": "2026-08-20", "window_last": "2026-08-27", "deadline": "2026-08-31",
            "units": ["16681", "16690"]}]
    })
}

/// A change that breaks a document.
type Change = Box<dyn Fn(&mut Value)>;

/// Sorted as export writes it.
fn exported(mut doc: Value) -> Value {
    for key in ["disaggregations", "indicators", "regimes", "requests"] {
        if let Some(list) = doc[key].as_array_mut() {
            list.sort_by(|a, b| a["code"].as_str().cmp(&b["code"].as_str()));
        }
    }
    doc
}

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
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
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

/// The editor's form for a new monthly regime received by Nghệ An.
fn editor_form(csrf: &str, code: &str, deadline_day: &str) -> Vec<(String, String)> {
    let pairs = [
        ("_csrf", csrf),
        ("is_new", "1"),
        ("code", code),
        ("from", "2026M01"),
        ("name_vi", "Báo cáo việc làm hằng tháng"),
        ("name_en", "Monthly jobs report"),
        ("legal_basis", "Quyết định 2/2026/QĐ-UBND"),
        ("content_vi", ""),
        ("content_en", ""),
        ("kind", "periodic"),
        ("frequency", "monthly"),
        ("convention", "administrative"),
        ("receiving_unit", "40"),
        ("method", "system"),
        ("method", "email"),
        ("signature_required", "1"),
        ("g0_name_vi", "UBND cấp xã"),
        ("g0_name_en", "Communes"),
        ("g0_level", "commune"),
        ("g0_kind", ""),
        ("g0_units", ""),
        ("g0_stage", "1"),
        ("g0_rule", "fixed_day"),
        ("g0_n", deadline_day),
        ("g0_months", "0"),
        ("g1_name_vi", ""),
        ("g1_name_en", ""),
        ("g1_level", ""),
        ("g1_kind", ""),
        ("g1_units", ""),
        ("g1_stage", ""),
        ("g1_rule", "working_days"),
        ("g1_n", ""),
        ("g1_months", ""),
        ("f0_code", "B01"),
        ("f0_title_vi", "Biểu 01: Lao động, việc làm"),
        ("f0_title_en", "Table 01: Jobs"),
        ("f0_columns", "C1 | Thực hiện kỳ này | This period | current\nC2 | Cùng kỳ | Last year | same_period_last_year\nC3 | So sánh (%) | Change (%) | = 100 * C1 / C2"),
        ("f0_rows", "LD01 +\nLD02\nLD03"),
        ("outline", "I | Kết quả thực hiện | Results | Nêu kết quả chính | Main results\nII | Nhiệm vụ tháng tới | Next month"),
    ];
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

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
        form.iter_mut().find(|(k, _)| k == "f0_columns").unwrap().1 = "C1 | Kỳ này | This | sometimes".into();
        let page = admin.post(format!("{}/regimes/new", t.base)).form(&form).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("sometimes"), "{page}");
        assert_eq!(t.app.metadata().await.unwrap().regimes.len(), 0);

        // The 28th is fine: saved, shown with its form, outline and calendar.
        let r = admin.post(format!("{}/regimes/new", t.base)).form(&editor_form(&csrf, "BC-VL", "28")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()["location"], "/regimes/BC-VL");
        let page = officer.get(format!("{}/regimes/BC-VL", t.base)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Biểu 01: Lao động, việc làm") && page.contains("Nữ") && page.contains("Nhiệm vụ tháng tới"), "{page}");
        let page = officer.get(format!("{}/regimes/BC-VL/calendar?year=2026", t.base)).send().await.unwrap().text().await.unwrap();
        // Saturday 28/02/2026 moves to Monday 02/03/2026.
        assert!(page.contains("15/01/2026 – 14/02/2026</td><td>02/03/2026"), "{page}");
        // The same code again is refused.
        let page = admin.post(format!("{}/regimes/new", t.base)).form(&editor_form(&csrf, "BC-VL", "28")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Đã có chế độ báo cáo mã"), "{page}");

        // Editing loads the version back; a new period adds version 2.
        let editor = admin.get(format!("{}/regimes/BC-VL/edit", t.base)).send().await.unwrap().text().await.unwrap();
        assert!(editor.contains("= 100 * C1 / C2") && editor.contains("LD01 +"), "{editor}");
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

/// A regime administrator creates a regime with a numeric form and an outline
/// in a real headless Chromium, then reads its deadline calendar.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: cargo test -p baocao-web --test http -- --ignored (see .ci/run)"]
async fn browser_regime_administrator_creates_a_regime() {
    let db = baocao_store::testing::TestDb::new(baocao_store::Backend::Sqlite).await;
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
        ("f0_columns", "C1 | Thực hiện kỳ này | This period | current\nC2 | Cùng kỳ | Last year | same_period_last_year"),
        ("f0_rows", "LD01 +\nLD02"),
        ("outline", "I | Tình hình thanh niên | Youth | Nêu số liệu chính"),
    ] {
        let css = if field.ends_with("columns") || field.ends_with("rows") || field == "outline" {
            format!("textarea[name={field}]")
        } else {
            format!("input[name={field}]")
        };
        b.type_into(&css, text).await;
    }
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
    b.stop().await;
    db.teardown().await;
}

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

/// The test regime from 2025 with a district stage, so that a pre-reform
/// commune reports to its district, which reports to the province.
fn three_level_metadata() -> baocao_domain::catalogue::Metadata {
    let mut doc = metadata();
    let version = &mut doc["regimes"][0]["versions"][0];
    version["from"] = json!("2025M01");
    version["reporting"] = json!([
        {"name_vi": "UBND cấp xã", "name_en": "Communes", "select": {"level": "commune"}, "stage": 1,
         "deadline": {"working_days_after_window": 2}},
        {"name_vi": "UBND cấp huyện", "name_en": "Districts", "select": {"level": "district"}, "stage": 2,
         "deadline": {"working_days_after_window": 4}},
        {"name_vi": "Sở, ngành", "name_en": "Departments", "select": {"level": "province", "kind": "agency"},
         "stage": 3, "deadline": {"working_days_after_window": 6}}]);
    doc["regimes"][0]["versions"][0]["validation"] = json!([
        {"code": "R1", "expression": "LD01 = LD01.sex.male + LD01.sex.female", "severity": "error",
         "message_vi": "Tổng số phải bằng nam cộng nữ", "message_en": "The total must equal men plus women"},
        {"code": "W1", "expression": "LD03 <= 10", "severity": "warning",
         "message_vi": "Tỷ lệ tạo việc làm cao bất thường"}]);
    doc["requests"] = json!([]);
    serde_json::from_value(doc).unwrap()
}

async fn send(
    c: &Client,
    method: reqwest::Method,
    url: String,
    csrf: &str,
    body: Value,
) -> (StatusCode, Value) {
    let r = c
        .request(method, url)
        .header("x-csrf-token", csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

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

        // Someone else's unit: refused.
        let (status, _) = t.post(&other, &xc, "/api/v1/reports", json!({"regime": "BC-LD", "unit_id": t.commune.0, "period": "2025M03"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, report) = t.post(&officer, &oc, "/api/v1/reports", json!({"regime": "BC-LD", "unit_id": t.commune.0, "period": "2025M03"})).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        let id = report["id"].as_i64().unwrap();
        assert_eq!(report["status"], "draft");
        assert_eq!(report["receiver"], t.district.0, "a commune reports to its district");
        assert_eq!(report["deadline"], "2025-03-18");
        assert_eq!(t.get(&other, &format!("/api/v1/reports/{id}")).await.0, StatusCode::FORBIDDEN);
        let draft = format!("/api/v1/reports/{id}/draft");
        assert_eq!(send(&other, put.clone(), url(draft.clone()), &xc, json!({"values": {"LD01": "1"}})).await.0, StatusCode::FORBIDDEN);

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
        assert!(notes[0]["text"].as_str().unwrap().contains("bị trả lại"), "{notes}");
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
        assert_eq!(t.app.draft_saves(id).await.unwrap(), 4);
        // The district's report is synthesized from its communes' accepted
        // reports: only the one accepted commune contributes, the others are
        // listed as missing, never counted as zero.
        assert_eq!(send(&reviewer, post.clone(), accept.clone(), &rc, json!({})).await.0, StatusCode::NO_CONTENT);
        let (dofficer, dc) = t.login("district.officer").await;
        let (status, district_report) = t.post(&dofficer, &dc, "/api/v1/reports", json!({"regime": "BC-LD", "unit_id": t.district.0, "period": "2025M03"})).await;
        assert_eq!(status, StatusCode::OK, "{district_report}");
        assert_eq!(district_report["receiver"], t.province.0);
        let did = district_report["id"].as_i64().unwrap();
        let synth = url(format!("/api/v1/reports/{did}/synthesize"));
        assert_eq!(send(&officer, post.clone(), synth.clone(), &oc, json!({})).await.0, StatusCode::FORBIDDEN);
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
        let tl_path = format!("/api/v1/reports/timeliness?regime=BC-LD&period=2025M03&unit={}", t.district.0);
        let (status, tl) = t.get(&dofficer, &tl_path).await;
        assert_eq!(status, StatusCode::OK, "{tl}");
        let expected_count = tl["expected"].as_u64().unwrap();
        assert_eq!((tl["on_time"].as_u64(), tl["late"].as_u64(), tl["missing"].as_u64()), (Some(0), Some(1), Some(expected_count - 1)), "{tl}");
        assert_eq!(tl["deadline"], "2025-03-18");
        assert_eq!(t.get(&other, &tl_path).await.0, StatusCode::FORBIDDEN);
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
        let (head_hash, count) = t.app.verify_ledger().await.unwrap().unwrap();
        assert_eq!(count, 18, "metadata; commune: create, 4 saves, 3 submits, return, 2 accepts, correct; district: create, 2 syntheses, submit, accept");
        assert_eq!(head_hash.len(), 64);
        let mut conn = store.conn().await.unwrap();
        sqlx::query("UPDATE audit_ledger SET payload = '{\"version\":1}' WHERE seq = 5")
            .execute(&mut *conn)
            .await
            .unwrap();
        let broken = t.app.verify_ledger().await.unwrap().unwrap_err();
        assert_eq!((broken.seq, broken.reason), (5, "audit.altered_entry"));
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
        let (_, report) = t.post(&officer, &oc, "/api/v1/reports", json!({"regime": "BC-LD", "unit_id": t.commune.0, "period": "2025M05"})).await;
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
        let page = officer_page.get(url(format!("/reports/{id}"))).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains("id=\"recall-report\""));
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
        assert!(t.app.verify_ledger().await.unwrap().is_ok());
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
            "parent_id": t.province.0, "valid_from": "2025-01-01"})).await;
        assert_eq!(status, StatusCode::CREATED, "{dept}");
        let dept = UnitId(dept["id"].as_i64().unwrap());
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
            let (status, report) = t.post(officer, oc, "/api/v1/reports", json!({"regime": "BC-LD", "unit_id": unit.0, "period": "2025M10"})).await;
            assert_eq!(status, StatusCode::OK, "{report}");
            assert_eq!(report["receiver"], t.province.0, "no district in between any more");
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
        let (status, own) = t.post(po, pc, "/api/v1/reports", json!({"regime": "BC-LD", "unit_id": t.province.0, "period": "2025M10"})).await;
        assert_eq!(status, StatusCode::OK, "{own}");
        assert_eq!(own["receiver"], t.province.0, "sent to the level above, not reviewed here");
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
        assert!(expected.iter().any(|c| c["unit"] == dept.0), "{s}");
        assert!(expected.len() > 100, "Nghệ An has 130 communes since July 2025: {}", expected.len());
        assert!(expected.iter().all(|c| c["unit"] != t.district.0), "{s}");
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

/// A mailer that delivers to the test sink, without TLS, daily e-mails from 0:00.
fn sink_mailer(sink: &SmtpSink) -> Mailer {
    Mailer::new(&sink_settings(sink)).unwrap()
}

fn sink_settings(sink: &SmtpSink) -> SmtpSettings {
    SmtpSettings {
        host: "127.0.0.1".into(),
        port: Some(sink.port),
        security: SmtpSecurity::None,
        username: None,
        password: None,
        from: "Hệ thống báo cáo <baocao@nghean.example.vn>".into(),
        public_url: "https://baocao.example.vn/".into(),
        daily_hour: 0,
        ca_file: None,
    }
}

both_backends!(
    async fn returns_acceptances_and_daily_notifications_go_out_by_email(store) {
        let t = spawn_app(store.clone()).await;
        t.app.apply_metadata(&system_principal(), &three_level_metadata()).await.unwrap();
        let sink = SmtpSink::start().await;
        let mailer = sink_mailer(&sink);
        let (officer, oc) = t.login("commune.officer").await;
        let (head, hc) = t.login("commune.head").await;
        let (reviewer, rc) = t.login("district.reviewer").await;
        let (admin, ac) = t.login("admin").await;
        let (other, xc) = t.login("other.officer").await;
        let put = reqwest::Method::PUT;
        let post = reqwest::Method::POST;
        let url = |path: String| format!("{}{path}", t.base);
        let id_of = |name: &'static str| {
            let app = t.app.clone();
            async move { app.user_by_name(name).await.unwrap().id }
        };
        let (officer_id, head_id, reviewer_id) = (id_of("commune.officer").await, id_of("commune.head").await, id_of("district.reviewer").await);

        // Addresses: one's own, or as the administrator; a bad one is refused
        // in the user's language and nothing changes; nobody sets another's.
        let email_url = |id: i64| url(format!("/api/v1/users/{id}/email"));
        let (status, body) = send(&officer, put.clone(), email_url(officer_id), &oc, json!({"email": "khong-phai-dia-chi"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["fields"][0]["field"], "email");
        assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("không phải là địa chỉ thư điện tử hợp lệ"), "{body}");
        assert_eq!(t.app.user_by_name("commune.officer").await.unwrap().email, None);
        assert_eq!(send(&other, put.clone(), email_url(officer_id), &xc, json!({"email": "x@example.vn"})).await.0, StatusCode::FORBIDDEN);
        assert_eq!(send(&officer, put.clone(), email_url(officer_id), &oc, json!({"email": " can.bo@xa.example.vn "})).await.0, StatusCode::NO_CONTENT);
        assert_eq!(send(&admin, put.clone(), email_url(head_id), &ac, json!({"email": "chu.tich@xa.example.vn"})).await.0, StatusCode::NO_CONTENT);
        assert_eq!(send(&reviewer, put.clone(), email_url(reviewer_id), &rc, json!({"email": "phong.tk@huyen.example.vn"})).await.0, StatusCode::NO_CONTENT);
        assert_eq!(t.app.user_by_name("commune.officer").await.unwrap().email.as_deref(), Some("can.bo@xa.example.vn"));
                let mut conn = store.conn().await.unwrap();
        baocao_store::users::set_locale(&mut conn, head_id, "en", 0).await.unwrap();
        drop(conn);

        // A submitted report, then the first step: the daily e-mails go out
        // (the officer and head owe overdue reports, the reviewer has one to review).
        let (_, report) = t.post(&officer, &oc, "/api/v1/reports", json!({"regime": "BC-LD", "unit_id": t.commune.0, "period": "2025M03"})).await;
        let id = report["id"].as_i64().unwrap();
        let good = json!({"values": {"LD01": "1.234", "LD01/sex:female": "600", "LD01/sex:male": "634", "LD02": "50.000"}});
        assert_eq!(send(&officer, put.clone(), url(format!("/api/v1/reports/{id}/draft")), &oc, good).await.0, StatusCode::OK);
        assert_eq!(send(&head, post.clone(), url(format!("/api/v1/reports/{id}/submit")), &hc, json!({})).await.0, StatusCode::OK);
        let step = t.app.mail_step(&mailer, baocao_app::now()).await.unwrap();
        assert_eq!((step.review_queued, step.daily_queued, step.sent, step.failed), (0, 3, 3, 0), "{step:?}");
        let daily = sink.received();
        let to_reviewer = daily.iter().find(|m| m.to == ["phong.tk@huyen.example.vn"]).expect("the reviewer's daily e-mail");
        assert_eq!(to_reviewer.subject(), "Thông báo hằng ngày về báo cáo");
        assert!(to_reviewer.body().contains("Có 1 báo cáo đang chờ bạn xem xét"), "{}", to_reviewer.body());
        assert!(to_reviewer.body().contains("Tổng hợp hằng ngày"), "the digest: {}", to_reviewer.body());
        let to_head = daily.iter().find(|m| m.to == ["chu.tich@xa.example.vn"]).unwrap();
        assert_eq!(to_head.subject(), "Your daily report notifications", "in the head's language");
        assert!(to_head.body().contains("is overdue"), "{}", to_head.body());
        assert!(to_head.header("From").unwrap().contains("baocao@nghean.example.vn"));
        // The same day again: nothing more.
        let again = t.app.mail_step(&mailer, baocao_app::now()).await.unwrap();
        assert_eq!(again, Default::default());

        // A return reaches the commune's officer and head at once, with the reason and a link.
        assert_eq!(send(&reviewer, post.clone(), url(format!("/api/v1/reports/{id}/return")), &rc, json!({"reason": "Thiếu số liệu nữ"})).await.0, StatusCode::NO_CONTENT);
        let step = t.app.mail_step(&mailer, baocao_app::now()).await.unwrap();
        assert_eq!((step.review_queued, step.daily_queued, step.sent), (2, 0, 2), "{step:?}");
        let received = sink.received();
        let returned: Vec<_> = received[3..].to_vec();
        let to_officer = returned.iter().find(|m| m.to == ["can.bo@xa.example.vn"]).unwrap();
        assert_eq!(to_officer.subject(), "Báo cáo bị trả lại");
        assert!(to_officer.body().contains("Báo cáo BC-LD kỳ 2025M03 bị trả lại, lý do: Thiếu số liệu nữ."), "{}", to_officer.body());
        assert!(to_officer.body().contains(&format!("https://baocao.example.vn/reports/{id}")), "{}", to_officer.body());
        let to_head = returned.iter().find(|m| m.to == ["chu.tich@xa.example.vn"]).unwrap();
        assert!(to_head.body().contains("BC-LD 2025M03 was returned, reason: Thiếu số liệu nữ."), "{}", to_head.body());

        // A server that defers keeps the e-mail queued for a retry; one that
        // refuses for good gives it up; nothing is lost in between.
        assert_eq!(send(&head, post.clone(), url(format!("/api/v1/reports/{id}/submit")), &hc, json!({})).await.0, StatusCode::OK);
        assert_eq!(send(&reviewer, post.clone(), url(format!("/api/v1/reports/{id}/accept")), &rc, json!({})).await.0, StatusCode::NO_CONTENT);
        sink.answer_rcpt_with("451 4.3.0 mailbox busy, try later");
        let step = t.app.mail_step(&mailer, baocao_app::now()).await.unwrap();
        assert_eq!((step.review_queued, step.sent, step.failed), (2, 0, 2), "{step:?}");
        let summary = t.app.mail_summary().await.unwrap();
        assert_eq!((summary.queued, summary.sent, summary.given_up), (2, 5, 0));
        assert!(summary.recent_errors[0].2.contains("451"), "{:?}", summary.recent_errors);
        // Not yet due: the retry waits a minute.
        assert_eq!(t.app.deliver_emails(&mailer, baocao_app::now()).await.unwrap(), (0, 0));
        sink.answer_rcpt_with("250 2.1.5 OK");
        assert_eq!(t.app.deliver_emails(&mailer, baocao_app::now() + 61).await.unwrap(), (2, 0));
        let accepted = &sink.received()[5..];
        assert_eq!(accepted.len(), 2);
        assert!(accepted.iter().any(|m| m.body().contains("Báo cáo BC-LD kỳ 2025M03 đã được tiếp nhận.")));
        // Permanent refusal: given up after one attempt.
        assert_eq!(send(&officer, post.clone(), url(format!("/api/v1/reports/{id}/correct")), &oc, json!({"reason": "Sai số"})).await.0, StatusCode::NO_CONTENT);
        assert_eq!(send(&head, post.clone(), url(format!("/api/v1/reports/{id}/submit")), &hc, json!({})).await.0, StatusCode::OK);
        assert_eq!(send(&reviewer, post.clone(), url(format!("/api/v1/reports/{id}/return")), &rc, json!({"reason": "Chưa đủ"})).await.0, StatusCode::NO_CONTENT);
        sink.answer_rcpt_with("550 5.1.1 no such mailbox");
        let step = t.app.mail_step(&mailer, baocao_app::now()).await.unwrap();
        assert_eq!((step.review_queued, step.sent, step.failed), (2, 0, 2), "{step:?}");
        let summary = t.app.mail_summary().await.unwrap();
        assert_eq!((summary.queued, summary.sent, summary.given_up), (0, 7, 2));
        assert_eq!(t.app.deliver_emails(&mailer, baocao_app::now() + 7 * 3600).await.unwrap(), (0, 0));

                        // No server at all: the first attempt fails, the batch stops, and
        // nothing is lost — once the server is back, both go out.
        let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let closed_port = closed.local_addr().unwrap().port();
        drop(closed);
        let down = Mailer::new(&SmtpSettings { port: Some(closed_port), ..sink_settings(&sink) }).unwrap();
        assert_eq!(send(&head, post.clone(), url(format!("/api/v1/reports/{id}/submit")), &hc, json!({})).await.0, StatusCode::OK);
        assert_eq!(send(&reviewer, post.clone(), url(format!("/api/v1/reports/{id}/accept")), &rc, json!({})).await.0, StatusCode::NO_CONTENT);
        sink.answer_rcpt_with("250 2.1.5 OK");
        let step = t.app.mail_step(&down, baocao_app::now()).await.unwrap();
        assert_eq!((step.review_queued, step.sent, step.failed), (2, 0, 1), "{step:?}");
        assert_eq!(t.app.mail_summary().await.unwrap().queued, 2);
        assert_eq!(t.app.deliver_emails(&mailer, baocao_app::now() + 400).await.unwrap(), (2, 0));

        // On the account page: shown, refused when malformed, cleared.
        let page_officer = page_login(&t, "commune.officer").await;
        let account = page_officer.get(url("/account".into())).send().await.unwrap().text().await.unwrap();
        assert!(account.contains("value=\"can.bo@xa.example.vn\""), "{account}");
        let csrf = hidden_field(&account, "_csrf");
        let r = page_officer.post(url("/account/email".into())).form(&[("_csrf", csrf.as_str()), ("email", "a b@c")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("không phải là địa chỉ thư điện tử hợp lệ"));
        assert_eq!(t.app.user_by_name("commune.officer").await.unwrap().email.as_deref(), Some("can.bo@xa.example.vn"));
        let r = page_officer.post(url("/account/email".into())).form(&[("_csrf", csrf.as_str()), ("email", "")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.text().await.unwrap().contains("Đã lưu địa chỉ thư điện tử"));
        assert_eq!(t.app.user_by_name("commune.officer").await.unwrap().email, None);
        // The administrator sees the head's address on the user's page.
        let page_admin = page_login(&t, "admin").await;
        let user_page = page_admin.get(url(format!("/admin/users/{head_id}"))).send().await.unwrap().text().await.unwrap();
        assert!(user_page.contains("value=\"chu.tich@xa.example.vn\""), "{user_page}");
        // Each change of address is in the ledger.
        let mut conn = store.conn().await.unwrap();
        let emails: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_ledger WHERE action = 'user.email'")
            .fetch_one(&mut *conn).await.unwrap();
        assert_eq!(emails, 4);
    }
);

/// The report workflow in a real headless Chromium: the commune officer fills
/// the form (Vietnamese notation) and the unit head submits; the district
/// reviewer returns it with a reason; the officer corrects, the head resubmits
/// (version 2); the reviewer accepts. Each page shows only what its user may do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: cargo test -p baocao-web --test http -- --ignored (see .ci/run)"]
async fn browser_report_submit_return_resubmit_accept() {
    let db = baocao_store::testing::TestDb::new(baocao_store::Backend::Sqlite).await;
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
            b.wait_url(|u| u.ends_with("/units")).await;
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
        owed.contains("2025M03") && owed.contains("Quá hạn"),
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
    b.wait_url(|u| u.contains("saved=1")).await;
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
    b.click("#submit-report").await;
    assert!(b
        .wait_text("#status", |t| t.contains("Đã gửi"))
        .await
        .contains("Đã gửi"));
    logout().await;

    login("district.reviewer").await;
    b.go(&format!("{}/reports", t.base)).await;
    assert!(b.text("#inbox").await.contains("2025M03"));
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
    assert!(b
        .text("#events")
        .await
        .contains("Thiếu số liệu lao động nam"));
    b.type_into("input[name='v:LD01/sex:male']", "634").await;
    b.click("#save-report").await;
    b.wait_url(|u| u.contains("saved=1")).await;
    logout().await;

    login("commune.head").await;
    b.go(&format!("{}{report_path}", t.base)).await;
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
    b.click("#submit-report").await;
    b.wait_text("#status", |t| t.contains("Đã gửi")).await;
    logout().await;

    // The commune officer may read the district's report above it, but not act on it.
    login("commune.officer").await;
    b.go(&format!("{}{district_path}", t.base)).await;
    assert!(b.text("#status").await.contains("Đã gửi"));
    let page = b.source().await;
    assert!(!page.contains("id=\"save-report\"") && !page.contains("id=\"accept-report\""));
    logout().await;

    login("province.reviewer").await;
    b.go(&format!("{}/reports", t.base)).await;
    assert!(b.text("#inbox").await.contains("2025M03"));
    b.go(&format!("{}{district_path}", t.base)).await;
    b.click("#accept-report").await;
    assert!(b
        .wait_text("#status", |t| t.contains("Đã tiếp nhận"))
        .await
        .contains("Đã tiếp nhận"));
    logout().await;

    // A neighbour's officer cannot even read it.
    login("other.officer").await;
    b.go(&format!("{}{report_path}", t.base)).await;
    assert!(b.text(".error").await.contains("không có quyền"));
    b.stop().await;
    db.teardown().await;
}

/// A downloaded template with some values changed, as a user's spreadsheet
/// program would save it (the same sheets, keys and identification).
fn fill(downloaded: &[u8], values: &[(&str, &str)], meta_change: Option<(&str, &str)>) -> Vec<u8> {
    use baocao_formats::xlsx::{read_upload, write_template, Kind, Row, Template};
    let up = read_upload(downloaded).unwrap();
    let mut meta: Vec<(String, String)> = up.meta.into_iter().collect();
    if let Some((k, v)) = meta_change {
        meta.iter_mut().find(|(key, _)| key == k).unwrap().1 = v.to_string();
    }
    let rows = up
        .cells
        .iter()
        .map(|c| Row {
            key: c.key.clone(),
            code: c.key.clone(),
            label: String::new(),
            measure: String::new(),
            value: values
                .iter()
                .find(|(k, _)| *k == c.key)
                .map(|(_, v)| v.to_string())
                .or(c.text.clone()),
            kind: Kind::Text,
            extra: Vec::new(),
        })
        .collect();
    write_template(&Template {
        heading: vec![String::new(); 4],
        columns: [String::new(), String::new(), String::new(), String::new()],
        rows,
        meta,
        number_error: String::new(),
    })
    .unwrap()
}

both_backends!(
    async fn the_xlsx_template_round_trip_refuses_bad_files_cell_by_cell(store) {
        let t = spawn_app(store).await;
        t.app.apply_metadata(&system_principal(), &three_level_metadata()).await.unwrap();
        let (officer, oc) = t.login("commune.officer").await;
        let (_, report) = t.post(&officer, &oc, "/api/v1/reports", json!({"regime": "BC-LD", "unit_id": t.commune.0, "period": "2025M03"})).await;
        let id = report["id"].as_i64().unwrap();
        let (_, other_report) = t.post(&officer, &oc, "/api/v1/reports", json!({"regime": "BC-LD", "unit_id": t.commune.0, "period": "2025M04"})).await;
        let other_id = other_report["id"].as_i64().unwrap();
        let url = format!("{}/api/v1/reports/{id}/xlsx", t.base);
        let r = officer.get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers()["content-disposition"].to_str().unwrap().contains("BC-LD-2025M03"));
        let template = r.bytes().await.unwrap().to_vec();
        let up = baocao_formats::xlsx::read_upload(&template).unwrap();
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
        let female_at = baocao_formats::xlsx::read_upload(&filled).unwrap().cells[2].reference.clone();
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
        let up = baocao_formats::xlsx::read_upload(&again).unwrap();
        assert_eq!(up.cells[0].text.as_deref(), Some("1234"));
        // CSV for systems: the cells and values out, a bad line refused by number.
        let csv_url = format!("{}/api/v1/reports/{id}/csv", t.base);
        let text = officer.get(&csv_url).send().await.unwrap().text().await.unwrap();
        assert!(text.starts_with("cell,value\nLD01,1234\n"), "{text}");
        let r = officer.put(&csv_url).header("x-csrf-token", &oc).body("cell,value\nLD01,1300\nLD02,nhiều\n").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["fields"][0]["field"], "line 3", "{body}");
        assert_eq!(stored().await["LD01"], "1234");
        let r = officer.put(&csv_url).header("x-csrf-token", &oc).body("cell,value\nLD01,1.300\nLD01/sex:male,700\nLD01/sex:female,600\nLD02,50000\n").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(stored().await["LD01"], "1300");
        // Someone else may not upload into this report.
        let (other_officer, xc) = t.login("other.officer").await;
        let r = other_officer.put(&url).header("x-csrf-token", xc).body(fill(&template, &[("LD01", "1")], None)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
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
        assert_eq!(other_officer.get(&download).send().await.unwrap().status(), StatusCode::FORBIDDEN);
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
            let r = page
                .post(format!("{}{path}", t.base))
                .header("content-type", "multipart/form-data; boundary=XyZ")
                .body(body.clone())
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
            assert!(r.text().await.unwrap().contains("vượt quá kích thước cho phép"), "{path}");
        }
    }
);
