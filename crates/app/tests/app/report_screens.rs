//! The report page below HTTP, one call per screen and per form: the page's
//! read model (the report with its files, signatures and ledger history, and
//! the next report waiting only right after a decision; absent for whoever
//! may not read it), and its forms — a refused save, upload or signature
//! comes back with the page as the report now stands and stores nothing, the
//! workflow buttons reach the workflow (a submission only once confirmed),
//! and a synthesis comes with the page after it. The trust page's form, which
//! the signatures need, is here too.

use baocao_app::auth::system_principal;
use baocao_app::i18n::Lang;
use baocao_app::reports::{PageStep, ScreenAfter};
use baocao_app::AppError;
use baocao_domain::audit::Action;
use baocao_domain::report::{ReportId, Status};
use baocao_testkit::both_backends;
use baocao_testkit::pki::TestPki;

use crate::support::{
    content, done, fill, ledger_seq, ledger_since, open, refusal, refused, staff, submitted, world,
    GOOD,
};

/// A small PDF, as a unit attaches its signed paper report.
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

both_backends!(
    async fn the_report_page_shows_files_signatures_history_and_the_next_report_only_after_a_decision(store) {
        let pki = tokio::task::spawn_blocking(TestPki::make).await.unwrap();
        let w = world(store.clone()).await;
        let admin = system_principal();
        let (officer, head, reviewer) = (
            w.principal("commune.officer").await,
            w.principal("commune.head").await,
            w.principal("district.reviewer").await,
        );

        // The trust page's form: a file that is no CA certificate comes back
        // with the anchors as they are, recorded nowhere; a stranger is refused.
        let before = ledger_seq(&store).await;
        let (field, key, anchors) = refused(w.app.add_trust_from_form(&admin, b"not a certificate".to_vec()).await);
        assert_eq!((field.as_str(), key, anchors.len()), ("certificate", "signature.anchor.not_ca", 0));
        let district_admin = w.principal("district.admin").await;
        assert!(matches!(w.app.add_trust_from_form(&district_admin, pki.cert("root")).await, Err(AppError::Forbidden)));
        assert_eq!(ledger_seq(&store).await, before);
        let added = done(w.app.add_trust_from_form(&admin, pki.cert("root")).await);
        assert_eq!(added.len(), 1);
        assert_eq!(w.app.trust_anchors(&admin).await.unwrap(), added);
        assert!(done(w.app.add_trust_from_form(&admin, pki.cert("root")).await).is_empty(), "trusted once");

        // March: saved, a file attached, submitted by the head.
        let march = open(&w.app, &officer, w.commune, "2025M03").await;
        w.app.save_report(&officer, march, &content(&GOOD), None).await.unwrap();
        let attached = w.app.add_attachment(&officer, march, "Báo cáo.pdf", PDF.to_vec()).await.unwrap();
        w.app.take_page_step(&head, march, PageStep::Submit { confirmed: true }).await.unwrap();

        // A file that is no signature: the page again, nothing stored.
        let before = ledger_seq(&store).await;
        let (field, key, screen) = refused(w.app.sign_version_from_page(&head, march, 1, b"not a signature".to_vec()).await);
        assert_eq!((field.as_str(), key), ("signature", "signature.refused.malformed"));
        assert_eq!((screen.view.id, screen.view.status), (march, Status::Submitted));
        assert!(screen.signatures.is_empty());
        assert_eq!(ledger_seq(&store).await, before);
        assert!(w.app.report_signatures(&head, march).await.unwrap().is_empty());
        // The head signs the submitted version from the page.
        let (_, canonical) = w.app.canonical_version(&head, march, 1).await.unwrap();
        let signature = pki.sign("signer", &canonical, "sha256", false);
        done(w.app.sign_version_from_page(&head, march, 1, signature).await);
        // February waits for the district too.
        let february = submitted(&w.app, (&officer, &head), w.commune, "2025M02", &content(&GOOD)).await;

        // The page: the report, its regime version, its files, signatures and history.
        let screen = w.app.report_screen(&officer, march, ScreenAfter::Reading).await.unwrap();
        assert_eq!((screen.view.id, screen.view.status, screen.view.version), (march, Status::Submitted, 1));
        assert_eq!((screen.view.regime.as_str(), screen.view.unit, screen.view.receiver), ("BC-LD", w.commune, w.district));
        assert_eq!(screen.view.content.values, content(&GOOD).values);
        assert_eq!(screen.version().unwrap().name_en, "Monthly labour report");
        let files: Vec<(i64, &str, Option<i64>, i64)> =
            screen.attachments.iter().map(|a| (a.id, a.name.as_str(), a.version, a.size)).collect();
        assert_eq!(files, vec![(attached.id, "Báo cáo.pdf", Some(1), PDF.len() as i64)], "frozen with version 1");
        assert_eq!(screen.signatures.len(), 1);
        let signed = &screen.signatures[0];
        assert_eq!((signed.report, signed.version, signed.kind.as_str()), (march, 1, "cms"));
        let actions: Vec<Action> = screen.history.iter().map(|l| l.action).collect();
        assert_eq!(actions, vec![Action::ReportCreate, Action::ReportSave, Action::ReportAttach, Action::ReportSubmit, Action::ReportSign]);
        let subject = format!("report:{march}");
        let recorded: Vec<String> =
            ledger_since(&store, 0).await.into_iter().filter(|(_, s)| *s == subject).map(|(a, _)| a).collect();
        let lines: Vec<String> = screen.history.iter().map(|l| l.action.as_str().to_string()).collect();
        assert_eq!(lines, recorded, "the history is the report's ledger entries, oldest first");
        assert!(screen.history.windows(2).all(|p| p[0].seq < p[1].seq));
        let sign_line = screen.history.last().unwrap();
        assert_eq!(sign_line.version, Some(1));
        assert_eq!(sign_line.signature, Some((signed.signer.clone(), signed.serial.clone(), signed.issuer.clone())));
        assert_eq!(screen.next_waiting, None, "no decision was taken");
        // Only the unit's heads sign.
        assert!(!screen.may_sign);
        assert!(w.app.report_screen(&head, march, ScreenAfter::Reading).await.unwrap().may_sign);

        // The reviewer's page: the next report waiting only right after a decision.
        let reading = w.app.report_screen(&reviewer, march, ScreenAfter::Reading).await.unwrap();
        assert_eq!((reading.next_waiting, reading.may_sign), (None, false));
        assert_eq!(reading.history.len(), screen.history.len(), "the same history for whoever reads it");
        w.app.take_page_step(&reviewer, march, PageStep::Accept(String::new())).await.unwrap();
        let decided = w.app.report_screen(&reviewer, march, ScreenAfter::Decision).await.unwrap();
        assert_eq!((decided.view.status, decided.next_waiting), (Status::Accepted, Some(february)));
        assert_eq!(decided.history.last().unwrap().action, Action::ReportAccept);
        assert_eq!(w.app.report_screen(&reviewer, march, ScreenAfter::Reading).await.unwrap().next_waiting, None);
        // Nothing waits for the officer, decision or not.
        assert_eq!(w.app.report_screen(&officer, march, ScreenAfter::Decision).await.unwrap().next_waiting, None);

        // Whoever may not read the report finds no page, as for one that does not exist.
        let other_district = w.principal("other.officer").await;
        for after in [ScreenAfter::Reading, ScreenAfter::Decision] {
            assert!(matches!(w.app.report_screen(&other_district, march, after).await, Err(AppError::NotFound)), "{after:?}");
        }
        assert!(matches!(w.app.report_screen(&staff(w.sibling_commune), march, ScreenAfter::Reading).await, Err(AppError::NotFound)), "a neighbour");
        assert!(matches!(w.app.report_screen(&admin, ReportId::new(999_999), ScreenAfter::Reading).await, Err(AppError::NotFound)));
    }
);

