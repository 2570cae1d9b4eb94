//! Reading the catalogue below HTTP: indicators found by code or name
//! (accents and case ignored) and by field, every version an indicator had,
//! and one regime with its versions.

use baocao_app::auth::system_principal;
use baocao_app::AppError;
use baocao_testkit::{both_backends, three_level_metadata};

use crate::support::{refusal_key, world};

both_backends!(
    async fn indicators_are_found_by_name_and_keep_every_version(store) {
        let w = world(store).await;
        let codes = |found: Vec<baocao_domain::catalogue::Indicator>| -> Vec<String> {
            found.into_iter().map(|i| i.code).collect()
        };
        let search = |q: &'static str, field: Option<&'static str>| {
            let app = w.app.clone();
            async move { codes(app.search_indicators(q, field).await.unwrap()) }
        };
        assert_eq!(search("", None).await, vec!["LD01", "LD02", "LD03"], "everything, by code");
        assert_eq!(search("  viec LAM ", None).await, vec!["LD01", "LD03"], "Vietnamese names without accents");
        assert_eq!(search("ld02", None).await, vec!["LD02"]);
        assert_eq!(search("working-age", None).await, vec!["LD02"], "English names too");
        assert_eq!(search("", Some("labour")).await, vec!["LD01", "LD02", "LD03"]);
        assert!(search("việc làm", Some("health")).await.is_empty());
        assert!(search("khong co", None).await.is_empty());
        assert_eq!(refusal_key(w.app.search_indicators(&"x".repeat(101), None).await), "report.error.too_long");

        // One regime, with every version; the catalogue sorted by code.
        let regime = w.app.regime("BC-LD").await.unwrap();
        assert_eq!((regime.code.as_str(), regime.versions.len()), ("BC-LD", 1));
        let stages: Vec<u8> = regime.versions[0].reporting.iter().map(|g| g.stage).collect();
        assert_eq!(stages, vec![1, 2, 3]);
        assert!(matches!(w.app.regime("bc-ld").await, Err(AppError::NotFound)), "codes are exact");
        let meta = w.app.metadata().await.unwrap();
        let regimes: Vec<&str> = meta.regimes.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(regimes, vec!["BC-LD", "DX-BAO"]);

        // A changed indicator gets a new version; the old one is kept, oldest first.
        let history = w.app.indicator_history("LD01").await.unwrap();
        assert_eq!(history.iter().map(|v| v.version).collect::<Vec<_>>(), vec![1]);
        assert_eq!(history[0].indicator.name_en, "Jobs created");
        // Another meaning under the same code is refused: nothing changes.
        let mut other_meaning = three_level_metadata();
        other_meaning.indicators.iter_mut().find(|i| i.code == "LD01").unwrap().name_vi = "Số hộ nghèo".into();
        assert_eq!(refusal_key(w.app.apply_metadata(&system_principal(), &other_meaning).await), "catalogue.meaning_changed");
        assert_eq!(w.app.indicator_history("LD01").await.unwrap().len(), 1);
        let mut renamed = three_level_metadata();
        renamed.indicators.iter_mut().find(|i| i.code == "LD01").unwrap().name_en = "New jobs".into();
        w.app.apply_metadata(&system_principal(), &renamed).await.unwrap();
        let history = w.app.indicator_history("LD01").await.unwrap();
        let names: Vec<(i64, &str)> = history.iter().map(|v| (v.version, v.indicator.name_en.as_str())).collect();
        assert_eq!(names, vec![(1, "Jobs created"), (2, "New jobs")]);
        assert!(history[0].recorded_at <= history[1].recorded_at);
        assert_eq!(w.app.indicator_history("LD02").await.unwrap().len(), 1, "an unchanged one keeps its version");
        assert_eq!(search("new jobs", None).await, vec!["LD01"], "the search reads the current name");
        assert!(matches!(w.app.indicator_history("XX99").await, Err(AppError::NotFound)));
    }
);
