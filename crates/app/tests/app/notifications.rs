//! What each unit owes and what it is told, below HTTP: the obligations of
//! the caller's own units, most urgent first, and the notifications computed
//! from them (due soon, overdue, returned with the reason, accepted), and for
//! reviewers what waits for them and the daily digest of what arrived and
//! what is missing.

use baocao_app::auth::system_principal;
use baocao_domain::obligation::Urgency;
use baocao_domain::report::{ReportId, Status};
use baocao_testkit::both_backends;
use chrono::NaiveDate;

use crate::support::{accepted, content, open, submitted, world, GOOD};

/// The notifications of `who` on `today` as (kind, link).
async fn kinds(
    app: &baocao_app::App,
    who: &baocao_domain::access::Principal,
    today: NaiveDate,
) -> Vec<(&'static str, String)> {
    app.notifications(who, today)
        .await
        .unwrap()
        .into_iter()
        .map(|n| (n.kind, n.link))
        .collect()
}

fn link(id: ReportId) -> String {
    format!("/reports/{id}")
}

both_backends!(
    async fn obligations_come_most_urgent_first_and_notifications_say_what_to_do(store) {
        let w = world(store).await;
        let (officer, head, reviewer) = (
            w.principal("commune.officer").await,
            w.principal("commune.head").await,
            w.principal("district.reviewer").await,
        );
        // January accepted, February returned with a reason, March a draft.
        let january = accepted(&w, "2025M01", &GOOD).await;
        let february = submitted(&w.app, (&officer, &head), w.commune, "2025M02", &content(&GOOD)).await;
        w.app.review_report(&reviewer, february, false, "Thiếu số liệu nữ").await.unwrap();
        let march = open(&w.app, &officer, w.commune, "2025M03").await;
        let due = w.app.report(&officer, march).await.unwrap().deadline;

        // On March's deadline: each period whose window has started, most urgent first.
        let owed = w.app.obligations(&officer, due).await.unwrap();
        let listed: Vec<(String, Option<Status>, Urgency, Option<ReportId>)> =
            owed.iter().map(|o| (o.period.to_string(), o.status, o.urgency, o.report_id)).collect();
        assert_eq!(listed, vec![
            ("2025M02".to_string(), Some(Status::Returned), Urgency::Returned, Some(february)),
            ("2025M03".to_string(), Some(Status::Draft), Urgency::DueSoon, Some(march)),
            ("2025M04".to_string(), None, Urgency::Upcoming, None),
            ("2025M01".to_string(), Some(Status::Accepted), Urgency::Done, Some(january)),
        ]);
        assert!(owed.iter().all(|o| o.unit == w.commune && o.regime == "BC-LD" && o.request.is_none()));
        assert_eq!(owed[1].deadline, due);
        // The unit head owes the same; a neighbour owes its own reports, never these.
        let by_head: Vec<_> = w.app.obligations(&head, due).await.unwrap().iter().map(|o| o.report_id).collect();
        assert_eq!(by_head, owed.iter().map(|o| o.report_id).collect::<Vec<_>>());
        let other = w.app.obligations(&w.principal("other.officer").await, due).await.unwrap();
        assert!(!other.is_empty() && other.iter().all(|o| o.unit == w.far_commune && o.report_id.is_none()), "{other:?}");
        // A reviewer or an administrator reports nothing.
        assert!(w.app.obligations(&reviewer, due).await.unwrap().is_empty());
        assert!(w.app.obligations(&system_principal(), due).await.unwrap().is_empty());

        // Notifications: returned (with its reason), due soon (today, the last day), accepted this week.
        let notes = w.app.notifications(&officer, due).await.unwrap();
        let said: Vec<(&str, String)> = notes.iter().map(|n| (n.kind, n.link.clone())).collect();
        assert_eq!(said, vec![("returned", link(february)), ("due_soon", link(march)), ("accepted", link(january))]);
        assert!(notes[0].message.args.contains(&("reason", "Thiếu số liệu nữ".into())), "{:?}", notes[0].message);
        assert_eq!(notes[2].message.args, vec![("regime", "BC-LD".into()), ("period", "2025M01".into())]);
        // A day later March is overdue.
        let late = due.succ_opt().unwrap();
        assert_eq!(kinds(&w.app, &officer, late).await, vec![("returned", link(february)), ("overdue", link(march)), ("accepted", link(january))]);
        // Three working days ahead is soon (the deadline the third); four is not yet.
        let calendar = w.app.work_calendar().await.unwrap();
        let working_days_before = |mut day: NaiveDate, n: usize| {
            for _ in 0..n {
                day = day.pred_opt().unwrap();
                while !calendar.is_working_day(day).unwrap() {
                    day = day.pred_opt().unwrap();
                }
            }
            day
        };
        let notes = w.app.notifications(&officer, working_days_before(due, 3)).await.unwrap();
        let soon = notes.iter().find(|n| n.kind == "due_soon").expect("three working days ahead");
        assert!(soon.message.args.contains(&("days", "3".into())), "{:?}", soon.message);
        let said = kinds(&w.app, &officer, working_days_before(due, 4)).await;
        assert!(!said.iter().any(|(k, _)| *k == "due_soon"), "{said:?}");
        // Nothing for a reviewer of the commune's reports until one waits for it.
        let today = late;
        assert!(!kinds(&w.app, &reviewer, today).await.iter().any(|(k, _)| *k == "to_review"));

        // Once March is sent: it waits, the reviewer is told, with the day's digest.
        w.app.save_report(&officer, march, &content(&GOOD), None).await.unwrap();
        w.app.submit_report(&head, march).await.unwrap();
        let waiting = w.app.obligations(&officer, today).await.unwrap();
        assert_eq!(waiting.iter().find(|o| o.report_id == Some(march)).unwrap().urgency, Urgency::Waiting);
        assert!(!kinds(&w.app, &officer, today).await.iter().any(|(k, _)| *k == "overdue" || *k == "due_soon"));
        let notes = w.app.notifications(&reviewer, today).await.unwrap();
        let to_review = notes.iter().find(|n| n.kind == "to_review").expect("one report waits");
        assert_eq!((to_review.message.args.clone(), to_review.link.as_str()), (vec![("count", "1".into())], "/reports"));
        let expected = w.app.timeliness(&reviewer, "BC-LD", "2025M03", w.district).await.unwrap().expected;
        let digest = notes
            .iter()
            .find(|n| n.kind == "digest" && n.message.args.contains(&("period", "2025M03".into())))
            .expect("a digest line for March");
        assert_eq!(digest.link, format!("/reports/timeliness?regime=BC-LD&period=2025M03&unit={}", w.district.get()));
        for (name, value) in [("arrived", 1), ("missing", expected - 1), ("expected", expected)] {
            assert!(digest.message.args.contains(&(name, value.to_string())), "{name}: {:?}", digest.message);
        }
        // Nobody else is told of it (the province hears of its own districts only).
        for who in ["commune.officer", "other.officer", "province.reviewer"] {
            let said = w.app.notifications(&w.principal(who).await, today).await.unwrap();
            assert!(!said.iter().any(|n| n.kind == "to_review"), "{who}: {said:?}");
            assert!(!said.iter().any(|n| n.kind == "digest" && n.link.ends_with(&format!("unit={}", w.district.get()))), "{who}: {said:?}");
        }
    }
);
