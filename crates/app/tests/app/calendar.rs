//! The working-day calendar and the regimes' calendars below HTTP: a year's
//! days off with their reasons, the exceptions only instance-wide
//! administrators enter (refusals store nothing), and each period's window
//! and deadlines, which an exception moves at once.

use baocao_app::auth::system_principal;
use baocao_app::AppError;
use baocao_domain::calendar::{Holiday, NonWorkingReason};
use baocao_domain::catalogue::Metadata;
use baocao_testkit::{both_backends, metadata, nghe_an};
use chrono::NaiveDate;

use crate::support::{ledger_seq, refusal_key};

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

both_backends!(
    async fn exceptions_entered_by_administrators_move_the_regimes_deadlines(store) {
        let w = nghe_an(store.clone()).await;
        let meta: Metadata = serde_json::from_value(metadata()).unwrap();
        w.app.apply_metadata(&system_principal(), &meta).await.unwrap();
        let admin = w.principal("admin").await;

        // Tết 2026 is 17 February; Hùng Kings' day falls on Sunday 26 April, so Monday is off.
        let (days, make_up) = w.app.calendar_year(2026).await.unwrap();
        let reason = |d: &str| days.iter().find(|(at, _)| *at == day(d)).map(|(_, r)| r.clone());
        assert_eq!(reason("2026-02-17"), Some(NonWorkingReason::Holiday(Holiday::LunarNewYear)));
        assert_eq!(reason("2026-04-26"), Some(NonWorkingReason::Holiday(Holiday::HungKingsDay)));
        assert!(matches!(reason("2026-04-27"), Some(NonWorkingReason::CompensatoryDayOff { holiday: Holiday::HungKingsDay, .. })));
        assert_eq!(reason("2026-01-03"), Some(NonWorkingReason::Weekend));
        assert_eq!(reason("2026-03-10"), None, "an ordinary Tuesday works");
        assert!(make_up.is_empty());
        assert!(matches!(w.app.calendar_year(1700).await, Err(AppError::Invalid(f)) if f[0].field == "year"));

        // Each period of 2026 with its window and each group's deadline.
        let cal = w.app.regime_calendar("BC-LD", 2026).await.unwrap();
        assert_eq!((cal.regime.code.as_str(), cal.year, cal.periods.len()), ("BC-LD", 2026, 12));
        let march = cal.periods.iter().find(|p| p.period.to_string() == "2026M03").unwrap();
        assert_eq!((march.window.first(), march.window.last()), (day("2026-02-15"), day("2026-03-14")), "the administrative window");
        let stages: Vec<u8> = march.deadlines.iter().map(|d| d.stage).collect();
        assert_eq!(stages, vec![1, 2]);
        // 14 March is a Saturday: two working days after it is Tuesday 17, four Thursday 19.
        assert_eq!((march.deadlines[0].deadline, march.deadlines[1].deadline), (day("2026-03-17"), day("2026-03-19")));
        assert!(w.app.regime_calendar("BC-LD", 2025).await.unwrap().periods.is_empty(), "before the regime");
        // An ad-hoc regime has no periods, but the requests of the year.
        let adhoc = w.app.regime_calendar("DX-BAO", 2026).await.unwrap();
        assert!(adhoc.periods.is_empty());
        assert_eq!(adhoc.requests.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), vec!["YC-01"]);
        assert!(w.app.regime_calendar("DX-BAO", 2025).await.unwrap().requests.is_empty());
        assert!(matches!(w.app.regime_calendar("XX-00", 2026).await, Err(AppError::NotFound)));
        assert_eq!(refusal_key(w.app.regime_calendar("BC-LD", 2300).await), "calendar.out_of_range");

        // Only administrators of the whole instance correct the calendar; refusals store nothing.
        let before = ledger_seq(&store).await;
        for who in ["commune.officer", "district.regimes", "district.admin"] {
            let p = w.principal(who).await;
            let refused = w.app.add_calendar_exception(&p, day("2026-03-17"), false, "Nghỉ theo thông báo").await;
            assert!(matches!(refused, Err(AppError::Forbidden)), "{who}: {refused:?}");
        }
        assert_eq!(refusal_key(w.app.add_calendar_exception(&admin, day("2026-03-17"), false, "  ").await), "calendar.empty_reason");
        let refused = w.app.add_calendar_exception(&admin, day("1700-01-01"), false, "Quá xa").await;
        assert!(matches!(refused, Err(AppError::Invalid(f)) if f[0].field == "date"));
        assert!(w.app.calendar_exceptions().await.unwrap().is_empty());
        assert_eq!(ledger_seq(&store).await, before);

        // A day off on the communes' deadline moves it to the next working day, for every stage.
        w.app.add_calendar_exception(&admin, day("2026-03-17"), false, "Nghỉ theo thông báo").await.unwrap();
        let dup = w.app.add_calendar_exception(&admin, day("2026-03-17"), true, "Làm bù").await;
        assert_eq!(refusal_key(dup), "calendar.duplicate_exception");
        let cal = w.app.regime_calendar("BC-LD", 2026).await.unwrap();
        let march = cal.periods.iter().find(|p| p.period.to_string() == "2026M03").unwrap();
        assert_eq!((march.deadlines[0].deadline, march.deadlines[1].deadline), (day("2026-03-18"), day("2026-03-20")));
        // A provincial regime administrator (on a top unit) may too: a Saturday made a working day.
        let regimes = w.principal("regime.admin").await;
        w.app.add_calendar_exception(&regimes, day("2026-02-28"), true, "Làm bù").await.unwrap();
        let (days, make_up) = w.app.calendar_year(2026).await.unwrap();
        let reason = |d: &str| days.iter().find(|(at, _)| *at == day(d)).map(|(_, r)| r.clone());
        assert!(matches!(reason("2026-03-17"), Some(NonWorkingReason::ExtraDayOff { reason }) if reason.as_str() == "Nghỉ theo thông báo"));
        assert_eq!(reason("2026-02-28"), None, "the Saturday works");
        assert_eq!(make_up.iter().map(|e| (e.day, e.kind.as_str(), e.reason.as_str())).collect::<Vec<_>>(), vec![(day("2026-02-28"), "working_day", "Làm bù")]);
        let stored: Vec<(NaiveDate, String)> = w.app.calendar_exceptions().await.unwrap().into_iter().map(|e| (e.day, e.kind)).collect();
        assert_eq!(stored, vec![(day("2026-02-28"), "working_day".into()), (day("2026-03-17"), "day_off".into())], "by date");
        assert_eq!(ledger_seq(&store).await, before + 2, "each change in the ledger");

        // Removal: by the same administrators, of an exception that exists.
        let district = w.principal("district.regimes").await;
        assert!(matches!(w.app.remove_calendar_exception(&district, day("2026-03-17")).await, Err(AppError::Forbidden)));
        assert!(matches!(w.app.remove_calendar_exception(&admin, day("2026-03-16")).await, Err(AppError::NotFound)));
        assert_eq!(ledger_seq(&store).await, before + 2);
        w.app.remove_calendar_exception(&admin, day("2026-03-17")).await.unwrap();
        let cal = w.app.regime_calendar("BC-LD", 2026).await.unwrap();
        let march = cal.periods.iter().find(|p| p.period.to_string() == "2026M03").unwrap();
        assert_eq!(march.deadlines[0].deadline, day("2026-03-17"), "back where it was");
        assert_eq!(w.app.calendar_exceptions().await.unwrap().len(), 1);
        assert!(w.app.verify_ledger().await.unwrap().is_intact());
    }
);
