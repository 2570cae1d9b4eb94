//! The operations centre's use cases below HTTP: dashboards limited to what
//! the caller may read, tiles chosen by administrators, the pivot bounded
//! and its choices kept to the units the caller may read, and unit
//! boundaries loaded from GeoJSON whole or not at all.

use baocao_app::analytics::{DashboardQuery, Dim, FigureQuery, PivotQuery, Reading, Relation};
use baocao_app::auth::system_principal;
use baocao_app::AppError;
use baocao_domain::report::Content;
use baocao_domain::unit::UnitId;
use baocao_testkit::{both_backends, World};

use crate::support::world;

/// The commune's report for March 2025 accepted.
async fn accept(w: &World, jobs: &str) {
    let officer = w.principal("commune.officer").await;
    let id = w
        .app
        .open_report(&officer, "BC-LD", w.commune, "2025M03")
        .await
        .unwrap()
        .id;
    let mut content = Content::default();
    for (k, v) in [
        ("LD01", jobs),
        ("LD01/sex:male", "0"),
        ("LD01/sex:female", jobs),
        ("LD02", "400"),
    ] {
        content.values.insert(k.into(), v.into());
    }
    w.app
        .save_report(&officer, id, &content, None)
        .await
        .unwrap();
    w.app
        .submit_report(&w.principal("commune.head").await, id)
        .await
        .unwrap();
    w.app
        .review_report(&w.principal("district.reviewer").await, id, true, "")
        .await
        .unwrap();
    w.app.follow_once().await.unwrap();
}

fn square(code: &str, lon: f64, lat: f64) -> String {
    format!(
        r#"{{"type":"Feature","properties":{{"ma":"{code}"}},"geometry":{{"type":"Polygon","coordinates":[[[{lon},{lat}],[{},{lat}],[{},{}],[{lon},{}],[{lon},{lat}]]]}}}}"#,
        lon + 0.1,
        lon + 0.1,
        lat + 0.1,
        lat + 0.1
    )
}

both_backends!(
    async fn dashboards_keep_to_the_grants_and_follow_the_chosen_tiles(store) {
        let w = world(store.clone()).await;
        accept(&w, "12").await;
        let leader = w.principal("leader").await;
        let board = w.app.dashboard(&leader, DashboardQuery::default()).await.unwrap();
        assert_eq!(board.unit.id, w.province, "the leader's own unit");
        let jobs = board.tiles.iter().find(|t| t.cell.key == "LD01").unwrap();
        let (period, figure) = jobs.latest.as_ref().unwrap();
        assert_eq!((period.to_string(), figure.value.map(|v| v.to_string())), ("2025M03".into(), Some("12".into())));
        assert_eq!(figure.reading, Reading::Computed, "no consolidated report of the province");
        let ranking = board.ranking.as_ref().unwrap();
        assert!(ranking.rows.iter().any(|(u, f)| u.id == w.district && f.value.is_some()));
        assert!(!board.may_edit_tiles, "a leader reads, administrators choose");

        let head = w.principal("commune.head").await;
        let refused = w.app.dashboard(&head, DashboardQuery { unit: Some(w.province), focus: None }).await;
        assert!(matches!(refused, Err(AppError::NotFound)), "{refused:?}");
        let officer = w.principal("commune.officer").await;
        assert!(matches!(w.app.dashboard(&officer, DashboardQuery::default()).await, Err(AppError::Forbidden)));

        let admin = w.principal("regime.admin").await;
        assert!(matches!(w.app.set_dashboard_tiles(&leader, w.province, vec!["LD02".into()]).await, Err(AppError::NotFound)));
        let unknown = w.app.set_dashboard_tiles(&admin, w.province, vec!["XX01".into()]).await;
        assert!(matches!(unknown, Err(AppError::Invalid(_))), "{unknown:?}");
        w.app.set_dashboard_tiles(&admin, w.province, vec!["LD02".into(), "LD01".into()]).await.unwrap();
        let board = w.app.dashboard(&leader, DashboardQuery::default()).await.unwrap();
        let keys: Vec<&str> = board.tiles.iter().map(|t| t.cell.key.as_str()).collect();
        assert_eq!(keys, ["LD02", "LD01"]);
        assert!(board.custom_tiles);
        w.app.set_dashboard_tiles(&admin, w.province, Vec::new()).await.unwrap();
        let settings = w.app.dashboard_tiles(&admin, w.province).await.unwrap();
        assert!(!settings.custom, "an empty choice goes back to the default");

        // The pivot refuses what would be too large before computing it.
        let too_large = w.app.pivot(&leader, PivotQuery {
            figures: FigureQuery {
                cells: vec!["LD01".into(), "LD02".into()],
                unit: w.province,
                relation: Relation::Subtree,
                periods: baocao_app::analytics::periods_between("2024M01", "2025M12").unwrap(),
                reading: Reading::Preferred,
            },
            rows: Dim::Unit,
            columns: Dim::Period,
            max_figures: 1_000,
        }).await;
        assert!(matches!(too_large, Err(AppError::Invalid(_))), "{too_large:?}");
    }
);

