//! Finding one's way in the unit tree below HTTP: the top units, a unit's
//! ancestors and subtree, each limited to what the caller may see (a unit it
//! may not see reads as absent), the levels, and the one unit an
//! administrator adds under a parent it manages — refusals store nothing.

use baocao_app::auth::system_principal;
use baocao_app::AppError;
use baocao_domain::unit::{Level, UnitCode, UnitId, UnitKind, UnitRecord, Validity};
use baocao_testkit::{both_backends, nghe_an};
use chrono::NaiveDate;

use crate::support::{ledger_seq, refusal_key};

fn ids(units: &[baocao_domain::unit::OrgUnit]) -> Vec<UnitId> {
    units.iter().map(|u| u.id).collect()
}

/// An agency of `level` with `code`.
fn agency(level: &str, code: &str, name: &str) -> UnitRecord {
    UnitRecord {
        line: 0,
        kind: UnitKind::Agency,
        level: Level::parse(level).unwrap(),
        code: UnitCode::parse(UnitKind::Agency, code).unwrap(),
        name: name.into(),
        division_type: "phòng".into(),
        parent_code: None,
        lat: None,
        lon: None,
    }
}

both_backends!(
    async fn the_tree_is_browsed_within_what_the_caller_may_see_and_grows_under_managed_units(store) {
        let w = nghe_an(store.clone()).await;
        let admin = system_principal();
        let day = NaiveDate::from_ymd_opt(2025, 6, 1);
        let levels = w.app.level_codes().await.unwrap();
        let at = |code: &str| levels.iter().position(|l| l == code).unwrap_or_else(|| panic!("{code}: {levels:?}"));
        assert!(at("province") < at("district") && at("district") < at("commune"), "top first: {levels:?}");

        // The top units: the whole tree's for a system-wide grant, else those above one's grants.
        assert_eq!(ids(&w.app.unit_roots(&admin, day).await.unwrap()), vec![w.province]);
        for who in ["commune.officer", "other.officer", "district.admin", "leader"] {
            assert_eq!(ids(&w.app.unit_roots(&w.principal(who).await, day).await.unwrap()), vec![w.province], "{who}");
        }

        // Ancestors, root first, of what one may see.
        let officer = w.principal("commune.officer").await;
        assert_eq!(ids(&w.app.unit_ancestors(&officer, w.commune).await.unwrap()), vec![w.province, w.district]);
        assert_eq!(ids(&w.app.unit_ancestors(&officer, w.district).await.unwrap()), vec![w.province]);
        assert!(w.app.unit_ancestors(&officer, w.province).await.unwrap().is_empty());
        for hidden in [w.sibling_commune, w.far_commune, w.other_district, UnitId::new(999_999)] {
            assert!(matches!(w.app.unit_ancestors(&officer, hidden).await, Err(AppError::NotFound)), "{hidden}");
            assert!(matches!(w.app.unit_subtree(&officer, hidden, day, None).await, Err(AppError::NotFound)), "{hidden}");
        }

        // Subtrees: the unit first, then what lies below that the caller may see.
        let wards = ids(&w.app.unit_children(&admin, w.district, day).await.unwrap());
        assert!(wards.len() > 2 && wards.contains(&w.commune) && wards.contains(&w.sibling_commune));
        let reviewer = w.principal("district.reviewer").await;
        let subtree = ids(&w.app.unit_subtree(&reviewer, w.district, day, None).await.unwrap());
        assert_eq!(subtree[0], w.district);
        assert_eq!(subtree[1..].iter().copied().collect::<std::collections::BTreeSet<_>>(), wards.iter().copied().collect());
        assert_eq!(ids(&w.app.unit_subtree(&officer, w.district, day, None).await.unwrap()), vec![w.district, w.commune], "only its own ward");
        assert_eq!(ids(&w.app.unit_subtree(&officer, w.province, day, None).await.unwrap()), vec![w.province, w.district, w.commune]);
        let districts = w.app.unit_children(&admin, w.province, day).await.unwrap();
        let shallow = w.app.unit_subtree(&admin, w.province, day, Some(1)).await.unwrap();
        assert_eq!(shallow.len(), districts.len() + 1, "one level down");
        assert!(shallow[1..].iter().all(|u| u.parent == Some(w.province)));
        // After the reform the wards of Vinh are gone from the district.
        let after = NaiveDate::from_ymd_opt(2025, 7, 1);
        assert!(w.app.unit_children(&admin, w.district, after).await.unwrap().is_empty());

        // An agency under a unit the administrator manages, with a code nobody uses.
        let before = ledger_seq(&store).await;
        let dadmin = w.principal("district.admin").await;
        let culture = agency("district", "000.01.01.H40", "Phòng Văn hóa và Thông tin");
        let refused = w.app.add_unit(&dadmin, agency("province", "000.01.02.H40", "Sở Văn hóa"), Some(w.province), Validity::default()).await;
        assert!(matches!(refused, Err(AppError::Forbidden)), "the province is not theirs: {refused:?}");
        let refused = w.app.add_unit(&dadmin, culture.clone(), None, Validity::default()).await;
        assert!(matches!(refused, Err(AppError::Forbidden)), "no top unit: {refused:?}");
        let refused = w.app.add_unit(&officer, culture.clone(), Some(w.commune), Validity::default()).await;
        assert!(matches!(refused, Err(AppError::Forbidden)), "{refused:?}");
        let outsider = w.principal("other.officer").await;
        let refused = w.app.add_unit(&outsider, culture.clone(), Some(w.district), Validity::default()).await;
        assert_eq!(refusal_key(refused), "unit.import.unknown_parent", "a parent it may not see reads as absent");
        let nameless = UnitRecord { name: "  ".into(), ..culture.clone() };
        assert_eq!(refusal_key(w.app.add_unit(&dadmin, nameless, Some(w.district), Validity::default()).await), "unit.import.empty_name");
        let unknown_level = UnitRecord { level: Level::parse("hamlet").unwrap(), ..culture.clone() };
        assert_eq!(refusal_key(w.app.add_unit(&dadmin, unknown_level, Some(w.district), Validity::default()).await), "unit.import.unknown_level");
        assert_eq!(ledger_seq(&store).await, before, "refusals store nothing");
        let id = w.app.add_unit(&dadmin, culture.clone(), Some(w.district), Validity::default()).await.unwrap();
        assert_eq!(ledger_seq(&store).await, before + 1);
        let detail = w.app.unit_detail(&dadmin, id, None).await.unwrap();
        assert_eq!((detail.unit.kind, detail.unit.code.as_str(), detail.unit.parent), (UnitKind::Agency, "000.01.01.H40", Some(w.district)));
        assert_eq!(ids(&detail.ancestors), vec![w.province, w.district]);
        assert!(ids(&w.app.unit_children(&dadmin, w.district, day).await.unwrap()).contains(&id));
        let found = w.app.search_units(&dadmin, Some("van hoa"), None, None, None, 10).await.unwrap();
        assert_eq!(ids(&found), vec![id], "found by its name, without accents");
        let taken = w.app.add_unit(&dadmin, culture, Some(w.district), Validity::default()).await;
        assert_eq!(refusal_key(taken), "unit.error.code_taken");
        assert_eq!(ledger_seq(&store).await, before + 1);
        assert!(w.app.verify_ledger().await.unwrap().is_intact());
    }
);
