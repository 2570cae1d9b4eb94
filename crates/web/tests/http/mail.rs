//! E-mail notifications through the outbox, against an in-test SMTP server.

use crate::support::*;

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
        let email_url = |id: UserId| url(format!("/api/v1/users/{id}/email"));
        let (status, body) = send(&officer, put.clone(), email_url(officer_id), &oc, json!({"email": "khong-phai-dia-chi"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["fields"][0]["field"], "email");
        assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("không phải là địa chỉ thư điện tử hợp lệ"), "{body}");
        assert_eq!(t.app.user_by_name("commune.officer").await.unwrap().email, None);
        assert_eq!(send(&other, put.clone(), email_url(officer_id), &xc, json!({"email": "x@example.vn"})).await.0, StatusCode::NOT_FOUND);
        assert_eq!(send(&officer, put.clone(), email_url(officer_id), &oc, json!({"email": " can.bo@xa.example.vn "})).await.0, StatusCode::NO_CONTENT);
        assert_eq!(send(&admin, put.clone(), email_url(head_id), &ac, json!({"email": "chu.tich@xa.example.vn"})).await.0, StatusCode::NO_CONTENT);
        assert_eq!(send(&reviewer, put.clone(), email_url(reviewer_id), &rc, json!({"email": "phong.tk@huyen.example.vn"})).await.0, StatusCode::NO_CONTENT);
        assert_eq!(t.app.user_by_name("commune.officer").await.unwrap().email.as_deref(), Some("can.bo@xa.example.vn"));
                let mut conn = store.conn().await.unwrap();
        baocao_store::users::set_locale(&mut conn, head_id, "en", 0).await.unwrap();
        drop(conn);

        // A submitted report, then the first step: the daily e-mails go out
        // (the officer and head owe overdue reports, the reviewer has one to review).
        let (_, report) = t.post(&officer, &oc, "/api/v1/reports", json!({"regime": "BC-LD", "unit_id": t.commune.get(), "period": "2025M03"})).await;
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
