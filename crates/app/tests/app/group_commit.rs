//! Group commit: a refused step leaves the rest of its batch committed; a step
//! that panics, or whose writes fail in the database, is contained — the
//! others are answered and committed, and the writer lives on.

use std::sync::Arc;

use baocao_app::reports::workflow::{plan, Signing, Step};
use baocao_app::AppError;
use baocao_domain::report::{Content, ReportId, Status};
use baocao_testkit::{both_backends, nghe_an, three_level_metadata, World};

/// Holds the workflow writer: a transaction of our own changes report
/// `blocker`'s row and stays open, so that the writer, busy with a step on it,
/// waits (SQLite: for the write lock; PostgreSQL: for the row) while the
/// steps queued meanwhile gather into one next batch. Commit to release.
async fn hold_writer(store: &baocao_store::Store, blocker: ReportId) -> baocao_store::Tx {
    let mut tx = store.begin_write().await.unwrap();
    baocao_store::execute(
        &mut tx,
        &format!(
            "UPDATE reports SET updated_at = updated_at WHERE id = {}",
            blocker.get()
        ),
    )
    .await
    .unwrap();
    tx
}

/// The writer's figures once it has counted `steps` more steps (they are
/// counted just after the answers go out).
async fn stats_after(w: &World, before: (u64, u64), steps: u64) -> (u64, u64) {
    for _ in 0..100 {
        let now = w.app.group_commit_stats().unwrap();
        if now.1 - before.1 >= steps {
            return (now.0 - before.0, now.1 - before.1);
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let now = w.app.group_commit_stats().unwrap();
    (now.0 - before.0, now.1 - before.1)
}

/// A draft per commune of Vinh (one per ward, filled), with the principals
/// that submit them.
async fn drafts(w: &World, count: usize) -> Vec<(ReportId, baocao_domain::access::Principal)> {
    let admin = baocao_app::auth::system_principal();
    w.app
        .apply_metadata(&admin, &three_level_metadata())
        .await
        .unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2025, 6, 1);
    let communes = w.app.unit_children(&admin, w.district, day).await.unwrap();
    let mut out = Vec::new();
    for (i, commune) in communes.iter().take(count).enumerate() {
        let input = |name: String, role| baocao_app::users::UserInput {
            username: name,
            display_name: "x".into(),
            password: baocao_testkit::PASSWORD.into(),
            unit: Some(commune.id),
            locale: "vi".into(),
            role: Some(role),
        };
        let officer = w
            .app
            .create_user(
                &admin,
                &input(
                    format!("gc.officer.{i}"),
                    baocao_domain::access::Role::DataEntry,
                ),
            )
            .await
            .unwrap();
        let head = w
            .app
            .create_user(
                &admin,
                &input(
                    format!("gc.head.{i}"),
                    baocao_domain::access::Role::UnitHead,
                ),
            )
            .await
            .unwrap();
        let officer = w.app.principal_of_user(officer).await.unwrap();
        let head = w.app.principal_of_user(head).await.unwrap();
        let view = w
            .app
            .open_report(&officer, "BC-LD", commune.id, "2025M03")
            .await
            .unwrap();
        let mut content = Content::default();
        // The first one stays empty: its submission is refused.
        if i > 0 {
            for (k, v) in [
                ("LD01", "12"),
                ("LD01/sex:male", "5"),
                ("LD01/sex:female", "7"),
                ("LD02", "1000"),
            ] {
                content.values.insert(k.into(), v.into());
            }
            w.app
                .save_report(&officer, view.id, &content, None)
                .await
                .unwrap();
        }
        out.push((view.id, head));
    }
    out
}

both_backends!(
    async fn a_refused_or_panicking_step_leaves_its_batch_committed(store) {
        let w = nghe_an(store.clone()).await;
        let reports = drafts(&w, 9).await;
        let committer = w.app.group_commit().expect("group commit runs").clone();
        // The last report blocks the writer while the others gather.
        let (blocker, blocker_head) = reports[8].clone();
        let reports = reports[..8].to_vec();
        let held = hold_writer(&store, blocker).await;
        let first = {
            let app = w.app.clone();
            tokio::spawn(async move { app.submit_report(&blocker_head, blocker).await })
        };
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let before = w.app.group_commit_stats().unwrap();
        let mut tasks = Vec::new();
        for (id, head) in reports.clone() {
            let app = w.app.clone();
            tasks.push(tokio::spawn(async move { app.submit_report(&head, id).await }));
        }
        // A step that panics while being planned, in among them.
        let (victim, _) = reports[1];
        let panicking = {
            let committer = committer.clone();
            tokio::spawn(async move {
                committer
                    .run(victim, Arc::new(|_, _, _| panic!("a bug in a step")))
                    .await
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        baocao_store::commit(held).await.unwrap();
        assert!(first.await.unwrap().is_ok());
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        assert!(matches!(panicking.await.unwrap(), Err(AppError::Internal(_))));
        // The blocker's batch, then one batch for the nine steps gathered.
        assert_eq!(stats_after(&w, before, 10).await, (2, 10));
        assert!(matches!(results[0], Err(AppError::Conflict(_))), "the empty report: {:?}", results[0]);
        for r in &results[1..] {
            assert!(matches!(r, Ok((1, _))), "{r:?}");
        }
        for (id, _) in &reports[1..] {
            let view = w.app.report(&baocao_app::auth::system_principal(), *id).await.unwrap();
            assert_eq!((view.status, view.version), (Status::Submitted, 1));
        }
        // The writer lives on.
        let (id, head) = &reports[0];
        assert!(matches!(w.app.submit_report(head, *id).await, Err(AppError::Conflict(_))));
        assert!(w.app.verify_ledger().await.unwrap().is_intact());
    }
);

both_backends!(
    async fn a_step_whose_writes_fail_is_retried_alone_and_the_others_commit(store) {
        let w = nghe_an(store.clone()).await;
        let reports = drafts(&w, 7).await;
        let (blocker, blocker_head) = reports[6].clone();
        let reports = reports[..6].to_vec();
        let committer = w.app.group_commit().expect("group commit runs").clone();
        // One report is submitted normally first: version 1 exists.
        let (broken, broken_head) = reports[1].clone();
        w.app.submit_report(&broken_head, broken).await.unwrap();
        let reviewer = w.principal("district.reviewer").await;
        w.app.review_report(&reviewer, broken, false, "Trả lại").await.unwrap();
        let held = hold_writer(&store, blocker).await;
        let first = {
            let app = w.app.clone();
            tokio::spawn(async move { app.submit_report(&blocker_head, blocker).await })
        };
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let before = w.app.group_commit_stats().unwrap();
        // A step planned as a submission but writing version 1 again: the
        // database refuses the duplicate, failing the whole transaction.
        let bad = {
            let committer = committer.clone();
            let head = broken_head.clone();
            tokio::spawn(async move {
                committer
                    .run(
                        broken,
                        Arc::new(move |r, meta, at| {
                            let mut planned = plan(meta, &head, r, &Step::Submit { signing: Signing::Unsigned }, at)?;
                            if let Some(v) = planned.change.new_version.as_mut() {
                                v.number = 1;
                            }
                            Ok(planned)
                        }),
                    )
                    .await
            })
        };
        let mut tasks = Vec::new();
        for (id, head) in reports.iter().skip(2).cloned() {
            let app = w.app.clone();
            tasks.push(tokio::spawn(async move { app.submit_report(&head, id).await }));
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        baocao_store::commit(held).await.unwrap();
        assert!(first.await.unwrap().is_ok());
        assert!(bad.await.unwrap().is_err());
        for task in tasks {
            let r = task.await.unwrap();
            assert!(matches!(r, Ok((1, _))), "{r:?}");
        }
        // The batch of five failed as a whole; its steps were retried one by
        // one: four commits (the bad one commits nothing), plus the blocker's.
        assert_eq!(stats_after(&w, before, 6).await, (5, 6));
        // The failed step left nothing behind: its report is as it was.
        let view = w.app.report(&baocao_app::auth::system_principal(), broken).await.unwrap();
        assert_eq!((view.status, view.version, view.versions.len()), (Status::Returned, 1, 1));
        assert!(w.app.verify_ledger().await.unwrap().is_intact());
    }
);
