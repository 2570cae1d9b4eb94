//! The catalogue pages and forms below HTTP: a document sent to the API of
//! each kind (its code the one the address names, or nothing applied), the
//! indicator list and history, a regime's page with its receiving unit by
//! name, the regime editor — a row button shows it again and saves nothing,
//! problems come back with it, a new regime may not take a code in use, a
//! version replaces the one starting the same period or is added, merged
//! with the catalogue as stored when it is written so that two editors do
//! not lose each other's version — and the request form.

use baocao_app::auth::system_principal;
use baocao_app::catalogue::{to_json, CatalogueDocument, EditorOutcome, EditorPost};
use baocao_app::AppError;
use baocao_domain::catalogue::{Problem, RegimeVersion, Request};
use baocao_domain::Message;
use baocao_testkit::{both_backends, metadata, three_level_metadata};

use crate::support::{done, ledger_seq, ledger_since, refusal, refused, world};

/// The request of the small catalogue under another code.
fn request(code: &str) -> Request {
    let mut r: Request = serde_json::from_value(metadata()["requests"][0].clone()).unwrap();
    r.code = code.into();
    r
}

/// The regime editor's outcome: the problems it was shown again with, or
/// `None` when the version was saved.
fn shown(outcome: Result<EditorOutcome, AppError>) -> Option<Vec<&'static str>> {
    match outcome.unwrap() {
        EditorOutcome::Saved => None,
        EditorOutcome::Shown { screen, problems } => {
            assert!(
                !screen.levels.is_empty() && screen.meta.regime("BC-LD").is_some(),
                "the editor with its choices"
            );
            Some(problems.iter().map(|p| p.message.key).collect())
        }
    }
}

