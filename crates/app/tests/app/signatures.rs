//! Digital signatures with a real PKI made by the `openssl` command line
//! (root → intermediate → signers, an expired signer, a foreign root, an
//! RSA-1024 signer, a key that may only encipher, a SHA-1 signature): each
//! verdict, a regime that requires signatures, what is recorded (table and
//! ledger) and that a refusal stores nothing. The official PDF signed with
//! PAdES by pyhanko is at the end (run by `.ci/run`, which installs pyhanko).

use baocao_app::audit::Verdict;
use baocao_app::auth::system_principal;
use baocao_app::{App, AppError};
use baocao_domain::access::Principal;
use baocao_domain::catalogue::Metadata;
use baocao_domain::report::{Content, ReportId};
use baocao_store::Backend;
use baocao_testkit::pki::TestPki;
use baocao_testkit::{nghe_an, three_level_metadata, TestDb, World};

/// The catalogue with BC-LD requiring signatures, or not.
fn signed_metadata(required: bool) -> Metadata {
    let mut meta = three_level_metadata();
    meta.regimes[0].versions[0].signature_required = required;
    meta
}

/// The message key of a refused signature.
fn refusal<T: std::fmt::Debug>(result: Result<T, AppError>) -> String {
    match result {
        Err(AppError::Invalid(fields)) => {
            assert_eq!(fields[0].field, "signature", "{fields:?}");
            fields[0].message.key.to_string()
        }
        Err(AppError::Conflict(m)) => m.key.to_string(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

struct Scene {
    db: TestDb,
    w: World,
    report: ReportId,
    officer: Principal,
    head: Principal,
}

async fn scene(backend: Backend, signature_required: bool) -> Scene {
    let db = TestDb::new(backend).await;
    let w = nghe_an(db.store.clone()).await;
    w.app
        .apply_metadata(&system_principal(), &signed_metadata(signature_required))
        .await
        .unwrap();
    let officer = w.principal("commune.officer").await;
    let head = w.principal("commune.head").await;
    let report = w
        .app
        .open_report(&officer, "BC-LD", w.commune, "2025M03")
        .await
        .unwrap()
        .id;
    let mut content = Content::default();
    for (k, v) in [
        ("LD01", "1234"),
        ("LD01/sex:female", "600"),
        ("LD01/sex:male", "634"),
        ("LD02", "50000"),
    ] {
        content.values.insert(k.into(), v.into());
    }
    content
        .sections
        .insert("I".into(), "Tạo việc làm cho 1.234 lao động.".into());
    w.app
        .save_report(&officer, report, &content, None)
        .await
        .unwrap();
    Scene {
        db,
        w,
        report,
        officer,
        head,
    }
}

async fn trust_the_test_root(app: &App, pki: &TestPki) {
    let added = app
        .add_trust_anchors(&system_principal(), pki.cert("root"))
        .await
        .unwrap();
    assert_eq!(added.len(), 1);
    assert!(
        added[0].subject.contains("Baocao Test Root CA"),
        "{added:?}"
    );
}

/// Nothing about the report moved: still a draft, no version, no signature,
/// no signature in the ledger.
async fn nothing_stored(s: &Scene) {
    let view = s.w.app.report(&s.head, s.report).await.unwrap();
    assert_eq!(view.status.as_str(), "draft");
    assert!(view.versions.is_empty());
    assert!(s
        .w
        .app
        .report_signatures(&s.head, s.report)
        .await
        .unwrap()
        .is_empty());
    let ledger = s.w.app.report_history(&s.head, s.report).await.unwrap();
    assert!(
        ledger
            .iter()
            .all(|l| l.action != baocao_domain::audit::Action::ReportSign),
        "{ledger:?}"
    );
}

async fn each_verdict_is_named_and_a_refusal_stores_nothing(backend: Backend) {
    let pki = tokio::task::spawn_blocking(TestPki::make).await.unwrap();
    let s = scene(backend, true).await;
    let app = &s.w.app;

    // Without trust anchors, even a good signature is refused, and says why.
    let (_, draft) = app.draft_canonical(&s.head, s.report).await.unwrap();
    let text = String::from_utf8(draft.clone()).unwrap();
    assert!(text.contains(r#""version":1,"#), "{text}");
    assert_eq!(
        refusal(
            app.submit_signed(
                &s.head,
                s.report,
                pki.sign("signer", &draft, "sha256", false)
            )
            .await
        ),
        "signature.refused.no_anchors"
    );
    trust_the_test_root(app, &pki).await;
    // The same root again adds nothing; a certificate that is no CA, or
    // anything else, is refused whole.
    assert!(app
        .add_trust_anchors(&system_principal(), pki.cert("root"))
        .await
        .unwrap()
        .is_empty());
    for bad in [
        pki.cert("signer"),
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".to_vec(),
    ] {
        match app.add_trust_anchors(&system_principal(), bad).await {
            Err(AppError::Invalid(f)) => assert_eq!(f[0].message.key, "signature.anchor.not_ca"),
            other => panic!("{other:?}"),
        }
    }
    assert!(matches!(
        app.add_trust_anchors(&s.head, pki.cert("foreign")).await,
        Err(AppError::Forbidden)
    ));
    assert_eq!(
        app.trust_anchors(&system_principal()).await.unwrap().len(),
        1
    );

    // The regime requires a signature: a plain submission is refused.
    assert_eq!(
        refusal(app.submit_report(&s.head, s.report).await),
        "report.error.signature_required"
    );

    let mut changed = draft.clone();
    changed.extend_from_slice(b" ");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "a foreign root",
            pki.sign("stranger", &draft, "sha256", false),
            "signature.refused.unknown_ca",
        ),
        (
            "an expired certificate",
            pki.sign("expired", &draft, "sha256", false),
            "signature.refused.expired",
        ),
        (
            "an RSA-1024 key",
            pki.sign("weak", &draft, "sha256", false),
            "signature.refused.weak_key",
        ),
        (
            "SHA-1",
            pki.sign("signer", &draft, "sha1", false),
            "signature.refused.weak_digest",
        ),
        (
            "a certificate signed with SHA-1",
            pki.sign("sha1cert", &draft, "sha256", false),
            "signature.refused.weak_digest",
        ),
        (
            "a key for enciphering",
            pki.sign("encipher", &draft, "sha256", false),
            "signature.refused.key_usage",
        ),
        (
            "other bytes",
            pki.sign("signer", &changed, "sha256", false),
            "signature.refused.content_changed",
        ),
        (
            "not a signature",
            b"0\x82 garbage".to_vec(),
            "signature.refused.malformed",
        ),
        (
            "a certificate",
            pki.cert("signer"),
            "signature.refused.malformed",
        ),
    ];
    for (what, file, key) in cases {
        assert_eq!(
            refusal(app.submit_signed(&s.head, s.report, file).await),
            key,
            "{what}"
        );
        nothing_stored(&s).await;
    }
    // The refusal's words name the problem.
    let err = app
        .submit_signed(&s.head, s.report, pki.sign("weak", &draft, "sha256", false))
        .await
        .unwrap_err();
    let AppError::Invalid(fields) = err else {
        panic!()
    };
    let said = baocao_app::i18n::render(baocao_app::i18n::Lang::Vi, &fields[0].message);
    assert!(said.contains("RSA 1024"), "{said}");
    let err = app
        .submit_signed(
            &s.head,
            s.report,
            pki.sign("sha1cert", &draft, "sha256", false),
        )
        .await
        .unwrap_err();
    let AppError::Invalid(fields) = err else {
        panic!()
    };
    let said = baocao_app::i18n::render(baocao_app::i18n::Lang::Vi, &fields[0].message);
    assert!(said.contains("sha1WithRSAEncryption"), "{said}");
    let err = app
        .submit_signed(
            &s.head,
            s.report,
            pki.sign("expired", &draft, "sha256", false),
        )
        .await
        .unwrap_err();
    let AppError::Invalid(fields) = err else {
        panic!()
    };
    let said = baocao_app::i18n::render(baocao_app::i18n::Lang::En, &fields[0].message);
    assert!(said.contains("expired on 01/01/2021"), "{said}");

    // Only the unit's heads sign and submit.
    assert!(matches!(
        app.submit_signed(
            &s.officer,
            s.report,
            pki.sign("signer", &draft, "sha256", false)
        )
        .await,
        Err(AppError::Forbidden)
    ));

    // A good signature: the version, the signature and the ledger together.
    let good = pki.sign("signer", &draft, "sha256", false);
    let (version, _, info) = app
        .submit_signed(&s.head, s.report, good.clone())
        .await
        .unwrap();
    assert_eq!(version, 1);
    assert_eq!(info.signer, "Nguyễn Văn Thủ Trưởng");
    assert_eq!(info.issuer, "Baocao Test Issuing CA");
    assert_eq!(
        (info.digest.as_str(), info.key.as_str()),
        ("SHA-256", "RSA 2048")
    );
    assert!(info.subject.contains("O=Baocao"), "{}", info.subject);
    assert!(info.signed_at.is_some());
    assert!(!info.serial.is_empty());
    let view = app.report(&s.head, s.report).await.unwrap();
    assert_eq!(view.status.as_str(), "submitted");
    // What was signed is exactly the submitted version's canonical bytes.
    let (_, canonical) = app.canonical_version(&s.head, s.report, 1).await.unwrap();
    assert_eq!(canonical, draft);

    // A second signature of the submitted version (ECDSA P-256, PEM).
    let ec = app
        .sign_version(
            &s.head,
            s.report,
            1,
            pki.sign("ec", &canonical, "sha384", true),
        )
        .await
        .unwrap();
    assert_eq!(
        (ec.digest.as_str(), ec.key.as_str()),
        ("SHA-384", "ECDSA 256")
    );
    assert_eq!(
        refusal(
            app.sign_version(
                &s.head,
                s.report,
                1,
                pki.sign("stranger", &canonical, "sha256", false)
            )
            .await
        ),
        "signature.refused.unknown_ca"
    );
    let reviewer = s.w.principal("district.reviewer").await;
    let listed = app.report_signatures(&reviewer, s.report).await.unwrap();
    assert_eq!(listed.len(), 2, "anyone who may read the report sees them");
    let (name, pdf, bytes) = app
        .signature_file(&reviewer, s.report, listed[0].id)
        .await
        .unwrap();
    assert!(name.ends_with(".p7s") && !pdf);
    assert_eq!(bytes, good, "the file as uploaded");
    assert!(matches!(
        app.sign_version(
            &reviewer,
            s.report,
            1,
            pki.sign("signer", &canonical, "sha256", false)
        )
        .await,
        Err(AppError::Forbidden)
    ));

    // The ledger names each signature with its signer, and the history shows it.
    let history = app.report_history(&reviewer, s.report).await.unwrap();
    let signed: Vec<_> = history
        .iter()
        .filter(|l| l.action == baocao_domain::audit::Action::ReportSign)
        .collect();
    assert_eq!(signed.len(), 2, "{history:?}");
    assert_eq!(signed[0].version, Some(1));
    assert!(matches!(
        app.verify_ledger().await.unwrap(),
        Verdict::Intact { .. }
    ));

    // A signature changed in the table behind the application's back is found.
    s.db.behind_the_back(&format!(
        "UPDATE report_signatures SET signer = 'Người Khác' WHERE id = {}",
        info.id
    ));
    match app.verify_ledger().await.unwrap() {
        Verdict::Differs(m) => {
            let said = baocao_app::i18n::render(baocao_app::i18n::Lang::Vi, &m);
            assert!(said.contains(&format!("chữ ký {}", info.id)), "{said}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_verdict_is_named_and_a_refusal_stores_nothing_sqlite() {
    each_verdict_is_named_and_a_refusal_stores_nothing(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_verdict_is_named_and_a_refusal_stores_nothing_postgres() {
    each_verdict_is_named_and_a_refusal_stores_nothing(Backend::Postgres).await;
}

async fn a_ca_slipped_into_the_table_is_found(backend: Backend) {
    let pki = tokio::task::spawn_blocking(TestPki::make).await.unwrap();
    let s = scene(backend, true).await;
    trust_the_test_root(&s.w.app, &pki).await;
    assert!(matches!(
        s.w.app.verify_ledger().await.unwrap(),
        Verdict::Intact { .. }
    ));
    // Someone with write access trusts their own CA, to have its signatures accepted.
    let pem = String::from_utf8(pki.cert("foreign")).unwrap();
    s.db.behind_the_back(&format!(
        "INSERT INTO trust_anchors (fingerprint, subject, not_after, pem, added_at) \
         VALUES ('ab12', 'CN=Foreign Root CA', 0, '{pem}', 0)"
    ));
    match s.w.app.verify_ledger().await.unwrap() {
        Verdict::Differs(m) => {
            let said = baocao_app::i18n::render(baocao_app::i18n::Lang::Vi, &m);
            assert!(
                said.contains("chứng thư CA tin cậy") && said.contains("CN=Foreign Root CA"),
                "{said}"
            );
            assert!(said.contains("không có bản ghi nào"), "{said}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ca_slipped_into_the_table_is_found_sqlite() {
    a_ca_slipped_into_the_table_is_found(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ca_slipped_into_the_table_is_found_postgres() {
    a_ca_slipped_into_the_table_is_found(Backend::Postgres).await;
}

/// A signature vouches for the draft it was made over: a draft saved again
/// meanwhile is not submitted on its strength, whether the save came before
/// the check (the bytes differ) or between the check and the write (the
/// revision moved).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signature_over_an_older_draft_does_not_submit_a_newer_one() {
    use baocao_app::reports::workflow::{plan, Signing, Step};
    let pki = tokio::task::spawn_blocking(TestPki::make).await.unwrap();
    let s = scene(Backend::Sqlite, true).await;
    let app = &s.w.app;
    trust_the_test_root(app, &pki).await;
    let (_, draft) = app.draft_canonical(&s.head, s.report).await.unwrap();
    let signature = pki.sign("signer", &draft, "sha256", false);
    let mut changed = Content::default();
    changed.values.insert("LD02".into(), "49999".into());
    app.save_report(&s.officer, s.report, &changed, None)
        .await
        .unwrap();
    assert_eq!(
        refusal(app.submit_signed(&s.head, s.report, signature).await),
        "signature.refused.content_changed"
    );
    nothing_stored(&s).await;

    let meta = signed_metadata(true);
    let mut conn = s.db.store.conn().await.unwrap();
    let r = baocao_store::reports::get(&mut conn, s.report)
        .await
        .unwrap()
        .unwrap();
    let step = |signing| Step::Submit { signing };
    let at = baocao_app::now();
    let stale = plan(
        &meta,
        &s.head,
        &r,
        &step(Signing::Verified {
            revision: r.revision - 1,
        }),
        at,
    );
    assert!(
        matches!(stale, Err(AppError::Conflict(m)) if m.key == "signature.refused.draft_changed")
    );
    let unsigned = plan(&meta, &s.head, &r, &step(Signing::Unsigned), at);
    assert!(
        matches!(unsigned, Err(AppError::Conflict(m)) if m.key == "report.error.signature_required")
    );
    assert!(plan(
        &meta,
        &s.head,
        &r,
        &step(Signing::Verified {
            revision: r.revision
        }),
        at
    )
    .is_ok());
}

/// The official PDF: the same version gives the same bytes, with the
/// heading, the number, the date line and the figures in Vietnamese notation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_pdf_is_the_same_bytes_each_time() {
    let s = scene(Backend::Sqlite, false).await;
    let app = &s.w.app;
    app.submit_report(&s.head, s.report).await.unwrap();
    let (name, a) = app.version_pdf(&s.officer, s.report, 1).await.unwrap();
    let (_, b) = app.version_pdf(&s.officer, s.report, 1).await.unwrap();
    assert!(name.ends_with("_v1.pdf"), "{name}");
    assert!(a.starts_with(b"%PDF-"));
    assert_eq!(a, b);
    // Anyone who may read the report gets it; a version that is not there, nothing.
    let province = s.w.principal("province.reviewer").await;
    assert_eq!(app.version_pdf(&province, s.report, 1).await.unwrap().1, a);
    assert!(matches!(
        app.version_pdf(&province, s.report, 9).await,
        Err(AppError::NotFound)
    ));
}

/// pyhanko (an independent PAdES signer, installed by `.ci/run` into a
/// virtual environment outside the repository and named by
/// `BAOCAO_PYHANKO`) signs the official PDF of the draft; the server accepts
/// it with the submission, and refuses the same file with a byte changed or
/// with bytes appended after the signature.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs pyhanko: run by .ci/run with BAOCAO_PYHANKO set"]
async fn a_pdf_signed_with_pades_by_pyhanko_is_accepted_and_a_changed_one_refused() {
    let pyhanko = std::env::var("BAOCAO_PYHANKO")
        .expect("BAOCAO_PYHANKO names the pyhanko command (.ci/run installs it)");
    let pki = tokio::task::spawn_blocking(TestPki::make).await.unwrap();
    let s = scene(Backend::Sqlite, true).await;
    let app = &s.w.app;
    trust_the_test_root(app, &pki).await;
    let (_, pdf) = app.draft_pdf(&s.head, s.report).await.unwrap();
    let signed = pki.pades(&pyhanko, &pdf);
    assert!(
        signed.starts_with(&pdf),
        "pyhanko appends an incremental update"
    );

    let mut flipped = signed.clone();
    let at = pdf.len() / 2;
    flipped[at] ^= 0x01;
    assert_eq!(
        refusal(app.submit_signed(&s.head, s.report, flipped).await),
        "signature.refused.other_pdf"
    );
    let mut appended = signed.clone();
    appended.extend_from_slice(b"\n% added after signing\n");
    assert_eq!(
        refusal(app.submit_signed(&s.head, s.report, appended).await),
        "signature.refused.pdf_changed"
    );
    nothing_stored(&s).await;

    let (version, _, info) = app.submit_signed(&s.head, s.report, signed).await.unwrap();
    assert_eq!(version, 1);
    assert_eq!(info.kind, "pades");
    assert_eq!(info.signer, "Nguyễn Văn Thủ Trưởng");
    // The submitted version's PDF is the one that was signed (same day).
    let (_, official) = app.version_pdf(&s.head, s.report, 1).await.unwrap();
    assert_eq!(official, pdf);
    assert!(matches!(
        app.verify_ledger().await.unwrap(),
        Verdict::Intact { .. }
    ));
}
