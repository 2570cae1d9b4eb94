//! The analytics engine as the app keeps it: built from the store, following
//! acceptances and corrections through the ledger, limited to what the
//! caller may read.

use baocao_analytics::{Reading, Relation};
use baocao_app::analytics::{FigureQuery, FigureTable};
use baocao_app::{App, AppError};
use baocao_domain::access::Principal;
use baocao_domain::report::ReportId;
use baocao_domain::unit::UnitId;
use baocao_testkit::{both_backends, World};
use rust_decimal::Decimal;

use crate::support::{content, staff, world};

/// A commune's report for `period` filled, submitted and accepted.
async fn accept(w: &World, unit: UnitId, period: &str, values: &[(&str, &str)]) -> ReportId {
    let officer = staff(unit);
    let id = w
        .app
        .open_report(&officer, "BC-LD", unit, period)
        .await
        .unwrap()
        .id;
    w.app
        .save_report(&officer, id, &content(values), None)
        .await
        .unwrap();
    w.app.submit_report(&officer, id).await.unwrap();
    w.app
        .review_report(&w.principal("district.reviewer").await, id, true, "")
        .await
        .unwrap();
    id
}

async fn table(
    app: &App,
    who: &Principal,
    cells: &[&str],
    unit: UnitId,
    relation: Relation,
    periods: &[&str],
    reading: Reading,
) -> Result<FigureTable, AppError> {
    app.figures(
        who,
        FigureQuery {
            cells: cells.iter().map(|c| c.to_string()).collect(),
            unit,
            relation,
            periods: periods.iter().map(|p| p.parse().unwrap()).collect(),
            reading,
        },
    )
    .await
}

fn value(t: &FigureTable, cell: &str, unit: UnitId, period: &str) -> Option<Decimal> {
    t.rows
        .iter()
        .find(|r| r.cell == cell && r.unit == unit && r.period.to_string() == period)
        .and_then(|r| r.figure.value)
}

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

both_backends!(
    async fn acceptances_and_corrections_reach_the_figures(store) {
        let w = world(store.clone()).await;
        let leader = w.principal("leader").await;
        // Before the first build, queries are told to wait.
        let early = table(&w.app, &leader, &["LD01"], w.province, Relation::Itself, &["2025M03"], Reading::Computed).await;
        assert!(matches!(early, Err(AppError::Busy { .. })), "{early:?}");
        let id = accept(&w, w.commune, "2025M03", &[("LD01", "12"), ("LD01/sex:male", "5"), ("LD01/sex:female", "7"), ("LD02", "400")]).await;
        w.app.follow_once().await.unwrap();
        let t = table(&w.app, &leader, &["LD01", "LD03"], w.province, Relation::Itself, &["2025M03", "2025Q1"], Reading::Computed).await.unwrap();
        assert_eq!(value(&t, "LD01", w.province, "2025M03"), Some(d("12")));
        assert_eq!(value(&t, "LD01", w.province, "2025Q1"), Some(d("12")));
        assert_eq!(value(&t, "LD03", w.province, "2025M03"), Some(d("3")), "100 × 12 / 400");
        // Missing is missing: nobody reported LD01 in February.
        let t = table(&w.app, &leader, &["LD01"], w.province, Relation::Itself, &["2025M02"], Reading::Computed).await.unwrap();
        assert_eq!(value(&t, "LD01", w.province, "2025M02"), None);

        // A second commune's acceptance is followed through the ledger.
        accept(&w, w.sibling_commune, "2025M03", &[("LD01", "8"), ("LD01/sex:male", "4"), ("LD01/sex:female", "4"), ("LD02", "400")]).await;
        w.app.follow_once().await.unwrap();
        let t = table(&w.app, &leader, &["LD01", "LD03"], w.district, Relation::Itself, &["2025M03"], Reading::Computed).await.unwrap();
        assert_eq!(value(&t, "LD01", w.district, "2025M03"), Some(d("20")));
        assert_eq!(value(&t, "LD03", w.district, "2025M03"), Some(d("2.5")), "100 × ΣLD01 / ΣLD02, not a mean of rates");

        // Reopened for correction, the accepted version keeps counting;
        // the corrected version replaces it once accepted, LD02 included.
        let officer = w.principal("commune.officer").await;
        w.app.correct_report(&officer, id, "Sai số").await.unwrap();
        w.app.follow_once().await.unwrap();
        let t = table(&w.app, &leader, &["LD01"], w.district, Relation::Itself, &["2025M03"], Reading::Computed).await.unwrap();
        assert_eq!(value(&t, "LD01", w.district, "2025M03"), Some(d("20")));
        w.app.save_report(&officer, id, &content(&[("LD01", "2"), ("LD01/sex:male", "1"), ("LD01/sex:female", "1")]), None).await.unwrap();
        w.app.submit_report(&w.principal("commune.head").await, id).await.unwrap();
        w.app.review_report(&w.principal("district.reviewer").await, id, true, "").await.unwrap();
        w.app.follow_once().await.unwrap();
        let t = table(&w.app, &leader, &["LD01", "LD02"], w.commune, Relation::Itself, &["2025M03"], Reading::Reported).await.unwrap();
        assert_eq!(value(&t, "LD01", w.commune, "2025M03"), Some(d("2")));
        assert_eq!(value(&t, "LD02", w.commune, "2025M03"), None, "a cell the new version lacks is gone");
        let t = table(&w.app, &leader, &["LD01"], w.district, Relation::Itself, &["2025M03"], Reading::Computed).await.unwrap();
        assert_eq!(value(&t, "LD01", w.district, "2025M03"), Some(d("10")));
        let coverage = t.rows[0].figure.units.unwrap();
        assert_eq!(coverage.present, 2);
        assert!(coverage.expected > 2, "the district's other wards are expected too: {coverage:?}");

        // A fresh process builds the same figures from the store.
        let other = App::new(store, Default::default());
        other.follow_once().await.unwrap();
        let t2 = table(&other, &leader, &["LD01"], w.district, Relation::Itself, &["2025M03"], Reading::Computed).await.unwrap();
        assert_eq!(t2.rows, t.rows);
    }
);