both_backends!(
    async fn catalogue_documents_of_each_kind_apply_when_their_code_is_the_addressed_one(store) {
        let w = world(store.clone()).await;
        let admin = system_principal();
        let apply = |kind: CatalogueDocument, bytes: Vec<u8>| {
            let app = w.app.clone();
            async move { app.apply_document(&system_principal(), kind, bytes).await }
        };

        // The whole catalogue again: nothing changes, nothing recorded.
        let before = ledger_seq(&store).await;
        let same = apply(CatalogueDocument::Whole, to_json(&three_level_metadata()).into_bytes()).await.unwrap();
        assert_eq!((same.created, same.changed), (0, 0));
        assert!(same.unchanged > 0);
        assert_eq!(ledger_seq(&store).await, before);
        // One indicator, one regime, one request, each where its code is addressed.
        let mut ld02 = three_level_metadata().indicators.into_iter().find(|i| i.code == "LD02").unwrap();
        ld02.name_en = "Working-age people".into();
        let summary = apply(CatalogueDocument::Indicator("LD02".into()), serde_json::to_vec(&ld02).unwrap()).await.unwrap();
        assert_eq!((summary.created, summary.changed), (0, 1));
        let mut adhoc = w.app.regime("DX-BAO").await.unwrap();
        adhoc.versions[0].name_en = "Ad-hoc damage report".into();
        let summary = apply(CatalogueDocument::Regime("DX-BAO".into()), serde_json::to_vec(&adhoc).unwrap()).await.unwrap();
        assert_eq!((summary.created, summary.changed), (0, 1));
        let summary = apply(CatalogueDocument::Request("YC-02".into()), serde_json::to_vec(&request("YC-02")).unwrap()).await.unwrap();
        assert_eq!((summary.created, summary.changed), (1, 0));
        let meta = w.app.metadata().await.unwrap();
        assert_eq!(meta.indicator("LD02").unwrap().name_en, "Working-age people");
        assert_eq!(meta.regime("DX-BAO").unwrap().versions[0].name_en, "Ad-hoc damage report");
        assert_eq!(meta.requests.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), vec!["YC-02"]);
        assert_eq!(ledger_since(&store, before).await.iter().map(|(a, _)| a.as_str()).collect::<Vec<_>>(), vec!["metadata.apply"; 3]);

        // A document under another code than the address's: refused, nothing applied.
        let before = ledger_seq(&store).await;
        let mut renamed = ld02.clone();
        renamed.name_en = "Renamed".into();
        let mut other_regime = adhoc.clone();
        other_regime.versions[0].name_en = "Renamed".into();
        for (kind, bytes, value) in [
            (CatalogueDocument::Indicator("LD01".into()), serde_json::to_vec(&renamed).unwrap(), "LD02"),
            (CatalogueDocument::Regime("BC-LD".into()), serde_json::to_vec(&other_regime).unwrap(), "DX-BAO"),
            (CatalogueDocument::Request("YC-03".into()), serde_json::to_vec(&request("YC-02")).unwrap(), "YC-02"),
        ] {
            let mismatched = apply(kind.clone(), bytes).await;
            match &mismatched {
                Err(AppError::Invalid(fields)) => assert!(fields[0].message.args.contains(&("value", value.to_string())), "{fields:?}"),
                other => panic!("{kind:?}: {other:?}"),
            }
            assert_eq!(refusal(mismatched), ("code".to_string(), "catalogue.code_mismatch"), "{kind:?}");
        }
        assert!(apply(CatalogueDocument::Indicator("LD02".into()), b"{ not json".to_vec()).await.is_err());
        // Someone who changes no catalogue is refused before the document is read.
        let officer = w.principal("commune.officer").await;
        let stranger = w.app.apply_document(&officer, CatalogueDocument::Whole, b"{ not json".to_vec()).await;
        assert!(matches!(stranger, Err(AppError::Forbidden)), "{stranger:?}");
        assert_eq!(ledger_seq(&store).await, before);
        let meta = w.app.metadata().await.unwrap();
        assert_eq!((meta.indicator("LD02").unwrap().name_en.as_str(), meta.requests.len()), ("Working-age people", 1));

        // The indicator list and an indicator's history.
        let list = w.app.indicators_screen("viec lam", None).await.unwrap();
        assert_eq!(list.found.iter().map(|i| i.code.as_str()).collect::<Vec<_>>(), vec!["LD01", "LD03"]);
        assert_eq!(list.meta, meta, "with the catalogue it is drawn with");
        assert_eq!(w.app.indicators_screen("", Some("labour")).await.unwrap().found.len(), 3);
        assert!(w.app.indicators_screen("", Some("health")).await.unwrap().found.is_empty());
        assert_eq!(refusal(w.app.indicators_screen(&"x".repeat(101), None).await), ("q".to_string(), "report.error.too_long"));
        let history = w.app.indicator_screen("LD02").await.unwrap();
        let names: Vec<(i64, &str)> = history.history.iter().map(|v| (v.version, v.indicator.name_en.as_str())).collect();
        assert_eq!(names, vec![(1, "Working-age population"), (2, "Working-age people")]);
        assert!(matches!(w.app.indicator_screen("XX99").await, Err(AppError::NotFound)));

        // A regime's page names its receiving unit.
        let page = w.app.regime_screen("BC-LD", None).await.unwrap();
        let receiver = page.receiver.unwrap();
        assert_eq!((receiver.code.as_str(), receiver.name.as_str()), ("40", "Tỉnh Nghệ An"));
        assert!(receiver.validity.contains(baocao_app::today()), "the unit in force today");
        assert_eq!(w.app.regime_screen("BC-LD", Some(1)).await.unwrap().receiver, Some(receiver));
        assert!(matches!(w.app.regime_screen("BC-LD", Some(2)).await, Err(AppError::NotFound)));
        assert!(matches!(w.app.regime_screen("BC-LD", Some(0)).await, Err(AppError::NotFound)));
        assert!(matches!(w.app.regime_screen("XX-00", None).await, Err(AppError::NotFound)));

        // The request form: issued, or the catalogue again with the problems; nothing stored.
        let summary = done(w.app.save_request_from_form(&admin, Ok(request("YC-04"))).await);
        assert_eq!(summary.created, 1);
        let before = ledger_seq(&store).await;
        let typed = vec![Problem { path: "deadline".into(), message: Message::new("catalogue.required") }];
        let (path, key, shown) = refused(w.app.save_request_from_form(&admin, Err(typed)).await);
        assert_eq!((path.as_str(), key), ("deadline", "catalogue.required"));
        assert_eq!(shown.requests.len(), 2);
        let mut unknown = request("YC-05");
        unknown.regime = "XX-00".into();
        let (path, key, _) = refused(w.app.save_request_from_form(&admin, Ok(unknown)).await);
        assert_eq!((path.as_str(), key), ("requests[0].regime", "catalogue.unknown_regime"));
        let refused = w.app.save_request_from_form(&officer, Ok(request("YC-06"))).await;
        assert!(matches!(refused, Err(AppError::Forbidden)), "{refused:?}");
        assert_eq!(ledger_seq(&store).await, before);
        assert_eq!(w.app.metadata().await.unwrap().requests.len(), 2);
    }
);

