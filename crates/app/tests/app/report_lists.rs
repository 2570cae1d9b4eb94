//! The reports page and the timeliness page below HTTP: what the caller's
//! units owe and, for a reviewer, the inbox page the address asks for — its
//! parameters read strictly, a malformed one refused by name before anything
//! is read —; and the timeliness table with the defaults of what the address
//! leaves out (the first periodic regime, the latest period already ended,
//! the caller's own unit) and whether the caller may remind.

use baocao_app::auth::system_principal;
use baocao_app::reports::{InboxFilter, InboxQuery, InboxSort, TimelinessFilter};
use baocao_app::AppError;
use baocao_domain::catalogue::Metadata;
use baocao_domain::period::{latest_ended, Frequency};
use baocao_domain::report::Status;
use baocao_testkit::{both_backends, three_level_metadata};
use chrono::NaiveDate;

use crate::support::{content, open, refusal, staff, submitted, world, GOOD};

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

both_backends!(
    async fn the_reports_page_lists_what_is_owed_and_the_inbox_the_address_asks_for(store) {
        let w = world(store.clone()).await;
        let (officer, head, reviewer) = (
            w.principal("commune.officer").await,
            w.principal("commune.head").await,
            w.principal("district.reviewer").await,
        );
        let march = submitted(&w.app, (&officer, &head), w.commune, "2025M03", &content(&GOOD)).await;
        let sibling = staff(w.sibling_commune);
        let theirs = submitted(&w.app, (&sibling, &sibling), w.sibling_commune, "2025M03", &content(&GOOD)).await;
        open(&w.app, &officer, w.commune, "2025M04").await;
        let today = day("2025-04-10");

        // An officer: what the unit owes, and no inbox (nothing is sent to it) whatever the address says.
        let owed = |list: &[baocao_app::reports::Obligation]| -> Vec<(String, Option<Status>, Option<baocao_domain::report::ReportId>)> {
            list.iter().map(|o| (o.period.to_string(), o.status, o.report_id)).collect()
        };
        let screen = w.app.reports_screen(&officer, today, InboxFilter::default()).await.unwrap();
        assert!(screen.inbox.is_none());
        let expected = w.app.obligations(&officer, today).await.unwrap();
        assert_eq!(owed(&screen.owed), owed(&expected));
        assert!(owed(&screen.owed).contains(&("2025M03".to_string(), Some(Status::Submitted), Some(march))));
        let stray = InboxFilter { status: Some("draft"), ..Default::default() };
        assert!(w.app.reports_screen(&officer, today, stray).await.unwrap().inbox.is_none());

        // A reviewer: owes nothing, and gets the inbox page asked for with the query as read.
        let asked = InboxFilter { regime: Some("BC-LD"), period: Some("2025M03"), status: Some("submitted"), sort: Some("newest"), ..Default::default() };
        let screen = w.app.reports_screen(&reviewer, today, asked).await.unwrap();
        assert!(screen.owed.is_empty());
        let (query, inbox) = screen.inbox.unwrap();
        assert_eq!(query, InboxQuery {
            regime: Some("BC-LD".into()),
            period: Some("2025M03".parse().unwrap()),
            unit: None,
            status: Status::Submitted,
            sort: InboxSort::Newest,
            page: 1,
        });
        assert_eq!(inbox, w.app.inbox(&reviewer, query.clone()).await.unwrap());
        assert_eq!(inbox.rows.iter().map(|r| r.item.id).collect::<Vec<_>>(), vec![theirs, march], "newest first");
        let unit = w.sibling_commune.to_string();
        let one = InboxFilter { unit: Some(&unit), status: Some("accepted"), sort: Some("unit"), page: Some("1000000"), ..Default::default() };
        let (query, inbox) = w.app.reports_screen(&reviewer, today, one).await.unwrap().inbox.unwrap();
        assert_eq!((query.unit, query.status, query.sort, query.page), (Some(w.sibling_commune), Status::Accepted, InboxSort::Unit, 1_000_000));
        assert_eq!((inbox.total, inbox.page), (0, 1), "past the last page is the last page");
        assert_eq!(InboxQuery::parse(InboxFilter::default()).unwrap(), InboxQuery::default());
        let longest = "R".repeat(64);
        assert_eq!(InboxQuery::parse(InboxFilter { regime: Some(&longest), ..Default::default() }).unwrap().regime, Some(longest.clone()));

        // Blank, unknown or out of bounds: refused by name, never taken for the default.
        let too_long = "R".repeat(65);
        let refused: Vec<(InboxFilter<'_>, &str, &str)> = vec![
            (InboxFilter { period: Some("2025M13"), ..Default::default() }, "period", "2025M13"),
            (InboxFilter { period: Some(""), ..Default::default() }, "period", ""),
            (InboxFilter { status: Some("draft"), ..Default::default() }, "status", "draft"),
            (InboxFilter { status: Some("Submitted"), ..Default::default() }, "status", "Submitted"),
            (InboxFilter { status: Some(""), ..Default::default() }, "status", ""),
            (InboxFilter { sort: Some("fastest"), ..Default::default() }, "sort", "fastest"),
            (InboxFilter { sort: Some(""), ..Default::default() }, "sort", ""),
            (InboxFilter { page: Some("0"), ..Default::default() }, "page", "0"),
            (InboxFilter { page: Some("1000001"), ..Default::default() }, "page", "1000001"),
            (InboxFilter { page: Some("-1"), ..Default::default() }, "page", "-1"),
            (InboxFilter { page: Some(""), ..Default::default() }, "page", ""),
            (InboxFilter { unit: Some("abc"), ..Default::default() }, "unit", "abc"),
            (InboxFilter { unit: Some(""), ..Default::default() }, "unit", ""),
            (InboxFilter { regime: Some(""), ..Default::default() }, "regime", ""),
            (InboxFilter { regime: Some(too_long.as_str()), ..Default::default() }, "regime", too_long.as_str()),
        ];
        for (filter, field, value) in &refused {
            let parsed = InboxQuery::parse(*filter);
            match &parsed {
                Err(AppError::Invalid(fields)) => assert!(fields[0].message.args.contains(&("value", value.to_string())), "{fields:?}"),
                other => panic!("{filter:?}: {other:?}"),
            }
            assert_eq!(refusal(parsed), (field.to_string(), "inbox.error.bad_filter"), "{filter:?}");
            let page = w.app.reports_screen(&reviewer, today, *filter).await;
            assert_eq!(refusal(page), (field.to_string(), "inbox.error.bad_filter"), "{filter:?}");
        }

        // Before anything is read: with the database gone, a malformed address
        // is still refused by name, and a good one fails on the database.
        store.close().await;
        let (filter, field, _) = refused[0];
        assert_eq!(refusal(w.app.reports_screen(&reviewer, today, filter).await), (field.to_string(), "inbox.error.bad_filter"));
        let unread = w.app.reports_screen(&reviewer, today, InboxFilter::default()).await;
        assert!(matches!(unread, Err(ref e) if !e.refuses_input()), "{unread:?}");
    }
);

