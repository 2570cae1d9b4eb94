//! Store tests: every test runs on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use baocao_domain::access::Role;
use baocao_domain::text::fold;
use baocao_domain::unit::{Level, ReorgKind, UnitCode, UnitId, UnitKind, Validity};
use baocao_store::units::{self, NewUnit, ReorgEvent, UnitQuery};
use baocao_store::{auth, meta, users, Store};
use baocao_testkit::both_backends;
use chrono::NaiveDate;

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn unit(
    level: &str,
    code: &str,
    name: &str,
    parent: Option<UnitId>,
    validity: Validity,
) -> NewUnit {
    NewUnit {
        kind: UnitKind::Area,
        level: Level::parse(level).unwrap(),
        code: UnitCode::parse(UnitKind::Area, code).unwrap(),
        name: name.to_string(),
        name_folded: fold(name),
        division_type: String::new(),
        parent,
        validity,
        lat: Some(18.5),
        lon: None,
    }
}

/// Province 40; legacy district 412 with commune 16681 (to 2025-06-30);
/// 2025 commune 16681 reusing the code (from 2025-07-01) directly under the province.
async fn sample(store: &Store) -> [UnitId; 4] {
    let mut tx = store.begin_write().await.unwrap();
    let legacy = Validity::new(None, Some(date("2025-06-30"))).unwrap();
    let current = Validity::new(Some(date("2025-07-01")), None).unwrap();
    let province = units::insert_units(
        &mut tx,
        &[unit(
            "province",
            "40",
            "Tỉnh Nghệ An",
            None,
            Validity::default(),
        )],
        1,
    )
    .await
    .unwrap()[0];
    let district = units::insert_units(
        &mut tx,
        &[unit(
            "district",
            "412",
            "Thành phố Vinh",
            Some(province),
            legacy,
        )],
        1,
    )
    .await
    .unwrap()[0];
    let ids = units::insert_units(
        &mut tx,
        &[
            unit(
                "commune",
                "16681",
                "Phường Đông Vĩnh",
                Some(district),
                legacy,
            ),
            unit(
                "commune",
                "16681",
                "Phường Vinh Phú",
                Some(province),
                current,
            ),
        ],
        1,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    [province, district, ids[0], ids[1]]
}

both_backends!(
    async fn migrations_are_idempotent(store) {
        store.migrate().await.unwrap();
        let mut conn = store.conn().await.unwrap();
        let levels = units::levels(&mut conn).await.unwrap();
        let codes: Vec<&str> = levels.iter().map(|l| l.code.as_str()).collect();
        assert_eq!(codes, ["central", "province", "district", "commune"]);
    }
);

both_backends!(
    async fn tree_queries_follow_parents_and_dates(store) {
        let [province, district, old_commune, new_commune] = sample(&store).await;
        let mut conn = store.conn().await.unwrap();

        let roots = units::roots(&mut conn, None).await.unwrap();
        assert_eq!(roots.iter().map(|u| u.id).collect::<Vec<_>>(), vec![province]);

        let children = units::children(&mut conn, province, None).await.unwrap();
        assert_eq!(children.len(), 2);
        let on_2024 = units::children(&mut conn, province, Some(date("2024-01-01"))).await.unwrap();
        assert_eq!(on_2024.iter().map(|u| u.id).collect::<Vec<_>>(), vec![district]);
        let on_2026 = units::children(&mut conn, province, Some(date("2026-01-01"))).await.unwrap();
        assert_eq!(on_2026.iter().map(|u| u.id).collect::<Vec<_>>(), vec![new_commune]);

        assert_eq!(
            units::ancestor_ids(&mut conn, old_commune).await.unwrap(),
            vec![district, province]
        );
        assert!(units::ancestor_ids(&mut conn, province).await.unwrap().is_empty());

        let all = units::subtree(&mut conn, province, None, None).await.unwrap();
        assert_eq!(all.len(), 4);
        assert_eq!(all[0].id, province);
        let shallow = units::subtree(&mut conn, province, None, Some(1)).await.unwrap();
        assert_eq!(shallow.len(), 3);
        let legacy = units::subtree(&mut conn, province, Some(date("2025-06-30")), None)
            .await
            .unwrap();
        assert_eq!(
            legacy.iter().map(|u| u.id).collect::<Vec<_>>(),
            vec![province, district, old_commune]
        );

        let got = units::get(&mut conn, old_commune).await.unwrap().unwrap();
        assert_eq!(got.name, "Phường Đông Vĩnh");
        assert_eq!(got.parent, Some(district));
        assert_eq!(got.validity.to, Some(date("2025-06-30")));
        assert_eq!(got.lat, Some(18.5));
        assert_eq!(got.lon, None);
    }
);

both_backends!(
    async fn search_is_accent_insensitive_and_scoped(store) {
        let [province, district, old_commune, new_commune] = sample(&store).await;
        let mut conn = store.conn().await.unwrap();
        let mut q = UnitQuery {
            text: Some(fold("nghe an")),
            limit: 10,
            ..Default::default()
        };
        let found = units::search(&mut conn, &q).await.unwrap();
        assert_eq!(found.iter().map(|u| u.id).collect::<Vec<_>>(), vec![province]);

        q.text = Some(fold("VINH"));
        let found = units::search(&mut conn, &q).await.unwrap();
        assert_eq!(found.len(), 3, "{found:?}");

        // Scoped to the district: its subtree and its ancestors, not the 2025 commune.
        q.within = Some(vec![district]);
        let found: Vec<UnitId> = units::search(&mut conn, &q).await.unwrap().iter().map(|u| u.id).collect();
        assert!(found.contains(&district) && found.contains(&old_commune));
        assert!(!found.contains(&new_commune));

        q.text = None;
        q.code = Some("16681".into());
        q.within = None;
        q.as_of = Some(date("2025-07-01"));
        let found = units::search(&mut conn, &q).await.unwrap();
        assert_eq!(found.iter().map(|u| u.id).collect::<Vec<_>>(), vec![new_commune]);

        q.within = Some(vec![]);
        assert!(units::search(&mut conn, &q).await.unwrap().is_empty());
    }
);

both_backends!(
    async fn the_natural_key_is_unique(store) {
        sample(&store).await;
        let mut tx = store.begin_write().await.unwrap();
        let err = units::insert_units(
            &mut tx,
            &[unit("province", "40", "Again", None, Validity::default())],
            1,
        )
        .await
        .unwrap_err();
        assert!(err.is_unique_violation(), "{err:?}");
    }
);

both_backends!(
    async fn reorganisation_events_are_stored_both_ways(store) {
        let [_, _, old_commune, new_commune] = sample(&store).await;
        let mut tx = store.begin_write().await.unwrap();
        let event = ReorgEvent {
            date: date("2025-07-01"),
            old: old_commune,
            new: new_commune,
            kind: ReorgKind::Split,
            is_default: true,
        };
        units::insert_reorgs(&mut tx, std::slice::from_ref(&event)).await.unwrap();
        tx.commit().await.unwrap();
        let mut conn = store.conn().await.unwrap();
        assert_eq!(units::reorgs_of(&mut conn, old_commune).await.unwrap(), vec![event.clone()]);
        assert_eq!(units::reorgs_of(&mut conn, new_commune).await.unwrap(), vec![event]);
        assert_eq!(units::reorg_keys(&mut conn).await.unwrap().len(), 1);
        assert_eq!(units::counts(&mut conn).await.unwrap(), (4, 1));
    }
);

both_backends!(
    async fn users_grants_sessions_and_tokens(store) {
        let [province, district, ..] = sample(&store).await;
        let mut tx = store.begin_write().await.unwrap();
        let new = users::NewUser {
            username: "vinh.reviewer",
            display_name: "Reviewer",
            password_hash: "$argon2id$x",
            unit: Some(district),
            locale: "vi",
        };
        let id = users::insert(&mut tx, &new, 10).await.unwrap();
        tx.commit().await.unwrap();
        // PostgreSQL aborts a transaction at its first error: one attempt per transaction.
        let mut tx = store.begin_write().await.unwrap();
        assert!(users::insert(&mut tx, &new, 10).await.unwrap_err().is_unique_violation());
        drop(tx);

        let mut tx = store.begin_write().await.unwrap();
        users::grant(&mut tx, id, Role::Reviewer, Some(district), 10).await.unwrap();
        users::grant(&mut tx, id, Role::SystemAdmin, None, 10).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.begin_write().await.unwrap();
        let dup = users::grant(&mut tx, id, Role::SystemAdmin, None, 10).await.unwrap_err();
        assert!(dup.is_unique_violation(), "{dup:?}");
        drop(tx);
        let mut conn = store.conn().await.unwrap();
        let grants = users::grants_of(&mut conn, id).await.unwrap();
        assert_eq!(grants.len(), 2);
        assert!(grants.iter().any(|g| g.role == Role::Reviewer && g.unit == Some(district)));
        assert!(!grants.iter().any(|g| g.unit == Some(province)));
        assert_eq!(users::by_username(&mut conn, "vinh.reviewer").await.unwrap().unwrap().id, id);

        let session = auth::Session {
            token_hash: "h1".into(),
            user_id: id,
            csrf_token: "c1".into(),
            last_seen_at: 100,
            expires_at: 200,
        };
        auth::insert_session(&mut conn, &session, 100).await.unwrap();
        assert_eq!(auth::session(&mut conn, "h1").await.unwrap(), Some(session));
        assert_eq!(auth::purge_sessions(&mut conn, 150, 50).await.unwrap(), 0);
        assert_eq!(auth::purge_sessions(&mut conn, 200, 50).await.unwrap(), 1);
        assert_eq!(auth::session(&mut conn, "h1").await.unwrap(), None);

        let token = auth::insert_token(&mut conn, id, "script", "t1", 100).await.unwrap();
                assert_eq!(auth::token_owner(&mut conn, "t1", 101).await.unwrap(), Some((id, true)), "never used");
        auth::record_token_uses(&mut conn, &[("t1".into(), 101)]).await.unwrap();
        assert_eq!(auth::token_owner(&mut conn, "t1", 150).await.unwrap(), Some((id, false)), "used 49 s ago");
        assert_eq!(auth::token_owner(&mut conn, "t1", 161).await.unwrap(), Some((id, true)), "a minute ago");
        assert!(auth::revoke_token(&mut conn, id, token, 102).await.unwrap());
        assert!(!auth::revoke_token(&mut conn, id, token, 102).await.unwrap());
                assert_eq!(auth::token_owner(&mut conn, "t1", 103).await.unwrap(), None);
        assert_eq!(auth::tokens_of(&mut conn, id).await.unwrap()[0].revoked_at, Some(102));

        // Attempts count in a fixed window from the first; one taken back
        // lowers the count; a new window starts over; clearing forgets.
        for (at, want) in [(10, 1), (15, 2), (20, 3)] {
            assert_eq!(auth::count_attempt(&mut conn, "user:vinh", at, 15).await.unwrap(), (want, 10));
        }
        auth::uncount_attempt(&mut conn, "user:vinh").await.unwrap();
        assert_eq!(auth::count_attempt(&mut conn, "user:vinh", 24, 15).await.unwrap(), (3, 10));
        assert_eq!(auth::count_attempt(&mut conn, "user:vinh", 25, 15).await.unwrap(), (1, 25), "the window of 10 ended at 25");
        assert_eq!(auth::count_attempt(&mut conn, "address:10.0.0.1", 26, 15).await.unwrap(), (1, 26));
        auth::clear_attempts(&mut conn, "user:vinh", 0).await.unwrap();
        assert_eq!(auth::count_attempt(&mut conn, "user:vinh", 27, 15).await.unwrap(), (1, 27));
        assert_eq!(auth::count_attempt(&mut conn, "address:10.0.0.1", 28, 15).await.unwrap(), (2, 26));

        meta::set(&mut conn, "demo", "1").await.unwrap();
        meta::set(&mut conn, "demo", "2").await.unwrap();
        assert_eq!(meta::get(&mut conn, "demo").await.unwrap().as_deref(), Some("2"));
    }
);

both_backends!(
    async fn a_ledger_page_read_as_one_json_value_keeps_every_byte(store) {
        use baocao_store::ledger::{append_many, entries, entries_between, NewEntry};
        let tricky = [
            r#"{"note":"trích \"dẫn\", gạch \\ ngược"}"#.to_string(),
            "dòng 1\ndòng 2\ttab \u{1} \u{7f} 😀 Nghệ An".to_string(),
            String::new(),
            "x".repeat(70_000),
        ];
        let mut tx = store.begin_write().await.unwrap();
        let new: Vec<NewEntry> = tricky
            .iter()
            .enumerate()
            .map(|(i, payload)| NewEntry {
                actor_id: (i % 2 == 0).then(|| baocao_domain::access::UserId::new(7)),
                actor: "người «dùng»".into(),
                action: "report.save".into(),
                subject: format!("report:{i}"),
                payload: payload.clone(),
                at: 1_765_000_000 + i as i64,
            })
            .collect();
        append_many(&mut tx, new).await.unwrap();
        baocao_store::commit(tx).await.unwrap();
        let mut conn = store.conn().await.unwrap();
        let by_rows = entries(&mut conn, 0, 100).await.unwrap();
        let as_page = entries_between(&mut conn, 0, 100).await.unwrap();
        assert_eq!(by_rows.len(), 4);
        assert_eq!(as_page, by_rows);
        assert_eq!(entries_between(&mut conn, 2, 3).await.unwrap(), by_rows[2..3]);
        assert!(entries_between(&mut conn, 4, 100).await.unwrap().is_empty());
    }
);
