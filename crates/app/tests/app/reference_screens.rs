//! The calendar page and the units page below HTTP: a year's days off with
//! their reasons, its make-up working days and only that year's exceptions;
//! the top units the caller sees, or the units found by name among those it
//! may see, as they stood on a day.

use baocao_app::auth::system_principal;
use baocao_app::units::UNITS_FOUND;
use baocao_app::AppError;
use baocao_domain::calendar::{Holiday, NonWorkingReason};
use baocao_domain::text::fold;
use baocao_domain::unit::UnitId;
use baocao_testkit::{both_backends, nghe_an};
use chrono::NaiveDate;

use crate::support::refusal;

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn ids(units: &[baocao_domain::unit::OrgUnit]) -> Vec<UnitId> {
    units.iter().map(|u| u.id).collect()
}

both_backends!(
    async fn the_calendar_page_shows_a_years_days_off_make_up_days_and_exceptions(store) {
        let w = nghe_an(store).await;
        let admin = w.principal("admin").await;
        w.app.add_calendar_exception(&admin, day("2026-03-17"), false, "Nghỉ theo thông báo").await.unwrap();
        w.app.add_calendar_exception(&admin, day("2026-02-28"), true, "Làm bù").await.unwrap();
        w.app.add_calendar_exception(&admin, day("2027-03-16"), false, "Nghỉ năm sau").await.unwrap();

        let screen = w.app.calendar_screen(2026).await.unwrap();
        let reason = |d: &str| screen.days_off.iter().find(|(at, _)| *at == day(d)).map(|(_, r)| r.clone());
        assert_eq!(reason("2026-02-17"), Some(NonWorkingReason::Holiday(Holiday::LunarNewYear)));
        assert!(matches!(reason("2026-03-17"), Some(NonWorkingReason::ExtraDayOff { reason }) if reason.as_str() == "Nghỉ theo thông báo"));
        assert_eq!(reason("2026-02-28"), None, "the Saturday made a working day");
        assert!(screen.days_off.iter().all(|(d, _)| chrono::Datelike::year(d) == 2026));
        let (days_off, make_up) = w.app.calendar_year(2026).await.unwrap();
        assert_eq!((screen.days_off.clone(), screen.make_up.clone()), (days_off, make_up));
        let kinds = |s: &baocao_app::calendar::CalendarScreen| -> Vec<(NaiveDate, String)> {
            s.exceptions.iter().map(|e| (e.day, e.kind.clone())).collect()
        };
        assert_eq!(screen.make_up.iter().map(|e| e.day).collect::<Vec<_>>(), vec![day("2026-02-28")]);
        assert_eq!(kinds(&screen), vec![(day("2026-02-28"), "working_day".into()), (day("2026-03-17"), "day_off".into())], "that year's only, by date");
        let next = w.app.calendar_screen(2027).await.unwrap();
        assert_eq!(kinds(&next), vec![(day("2027-03-16"), "day_off".into())]);
        assert!(next.make_up.is_empty());
        assert!(w.app.calendar_screen(2025).await.unwrap().exceptions.is_empty());
        assert_eq!(refusal(w.app.calendar_screen(1700).await).0, "year");
    }
);

both_backends!(
    async fn the_units_page_lists_the_top_units_or_those_found_by_name(store) {
        let w = nghe_an(store).await;
        let admin = system_principal();
        let before_reform = Some(day("2025-06-01"));
        // Without a search: the top units, for everyone who sees them.
        assert_eq!(ids(&w.app.units_screen(&admin, "", before_reform).await.unwrap()), vec![w.province]);
        let officer = w.principal("commune.officer").await;
        for text in ["", "   "] {
            let tops = w.app.units_screen(&officer, text, before_reform).await.unwrap();
            assert_eq!(ids(&tops), ids(&w.app.unit_roots(&officer, before_reform).await.unwrap()), "{text:?}");
        }
        // A search: by name without accents, among the units the caller may see.
        let found = w.app.units_screen(&admin, "VINH", before_reform).await.unwrap();
        assert!(ids(&found).contains(&w.district));
        assert!(found.iter().all(|u| fold(&u.name).contains("vinh")), "{found:?}");
        assert_eq!(found, w.app.search_units(&admin, Some("VINH"), None, None, before_reform, UNITS_FOUND).await.unwrap());
        let theirs = w.app.units_screen(&officer, "vinh", before_reform).await.unwrap();
        assert!(ids(&theirs).contains(&w.district));
        assert!(ids(&theirs).iter().all(|u| [w.province, w.district, w.commune].contains(u)), "only its own unit and those above: {theirs:?}");
        // As they stood on the day: after the reform Vinh is no longer a district.
        let after = w.app.units_screen(&admin, "vinh", Some(day("2025-08-01"))).await.unwrap();
        assert!(!ids(&after).contains(&w.district));
        assert!(after.iter().all(|u| u.validity.contains(day("2025-08-01"))));
        assert_eq!(refusal(w.app.units_screen(&admin, &"x".repeat(101), None).await), ("q".to_string(), "report.error.too_long"));
        assert!(matches!(w.app.units_screen(&officer, &"x".repeat(101), None).await, Err(AppError::Invalid(_))));
    }
);