both_backends!(
    async fn the_timeliness_page_fills_in_the_regime_period_and_unit_and_says_who_may_remind(store) {
        let w = world(store).await;
        // An ad-hoc regime listed before the periodic one: not a default, not offered.
        let mut adhoc = Metadata::empty();
        let mut first = three_level_metadata().regimes.into_iter().find(|r| r.code == "DX-BAO").unwrap();
        first.code = "AA-DX".into();
        adhoc.regimes.push(first);
        w.app.apply_metadata(&system_principal(), &adhoc).await.unwrap();
        let officer = w.principal("commune.officer").await;
        let head = w.principal("commune.head").await;
        submitted(&w.app, (&officer, &head), w.commune, "2025M03", &content(&GOOD)).await;
        open(&w.app, &officer, w.commune, "2025M02").await;
        let reviewer = w.principal("district.reviewer").await;
        let today = day("2025-04-10");
        let latest = latest_ended(Frequency::Monthly, today).unwrap();
        assert_eq!(latest.to_string(), "2025M03");

        // The defaults: the first periodic regime, its latest ended period, the reviewed unit.
        let screen = w.app.timeliness_screen(&reviewer, TimelinessFilter::default(), today).await.unwrap();
        let t = &screen.table;
        assert_eq!((t.regime.as_str(), t.period, t.receiver), ("BC-LD", latest, w.district));
        let same = w.app.timeliness(&reviewer, "BC-LD", "2025M03", w.district).await.unwrap();
        assert_eq!(serde_json::to_value(t).unwrap(), serde_json::to_value(&same).unwrap(), "the table timeliness gives");
        assert!(t.expected > 2 && t.missing == t.expected - 1, "{t:?}");
        let regimes: Vec<(&str, &str, &str)> = screen.regimes.iter().map(|(c, vi, en)| (c.as_str(), vi.as_str(), en.as_str())).collect();
        assert_eq!(regimes, vec![("BC-LD", "Báo cáo lao động việc làm hằng tháng", "Monthly labour report")], "the periodic regimes only");
        assert!(screen.may_remind, "the district's reviewer, with units still to send");
        // What the address gives is taken as given.
        let district = w.district.to_string();
        let february = TimelinessFilter { regime: Some("BC-LD"), period: Some("2025M02"), unit: Some(&district) };
        let screen = w.app.timeliness_screen(&reviewer, february, today).await.unwrap();
        assert_eq!((screen.table.period.to_string(), screen.table.receiver, screen.table.on_time + screen.table.late), ("2025M02".to_string(), w.district, 0));
        assert!(screen.may_remind);
        // The district's officer sees its own unit's table, but does not remind.
        let district_officer = w.principal("district.officer").await;
        let screen = w.app.timeliness_screen(&district_officer, TimelinessFilter::default(), today).await.unwrap();
        assert_eq!((screen.table.receiver, screen.table.missing, screen.may_remind), (w.district, t.missing, false));
        // The province's reviewer: its own unit by default; the district's table, but no reminder there.
        let province = w.principal("province.reviewer").await;
        let screen = w.app.timeliness_screen(&province, TimelinessFilter::default(), today).await.unwrap();
        assert_eq!((screen.table.receiver, screen.table.period), (w.province, latest));
        let of_district = TimelinessFilter { unit: Some(&district), ..Default::default() };
        let screen = w.app.timeliness_screen(&province, of_district, today).await.unwrap();
        assert_eq!((screen.table.receiver, screen.table.missing, screen.may_remind), (w.district, t.missing, false));

        // Nothing to default to, or nothing there: no page.
        let leader = w.principal("leader").await;
        assert!(matches!(w.app.timeliness_screen(&leader, TimelinessFilter::default(), today).await, Err(AppError::NotFound)), "no unit of its own to show");
        assert!(matches!(w.app.timeliness_screen(&reviewer, TimelinessFilter::default(), day("2025-01-20")).await, Err(AppError::NotFound)), "2024M12, before the regime");
        let adhoc = TimelinessFilter { regime: Some("AA-DX"), ..Default::default() };
        assert!(matches!(w.app.timeliness_screen(&reviewer, adhoc, today).await, Err(AppError::NotFound)), "an ad-hoc regime has no period ended");
        let unknown = TimelinessFilter { regime: Some("XX-00"), ..Default::default() };
        assert!(matches!(w.app.timeliness_screen(&reviewer, unknown, today).await, Err(AppError::NotFound)));
        let other = w.other_district.to_string();
        let elsewhere = TimelinessFilter { unit: Some(&other), ..Default::default() };
        assert!(matches!(w.app.timeliness_screen(&reviewer, elsewhere, today).await, Err(AppError::NotFound)));
        // Malformed: refused by name.
        let bad_unit = TimelinessFilter { unit: Some("abc"), ..Default::default() };
        assert_eq!(refusal(w.app.timeliness_screen(&reviewer, bad_unit, today).await), ("unit".to_string(), "request.bad_number"));
        let bad_period = TimelinessFilter { period: Some("2025M13"), ..Default::default() };
        assert_eq!(refusal(w.app.timeliness_screen(&reviewer, bad_period, today).await), ("period".to_string(), "period.month_out_of_range"));
    }
);
