//! Finding past reports below HTTP: every report of the caller's own units,
//! newest period first, filtered by regime, year and status as an address
//! gives them (a malformed filter refused by name), and nothing of anyone
//! else's units.

use baocao_app::reports::{ArchiveFilter, ArchiveRow};
use baocao_domain::report::{ReportId, Status};
use baocao_testkit::both_backends;

use crate::support::{accepted, content, open, refusal_key, submitted, world, GOOD};

fn rows(found: &[ArchiveRow]) -> Vec<(ReportId, String, Status, i64)> {
    found
        .iter()
        .map(|r| (r.id, r.period.to_string(), r.status, r.version))
        .collect()
}

both_backends!(
    async fn the_archive_finds_the_units_own_reports_by_regime_year_and_status(store) {
        let w = world(store).await;
        let (officer, head) = (w.principal("commune.officer").await, w.principal("commune.head").await);
        let january = accepted(&w, "2025M01", &GOOD).await;
        let february = open(&w.app, &officer, w.commune, "2025M02").await;
        let march = submitted(&w.app, (&officer, &head), w.commune, "2025M03", &content(&GOOD)).await;

        let (q, all) = w.app.report_archive(&officer, ArchiveFilter::default()).await.unwrap();
        assert_eq!((q.regime, q.year, q.status, q.page), (None, None, None, 1));
        assert_eq!(rows(&all.rows), vec![
            (march, "2025M03".into(), Status::Submitted, 1),
            (february, "2025M02".into(), Status::Draft, 0),
            (january, "2025M01".into(), Status::Accepted, 1),
        ], "newest period first");
        assert_eq!((all.total, all.page, all.pages), (3, 1, 1));
        assert_eq!((all.regimes.clone(), all.years.clone()), (vec!["BC-LD".to_string()], vec![2025]));
        let commune = w.app.unit_detail(&officer, w.commune, None).await.unwrap().unit.name;
        assert!(all.rows.iter().all(|r| r.unit == w.commune && r.unit_name == commune && r.regime == "BC-LD"));
        let deadline = w.app.report(&officer, march).await.unwrap().deadline;
        assert_eq!(all.rows[0].deadline, deadline);
        // The unit head finds the same.
        let (_, by_head) = w.app.report_archive(&head, ArchiveFilter::default()).await.unwrap();
        assert_eq!(rows(&by_head.rows), rows(&all.rows));

        // Filters; the choices stay those of all the unit's reports.
        let find = |f: ArchiveFilter<'static>| {
            let (app, officer) = (w.app.clone(), officer.clone());
            async move { app.report_archive(&officer, f).await.unwrap() }
        };
        let (q, drafts) = find(ArchiveFilter { regime: Some("BC-LD"), year: Some("2025"), status: Some("draft"), page: None }).await;
        assert_eq!((q.regime.as_deref(), q.year, q.status), (Some("BC-LD"), Some(2025), Some(Status::Draft)));
        assert_eq!(rows(&drafts.rows), vec![(february, "2025M02".into(), Status::Draft, 0)]);
        let (_, done) = find(ArchiveFilter { status: Some("accepted"), ..Default::default() }).await;
        assert_eq!(done.rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![january]);
        let (_, none) = find(ArchiveFilter { year: Some("2024"), ..Default::default() }).await;
        assert_eq!((none.total, none.pages, none.years.clone()), (0, 1, vec![2025]));
        let (_, none) = find(ArchiveFilter { regime: Some("DX-BAO"), ..Default::default() }).await;
        assert_eq!((none.total, none.regimes.clone()), (0, vec!["BC-LD".to_string()]));
        // Past the last page: the last page, and the query says which it is.
        let (q, far) = find(ArchiveFilter { page: Some("99"), ..Default::default() }).await;
        assert_eq!((q.page, far.page, far.total), (1, 1, 3));
        // A malformed filter is refused by name, not taken for "any".
        for (filter, field, key) in [
            (ArchiveFilter { status: Some("bogus"), ..Default::default() }, "status", "archive.bad_status"),
            (ArchiveFilter { year: Some("abc"), ..Default::default() }, "year", "request.bad_number"),
            (ArchiveFilter { page: Some("0"), ..Default::default() }, "page", "inbox.error.bad_filter"),
        ] {
            let refused = w.app.report_archive(&officer, filter).await;
            match &refused {
                Err(baocao_app::AppError::Invalid(fields)) => assert_eq!(fields[0].field, field),
                other => panic!("{other:?}"),
            }
            assert_eq!(refusal_key(refused), key);
        }

        // Nobody else finds them: a neighbour, the reviewer they go to, the district's officer.
        for who in ["other.officer", "district.reviewer", "district.officer", "leader"] {
            let (_, theirs) = w.app.report_archive(&w.principal(who).await, ArchiveFilter::default()).await.unwrap();
            assert_eq!((theirs.total, theirs.rows.len(), theirs.regimes.len()), (0, 0, 0), "{who}");
        }
    }
);
