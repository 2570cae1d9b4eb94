//! `baocao trust add|list|remove` as an administrator runs them: a CA
//! certificate made by the `openssl` command line is trusted, listed and
//! removed; an oversized file, a file that is no CA certificate and an
//! unknown id are refused with a message and change nothing; the ledger
//! stays intact.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::process::{Command, Output};

use baocao_testkit::pki::TestPki;

fn baocao(db: &str, args: &[&str]) -> Output {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--database", db]);
    Command::new(env!("CARGO_BIN_EXE_baocao"))
        .args(&all)
        .env("BAOCAO_LANG", "vi")
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn the_trusted_cas_are_managed_from_the_command_line() {
    let pki = TestPki::make();
    let db_path = pki.dir.join("trust.db");
    let db = format!("sqlite://{}", db_path.display());
    let root = pki.dir.join("root.crt").display().to_string();

    let big = pki.dir.join("big.pem");
    std::fs::write(&big, vec![b'A'; 70 * 1024]).unwrap();
    let out = baocao(&db, &["trust", "add", big.to_str().unwrap()]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("Không đọc được tệp"), "{}", text(&out));

    let signer = pki.dir.join("signer.crt").display().to_string();
    let out = baocao(&db, &["trust", "add", &signer]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("chứng thư số của tổ chức chứng thực"),
        "{}",
        text(&out)
    );
    let out = baocao(&db, &["trust", "list"]);
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout).trim().is_empty(),
        "nothing added"
    );

    let out = baocao(&db, &["trust", "add", &root]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("Đã thêm 1 chứng thư gốc"),
        "{}",
        text(&out)
    );
    let listed = String::from_utf8_lossy(&baocao(&db, &["trust", "list"]).stdout).to_string();
    assert!(listed.contains("Baocao Test Root CA"), "{listed}");
    let id = listed.split('\t').next().unwrap().trim().to_string();

    let out = baocao(&db, &["trust", "remove", "999"]);
    assert!(!out.status.success(), "{}", text(&out));
    let out = baocao(&db, &["trust", "remove", &id]);
    assert!(out.status.success(), "{}", text(&out));
    let listed = String::from_utf8_lossy(&baocao(&db, &["trust", "list"]).stdout).to_string();
    assert!(listed.trim().is_empty(), "{listed}");

    let out = baocao(&db, &["audit", "verify"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("toàn vẹn"), "{}", text(&out));
}
