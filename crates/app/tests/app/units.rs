//! Units: importing the official structures and browsing them.

use baocao_app::auth::system_principal;
use baocao_app::units::{
    only_province, read_merge_file, read_units_file, reform_2025, StructureFile,
};
use baocao_app::{App, AppError, Settings};
use baocao_domain::unit::Validity;
use baocao_formats::vn_admin;
use baocao_store::{units as store_units, Store};
use baocao_testkit::both_backends;
use chrono::NaiveDate;

use baocao_testkit::world::data_dir;

fn legacy() -> Validity {
    Validity {
        from: None,
        to: NaiveDate::from_ymd_opt(2025, 6, 30),
    }
}

fn current() -> Validity {
    Validity {
        from: Some(reform_2025()),
        to: None,
    }
}

async fn counts(store: &Store) -> (i64, i64) {
    store_units::counts(&mut store.conn().await.unwrap())
        .await
        .unwrap()
}

both_backends!(
    async fn the_whole_country_imports_once_and_again_changes_nothing(store) {
        let app = App::new(store.clone(), Settings::default());
        let dir = data_dir();
        let files = vec![
            StructureFile { records: read_units_file(&dir.join("units-2008-2025.csv")).unwrap(), validity: legacy() },
            StructureFile { records: read_units_file(&dir.join("units-2025.csv")).unwrap(), validity: current() },
        ];
        let merge = read_merge_file(&dir.join("merge-2025.csv")).unwrap();
        assert_eq!(files[0].records.len(), 10_794);
        assert_eq!(files[1].records.len(), 3_355);
        assert_eq!(merge.len(), 10_665);
        let s = app.import_units(&system_principal(), &files, Some((&merge, reform_2025()))).await.unwrap();
        // Provinces that kept code and name through the reform stay one unit each.
        let continuing = s.updated;
        assert!(continuing > 0 && continuing < 34, "{s:?}");
        assert_eq!(s.inserted + continuing, 10_794 + 3_355);
        assert_eq!(s.events_inserted + s.events_unchanged, 10_665);
        let (units, events) = counts(&store).await;
        assert_eq!(units as usize, s.inserted);
        assert_eq!(events as usize, s.events_inserted);

        let again = app.import_units(&system_principal(), &files, Some((&merge, reform_2025()))).await.unwrap();
        assert_eq!((again.inserted, again.updated, again.events_inserted, again.events_updated), (0, 0, 0, 0));
        assert_eq!(again.unchanged, 10_794 + 3_355);
        assert_eq!(counts(&store).await, (units, events));

        // Nghệ An: one unit with its 20 districts before the reform and its communes after.
        let p = system_principal();
        let found = app.search_units(&p, Some("nghe an"), None, Some("province"), None, 10).await.unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        let nghe_an = found[0].id;
        let old = app.unit_children(&p, nghe_an, NaiveDate::from_ymd_opt(2025, 6, 30)).await.unwrap();
        assert_eq!(old.len(), 20);
        let new = app.unit_children(&p, nghe_an, NaiveDate::from_ymd_opt(2025, 7, 1)).await.unwrap();
        assert_eq!(new.len(), 130);
        // Code 52 is Bình Định before and Gia Lai after: two units.
        let on = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        let before = app.search_units(&p, None, Some("52"), Some("province"), on(2025, 6, 30), 5).await.unwrap();
        let after = app.search_units(&p, None, Some("52"), Some("province"), on(2025, 7, 1), 5).await.unwrap();
        assert_eq!(before[0].name, "Tỉnh Bình Định");
        assert_eq!(after[0].name, "Tỉnh Gia Lai");
        assert_ne!(before[0].id, after[0].id);
        let detail = app.unit_detail(&p, before[0].id, None).await.unwrap();
        assert_eq!(detail.reorgs.len(), 1);
        assert_eq!(detail.reorgs[0].1.id, after[0].id);
    }
);

fn nghe_an_files() -> Vec<StructureFile> {
    let dir = data_dir();
    vec![
        StructureFile {
            records: only_province(
                read_units_file(&dir.join("units-2008-2025.csv")).unwrap(),
                "40",
            ),
            validity: legacy(),
        },
        StructureFile {
            records: only_province(read_units_file(&dir.join("units-2025.csv")).unwrap(), "40"),
            validity: current(),
        },
    ]
}

