//! Filling a report offline below HTTP: the .xlsx template the app makes,
//! filled and uploaded back (problems named by their sheet reference), the
//! same values as CSV (problems by line), and attachments judged by their
//! content and frozen with the submission. Whoever may not change the report
//! is refused before the file is read, and nothing is stored from a refused
//! file.

use baocao_app::i18n::Lang;
use baocao_app::AppError;
use baocao_domain::report::ReportId;
use baocao_formats::xlsx::read_upload;
use baocao_store::Store;
use baocao_testkit::{both_backends, World};

use crate::support::{content, fill, ledger_seq, open, refusal_key, world, BOUNDS, GOOD};

/// The report's stored values as `(cell, value)`.
async fn stored(w: &World, id: ReportId) -> Vec<(String, String)> {
    let admin = baocao_app::auth::system_principal();
    let view = w.app.report(&admin, id).await.unwrap();
    view.content.values.into_iter().collect()
}

/// Asserts that a refused upload changed neither the report nor the ledger.
async fn unchanged(w: &World, store: &Store, id: ReportId, before: &(i64, Vec<(String, String)>)) {
    assert_eq!(ledger_seq(store).await, before.0, "nothing recorded");
    assert_eq!(stored(w, id).await, before.1, "nothing stored");
}

both_backends!(
    async fn a_template_made_by_the_app_comes_back_filled_and_bad_files_are_refused_whole(store) {
        let w = world(store.clone()).await;
        let officer = w.principal("commune.officer").await;
        let id = open(&w.app, &officer, w.commune, "2025M03").await;
        let other_id = open(&w.app, &officer, w.commune, "2025M04").await;
        let (name, template) = w.app.report_template(&officer, id, Lang::Vi).await.unwrap();
        assert!(name.starts_with("BC-LD_2025M03_") && name.ends_with(".xlsx"), "{name}");
        let up = read_upload(&template, BOUNDS).unwrap();
        assert_eq!((up.meta["report"].as_str(), up.meta["regime"].as_str(), up.meta["period"].as_str()), (id.to_string().as_str(), "BC-LD", "2025M03"));
        assert_eq!(up.meta["unit"], w.commune.to_string());
        let keys: Vec<&str> = up.cells.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, vec!["LD01", "LD01/sex:male", "LD01/sex:female", "LD02"], "the computed LD03 is no input");
        assert!(up.cells.iter().all(|c| c.text.as_deref().unwrap_or("").is_empty()), "an empty draft: {:?}", up.cells);
        let (en_name, english) = w.app.report_template(&officer, id, Lang::En).await.unwrap();
        assert_eq!(en_name, name);
        assert_eq!(read_upload(&english, BOUNDS).unwrap().cells, up.cells, "the same cells in English");
        // Whoever reads the report gets the template; a neighbour does not see it.
        assert!(w.app.report_template(&w.principal("district.reviewer").await, id, Lang::Vi).await.is_ok());
        let other = w.principal("other.officer").await;
        assert!(matches!(w.app.report_template(&other, id, Lang::Vi).await, Err(AppError::NotFound)));

        let before = (ledger_seq(&store).await, stored(&w, id).await);
        // A typed "abc" is refused at its reference in the uploaded file.
        let filled = fill(&template, &[("LD01", "1234"), ("LD01/sex:female", "abc")], None);
        let female_at = read_upload(&filled, BOUNDS).unwrap().cells[2].reference.clone();
        assert_eq!(female_at, "BaoCao!E9");
        match w.app.upload_report(&officer, id, filled).await {
            Err(AppError::DocumentRejected(problems)) => {
                assert_eq!(problems.len(), 1, "{problems:?}");
                assert_eq!(problems[0].path, female_at);
                assert!(problems[0].message.args.iter().any(|(_, v)| v == "abc"), "{problems:?}");
            }
            other => panic!("{other:?}"),
        }
        unchanged(&w, &store, id, &before).await;
        // Another report's file, a changed identification, a broken file, too large a file, no value.
        let (_, other_template) = w.app.report_template(&officer, other_id, Lang::Vi).await.unwrap();
        let refused = w.app.upload_report(&officer, id, fill(&other_template, &[("LD01", "5")], None)).await;
        assert_eq!(refusal_key(refused), "report.xlsx.foreign");
        let refused = w.app.upload_report(&officer, id, fill(&template, &[("LD01", "5")], Some(("unit", "1")))).await;
        assert_eq!(refusal_key(refused), "report.xlsx.foreign");
        let mut broken = template.clone();
        broken.truncate(broken.len() / 2);
        assert_eq!(refusal_key(w.app.upload_report(&officer, id, broken).await), "report.xlsx.not_xlsx");
        let huge = vec![b'x'; baocao_app::spreadsheets::MAX_UPLOAD_BYTES + 10];
        assert_eq!(refusal_key(w.app.upload_report(&officer, id, huge).await), "report.xlsx.too_large");
        assert_eq!(refusal_key(w.app.upload_report(&officer, id, template.clone()).await), "report.error.no_values");
        // Impossible values are refused at their cell: −5 people.
        let negative = fill(&template, &[("LD01", "-5")], None);
        let ld01_at = read_upload(&negative, BOUNDS).unwrap().cells[0].reference.clone();
        match w.app.upload_report(&officer, id, negative).await {
            Err(AppError::DocumentRejected(problems)) => {
                assert_eq!((problems[0].path.as_str(), problems[0].message.key), (ld01_at.as_str(), "report.error.below_min"), "{problems:?}");
            }
            other => panic!("{other:?}"),
        }
        // Someone who may not change the report is refused before its file is read.
        let good = fill(&template, &GOOD, None);
        assert!(matches!(w.app.upload_report(&other, id, good.clone()).await, Err(AppError::NotFound)));
        let reviewer = w.principal("district.reviewer").await;
        assert!(matches!(w.app.upload_report(&reviewer, id, good.clone()).await, Err(AppError::Forbidden)));
        assert!(matches!(w.app.upload_report(&reviewer, id, b"not even a file".to_vec()).await, Err(AppError::Forbidden)));
        unchanged(&w, &store, id, &before).await;

        // The good file is the draft, in one step; the template comes back with its values.
        let saved = w.app.upload_report(&officer, id, good).await.unwrap();
        assert_eq!(saved.values, content(&GOOD).values);
        assert_eq!(stored(&w, id).await, content(&GOOD).values.into_iter().collect::<Vec<_>>());
        assert_eq!(ledger_seq(&store).await, before.0 + 1);
        let (_, again) = w.app.report_template(&officer, id, Lang::Vi).await.unwrap();
        let texts: Vec<Option<String>> = read_upload(&again, BOUNDS).unwrap().cells.into_iter().map(|c| c.text).collect();
        assert_eq!(texts, vec![Some("1234".into()), Some("634".into()), Some("600".into()), Some("50000".into())]);

        // CSV for other systems: the cells and values out, problems by line.
        let (csv_name, csv) = w.app.report_csv(&officer, id).await.unwrap();
        assert!(csv_name.starts_with("BC-LD_2025M03_") && csv_name.ends_with(".csv"), "{csv_name}");
        let text = String::from_utf8(csv).unwrap();
        assert!(text.starts_with("cell,value\nLD01,1234\n"), "{text}");
        assert!(matches!(w.app.report_csv(&other, id).await, Err(AppError::NotFound)));
        let before = (ledger_seq(&store).await, stored(&w, id).await);
        match w.app.upload_report_csv(&officer, id, b"cell,value\nLD01,1300\nLD02,nhi\xe1\xbb\x81u\n".to_vec()).await {
            Err(AppError::ImportRejected(lines)) => assert_eq!(lines.iter().map(|l| l.line).collect::<Vec<_>>(), vec![3], "{lines:?}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(refusal_key(w.app.upload_report_csv(&officer, id, b"o,gia tri\nLD01,1\n".to_vec()).await), "report.csv.bad_header");
        assert_eq!(refusal_key(w.app.upload_report_csv(&officer, id, b"cell,value\nLD01,1\nLD01,2\n".to_vec()).await), "report.csv.duplicate");
        assert_eq!(refusal_key(w.app.upload_report_csv(&officer, id, b"cell,value\nLD01,\n".to_vec()).await), "report.error.no_values");
        assert!(matches!(w.app.upload_report_csv(&officer, id, b"cell,value\nLD01,-5\n".to_vec()).await, Err(AppError::ImportRejected(_))));
        assert!(matches!(w.app.upload_report_csv(&other, id, b"cell,value\nLD01,1\n".to_vec()).await, Err(AppError::NotFound)));
        unchanged(&w, &store, id, &before).await;
        let csv = b"cell,value\nLD01,1.300\nLD01/sex:male,700\nLD01/sex:female,600\nLD02,50000\n".to_vec();
        assert_eq!(w.app.upload_report_csv(&officer, id, csv).await.unwrap().values["LD01"], "1300");
        assert_eq!(stored(&w, id).await[0], ("LD01".to_string(), "1300".to_string()));

        // Attachments: judged by their content and size; read by whoever reads the report.
        let pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec();
        let before = ledger_seq(&store).await;
        let refused = w.app.add_attachment(&officer, id, "Báo cáo.pdf", b"MZ\x90\x00 a program renamed .pdf".to_vec()).await;
        assert_eq!(refusal_key(refused), "report.attachment.bad_type");
        let mut big = b"%PDF-1.4\n".to_vec();
        big.resize(baocao_domain::attachment::MAX_BYTES + 1, b' ');
        assert_eq!(refusal_key(w.app.add_attachment(&officer, id, "Báo cáo.pdf", big).await), "report.attachment.too_large");
        assert!(matches!(w.app.add_attachment(&other, id, "Báo cáo.pdf", pdf.clone()).await, Err(AppError::NotFound)));
        assert!(matches!(w.app.add_attachment(&reviewer, id, "Báo cáo.pdf", pdf.clone()).await, Err(AppError::Forbidden)));
        assert_eq!(ledger_seq(&store).await, before);
        let att = w.app.add_attachment(&officer, id, "Báo cáo.pdf", pdf.clone()).await.unwrap();
        assert_eq!((att.name.as_str(), att.content_type.as_str(), att.size, att.version), ("Báo cáo.pdf", "application/pdf", pdf.len() as i64, None));
        let (view, bytes) = w.app.attachment(&reviewer, att.id).await.unwrap();
        assert_eq!((view.sha256, bytes), (att.sha256.clone(), pdf.clone()));
        assert!(matches!(w.app.attachment(&other, att.id).await, Err(AppError::NotFound)));
        assert!(matches!(w.app.attachment(&officer, att.id + 1000).await, Err(AppError::NotFound)));

        // Once submitted, the file belongs to version 1, and nothing more is taken.
        w.app.submit_report(&w.principal("commune.head").await, id).await.unwrap();
        assert_eq!(w.app.attachment(&officer, att.id).await.unwrap().0.version, Some(1));
        let before = (ledger_seq(&store).await, stored(&w, id).await);
        assert!(matches!(w.app.add_attachment(&officer, id, "b.pdf", pdf).await, Err(AppError::Conflict(_))));
        assert!(matches!(w.app.upload_report(&officer, id, fill(&template, &[("LD01", "1")], None)).await, Err(AppError::Conflict(_))));
        assert!(matches!(w.app.upload_report_csv(&officer, id, b"cell,value\nLD01,1\n".to_vec()).await, Err(AppError::Conflict(_))));
        unchanged(&w, &store, id, &before).await;
    }
);
