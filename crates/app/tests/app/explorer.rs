//! The pivot explorer below HTTP: the parameters of an address read one way
//! (relation and reading by name), the defaults filled from the caller's
//! choices, a question the form can correct answered with why beside the
//! form rather than failing the page, a malformed address refused, and the
//! same question as a file; and the dashboard tiles form.

use baocao_app::analytics::{parse_reading, parse_relation, Dim, PivotFilter, Reading, Relation};
use baocao_app::AppError;
use baocao_domain::Message;
use baocao_testkit::both_backends;
use rust_decimal::Decimal;

use crate::support::{accepted, done, ledger_seq, refusal, refused, world, GOOD};

#[test]
fn relations_and_readings_are_read_by_name() {
    assert_eq!(parse_relation("self", "rel").unwrap(), Relation::Itself);
    assert_eq!(
        parse_relation("children", "rel").unwrap(),
        Relation::Children
    );
    assert_eq!(parse_relation("subtree", "rel").unwrap(), Relation::Subtree);
    assert_eq!(
        parse_relation("level:commune", "rel").unwrap(),
        Relation::Level("commune".into())
    );
    let longest = format!("level:{}", "x".repeat(32));
    assert_eq!(
        parse_relation(&longest, "rel").unwrap(),
        Relation::Level("x".repeat(32))
    );
    let too_long = format!("level:{}", "x".repeat(33));
    for bad in ["Self", "", "level:", "parents", too_long.as_str()] {
        let refused = parse_relation(bad, "relation");
        match &refused {
            Err(AppError::Invalid(fields)) => assert!(
                fields[0].message.args.contains(&("value", bad.to_string())),
                "{fields:?}"
            ),
            other => panic!("{bad:?}: {other:?}"),
        }
        assert_eq!(
            refusal(refused),
            ("relation".to_string(), "analytics.error.relation"),
            "{bad:?}"
        );
    }
    for (name, reading) in [
        ("reported", Reading::Reported),
        ("computed", Reading::Computed),
        ("preferred", Reading::Preferred),
    ] {
        assert_eq!(parse_reading(name, "reading").unwrap(), reading);
    }
    for bad in ["Reported", "", "best"] {
        assert_eq!(
            refusal(parse_reading(bad, "r")),
            ("r".to_string(), "analytics.error.reading"),
            "{bad:?}"
        );
    }
}