both_backends!(
    async fn the_report_pages_forms_come_back_refused_with_the_page_or_reach_the_workflow(store) {
        let w = world(store.clone()).await;
        let (officer, head, reviewer) = (
            w.principal("commune.officer").await,
            w.principal("commune.head").await,
            w.principal("district.reviewer").await,
        );
        let other = w.principal("other.officer").await;
        let id = open(&w.app, &officer, w.commune, "2025M03").await;

        // Save: done, then refused — a cell the forms do not have, a stale
        // revision — with the page as the report stands, nothing kept.
        done(w.app.save_from_page(&officer, id, &content(&GOOD), None).await);
        let saves = w.app.draft_saves(id).await.unwrap();
        let revision = w.app.report(&officer, id).await.unwrap().revision;
        let before = ledger_seq(&store).await;
        let mut unknown = content(&GOOD);
        unknown.values.insert("XX99".into(), "5".into());
        let (path, key, screen) = refused(w.app.save_from_page(&officer, id, &unknown, None).await);
        assert_eq!((path.as_str(), key), ("XX99", "report.error.unknown_cell"));
        assert_eq!((screen.view.id, screen.view.content.values.clone()), (id, content(&GOOD).values), "the report as stored");
        assert_eq!(screen.next_waiting, None);
        let changed = content(&[("LD01", "1300"), ("LD01/sex:male", "700"), ("LD01/sex:female", "600"), ("LD02", "50000")]);
        let (_, key, _) = refused(w.app.save_from_page(&officer, id, &changed, Some(revision - 1)).await);
        assert_eq!(key, "report.error.edited_elsewhere");
        assert!(matches!(w.app.save_from_page(&other, id, &changed, None).await, Err(AppError::NotFound)), "no page for a stranger");
        assert_eq!((w.app.draft_saves(id).await.unwrap(), ledger_seq(&store).await), (saves, before), "nothing saved");

        // Upload: a file that is no spreadsheet comes back with the page; the filled template is the draft.
        let (_, template) = w.app.report_template(&officer, id, Lang::Vi).await.unwrap();
        let (field, key, screen) = refused(w.app.upload_from_page(&officer, id, b"not a spreadsheet".to_vec()).await);
        assert_eq!((field.as_str(), key), ("file", "report.xlsx.not_xlsx"));
        assert_eq!(screen.view.content.values, content(&GOOD).values);
        assert!(matches!(w.app.upload_from_page(&reviewer, id, fill(&template, &GOOD, None)).await, Err(AppError::Forbidden)));
        assert_eq!((w.app.draft_saves(id).await.unwrap(), ledger_seq(&store).await), (saves, before), "nothing saved");
        let values: Vec<(&str, &str)> = changed.values.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        done(w.app.upload_from_page(&officer, id, fill(&template, &values, None)).await);
        assert_eq!(w.app.report(&officer, id).await.unwrap().content.values, changed.values);
        assert_eq!(ledger_seq(&store).await, before + 1);

        // A submission with a file that is no signature: the page, still a draft, nothing stored.
        let before = ledger_seq(&store).await;
        let (field, key, screen) = refused(w.app.submit_signed_from_page(&head, id, b"not a signature".to_vec()).await);
        assert_eq!((field.as_str(), key), ("signature", "signature.refused.malformed"));
        assert_eq!((screen.view.status, screen.signatures.len()), (Status::Draft, 0));
        assert!(matches!(w.app.submit_signed_from_page(&other, id, b"x".to_vec()).await, Err(AppError::NotFound)));
        assert_eq!(ledger_seq(&store).await, before);
        assert_eq!(w.app.report(&head, id).await.unwrap().status, Status::Draft);

        // The buttons by name, with the form's reason and confirmation.
        let reason = || "Lý do".to_string();
        assert_eq!(PageStep::named("submit", reason(), true), Some(PageStep::Submit { confirmed: true }));
        assert_eq!(PageStep::named("submit", reason(), false), Some(PageStep::Submit { confirmed: false }));
        assert_eq!(PageStep::named("return", reason(), false), Some(PageStep::Return(reason())));
        assert_eq!(PageStep::named("accept", reason(), false), Some(PageStep::Accept(reason())));
        assert_eq!(PageStep::named("correct", reason(), false), Some(PageStep::Correct(reason())));
        assert_eq!(PageStep::named("recall", reason(), false), Some(PageStep::Recall(reason())));
        for unknown in ["delete", "Submit", "", "accept "] {
            assert_eq!(PageStep::named(unknown, reason(), true), None, "{unknown:?}");
        }
        // Unconfirmed, a submission is refused on the confirmation; nothing recorded.
        let refused_submit = w.app.take_page_step(&head, id, PageStep::Submit { confirmed: false }).await;
        assert_eq!(refusal(refused_submit), ("confirm".to_string(), "report.error.confirm_submit"));
        assert_eq!(ledger_seq(&store).await, before);
        assert_eq!(w.app.report(&head, id).await.unwrap().status, Status::Draft);
        // A step the workflow does not allow is refused by it, nothing recorded.
        assert!(matches!(w.app.take_page_step(&head, id, PageStep::Accept(String::new())).await, Err(AppError::Forbidden)));
        assert!(w.app.take_page_step(&reviewer, id, PageStep::Return("Thiếu".into())).await.is_err(), "a draft is not returned");
        assert_eq!(ledger_seq(&store).await, before);
        // Every other button reaches the workflow.
        let status = || {
            let (app, head) = (w.app.clone(), head.clone());
            async move { app.report(&head, id).await.unwrap() }
        };
        w.app.take_page_step(&head, id, PageStep::Submit { confirmed: true }).await.unwrap();
        assert_eq!((status().await.status, status().await.version), (Status::Submitted, 1));
        w.app.take_page_step(&head, id, PageStep::Recall("Nhập nhầm".into())).await.unwrap();
        assert_eq!(status().await.status, Status::Draft);
        w.app.take_page_step(&head, id, PageStep::Submit { confirmed: true }).await.unwrap();
        w.app.take_page_step(&reviewer, id, PageStep::Return("Thiếu số liệu nữ".into())).await.unwrap();
        assert_eq!(status().await.status, Status::Returned);
        w.app.take_page_step(&head, id, PageStep::Submit { confirmed: true }).await.unwrap();
        w.app.take_page_step(&reviewer, id, PageStep::Accept("Đạt".into())).await.unwrap();
        assert_eq!(status().await.status, Status::Accepted);
        w.app.take_page_step(&officer, id, PageStep::Correct("Sai số lao động nam".into())).await.unwrap();
        let corrected = status().await;
        assert_eq!((corrected.status, corrected.correction_reason.as_deref()), (Status::Draft, Some("Sai số lao động nam")));
        let steps: Vec<String> = ledger_since(&store, before).await.into_iter().map(|(action, subject)| {
            assert_eq!(subject, format!("report:{id}"));
            action
        }).collect();
        assert_eq!(steps, ["report.submit", "report.recall", "report.submit", "report.return", "report.submit", "report.accept", "report.correct"]);

        // Synthesis from the district's page: the accepted version of the
        // ward (reopened, it still counts), and the page after it.
        let district_officer = w.principal("district.officer").await;
        let district = open(&w.app, &district_officer, w.district, "2025M03").await;
        let before = ledger_seq(&store).await;
        let (synthesis, screen) = w.app.synthesize_from_page(&district_officer, district).await.unwrap();
        assert_eq!(synthesis.aggregated, 1);
        assert_eq!(screen.view.id, district);
        assert_eq!((screen.view.content.values["LD01"].as_str(), screen.view.content.values["LD02"].as_str()), ("1300", "50000"));
        assert_eq!(screen.history.last().unwrap().action, Action::ReportSynthesize);
        assert_eq!(ledger_since(&store, before).await, vec![("report.synthesize".to_string(), format!("report:{district}"))]);
        // Only its officers synthesize; for a lower level the report does not exist.
        let before = ledger_seq(&store).await;
        assert!(matches!(w.app.synthesize_from_page(&reviewer, district).await, Err(AppError::Forbidden)));
        assert!(matches!(w.app.synthesize_from_page(&officer, district).await, Err(AppError::NotFound)));
        assert_eq!(ledger_seq(&store).await, before);
    }
);
