//! Timeliness and reminders below HTTP: who was expected to report to a
//! unit, who sent on time, late or not at all — for the receiving unit and
//! the levels above, never for a unit below — and the reminder the receiving
//! unit's reviewers send to those missing: once a day, by notification and
//! e-mail, in the ledger, and nothing stored when refused.

use std::collections::BTreeSet;

use baocao_app::auth::system_principal;
use baocao_app::i18n::Lang;
use baocao_app::reports::timeliness_xlsx;
use baocao_app::AppError;
use baocao_domain::access::Role;
use baocao_domain::audit::AuditEvent;
use baocao_domain::report::{Status, VIETNAM};
use baocao_domain::unit::UnitId;
use baocao_testkit::both_backends;
use chrono::TimeZone;

use crate::support::{
    account, content, events_since, ledger_seq, open, refusal_key, staff, submitted, world, GOOD,
};

both_backends!(
    async fn timeliness_counts_on_time_late_and_missing_and_reviewers_remind_the_missing_once_a_day(store) {
        let w = world(store.clone()).await;
        let admin = system_principal();
        let (officer, head) = (w.principal("commune.officer").await, w.principal("commune.head").await);
        // On time: submitted (as recorded history) the day before its deadline.
        let on_time = open(&w.app, &officer, w.commune, "2025M03").await;
        w.app.save_report(&officer, on_time, &content(&GOOD), None).await.unwrap();
        let deadline = w.app.report(&officer, on_time).await.unwrap().deadline;
        let day_before = VIETNAM
            .from_local_datetime(&deadline.pred_opt().unwrap().and_hms_opt(10, 0, 0).unwrap())
            .unwrap()
            .timestamp();
        w.app.record_past_submission(&admin, &head, on_time, day_before).await.unwrap();
        // Late: the sibling commune submits now, long after March 2025.
        let sibling = staff(w.sibling_commune);
        let late = submitted(&w.app, (&sibling, &sibling), w.sibling_commune, "2025M03", &content(&GOOD)).await;
        // Opened but not sent: a third ward of Vinh, with an officer who has an address.
        let day = deadline.pred_opt();
        let wards = w.app.unit_children(&admin, w.district, day).await.unwrap();
        let third = wards.iter().map(|u| u.id).find(|id| ![w.commune, w.sibling_commune].contains(id)).unwrap();
        let draft = open(&w.app, &staff(third), third, "2025M03").await;
        let third_officer = account(&w, "third.officer", Role::DataEntry, third).await;
        w.app.set_email(&third_officer, third_officer.user_id, "phuong.ba@example.vn").await.unwrap();
        // Those who sent have addresses too: they are not mailed.
        w.app.set_email(&officer, officer.user_id, "can.bo@example.vn").await.unwrap();

        let reviewer = w.principal("district.reviewer").await;
        let tl = w.app.timeliness(&reviewer, "BC-LD", "2025M03", w.district).await.unwrap();
        assert_eq!((tl.regime.as_str(), tl.period.to_string(), tl.receiver), ("BC-LD", "2025M03".to_string(), w.district));
        assert_eq!(tl.deadline, Some(deadline), "the communes' deadline, the earliest");
        let expected: BTreeSet<UnitId> = w.app.unit_children(&admin, w.district, Some(tl.deadline.unwrap())).await.unwrap()
            .iter().map(|u| u.id).collect();
        let listed: BTreeSet<UnitId> = tl.rows.iter().map(|r| r.unit).collect();
        assert_eq!(listed, expected, "every ward of Vinh, once");
        assert_eq!((tl.expected, tl.on_time, tl.late, tl.missing), (expected.len(), 1, 1, expected.len() - 2));
        let row = |unit: UnitId| tl.rows.iter().find(|r| r.unit == unit).unwrap();
        let first = row(w.commune);
        assert_eq!((first.report, first.status, first.on_time, first.versions), (Some(on_time), Some(Status::Submitted), Some(true), 1));
        assert_eq!(first.first_submitted_at, Some(day_before));
        let second = row(w.sibling_commune);
        assert_eq!((second.report, second.on_time, second.versions), (Some(late), Some(false), 1));
        let opened = row(third);
        assert_eq!((opened.report, opened.status, opened.first_submitted_at, opened.on_time), (Some(draft), Some(Status::Draft), None, None));
        assert!(tl.rows.iter().filter(|r| r.report.is_none()).all(|r| r.status.is_none() && r.versions == 0));
        // The levels above see it too; a unit below or beside does not even see it exists.
        for who in ["province.reviewer", "leader"] {
            let seen = w.app.timeliness(&w.principal(who).await, "BC-LD", "2025M03", w.district).await.unwrap();
            assert_eq!((seen.expected, seen.on_time, seen.late), (tl.expected, 1, 1), "{who}");
        }
        for who in ["commune.officer", "other.officer"] {
            let refused = w.app.timeliness(&w.principal(who).await, "BC-LD", "2025M03", w.district).await;
            assert!(matches!(refused, Err(AppError::NotFound)), "{who}: {refused:?}");
        }
        assert!(matches!(w.app.timeliness(&reviewer, "BC-LD", "2025M03", w.other_district).await, Err(AppError::NotFound)));
        assert!(matches!(w.app.timeliness(&reviewer, "XX-00", "2025M03", w.district).await, Err(AppError::NotFound)));
        assert!(matches!(w.app.timeliness(&reviewer, "BC-LD", "2024M03", w.district).await, Err(AppError::NotFound)), "before the regime");
        assert_eq!(refusal_key(w.app.timeliness(&reviewer, "BC-LD", "2025M13", w.district).await), "period.month_out_of_range");
        // The same table as a workbook, in either language.
        let vi = timeliness_xlsx(&tl, Lang::Vi).unwrap();
        let en = timeliness_xlsx(&tl, Lang::En).unwrap();
        assert!(vi.starts_with(b"PK") && en.starts_with(b"PK") && vi != en);

        // Only the receiving unit's reviewers remind: refusals store nothing.
        let before = ledger_seq(&store).await;
        for (who, forbidden) in [("province.reviewer", true), ("leader", true), ("commune.officer", false)] {
            let refused = w.app.remind_missing(&w.principal(who).await, "BC-LD", "2025M03", w.district).await;
            match forbidden {
                true => assert!(matches!(refused, Err(AppError::Forbidden)), "{who}: {refused:?}"),
                false => assert!(matches!(refused, Err(AppError::NotFound)), "{who}: {refused:?}"),
            }
        }
        assert_eq!(ledger_seq(&store).await, before);
        assert_eq!(w.app.mail_summary().await.unwrap().queued, 0);
        // Notifications as on the day after the deadline (a reminder shows for days).
        let today = deadline.succ_opt().unwrap();
        let reminded_of = |who: baocao_domain::access::Principal| {
            let app = w.app.clone();
            async move {
                app.notifications(&who, today).await.unwrap().iter().filter(|n| n.kind == "reminded").count()
            }
        };
        assert_eq!(reminded_of(staff(third)).await, 0);

        // The reviewer reminds every unit that has not sent: once a day.
        let reminded = w.app.remind_missing(&reviewer, "BC-LD", "2025M03", w.district).await.unwrap();
        assert_eq!(reminded, tl.missing);
        match events_since(&store, before).await.as_slice() {
            [AuditEvent::Reminded { receiver, regime, period, units }] => {
                assert_eq!((*receiver, regime.as_str(), period.as_str()), (w.district, "BC-LD", "2025M03"));
                let named: BTreeSet<UnitId> = units.iter().copied().collect();
                let missing: BTreeSet<UnitId> = tl.rows.iter().filter(|r| r.on_time.is_none()).map(|r| r.unit).collect();
                assert_eq!(named, missing, "the units reminded, not those that sent");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(w.app.mail_summary().await.unwrap().queued, 1, "one e-mail: the only reminded officer with an address");
        assert_eq!(reminded_of(staff(third)).await, 1, "the reminded unit hears it");
        assert_eq!(reminded_of(staff(w.commune)).await, 0, "the unit that sent does not");
        let after = ledger_seq(&store).await;
        assert_eq!(w.app.remind_missing(&reviewer, "BC-LD", "2025M03", w.district).await.unwrap(), 0);
        assert_eq!(ledger_seq(&store).await, after, "nobody reminded twice, nothing recorded");
        assert_eq!(w.app.mail_summary().await.unwrap().queued, 1);
    }
);
