//! The report workflow below HTTP: submit, return, accept, correct, recall and
//! synthesis, with the gaps the renovation closed (a child reopened for
//! correction keeps counting with its accepted version; cells nobody reports
//! any more are cleared; older periods are placed with their own version).

use baocao_app::AppError;
use baocao_domain::report::Status;
use baocao_testkit::both_backends;

use crate::support::{accepted, content, open, world};

both_backends!(
    async fn a_report_is_submitted_returned_corrected_and_accepted(store) {
        let w = world(store).await;
        let (officer, head, reviewer) = (
            w.principal("commune.officer").await,
            w.principal("commune.head").await,
            w.principal("district.reviewer").await,
        );
        let id = open(&w.app, &officer, w.commune, "2025M03").await;
        // Only the head submits; an empty report is not submitted.
        assert!(matches!(w.app.submit_report(&officer, id).await, Err(AppError::Forbidden)));
        assert!(matches!(w.app.submit_report(&head, id).await, Err(AppError::Conflict(_))));
        let values = [("LD01", "120"), ("LD01/sex:male", "70"), ("LD01/sex:female", "50"), ("LD02", "4000")];
        w.app.save_report(&officer, id, &content(&values), None).await.unwrap();
        let (version, _) = w.app.submit_report(&head, id).await.unwrap();
        assert_eq!(version, 1);
        // Frozen: no save, no second submission.
        assert!(w.app.save_report(&officer, id, &content(&values), None).await.is_err());
        assert!(w.app.submit_report(&head, id).await.is_err());
        // A return needs a reason, and only the receiving unit's reviewer gives one.
        assert!(matches!(w.app.review_report(&reviewer, id, false, "  ").await, Err(AppError::Invalid(_))));
        assert!(matches!(w.app.review_report(&head, id, false, "x").await, Err(AppError::Forbidden)));
        w.app.review_report(&reviewer, id, false, "Thiếu số liệu nữ").await.unwrap();
        let view = w.app.report(&officer, id).await.unwrap();
        assert_eq!(view.status, Status::Returned);
        w.app.save_report(&officer, id, &content(&values), None).await.unwrap();
        assert_eq!(w.app.submit_report(&head, id).await.unwrap().0, 2);
        w.app.review_report(&reviewer, id, true, "").await.unwrap();
        // A correction reopens it with its reason; the accepted version stays.
        assert!(matches!(w.app.correct_report(&officer, id, "").await, Err(AppError::Invalid(_))));
        w.app.correct_report(&officer, id, "Sai số lao động nam").await.unwrap();
        let view = w.app.report(&officer, id).await.unwrap();
        assert_eq!((view.status, view.version), (Status::Draft, 2));
        assert_eq!(view.correction_reason.as_deref(), Some("Sai số lao động nam"));
        assert_eq!(w.app.submit_report(&head, id).await.unwrap().0, 3);
        let view = w.app.report(&officer, id).await.unwrap();
        assert_eq!(view.versions[2].reason.as_deref(), Some("Sai số lao động nam"));
        // Recall before review, by the head, with a reason.
        w.app.recall_report(&head, id, "Nhập nhầm").await.unwrap();
        assert_eq!(w.app.report(&officer, id).await.unwrap().status, Status::Draft);
        // The draft's revision guards against lost updates.
        let view = w.app.report(&officer, id).await.unwrap();
        let stale = view.revision;
        w.app.save_report(&officer, id, &content(&values), Some(stale)).await.unwrap();
        let again = w.app.save_report(&officer, id, &content(&values), Some(stale)).await;
        assert!(matches!(again, Err(AppError::Conflict(m)) if m.key == "report.error.edited_elsewhere"));
        // The ledger holds every step and verifies.
        assert!(w.app.verify_ledger().await.unwrap().is_intact());
    }
);

both_backends!(
    async fn synthesis_counts_accepted_versions_and_clears_what_nobody_reports(store) {
        let w = world(store).await;
        let id = accepted(&w, "2025M03", &[("LD01", "12"), ("LD01/sex:male", "5"), ("LD01/sex:female", "7"), ("LD02", "1000")]).await;
        let dofficer = w.principal("district.officer").await;
        let did = open(&w.app, &dofficer, w.district, "2025M03").await;
        let s = w.app.synthesize_report(&dofficer, did).await.unwrap();
        assert_eq!(s.aggregated, 1);
        let draft = w.app.report(&dofficer, did).await.unwrap().content;
        assert_eq!(draft.values["LD02"], "1000");
        assert_eq!(draft.values["LD01"], "12");
        // The commune reopens its report to correct it: its accepted version still counts.
        let officer = w.principal("commune.officer").await;
        w.app.correct_report(&officer, id, "Điều chỉnh").await.unwrap();
        let s = w.app.synthesize_report(&dofficer, did).await.unwrap();
        assert_eq!(s.aggregated, 1, "reopened for correction, still counted");
        assert!(s.changed.is_empty(), "{:?}", s.changed);
        // The corrected version no longer reports LD02: once accepted, the
        // district's LD02 is cleared, never left with the old figure.
        w.app.save_report(&officer, id, &content(&[("LD01", "12"), ("LD01/sex:male", "5"), ("LD01/sex:female", "7")]), None).await.unwrap();
        w.app.submit_report(&w.principal("commune.head").await, id).await.unwrap();
        w.app.review_report(&w.principal("district.reviewer").await, id, true, "").await.unwrap();
        let s = w.app.synthesize_report(&dofficer, did).await.unwrap();
        assert!(s.changed.contains(&("LD02".to_string(), Some("1000".to_string()), String::new())), "{:?}", s.changed);
        let draft = w.app.report(&dofficer, did).await.unwrap().content;
        assert!(!draft.values.contains_key("LD02"));
        // Only its officers synthesize; a lower level does not even see it.
        assert!(matches!(w.app.synthesize_report(&officer, did).await, Err(AppError::NotFound)));
        let reviewer = w.principal("district.reviewer").await;
        assert!(matches!(w.app.synthesize_report(&reviewer, did).await, Err(AppError::Forbidden)));
    }
);

both_backends!(
    async fn last_year_and_history_use_accepted_versions_while_reopened(store) {
        let w = world(store).await;
        let previous = accepted(&w, "2025M02", &[("LD01", "10"), ("LD01/sex:male", "4"), ("LD01/sex:female", "6"), ("LD02", "900")]).await;
        let officer = w.principal("commune.officer").await;
        w.app.correct_report(&officer, previous, "Điều chỉnh").await.unwrap();
        let id = open(&w.app, &officer, w.commune, "2025M03").await;
        let view = w.app.report(&officer, id).await.unwrap();
        assert_eq!(view.earlier_this_year.len(), 1, "February still counts in the year to date");
        assert_eq!(view.earlier_this_year[0].values["LD02"], "900");
    }
);