both_backends!(
    async fn the_explorer_fills_its_defaults_and_answers_a_correctable_question_with_why(store) {
        let w = world(store.clone()).await;
        accepted(&w, "2025M03", &GOOD).await;
        w.app.follow_once().await.unwrap();
        let leader = w.principal("leader").await;

        // Nothing asked: the caller's choices fill it in.
        let screen = w.app.pivot_screen(&leader, &PivotFilter::default(), 10_000).await.unwrap();
        let choices = w.app.pivot_choices(&leader, None).await.unwrap();
        let r = &screen.request;
        assert_eq!(r.cells, choices.cell.iter().cloned().collect::<Vec<_>>());
        assert_eq!((r.unit, r.relation.as_str()), (Some(w.province), "children"));
        assert_eq!((r.from.as_str(), r.to.as_str()), ("2024M04", "2025M03"), "the latest twelve periods");
        assert_eq!((r.rows, r.columns, r.reading), (Dim::Unit, Dim::Period, Reading::Preferred));
        assert_eq!((screen.choices.unit, screen.choices.latest), (choices.unit, choices.latest));
        let pivot = screen.answer.as_ref().unwrap();
        assert_eq!((pivot.rows, pivot.columns, pivot.table.periods.len()), (Dim::Unit, Dim::Period, 12));
        assert!(pivot.table.units.iter().any(|u| u.id == w.district));

        // Asked: taken as given, the same as a file.
        let district = w.district.to_string();
        let asked = PivotFilter {
            cells: vec!["LD01", "LD02"],
            unit: Some(&district),
            relation: Some("self"),
            from: Some("2025M02"),
            to: Some("2025M03"),
            rows: Some("indicator"),
            columns: Some("period"),
            reading: Some("computed"),
        };
        let screen = w.app.pivot_screen(&leader, &asked, 10_000).await.unwrap();
        assert_eq!((screen.request.unit, screen.request.reading, screen.request.rows), (Some(w.district), Reading::Computed, Dim::Indicator));
        assert_eq!(screen.choices.unit, Some(w.district), "the choices around the unit asked for");
        let table = &screen.answer.as_ref().unwrap().table;
        let value = |cell: &str, period: &str| {
            table.rows.iter().find(|r| r.cell == cell && r.unit == w.district && r.period.to_string() == period).and_then(|r| r.figure.value)
        };
        assert_eq!(value("LD01", "2025M03"), Some(Decimal::from(1234)));
        assert_eq!(value("LD02", "2025M03"), Some(Decimal::from(50000)));
        assert_eq!(value("LD01", "2025M02"), None, "nobody reported February");
        let file = w.app.pivot_export(&leader, &asked).await.unwrap();
        assert_eq!(file.table.rows, table.rows);
        assert_eq!((file.rows, file.columns), (Dim::Indicator, Dim::Period));

        // What the form can correct comes back in the answer, beside the form.
        let answered = |filter: PivotFilter<'static>, max: usize| {
            let (app, leader) = (w.app.clone(), leader.clone());
            async move {
                let screen = app.pivot_screen(&leader, &filter, max).await.unwrap();
                refusal(screen.answer)
            }
        };
        let key = |(_, k): (String, &'static str)| k;
        assert_eq!(answered(PivotFilter { relation: Some("cousins"), ..Default::default() }, 10_000).await, ("rel".to_string(), "analytics.error.relation"));
        assert_eq!(answered(PivotFilter { from: Some("2025M03"), to: Some("2025M01"), ..Default::default() }, 10_000).await, ("to".to_string(), "pivot.error.period_range"));
        assert_eq!(answered(PivotFilter { from: Some("2025M01"), to: Some("2025Q1"), ..Default::default() }, 10_000).await, ("to".to_string(), "pivot.error.period_range"));
        assert_eq!(key(answered(PivotFilter { from: Some("2025M13"), ..Default::default() }, 10_000).await), "period.month_out_of_range");
        assert_eq!(key(answered(PivotFilter { cells: vec!["XX99"], ..Default::default() }, 10_000).await), "analytics.error.unknown_indicator");
        assert_eq!(key(answered(PivotFilter { rows: Some("period"), ..Default::default() }, 10_000).await), "pivot.error.same_axes");
        assert_eq!(answered(PivotFilter::default(), 5).await, ("units".to_string(), "analytics.error.too_large"));
        // A unit the caller may not read alone: no answer, and the page still drawn.
        let head = w.principal("commune.head").await;
        let province = w.province.to_string();
        let alone = PivotFilter { unit: Some(&province), relation: Some("self"), ..Default::default() };
        let screen = w.app.pivot_screen(&head, &alone, 10_000).await.unwrap();
        assert!(matches!(screen.answer, Err(AppError::NotFound)), "{:?}", screen.answer);
        assert_eq!(screen.choices.unit, Some(w.commune), "not the unit it may not read");

        // A malformed address is refused as a whole.
        for (filter, field, key) in [
            (PivotFilter { unit: Some("abc"), ..Default::default() }, "unit", "request.bad_number"),
            (PivotFilter { rows: Some("colour"), ..Default::default() }, "rows", "pivot.error.dimension"),
            (PivotFilter { columns: Some(""), ..Default::default() }, "cols", "pivot.error.dimension"),
            (PivotFilter { reading: Some("best"), ..Default::default() }, "reading", "analytics.error.reading"),
        ] {
            assert_eq!(refusal(w.app.pivot_screen(&leader, &filter, 10_000).await), (field.to_string(), key), "{filter:?}");
            assert_eq!(refusal(w.app.pivot_export(&leader, &filter).await), (field.to_string(), key), "{filter:?}");
        }
        // A file has no form to answer beside: what the page answers with why, the file refuses.
        assert_eq!(refusal(w.app.pivot_export(&leader, &PivotFilter { relation: Some("cousins"), ..Default::default() }).await), ("rel".to_string(), "analytics.error.relation"));
        assert!(matches!(w.app.pivot_export(&head, &alone).await, Err(AppError::NotFound)));
        assert!(w.app.pivot_export(&leader, &PivotFilter::default()).await.is_ok(), "as large as a file may be");
        // Without dashboards, no explorer at all.
        let officer = w.principal("commune.officer").await;
        assert!(matches!(w.app.pivot_screen(&officer, &PivotFilter::default(), 10_000).await, Err(AppError::Forbidden)));
        assert!(matches!(w.app.pivot_export(&officer, &PivotFilter::default()).await, Err(AppError::Forbidden)));
    }
);

both_backends!(
    async fn the_tiles_form_sets_the_chosen_tiles_or_comes_back_with_them_as_stored(store) {
        let w = world(store.clone()).await;
        let admin = w.principal("regime.admin").await;
        let cells = |c: &[&str]| -> Vec<String> { c.iter().map(|s| s.to_string()).collect() };
        done(w.app.set_tiles_from_form(&admin, w.province, Ok(cells(&["LD02", "LD01/sex:female", "LD02"]))).await);
        let settings = w.app.dashboard_tiles(&admin, w.province).await.unwrap();
        assert_eq!((settings.chosen.clone(), settings.custom), (cells(&["LD02", "LD01/sex:female"]), true), "each once, in order");

        // Refused: the settings as stored, nothing recorded.
        let before = ledger_seq(&store).await;
        let (field, key, shown) = refused(w.app.set_tiles_from_form(&admin, w.province, Ok(cells(&["LD01", "XX01"]))).await);
        assert_eq!((field.as_str(), key), ("tiles", "analytics.error.unknown_indicator"));
        assert_eq!(shown, settings);
        let unread = Err(AppError::field("tiles", Message::new("analytics.error.too_many").arg("max", 12)));
        let (field, key, shown) = refused(w.app.set_tiles_from_form(&admin, w.province, unread).await);
        assert_eq!((field.as_str(), key, shown.chosen), ("tiles", "analytics.error.too_many", settings.chosen.clone()));
        // Someone who does not choose the unit's tiles: no form at all.
        let leader = w.principal("leader").await;
        assert!(matches!(w.app.set_tiles_from_form(&leader, w.province, Ok(cells(&["LD01"]))).await, Err(AppError::NotFound)));
        assert_eq!(ledger_seq(&store).await, before);
        // None chosen: back to the default set.
        done(w.app.set_tiles_from_form(&admin, w.province, Ok(Vec::new())).await);
        assert!(!w.app.dashboard_tiles(&admin, w.province).await.unwrap().custom);
        assert_eq!(ledger_seq(&store).await, before + 1);
    }
);