both_backends!(
    async fn figures_are_limited_to_what_the_caller_may_read(store) {
        let w = world(store).await;
        accept(&w, w.commune, "2025M03", &[("LD01", "12"), ("LD01/sex:male", "5"), ("LD01/sex:female", "7"), ("LD02", "400")]).await;
        w.app.follow_once().await.unwrap();
        // The commune's head reads their commune only, even when asking for
        // the province's whole subtree.
        let head = w.principal("commune.head").await;
        let t = table(&w.app, &head, &["LD01"], w.province, Relation::Subtree, &["2025M03"], Reading::Computed).await.unwrap();
        assert_eq!(t.units.iter().map(|u| u.id).collect::<Vec<_>>(), vec![w.commune]);
        assert!(t.withheld > 100, "{}", t.withheld);
        assert!(t.rows.iter().all(|r| r.unit == w.commune));
        // The province alone: not for them.
        let alone = table(&w.app, &head, &["LD01"], w.province, Relation::Itself, &["2025M03"], Reading::Computed).await;
        assert!(matches!(alone, Err(AppError::NotFound)), "{alone:?}");
        // A data-entry officer has no dashboards at all.
        let officer = w.principal("commune.officer").await;
        let none = table(&w.app, &officer, &["LD01"], w.commune, Relation::Itself, &["2025M03"], Reading::Reported).await;
        assert!(matches!(none, Err(AppError::Forbidden)), "{none:?}");
        // The leader of the province sees every district.
        let leader = w.principal("leader").await;
        let t = table(&w.app, &leader, &["LD01"], w.province, Relation::Level("district".into()), &["2025M03"], Reading::Computed).await.unwrap();
        assert!(t.units.len() > 15, "{}", t.units.len());
        assert_eq!(t.withheld, 0);
        // Bad questions are refused by name.
        let unknown = table(&w.app, &leader, &["XX99"], w.province, Relation::Itself, &["2025M03"], Reading::Computed).await;
        assert!(matches!(unknown, Err(AppError::Invalid(ref e)) if e[0].message.key == "analytics.error.unknown_indicator"), "{unknown:?}");
        let none = table(&w.app, &leader, &[], w.province, Relation::Itself, &["2025M03"], Reading::Computed).await;
        assert!(matches!(none, Err(AppError::Invalid(_))));
    }
);