both_backends!(
    async fn boundaries_are_loaded_whole_for_the_units_of_a_level(store) {
        let w = world(store.clone()).await;
        let admin = system_principal();
        let file = |features: &[String]| {
            format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(",")).into_bytes()
        };
        let good = file(&[square("16681", 105.6, 18.6), square("16690", 105.7, 18.6)]);
        let leader = w.principal("leader").await;
        let refused = w.app.load_boundaries(&leader, "commune", "ma", good.clone()).await;
        assert!(matches!(refused, Err(AppError::Forbidden)), "{refused:?}");
        let unknown = w.app.load_boundaries(&admin, "commune", "ma", file(&[square("99999", 105.0, 18.0)])).await;
        match unknown {
            Err(AppError::Invalid(fields)) => {
                let text = baocao_app::i18n::render(baocao_app::i18n::Lang::Vi, &fields[0].message);
                assert!(text.contains("99999") && text.contains("không khớp"), "{text}");
            }
            other => panic!("{other:?}"),
        }
        let bad_level = w.app.load_boundaries(&admin, "hamlet", "ma", good.clone()).await;
        assert!(matches!(bad_level, Err(AppError::Invalid(_))));
        let no_code = w.app.load_boundaries(&admin, "commune", "code", good.clone()).await;
        assert!(matches!(no_code, Err(AppError::Invalid(_))));
        let loaded = w.app.load_boundaries(&admin, "commune", "ma", good).await.unwrap();
        assert_eq!(loaded.features, 2);
        assert!(loaded.units >= 2);
        let day = chrono::NaiveDate::from_ymd_opt(2025, 8, 1);
        let mut ids: Vec<UnitId> = Vec::new();
        for code in ["16681", "16690"] {
            let found = w.app.search_units(&admin, None, Some(code), Some("commune"), day, 5).await.unwrap();
            ids.extend(found.iter().map(|u| u.id));
        }
        let mut conn = store.conn().await.unwrap();
        let stored = baocao_store::dashboards::boundaries(&mut conn, &ids).await.unwrap();
        assert_eq!(stored.len(), ids.len(), "each unit with its boundary");
        let rings: Vec<Vec<Vec<[f64; 2]>>> = serde_json::from_str(&stored[0].1).unwrap();
        assert_eq!(rings[0][0].len(), 5, "a square stays a square");
        let entries = baocao_store::ledger::entries(&mut conn, 0, 10_000).await.unwrap();
        let entries = entries
            .iter()
            .filter(|e| e.entry.action == "units.boundaries" && e.entry.subject == "level:commune")
            .count();
        assert_eq!(entries, 1, "only the load that stored something is in the ledger");
    }
);

both_backends!(
    async fn the_explorer_offers_the_units_the_caller_may_read_around_the_chosen_one(store) {
        let w = world(store.clone()).await;
        accept(&w, "12").await;
        let ids = |c: &baocao_app::analytics::PivotChoices| c.units.iter().map(|u| u.id).collect::<Vec<UnitId>>();
        // A leader starts from the province: it, then the units below it; every numeric indicator.
        let leader = w.principal("leader").await;
        let choices = w.app.pivot_choices(&leader, None).await.unwrap();
        assert_eq!(choices.unit, Some(w.province));
        let keys: Vec<&str> = choices.indicators.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(keys, ["LD01", "LD02", "LD03"]);
        let units = ids(&choices);
        assert_eq!(units[0], w.province);
        assert!(units.contains(&w.district) && units.contains(&w.other_district), "{units:?}");
        assert!(!units.contains(&w.commune), "not the units two levels down");
        assert!(choices.cell.is_some());
        assert_eq!(choices.latest.map(|p| p.to_string()).as_deref(), Some("2025M03"), "the latest period with a figure");
        // Around a chosen commune: its ancestors, then it.
        let choices = w.app.pivot_choices(&leader, Some(w.commune)).await.unwrap();
        assert_eq!((choices.unit, ids(&choices)), (Some(w.commune), vec![w.province, w.district, w.commune]));
        // A commune's head is offered its own commune only, whatever it asks for.
        let head = w.principal("commune.head").await;
        let choices = w.app.pivot_choices(&head, None).await.unwrap();
        assert_eq!((choices.unit, ids(&choices)), (Some(w.commune), vec![w.commune]));
        for asked in [w.province, w.far_commune] {
            assert_eq!(ids(&w.app.pivot_choices(&head, Some(asked)).await.unwrap()), vec![w.commune], "{asked}");
        }
        // Someone without dashboards has no explorer.
        let officer = w.principal("commune.officer").await;
        assert!(matches!(w.app.pivot_choices(&officer, None).await, Err(AppError::Forbidden)));
    }
);