both_backends!(
    async fn the_regime_editor_saves_versions_merged_with_the_catalogue_as_stored(store) {
        let w = world(store.clone()).await;
        let admin = system_principal();
        let monthly = |from: &str, name_en: &str| -> RegimeVersion {
            let mut v = three_level_metadata().regimes[0].versions[0].clone();
            v.from = from.into();
            v.name_vi = "Báo cáo việc làm cấp xã".into();
            v.name_en = name_en.into();
            v
        };
        let post = |code: &'static str, version: RegimeVersion, is_new: bool| {
            let app = w.app.clone();
            async move { app.post_regime_editor(&system_principal(), code, EditorPost::Save(Ok(Box::new(version))), is_new).await }
        };
        let froms = || {
            let app = w.app.clone();
            async move { app.regime("BC-VL").await.unwrap().versions.into_iter().map(|v| (v.from, v.name_en)).collect::<Vec<_>>() }
        };

        // The editor: the levels, the catalogue, the regime edited.
        let blank = w.app.editor_screen(None).await.unwrap();
        let at = |code: &str| blank.levels.iter().position(|l| l == code).unwrap();
        assert!(at("province") < at("district") && at("district") < at("commune"), "{:?}", blank.levels);
        assert!(blank.regime.is_none());
        assert_eq!(w.app.editor_screen(Some("BC-LD")).await.unwrap().regime.unwrap().code, "BC-LD");
        assert!(matches!(w.app.editor_screen(Some("XX-00")).await, Err(AppError::NotFound)));

        // A row button, or fields that could not be read: the editor again, nothing saved.
        let before = ledger_seq(&store).await;
        assert_eq!(shown(w.app.post_regime_editor(&admin, "BC-VL", EditorPost::Rearranged, true).await), Some(vec![]));
        let typed = vec![Problem { path: "from".into(), message: Message::new("catalogue.required") }];
        assert_eq!(shown(w.app.post_regime_editor(&admin, "BC-VL", EditorPost::Save(Err(typed)), true).await), Some(vec!["catalogue.required"]));
        // A version the catalogue's checks refuse: shown with why.
        assert_eq!(shown(post("BC-VL", monthly("2025Q1", "Quarterly?"), true).await), Some(vec!["catalogue.from_frequency"]));
        // Someone who defines no regimes: refused.
        let officer = w.principal("commune.officer").await;
        let refused = w.app.post_regime_editor(&officer, "BC-VL", EditorPost::Save(Ok(Box::new(monthly("2025M01", "x")))), true).await;
        assert!(matches!(refused, Err(AppError::Forbidden)), "{refused:?}");
        assert_eq!(ledger_seq(&store).await, before);
        assert!(matches!(w.app.regime("BC-VL").await, Err(AppError::NotFound)));

        // A new regime, once: its code is then taken, as the existing ones are.
        assert_eq!(shown(post("BC-VL", monthly("2025M01", "From January"), true).await), None);
        assert_eq!(froms().await, vec![("2025M01".to_string(), "From January".to_string())]);
        let before = ledger_seq(&store).await;
        for code in ["BC-VL", "BC-LD"] {
            let outcome = w.app.post_regime_editor(&admin, code, EditorPost::Save(Ok(Box::new(monthly("2025M01", "Again")))), true).await.unwrap();
            match outcome {
                EditorOutcome::Shown { problems, .. } => {
                    assert_eq!(problems.len(), 1, "{problems:?}");
                    assert_eq!((problems[0].path.as_str(), problems[0].message.key), ("code", "regime.exists"));
                    assert!(problems[0].message.args.contains(&("value", code.to_string())));
                }
                EditorOutcome::Saved => panic!("{code} saved again as new"),
            }
        }
        assert_eq!(ledger_seq(&store).await, before);
        assert_eq!(froms().await.len(), 1);
        assert_eq!(w.app.regime("BC-LD").await.unwrap(), three_level_metadata().regimes[0], "the existing regime untouched");

        // Two editors opened on the same screen, each adding a version: each
        // save is merged with the regime as stored then, so both survive.
        let screen = w.app.editor_screen(Some("BC-VL")).await.unwrap();
        let shown_version = screen.regime.unwrap().versions.last().unwrap().clone();
        let july = RegimeVersion { from: "2025M07".into(), name_en: "From July".into(), ..shown_version.clone() };
        let next_year = RegimeVersion { from: "2026M01".into(), name_en: "From 2026".into(), ..shown_version };
        assert_eq!(shown(post("BC-VL", july.clone(), false).await), None);
        assert_eq!(shown(post("BC-VL", next_year, false).await), None);
        assert_eq!(froms().await, vec![
            ("2025M01".to_string(), "From January".to_string()),
            ("2025M07".to_string(), "From July".to_string()),
            ("2026M01".to_string(), "From 2026".to_string()),
        ]);
        // A version starting the same period replaces it, in its place.
        let corrected = RegimeVersion { name_en: "From July, corrected".into(), ..july };
        assert_eq!(shown(post("BC-VL", corrected, false).await), None);
        assert_eq!(froms().await[1], ("2025M07".to_string(), "From July, corrected".to_string()));
        assert_eq!(froms().await.len(), 3);
    }
);