both_backends!(
    async fn reports_of_a_previous_system_are_imported_and_counted(store) {
        use baocao_app::history::PastReport;
        let w = world(store).await;
        let operator = baocao_app::auth::system_principal();
        let past = |unit: UnitId, period: &str, ld01: &str| PastReport {
            regime: "BC-LD".into(),
            unit,
            period: period.parse().unwrap(),
            content: content(&[("LD01", ld01), ("LD02", "500")]),
            submitted_at: 1_740_000_000,
            accepted_at: 1_740_100_000,
        };
        // Only the operator imports.
        let leader = w.principal("leader").await;
        let refused = w.app.import_past_reports(&leader, &[past(w.commune, "2025M01", "3")]).await;
        assert!(matches!(refused, Err(AppError::Forbidden)), "{refused:?}");
        // A report that does not fit its form refuses the whole batch, nothing stored.
        let bad = w.app.import_past_reports(&operator, &[past(w.commune, "2025M01", "3"), past(w.sibling_commune, "2025M01", "ba")]).await;
        match bad {
            Err(AppError::ImportRejected(lines)) => assert_eq!(lines[0].line, 2, "{lines:?}"),
            other => panic!("{other:?}"),
        }
        w.app.follow_once().await.unwrap();
        let t = table(&w.app, &leader, &["LD01"], w.district, Relation::Itself, &["2025M01"], Reading::Computed).await.unwrap();
        assert_eq!(value(&t, "LD01", w.district, "2025M01"), None, "nothing of the refused batch");
        let done = w.app.import_past_reports(&operator, &[past(w.commune, "2025M01", "3"), past(w.sibling_commune, "2025M01", "4")]).await.unwrap();
        assert_eq!((done.imported, done.existing), (2, 0));
        // Again: both exist, nothing doubles.
        let again = w.app.import_past_reports(&operator, &[past(w.commune, "2025M01", "3")]).await.unwrap();
        assert_eq!((again.imported, again.existing), (0, 1));
        w.app.follow_once().await.unwrap();
        let t = table(&w.app, &leader, &["LD01"], w.district, Relation::Itself, &["2025M01"], Reading::Computed).await.unwrap();
        assert_eq!(value(&t, "LD01", w.district, "2025M01"), Some(d("7")));
        // Stored as accepted reports with their history, in a ledger that verifies.
        let view = w.app.open_report(&staff(w.commune), "BC-LD", w.commune, "2025M01").await.unwrap();
        assert_eq!((view.status, view.version, view.versions.len()), (baocao_domain::report::Status::Accepted, 1, 1));
        assert_eq!(view.content.values["LD01"], "3");
        assert!(w.app.verify_ledger().await.unwrap().is_intact());
    }
);

both_backends!(
    async fn discrepancies_list_where_a_consolidated_report_does_not_add_up(store) {
        use baocao_app::history::PastReport;
        let w = world(store).await;
        let operator = baocao_app::auth::system_principal();
        let past = |unit: UnitId, values: &[(&str, &str)]| PastReport {
            regime: "BC-LD".into(),
            unit,
            period: "2025M01".parse().unwrap(),
            content: content(values),
            submitted_at: 1_740_000_000,
            accepted_at: 1_740_100_000,
        };
        // The wards report 3 and 4 people; the district's own report says 8.
        w.app.import_past_reports(&operator, &[
            past(w.commune, &[("LD01", "3"), ("LD02", "500")]),
            past(w.sibling_commune, &[("LD01", "4"), ("LD02", "500")]),
            past(w.district, &[("LD01", "8"), ("LD02", "1000")]),
        ]).await.unwrap();
        w.app.follow_once().await.unwrap();
        let january = "2025M01".parse().unwrap();
        let leader = w.principal("leader").await;
        let found = w.app.discrepancies(&leader, w.province, january).await.unwrap();
        let cells: Vec<(UnitId, &str)> = found.rows.iter().map(|r| (r.unit.id, r.cell.as_str())).collect();
        assert_eq!(cells, vec![(w.district, "LD01"), (w.district, "LD03")], "LD02 adds up; the rate follows LD01");
        let ld01 = &found.rows[0];
        assert_eq!((ld01.reported, ld01.computed, ld01.difference), (d("8"), d("7"), d("1")));
        assert!(!ld01.name_vi.is_empty());
        assert!(!found.truncated);
        // The commune's head reads no dashboard of the province: as if absent.
        let head = w.principal("commune.head").await;
        let refused = w.app.discrepancies(&head, w.province, january).await;
        assert!(matches!(refused, Err(AppError::NotFound)), "{refused:?}");
        // Their own commune has nothing below it to compare.
        assert!(w.app.discrepancies(&head, w.commune, january).await.unwrap().rows.is_empty());
        // A data-entry officer has no dashboards at all.
        let officer = w.principal("commune.officer").await;
        let none = w.app.discrepancies(&officer, w.commune, january).await;
        assert!(matches!(none, Err(AppError::Forbidden)), "{none:?}");
    }
);
