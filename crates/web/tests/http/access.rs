//! Who may see and manage what: the access matrix of units and users, and the administration endpoints' refusals.

use crate::support::*;

both_backends!(
    async fn viewing_units_follows_the_subtree_and_the_ancestry(store) {
        let t = spawn_app(store).await;
        let (p, d, d2, c, c2, c3) = (t.province, t.district, t.other_district, t.commune, t.sibling_commune, t.far_commune);
        let ok = StatusCode::OK;
        // A unit the user may not see reads as absent: ids cannot be probed.
        let no = StatusCode::NOT_FOUND;
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
                    assert_eq!(body["error"]["code"], "not_found");
                    assert!(body["error"]["message"].as_str().unwrap().contains("Không tìm thấy"), "{body}");
                }
            }
        }
        // The officer sees its district but, among the district's communes, only its own.
        let (officer, _) = t.login("commune.officer").await;
        let (_, children) = t.get(&officer, &format!("/api/v1/units/{d}/children?date=2025-06-01")).await;
        let ids: Vec<i64> = children.as_array().unwrap().iter().map(|u| u["id"].as_i64().unwrap()).collect();
        assert_eq!(ids, vec![c.get()]);
        let (_, found) = t.get(&officer, "/api/v1/units?q=phuong&limit=500").await;
        assert!(found.as_array().unwrap().iter().all(|u| u["id"] == json!(c.get())), "{found}");
        let (_, subtree) = t.get(&officer, &format!("/api/v1/units/{p}/subtree")).await;
        let ids: Vec<i64> = subtree.as_array().unwrap().iter().map(|u| u["id"].as_i64().unwrap()).collect();
        assert_eq!(ids, vec![p.get(), d.get(), c.get()]);
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
            json!({"username": name, "display_name": "Nguyễn Văn A", "password": PASSWORD, "unit_id": unit.get()})
        };
        let (admin, admin_csrf) = t.login("admin").await;
        let (dadmin, dadmin_csrf) = t.login("district.admin").await;
        let (officer, officer_csrf) = t.login("commune.officer").await;

        let cases = [
            (&admin, &admin_csrf, "adm.one", t.commune, StatusCode::CREATED),
            (&dadmin, &dadmin_csrf, "dist.one", t.commune, StatusCode::CREATED),
            (&dadmin, &dadmin_csrf, "dist.two", t.province, StatusCode::FORBIDDEN),
            // A unit the administrator does not even see reads as absent.
            (&dadmin, &dadmin_csrf, "dist.three", t.far_commune, StatusCode::UNPROCESSABLE_ENTITY),
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
        let grant = |role: &str, unit: Option<UnitId>| json!({"role": role, "unit_id": unit.map(|u| u.get())});
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
            .json(&json!({"username": "X Y", "display_name": "", "password": "short", "unit_id": t.commune.get()}))
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
    async fn administration_endpoints_refuse_what_they_must(store) {
        let t = spawn_app(store).await;
        let (admin, _) = t.login("admin").await;
        let (dadmin, dcsrf) = t.login("district.admin").await;

        // Agencies: under a unit the administrator manages, with a valid, unused code.
        let agency = |parent: UnitId, code: &str| {
            json!({"kind": "agency", "level": "district", "code": code, "name": "Phòng Văn hóa và Thông tin", "parent_id": parent.get()})
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
        let bad_kind = json!({"kind": "planet", "level": "district", "code": "X1", "name": "x", "parent_id": t.district.get()});
        assert_eq!(t.post(&dadmin, &dcsrf, "/api/v1/units", bad_kind).await.0, StatusCode::UNPROCESSABLE_ENTITY);

        // A user created with a role gets it in the same transaction; a bad role creates nothing.
        let before = t.user_count().await;
        let new_user = |role: &str| json!({"username": "with.role", "display_name": "B", "password": PASSWORD, "unit_id": t.commune.get(), "role": role});
        assert_eq!(t.post(&dadmin, &dcsrf, "/api/v1/users", new_user("emperor")).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(t.user_count().await, before);
        assert_eq!(t.post(&dadmin, &dcsrf, "/api/v1/users", new_user("data_entry")).await.0, StatusCode::CREATED);
        let (with_role, _) = t.login("with.role").await;
        assert_eq!(t.get(&with_role, &format!("/api/v1/units/{}", t.commune)).await.0, StatusCode::OK);

        // Passwords: an administrator of the user's unit sets it, which ends the user's sessions.
        let users = t.app.list_users(&system_principal()).await.unwrap();
        let id_of = |name: &str| users.iter().find(|v| v.user.username == name).unwrap().user.id;
        let (reviewer, _) = t.login("district.reviewer").await;
        let put = |c: &Client, token: &str, id: UserId, password: &str| {
            c.put(format!("{}/api/v1/users/{id}/password", t.base)).header("x-csrf-token", token).json(&json!({"password": password})).send()
        };
        // A user outside the administrator's subtree reads as absent.
        assert_eq!(put(&dadmin, &dcsrf, id_of("province.reviewer"), "another long password").await.unwrap().status(), StatusCode::NOT_FOUND);
        assert_eq!(put(&dadmin, &dcsrf, id_of("district.reviewer"), "short").await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(t.get(&reviewer, "/api/v1/session").await.0, StatusCode::OK, "a refused change ends nothing");
        assert_eq!(put(&dadmin, &dcsrf, id_of("district.reviewer"), "another long password").await.unwrap().status(), StatusCode::NO_CONTENT);
        assert_eq!(t.get(&reviewer, "/api/v1/session").await.0, StatusCode::UNAUTHORIZED);
        assert!(t.app.login("district.reviewer", "another long password", "10.1.1.1").await.is_ok());

        // Grants: removed only by an administrator of the grant's unit.
        let leader = users.iter().find(|v| v.user.username == "leader").unwrap();
        let leader_grant = leader.grants[0].0.id;
        let r = dadmin.delete(format!("{}/api/v1/users/{}/grants/{leader_grant}", t.base, leader.user.id)).header("x-csrf-token", &dcsrf).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "a province leader is not the district's to manage");
        let officer = users.iter().find(|v| v.user.username == "commune.officer").unwrap();
        let r = dadmin.delete(format!("{}/api/v1/users/{}/grants/{}", t.base, officer.user.id, officer.grants[0].0.id)).header("x-csrf-token", &dcsrf).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let (officer_client, _) = t.login("commune.officer").await;
        assert_eq!(t.get(&officer_client, &format!("/api/v1/units/{}", t.commune)).await.0, StatusCode::NOT_FOUND, "no grant, no access");

        // Disabling (page form): the user's sessions end and it can no longer log in.
        let page = admin.get(format!("{}/admin/users/{}", t.base, id_of("leader"))).send().await.unwrap().text().await.unwrap();
        let page_csrf = hidden_field(&page, "_csrf");
        let (leader_client, _) = t.login("leader").await;
        let r = admin
            .post(format!("{}/admin/users/{}/disable", t.base, id_of("leader")))
            .form(&[("_csrf", page_csrf.as_str()), ("disabled", "1"), ("confirm", "1")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(t.get(&leader_client, "/api/v1/session").await.0, StatusCode::UNAUTHORIZED);
        assert!(matches!(t.app.login("leader", PASSWORD, "10.2.2.2").await, Err(baocao_app::AppError::BadCredentials)));
    }
);
