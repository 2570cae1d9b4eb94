//! The ledger proves the data: edits made in the database behind the
//! application's back — with the `sqlite3` and `psql` command lines — are
//! found by `verify_ledger` and named exactly; the untouched database verifies.

use baocao_app::audit::Verdict;
use baocao_app::auth::system_principal;
use baocao_app::i18n::{render, Lang};
use baocao_domain::report::Content;
use baocao_store::Backend;
use baocao_testkit::{nghe_an, three_level_metadata, TestDb};

fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// What the verification says of a difference, in Vietnamese.
async fn finding(app: &baocao_app::App) -> String {
    match app.verify_ledger().await.unwrap() {
        Verdict::Differs(m) => render(Lang::Vi, &m),
        Verdict::Broken(b) => format!("broken: {} at {}", b.reason, b.seq),
        Verdict::Intact { .. } => "intact".into(),
    }
}

async fn edits_behind_the_back_are_named(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = nghe_an(db.store.clone()).await;
    w.app
        .apply_metadata(&system_principal(), &three_level_metadata())
        .await
        .unwrap();
    let officer = w.principal("commune.officer").await;
    let head = w.principal("commune.head").await;
    let reviewer = w.principal("district.reviewer").await;
    let report = w
        .app
        .open_report(&officer, "BC-LD", w.commune, "2025M03")
        .await
        .unwrap();
    let mut content = Content::default();
    for (k, v) in [
        ("LD01", "1234"),
        ("LD01/sex:female", "600"),
        ("LD01/sex:male", "634"),
        ("LD02", "50000"),
    ] {
        content.values.insert(k.into(), v.into());
    }
    w.app
        .save_report(&officer, report.id, &content, None)
        .await
        .unwrap();
    let attachment = w
        .app
        .add_attachment(
            &officer,
            report.id,
            "bien-ban.pdf",
            b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec(),
        )
        .await
        .unwrap()
        .id;
    w.app.submit_report(&head, report.id).await.unwrap();
    w.app
        .review_report(&reviewer, report.id, true, "")
        .await
        .unwrap();
    let id = report.id.get();
    assert_eq!(finding(&w.app).await, "intact");
    match w.app.verify_ledger().await.unwrap() {
        Verdict::Intact {
            versions, reports, ..
        } => assert_eq!((versions, reports), (1, 1)),
        other => panic!("{other:?}"),
    }

    // A figure of the submitted version, changed in the table.
    db.behind_the_back(&format!(
        "UPDATE report_versions SET content = replace(content, '\"LD02\":\"50000\"', '\"LD02\":\"50001\"') WHERE report_id = {id}"
    ));
    let said = finding(&w.app).await;
    assert!(
        said.starts_with(&format!("báo cáo {id} phiên bản 1: ô LD02 là «50001» trong bảng dữ liệu, «50000» trong bản ghi ")),
        "{said}"
    );
    db.behind_the_back(&format!(
        "UPDATE report_versions SET content = replace(content, '\"LD02\":\"50001\"', '\"LD02\":\"50000\"') WHERE report_id = {id}"
    ));
    assert_eq!(finding(&w.app).await, "intact", "put back as it was");

    // A status changed.
    db.behind_the_back(&format!(
        "UPDATE reports SET status = 'submitted' WHERE id = {id}"
    ));
    let said = finding(&w.app).await;
    assert!(
        said.contains(&format!(
            "báo cáo {id}: trạng thái «Đã gửi» trong bảng dữ liệu, «Đã tiếp nhận» theo bản ghi "
        )),
        "{said}"
    );
    db.behind_the_back(&format!(
        "UPDATE reports SET status = 'accepted' WHERE id = {id}"
    ));

    // The working copy changed.
    db.behind_the_back(&format!(
        "UPDATE reports SET draft = replace(draft, '\"LD02\":\"50000\"', '\"LD02\":\"50009\"') WHERE id = {id}"
    ));
    let said = finding(&w.app).await;
    assert!(
        said.starts_with(&format!(
            "báo cáo {id}, bản nháp: ô LD02 là «50009» trong bảng dữ liệu, «50000» theo bản ghi "
        )),
        "{said}"
    );
    db.behind_the_back(&format!(
        "UPDATE reports SET draft = replace(draft, '\"LD02\":\"50009\"', '\"LD02\":\"50000\"') WHERE id = {id}"
    ));
    assert_eq!(finding(&w.app).await, "intact");

    // An attachment's bytes replaced, its hash column, its version.
    db.behind_the_back(&format!(
        "UPDATE attachments SET data = {} WHERE id = {attachment}",
        match backend {
            Backend::Sqlite => "CAST('%PDF-1.4 forged' AS BLOB)",
            Backend::Postgres => "convert_to('%PDF-1.4 forged', 'UTF8')",
        }
    ));
    let said = finding(&w.app).await;
    assert!(
        said.starts_with(&format!(
            "tệp đính kèm {attachment} «bien-ban.pdf» của báo cáo {id}: nội dung trong bảng dữ liệu có SHA-256 "
        )) && said.contains(" của sổ nhật ký ghi "),
        "{said}"
    );
    db.behind_the_back(&format!(
        "UPDATE attachments SET sha256 = 'ab' WHERE id = {attachment}"
    ));
    assert!(finding(&w.app).await.contains("có SHA-256 ab, bản ghi"));
    db.behind_the_back(&format!(
        "UPDATE attachments SET version = NULL WHERE id = {attachment}"
    ));
    // (Bytes and hash put back first: the difference named is the version.)
    db.behind_the_back(&format!(
        "UPDATE attachments SET data = {}, sha256 = '{}' WHERE id = {attachment}",
        match backend {
            Backend::Sqlite => "CAST('%PDF-1.4' || char(10) || '1 0 obj<<>>endobj' || char(10) || 'trailer<<>>' || char(10) || '%%EOF' || char(10) AS BLOB)",
            Backend::Postgres => "convert_to(E'%PDF-1.4\\n1 0 obj<<>>endobj\\ntrailer<<>>\\n%%EOF\\n', 'UTF8')",
        },
        hex_sha256(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    ));
    let said = finding(&w.app).await;
    assert!(
        said.contains(&format!(
            "trong bảng dữ liệu thuộc báo cáo {id}, phiên bản —; theo sổ thuộc báo cáo {id}, phiên bản 1"
        )),
        "{said}"
    );
    db.behind_the_back(&format!(
        "UPDATE attachments SET version = 1 WHERE id = {attachment}"
    ));
    assert_eq!(finding(&w.app).await, "intact");
    // One added without its entry.
    db.behind_the_back(&format!(
        "INSERT INTO attachments (id, report_id, version, name, content_type, size, sha256, data, uploaded_at) \
         SELECT 9100, report_id, version, name, content_type, size, sha256, data, uploaded_at FROM attachments WHERE id = {attachment}"
    ));
    assert_eq!(
        finding(&w.app).await,
        format!("tệp đính kèm 9100 của báo cáo {id} không có bản ghi nào trong sổ nhật ký.")
    );
    db.behind_the_back("DELETE FROM attachments WHERE id = 9100");

    // An indicator's document edited in the catalogue's table.
    db.behind_the_back(
        "UPDATE indicator_versions SET doc = replace(doc, '\"name_vi\":\"', '\"name_vi\":\"Giả ') WHERE code = 'LD02'",
    );
    let said = finding(&w.app).await;
    assert!(
        said.starts_with("chỉ tiêu LD02 trong bảng dữ liệu khác với bản ghi "),
        "{said}"
    );
    db.behind_the_back(
        "UPDATE indicator_versions SET doc = replace(doc, '\"name_vi\":\"Giả ', '\"name_vi\":\"') WHERE code = 'LD02'",
    );
    assert_eq!(finding(&w.app).await, "intact");
    // An indicator version added to its history behind the back.
    db.behind_the_back(
        "INSERT INTO indicator_versions (code, version, doc, recorded_at) \
         SELECT code, 2, doc, recorded_at FROM indicator_versions WHERE code = 'LD02' AND version = 1",
    );
    assert_eq!(
        finding(&w.app).await,
        "chỉ tiêu LD02 phiên bản 2 trong bảng dữ liệu không có bản ghi nào trong sổ nhật ký."
    );
    db.behind_the_back("DELETE FROM indicator_versions WHERE code = 'LD02' AND version = 2");
    assert_eq!(finding(&w.app).await, "intact");

    // A version added without its entry.
    db.behind_the_back(&format!(
        "INSERT INTO report_versions (report_id, version, content, submitted_at, on_time) \
         SELECT report_id, 2, content, submitted_at, on_time FROM report_versions WHERE report_id = {id} AND version = 1"
    ));
    assert_eq!(
        finding(&w.app).await,
        format!("báo cáo {id} phiên bản 2 không có bản ghi nào trong sổ nhật ký.")
    );
    db.behind_the_back(&format!(
        "DELETE FROM report_versions WHERE report_id = {id} AND version = 2"
    ));

    // The recorded version removed from the table.
    db.behind_the_back(&format!(
        "UPDATE report_versions SET version = 7 WHERE report_id = {id} AND version = 1"
    ));
    let said = finding(&w.app).await;
    assert!(
        said.contains(&format!("báo cáo {id} phiên bản 1 được ghi ở bản ghi "))
            && said.contains("không có trong bảng dữ liệu"),
        "{said}"
    );
    db.behind_the_back(&format!(
        "UPDATE report_versions SET version = 1 WHERE report_id = {id} AND version = 7"
    ));
    assert_eq!(finding(&w.app).await, "intact");

    // The stored user of an entry changed: the hash covers actor_id too.
    let submitted = {
        let mut conn = db.store.conn().await.unwrap();
        baocao_store::ledger::entries(&mut conn, 0, 1_000)
            .await
            .unwrap()
            .into_iter()
            .find(|e| e.entry.action == "report.submit")
            .unwrap()
    };
    assert!(submitted.entry.actor_id.is_some());
    let seq = submitted.entry.seq;
    db.behind_the_back(&format!(
        "UPDATE audit_ledger SET actor_id = actor_id + 1 WHERE seq = {seq}"
    ));
    assert_eq!(
        finding(&w.app).await,
        format!("broken: audit.altered_entry at {seq}")
    );
    db.behind_the_back(&format!(
        "UPDATE audit_ledger SET actor_id = actor_id - 1 WHERE seq = {seq}"
    ));
    // ... or its format set back to the first one, which left actor_id out.
    db.behind_the_back(&format!(
        "UPDATE audit_ledger SET format = 1 WHERE seq = {seq}"
    ));
    assert_eq!(
        finding(&w.app).await,
        format!("broken: audit.downgraded_entry at {seq}")
    );
    db.behind_the_back(&format!(
        "UPDATE audit_ledger SET format = 2 WHERE seq = {seq}"
    ));

    // Two ledger rows swapped.
    db.behind_the_back(
        "UPDATE audit_ledger SET seq = -1 WHERE seq = 2; \
         UPDATE audit_ledger SET seq = 2 WHERE seq = 3; \
         UPDATE audit_ledger SET seq = 3 WHERE seq = -1;",
    );
    assert_eq!(finding(&w.app).await, "broken: audit.broken_link at 2");
    db.behind_the_back(
        "UPDATE audit_ledger SET seq = -1 WHERE seq = 2; \
         UPDATE audit_ledger SET seq = 2 WHERE seq = 3; \
         UPDATE audit_ledger SET seq = 3 WHERE seq = -1;",
    );
    assert_eq!(finding(&w.app).await, "intact");

    // A row added after the head, the head left as it was.
    let last = {
        let mut conn = db.store.conn().await.unwrap();
        baocao_store::ledger::head(&mut conn).await.unwrap().0
    };
    db.behind_the_back(&format!(
        "INSERT INTO audit_ledger (seq, format, at, actor_id, actor, action, subject, payload, prev_hash, hash) \
         SELECT seq + 1, format, at, actor_id, actor, action, subject, payload, hash, hash FROM audit_ledger WHERE seq = {last}"
    ));
    assert_eq!(
        finding(&w.app).await,
        format!("broken: audit.beyond_head at {}", last + 1)
    );
    db.behind_the_back(&format!(
        "DELETE FROM audit_ledger WHERE seq = {}",
        last + 1
    ));

    // A ledger entry deleted: the chain says which.
    db.behind_the_back("DELETE FROM audit_ledger WHERE seq = 3");
    assert_eq!(finding(&w.app).await, "broken: audit.missing_entry at 3");
    db.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_behind_the_back_are_named_sqlite() {
    edits_behind_the_back_are_named(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_behind_the_back_are_named_postgres() {
    edits_behind_the_back_are_named(Backend::Postgres).await;
}

/// Rewrites the whole chain behind the application's back (the database's
/// own command line) with fresh hashes after changing entry 1's actor: a
/// chain consistent in itself.
async fn rewrite_the_chain(db: &TestDb) {
    use baocao_domain::ledger::{entry_hash, GENESIS};
    let entries = {
        let mut conn = db.store.conn().await.unwrap();
        baocao_store::ledger::entries(&mut conn, 0, 1_000_000)
            .await
            .unwrap()
    };
    let mut prev = GENESIS.to_string();
    let mut sql = String::new();
    for mut stored in entries {
        if stored.entry.seq == 1 {
            stored.entry.actor = "someone else".into();
        }
        let hash = entry_hash(&prev, &stored.entry).unwrap();
        sql += &format!(
            "UPDATE audit_ledger SET actor = '{}', prev_hash = '{prev}', hash = '{hash}' WHERE seq = {}; \
             UPDATE audit_head SET seq = {}, hash = '{hash}' WHERE id = 1; ",
            stored.entry.actor, stored.entry.seq, stored.entry.seq
        );
        prev = hash;
    }
    db.behind_the_back(&sql);
}

/// A world with the test catalogue and the commune's March report opened by
/// its officer.
async fn opened(
    backend: Backend,
) -> (
    TestDb,
    baocao_testkit::World,
    baocao_app::reports::ReportView,
) {
    let db = TestDb::new(backend).await;
    let w = nghe_an(db.store.clone()).await;
    w.app
        .apply_metadata(&system_principal(), &three_level_metadata())
        .await
        .unwrap();
    let officer = w.principal("commune.officer").await;
    let report = w
        .app
        .open_report(&officer, "BC-LD", w.commune, "2025M03")
        .await
        .unwrap();
    (db, w, report)
}

async fn a_signed_checkpoint_finds_a_rewritten_chain(backend: Backend) {
    let (db, w, report) = opened(backend).await;
    let officer = w.principal("commune.officer").await;
    let checkpoint = w.app.checkpoint().await.unwrap();
    let head = {
        let mut conn = db.store.conn().await.unwrap();
        baocao_store::ledger::head(&mut conn).await.unwrap()
    };
    assert_eq!((checkpoint.seq, &checkpoint.head), (head.0, &head.1));
    assert!(w.app.verify_checkpoint(&checkpoint).await.unwrap().is_ok());
    // Later entries leave it valid.
    w.app
        .save_report(&officer, report.id, &Content::default(), None)
        .await
        .unwrap();
    assert!(w.app.verify_checkpoint(&checkpoint).await.unwrap().is_ok());
    // A checkpoint changed after signing is refused.
    let mut forged = checkpoint.clone();
    forged.seq += 1;
    let refused = w.app.verify_checkpoint(&forged).await.unwrap().unwrap_err();
    assert_eq!(refused.key, "audit.checkpoint_signature");
    // The chain rewritten with fresh hashes: consistent in itself, so the
    // chain check alone passes — the checkpoint taken before does not.
    rewrite_the_chain(&db).await;
    assert!(
        w.app.verify_ledger().await.unwrap().is_intact(),
        "a rewritten chain is consistent in itself"
    );
    let found = w
        .app
        .verify_checkpoint(&checkpoint)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(found.key, "audit.checkpoint_rewritten");
    assert!(
        render(Lang::Vi, &found).contains(&format!(
            "SỔ NHẬT KÝ ĐÃ BỊ VIẾT LẠI: bản ghi {}",
            checkpoint.seq
        )),
        "{}",
        render(Lang::Vi, &found)
    );
    db.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_checkpoint_finds_a_rewritten_chain_sqlite() {
    a_signed_checkpoint_finds_a_rewritten_chain(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_checkpoint_finds_a_rewritten_chain_postgres() {
    a_signed_checkpoint_finds_a_rewritten_chain(Backend::Postgres).await;
}

/// Accounts changed behind the application's back: a grant added, a
/// password hash replaced (to log in as someone), an account unlocked, a
/// user added — each named; the same changes made through the application
/// verify.
async fn account_edits_behind_the_back_are_named(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = nghe_an(db.store.clone()).await;
    let admin = w.principal("admin").await;
    let officer = w.app.user_by_name("commune.officer").await.unwrap();
    let id = officer.id.get();
    // Changes through the application are ledgered and verify.
    w.app
        .set_password(&admin, officer.id, "a-new-long-password-1", false)
        .await
        .unwrap();
    w.app.set_disabled(&admin, officer.id, true).await.unwrap();
    w.app.set_disabled(&admin, officer.id, false).await.unwrap();
    let grant = w
        .app
        .grant_role(
            &admin,
            officer.id,
            baocao_domain::access::Role::Leader,
            Some(w.commune),
        )
        .await
        .unwrap();
    w.app.revoke_role(&admin, officer.id, grant).await.unwrap();
    w.app
        .set_email(&admin, officer.id, "can.bo@nghean.gov.vn")
        .await
        .unwrap();
    match w.app.verify_ledger().await.unwrap() {
        Verdict::Intact { accounts, .. } => assert!(accounts >= 5, "{accounts}"),
        other => panic!("{other:?}"),
    }

    // A grant given in the table.
    db.behind_the_back(&format!(
        "INSERT INTO role_grants (id, user_id, role, unit_id, created_at) VALUES (9017, {id}, 'system_admin', NULL, 0)"
    ));
    assert_eq!(
        finding(&w.app).await,
        format!("quyền 9017 của người dùng {id} không có bản ghi nào trong sổ nhật ký.")
    );
    db.behind_the_back("DELETE FROM role_grants WHERE id = 9017");
    assert_eq!(finding(&w.app).await, "intact");

    // A grant removed from the table.
    let grants = {
        let mut conn = db.store.conn().await.unwrap();
        baocao_store::users::grants_of(&mut conn, officer.id)
            .await
            .unwrap()
    };
    let kept = grants.first().unwrap();
    db.behind_the_back(&format!("DELETE FROM role_grants WHERE id = {}", kept.id));
    let said = finding(&w.app).await;
    assert!(
        said.starts_with(&format!(
            "quyền {} của người dùng {id} khác với sổ nhật ký",
            kept.id
        )),
        "{said}"
    );
    db.behind_the_back(&format!(
        "INSERT INTO role_grants (id, user_id, role, unit_id, created_at) VALUES ({}, {id}, '{}', {}, 0)",
        kept.id,
        kept.role.as_str(),
        kept.unit.map_or("NULL".to_string(), |u| u.get().to_string())
    ));
    assert_eq!(finding(&w.app).await, "intact");

    // Someone else's password hash copied over the officer's.
    let own_hash = w
        .app
        .user_by_name("commune.officer")
        .await
        .unwrap()
        .password_hash;
    db.behind_the_back(&format!(
        "UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE username = 'admin') WHERE id = {id}"
    ));
    let said = finding(&w.app).await;
    assert!(
        said.starts_with(&format!(
            "người dùng {id}: mật khẩu trong bảng dữ liệu không phải mật khẩu được đặt theo bản ghi "
        )),
        "{said}"
    );
    db.behind_the_back(&format!(
        "UPDATE users SET password_hash = '{own_hash}' WHERE id = {id}"
    ));

    // Locked, then the e-mail address changed.
    db.behind_the_back(&format!("UPDATE users SET disabled = 1 WHERE id = {id}"));
    let said = finding(&w.app).await;
    assert!(
        said.starts_with(&format!(
            "người dùng {id}: tài khoản đang bị khóa trong bảng dữ liệu, không bị khóa theo bản ghi "
        )),
        "{said}"
    );
    db.behind_the_back(&format!("UPDATE users SET disabled = 0 WHERE id = {id}"));
    db.behind_the_back(&format!(
        "UPDATE users SET email = 'ke.gian@example.com' WHERE id = {id}"
    ));
    let said = finding(&w.app).await;
    assert!(
        said.starts_with(&format!(
            "người dùng {id}: thư điện tử là «ke.gian@example.com» trong bảng dữ liệu, «can.bo@nghean.gov.vn» theo bản ghi "
        )),
        "{said}"
    );
    db.behind_the_back(&format!(
        "UPDATE users SET email = 'can.bo@nghean.gov.vn' WHERE id = {id}"
    ));
    assert_eq!(finding(&w.app).await, "intact");

    // A user added in the table.
    db.behind_the_back(
        "INSERT INTO users (id, username, display_name, password_hash, locale, disabled, created_at, updated_at) \
         VALUES (9001, 'ke.gian', 'Kẻ gian', 'x', 'vi', 0, 0, 0)",
    );
    assert_eq!(
        finding(&w.app).await,
        "người dùng 9001 (ke.gian) không có bản ghi nào trong sổ nhật ký."
    );
    db.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_edits_behind_the_back_are_named_sqlite() {
    account_edits_behind_the_back_are_named(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_edits_behind_the_back_are_named_postgres() {
    account_edits_behind_the_back_are_named(Backend::Postgres).await;
}

/// A database whose accounts were made before the ledger recorded them is
/// taken over once by a baseline entry; changes after it are proven.
async fn a_baseline_takes_over_older_accounts(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = nghe_an(db.store.clone()).await;
    // An account as an older version made it: in the table, no entry.
    db.behind_the_back(
        "INSERT INTO users (id, username, display_name, password_hash, locale, disabled, created_at, updated_at) \
         VALUES (9001, 'cu.nguoidung', 'Người dùng cũ', 'x', 'vi', 0, 0, 0)",
    );
    assert_eq!(
        finding(&w.app).await,
        "người dùng 9001 (cu.nguoidung) không có bản ghi nào trong sổ nhật ký."
    );
    assert!(w.app.record_baselines().await.unwrap());
    assert!(!w.app.record_baselines().await.unwrap(), "written once");
    assert_eq!(finding(&w.app).await, "intact");
    db.behind_the_back("UPDATE users SET display_name = 'x', disabled = 1 WHERE id = 9001");
    assert!(finding(&w.app)
        .await
        .starts_with("người dùng 9001: tài khoản đang bị khóa"));
    db.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_baseline_takes_over_older_accounts_sqlite() {
    a_baseline_takes_over_older_accounts(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_baseline_takes_over_older_accounts_postgres() {
    a_baseline_takes_over_older_accounts(Backend::Postgres).await;
}

/// Scheduled checkpoints sign only when the ledger moved; a configured key
/// (made with the `openssl` command line) signs them instead of the key the
/// instance makes for itself.
async fn checkpoints_on_a_schedule_and_with_a_configured_key(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = nghe_an(db.store.clone()).await;
    let first = w.app.checkpoint_if_moved().await.unwrap().unwrap();
    assert!(
        w.app.checkpoint_if_moved().await.unwrap().is_none(),
        "an idle ledger is not signed again"
    );
    w.app
        .apply_metadata(&system_principal(), &three_level_metadata())
        .await
        .unwrap();
    let second = w.app.checkpoint_if_moved().await.unwrap().unwrap();
    assert!(second.seq > first.seq);
    assert_eq!(
        second.public_key, first.public_key,
        "the instance's own key"
    );

    let dir = std::env::temp_dir().join(format!("baocao-key-{}-{backend:?}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pem = dir.join(format!("ledger-{backend:?}.pem"));
    let made = std::process::Command::new("openssl")
        .args(["genpkey", "-algorithm", "ed25519", "-out"])
        .arg(&pem)
        .status()
        .unwrap();
    assert!(made.success());
    let key = baocao_app::audit::SigningKey::read(&std::fs::read(&pem).unwrap()).unwrap();
    // The public key as openssl gives it: the last 32 bytes of its DER form.
    let public = std::process::Command::new("openssl")
        .args(["pkey", "-pubout", "-outform", "DER", "-in"])
        .arg(&pem)
        .output()
        .unwrap();
    assert!(public.status.success());
    let expected = hex::encode(&public.stdout[public.stdout.len() - 32..]);
    let configured = baocao_app::App::new(
        db.store.clone(),
        baocao_app::Settings {
            signing_key: Some(key),
            ..baocao_app::Settings::default()
        },
    );
    let signed = configured.checkpoint().await.unwrap();
    assert_eq!(signed.public_key, expected);
    assert!(configured.verify_checkpoint(&signed).await.unwrap().is_ok());
    // Anything else is refused with the reason.
    let refused = baocao_app::audit::SigningKey::read(
        b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    )
    .unwrap_err();
    assert_eq!(refused.key, "audit.bad_signing_key");
    let _ = std::fs::remove_dir_all(&dir);
    db.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkpoints_on_a_schedule_and_with_a_configured_key_sqlite() {
    checkpoints_on_a_schedule_and_with_a_configured_key(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkpoints_on_a_schedule_and_with_a_configured_key_postgres() {
    checkpoints_on_a_schedule_and_with_a_configured_key(Backend::Postgres).await;
}

/// The work calendar's exceptions are ledgered and proven: one added,
/// changed or put back behind the application's back is named.
async fn calendar_edits_behind_the_back_are_named(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = nghe_an(db.store.clone()).await;
    let admin = w.principal("admin").await;
    let day = |text: &str| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
    w.app
        .add_calendar_exception(&admin, day("2026-09-01"), false, "Nghỉ lễ Quốc khánh")
        .await
        .unwrap();
    w.app
        .add_calendar_exception(&admin, day("2026-09-05"), true, "Làm bù")
        .await
        .unwrap();
    w.app
        .remove_calendar_exception(&admin, day("2026-09-05"))
        .await
        .unwrap();
    assert_eq!(finding(&w.app).await, "intact");

    db.behind_the_back(
        "UPDATE calendar_exceptions SET reason = 'Nghỉ thêm' WHERE day = '2026-09-01'",
    );
    let said = finding(&w.app).await;
    assert!(
        said.starts_with(
            "ngày 2026-09-01 trong lịch làm việc: Nghỉ thêm «Nghỉ thêm» trong bảng dữ liệu, Nghỉ thêm «Nghỉ lễ Quốc khánh» theo bản ghi "
        ),
        "{said}"
    );
    db.behind_the_back(
        "UPDATE calendar_exceptions SET reason = 'Nghỉ lễ Quốc khánh' WHERE day = '2026-09-01'",
    );
    assert_eq!(finding(&w.app).await, "intact");
    // The removed one put back.
    db.behind_the_back(
        "INSERT INTO calendar_exceptions (day, kind, reason, created_at) VALUES ('2026-09-05', 'working_day', 'Làm bù', 0)",
    );
    let said = finding(&w.app).await;
    assert!(
        said.starts_with("ngày 2026-09-05 trong lịch làm việc: Làm bù «Làm bù» có trong bảng dữ liệu nhưng đã được gỡ theo bản ghi "),
        "{said}"
    );
    db.behind_the_back("DELETE FROM calendar_exceptions WHERE day = '2026-09-05'");
    db.behind_the_back(
        "INSERT INTO calendar_exceptions (day, kind, reason, created_at) VALUES ('2026-12-24', 'day_off', 'Nghỉ', 0)",
    );
    assert_eq!(
        finding(&w.app).await,
        "ngày 2026-12-24 trong lịch làm việc (ngày nghỉ hoặc làm bù) không có bản ghi nào trong sổ nhật ký."
    );
    db.behind_the_back("DELETE FROM calendar_exceptions WHERE day = '2026-12-24'");
    assert_eq!(finding(&w.app).await, "intact");

    // A unit renamed behind the back (the units were imported through the
    // application, which recorded each one).
    let commune = w.commune.get();
    db.behind_the_back(&format!(
        "UPDATE org_units SET name = 'Phường Giả' WHERE id = {commune}"
    ));
    let said = finding(&w.app).await;
    assert!(
        said.starts_with(&format!("đơn vị {commune} Phường Giả (")),
        "{said}"
    );
    assert!(
        said.contains("trong bảng dữ liệu khác với bản ghi "),
        "{said}"
    );
    db.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calendar_edits_behind_the_back_are_named_sqlite() {
    calendar_edits_behind_the_back_are_named(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calendar_edits_behind_the_back_are_named_postgres() {
    calendar_edits_behind_the_back_are_named(Backend::Postgres).await;
}

/// Checkpoints carry the Merkle root of the ledger; a consistency proof
/// between two of them is checked with the files alone, and a chain
/// rewritten between them cannot be proven consistent.
async fn consistency_proofs_join_checkpoints(backend: Backend) {
    use baocao_app::audit::check_consistency;
    let db = TestDb::new(backend).await;
    let w = nghe_an(db.store.clone()).await;
    let first = w.app.checkpoint().await.unwrap();
    w.app
        .apply_metadata(&system_principal(), &three_level_metadata())
        .await
        .unwrap();
    let officer = w.principal("commune.officer").await;
    w.app
        .open_report(&officer, "BC-LD", w.commune, "2025M03")
        .await
        .unwrap();
    // The second continues the tree from the first's frontier; verifying it
    // recomputes the tree from the entries themselves.
    let second = w.app.checkpoint().await.unwrap();
    assert!(second.seq > first.seq && second.root.is_some());
    assert!(w.app.verify_checkpoint(&second).await.unwrap().is_ok());
    let proof = w
        .app
        .consistency_proof(&first, &second)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((proof.from, proof.to), (first.seq, second.seq));
    assert_eq!(check_consistency(&first, &second, &proof), Ok(()));
    // Changed in transit, it fails.
    let mut forged = proof.clone();
    if let Some(h) = forged.proof.first_mut() {
        *h = "00".repeat(32);
    } else {
        forged.proof.push("00".repeat(32));
    }
    assert_eq!(
        check_consistency(&first, &second, &forged).unwrap_err().key,
        "audit.consistency_fails"
    );
    assert_eq!(
        check_consistency(&second, &first, &proof).unwrap_err().key,
        "audit.checkpoint_no_root"
    );

    // The chain rewritten with fresh hashes: the next checkpoint's tree
    // cannot be shown to extend the first.
    rewrite_the_chain(&db).await;
    let third = w.app.checkpoint().await.unwrap();
    let refused = w
        .app
        .consistency_proof(&first, &third)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(refused.key, "audit.checkpoint_rewritten");
    let found = w.app.verify_checkpoint(&second).await.unwrap().unwrap_err();
    assert_eq!(found.key, "audit.checkpoint_rewritten");
    db.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consistency_proofs_join_checkpoints_sqlite() {
    consistency_proofs_join_checkpoints(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consistency_proofs_join_checkpoints_postgres() {
    consistency_proofs_join_checkpoints(Backend::Postgres).await;
}

/// An entry whose hash holds but whose payload no longer reads as its action
/// writes it (as after a field was renamed in a later version, or an entry
/// was written by something other than the software) stops verification,
/// named: it is never skipped.
async fn an_entry_that_does_not_decode_is_named(backend: Backend) {
    use baocao_domain::audit::Action;
    let (db, w, report) = opened(backend).await;
    assert_eq!(finding(&w.app).await, "intact");
    // A save whose content calls its cells "cells": hashed and chained like
    // any entry, by the store itself.
    let seq = {
        let mut tx = db.store.begin_write().await.unwrap();
        let entry = baocao_store::ledger::NewEntry {
            actor_id: None,
            actor: "system".into(),
            action: Action::ReportSave.as_str().into(),
            subject: format!("report:{}", report.id),
            payload: r#"{"cells":{"LD01":"1"}}"#.into(),
            at: 1_760_000_000,
        };
        let seq = baocao_store::ledger::append(&mut tx, entry).await.unwrap();
        baocao_store::commit(tx).await.unwrap();
        seq
    };
    let said = finding(&w.app).await;
    assert!(
        said.contains(&format!("bản ghi {seq} (report.save)"))
            && said.contains("không đúng dạng")
            && said.contains("cells"),
        "{said}"
    );
    db.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_that_does_not_decode_is_named_sqlite() {
    an_entry_that_does_not_decode_is_named(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_that_does_not_decode_is_named_postgres() {
    an_entry_that_does_not_decode_is_named(Backend::Postgres).await;
}
