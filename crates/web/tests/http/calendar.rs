//! Periods and the working-day calendar, through the API and the page.

use crate::support::*;

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
        assert!(page.contains("17/02/2026") && page.contains("Tết Âm lịch"), "still the calendar: {page}");
        assert!(!page.contains("10/03/2026"));
    }
);