both_backends!(
    async fn a_bad_file_is_refused_whole_with_line_numbers(store) {
        let app = App::new(store.clone(), Settings::default());
        app.import_units(&system_principal(), &nghe_an_files(), None).await.unwrap();
        let before = counts(&store).await;

        // Unknown parent and duplicate code in an otherwise good file.
        let text = "level,code,name,division_type,parent_code,lat,lon\n\
            province,99,Tỉnh Thử,tỉnh,,18.0,105.0\n\
            district,991,Huyện Một,huyện,99,18.0,105.0\n\
            district,991,Huyện Hai,huyện,99,18.0,105.0\n\
            commune,99101,Xã Ba,xã,998,18.0,105.0\n";
        let records = vn_admin::read_units(text.as_bytes()).unwrap();
        let err = app
            .import_units(&system_principal(), &[StructureFile { records, validity: Validity::default() }], None)
            .await
            .unwrap_err();
        let AppError::ImportRejected(lines) = err else { panic!("{err:?}") };
        let got: Vec<(u64, &str)> = lines.iter().map(|l| (l.line, l.message.key)).collect();
        assert_eq!(got, vec![(4, "unit.import.duplicate_code"), (5, "unit.import.unknown_parent")]);
        assert_eq!(counts(&store).await, before);

        // A merge row naming a unit that does not exist rejects the whole mapping.
        let merge_text = "old_level,old_code,old_name,new_level,new_code,new_name,kind,is_default\n\
            commune,16681,A,commune,16681,B,whole,true\n\
            commune,77777,X,commune,16681,B,whole,true\n";
        let merge = vn_admin::read_merge(merge_text.as_bytes()).unwrap();
        let err = app.import_units(&system_principal(), &[], Some((&merge, reform_2025()))).await.unwrap_err();
        let AppError::ImportRejected(lines) = err else { panic!("{err:?}") };
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].line, 3);
        assert_eq!(counts(&store).await, before);
    }
);

both_backends!(
    async fn only_a_system_wide_administrator_imports(store) {
        let app = App::new(store.clone(), Settings::default());
        let mut scoped = system_principal();
        scoped.grants[0].scope = Some(baocao_domain::access::Scope {
            unit: baocao_domain::unit::UnitId::new(1),
            ancestors: vec![],
        });
        let err = app.import_units(&scoped, &nghe_an_files(), None).await.unwrap_err();
        assert!(matches!(err, AppError::Forbidden), "{err:?}");
        assert_eq!(counts(&store).await, (0, 0));
    }
);

both_backends!(
    async fn a_catalogue_change_made_through_another_instance_is_seen_at_once(store) {
        // Two application instances over one database, as two server nodes.
        let first = App::new(store.clone(), Settings::default());
        let second = App::new(store.clone(), Settings::default());
        let doc = |name_en: &str| -> baocao_domain::catalogue::Metadata {
            serde_json::from_value(serde_json::json!({
                "format": "baocao-metadata/1",
                "disaggregations": [{"code": "sex", "name_vi": "Giới tính", "name_en": name_en,
                    "options": [{"code": "male", "name_vi": "Nam", "name_en": "Male"},
                                {"code": "female", "name_vi": "Nữ", "name_en": "Female"}]}]
            }))
            .unwrap()
        };
        assert!(first.metadata().await.unwrap().disaggregations.is_empty());
        second.apply_metadata(&system_principal(), &doc("Sex")).await.unwrap();
        assert_eq!(first.metadata().await.unwrap().disaggregations[0].name_en, "Sex");
        let cached = first.metadata().await.unwrap();
        assert!(std::sync::Arc::ptr_eq(&cached, &first.metadata().await.unwrap()), "read once, then shared");
        second.apply_metadata(&system_principal(), &doc("Gender")).await.unwrap();
        assert_eq!(first.metadata().await.unwrap().disaggregations[0].name_en, "Gender");
    }
);
