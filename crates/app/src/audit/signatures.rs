//! Signatures proven by the ledger: every stored signature has its
//! `report.sign` entry, and says what the entry recorded (report, version,
//! signer, certificate, algorithms, the file's SHA-256 — the column and the
//! bytes themselves); and every trusted CA was added through the application
//! (`baocao_domain::proof::trust`).

use std::collections::HashMap;

use baocao_domain::Message;
use baocao_store::signatures::{signatures_page, SignatureInfo};
use baocao_store::Conn;
use serde_json::Value;

use baocao_domain::proof::trust::{AnchorDifference, RecordedAnchors, StoredAnchor};

use crate::AppResult;

/// The first trust anchor in the table that the ledger does not prove.
pub(super) async fn anchors_differ(
    conn: &mut Conn,
    recorded: &RecordedAnchors,
) -> AppResult<Option<Message>> {
    let stored: Vec<StoredAnchor> = baocao_store::signatures::anchors(conn)
        .await?
        .into_iter()
        .map(|a| StoredAnchor {
            actual_fingerprint: baocao_formats::cms::read_anchors(a.pem.as_bytes())
                .and_then(|read| read.into_iter().next())
                .map(|read| read.fingerprint),
            id: a.id,
            fingerprint: a.fingerprint,
            subject: a.subject,
        })
        .collect();
    Ok(recorded.first_difference(&stored).map(|d| match d {
        AnchorDifference::WithoutEntry { id, subject } => {
            Message::new("audit.anchor_without_entry")
                .arg("anchor", id)
                .arg("subject", subject)
        }
        AnchorDifference::Changed { id, seq } => Message::new("audit.anchor_changed")
            .arg("anchor", id)
            .arg("seq", seq),
        AnchorDifference::Missing { id, seq } => Message::new("audit.anchor_missing")
            .arg("anchor", id)
            .arg("seq", seq),
    }))
}

/// A `report.sign` entry: its sequence number, report and payload.
#[derive(Debug, Default)]
pub(super) struct RecordedSignatures(HashMap<i64, (i64, i64, Value)>);

impl RecordedSignatures {
    /// Takes an entry if it records a signature.
    pub fn feed(&mut self, seq: i64, action: &str, report: i64, payload: &str) {
        if action != "report.sign" {
            return;
        }
        let Ok(value) = serde_json::from_str::<Value>(payload) else {
            return;
        };
        if let Some(id) = value.get("signature").and_then(Value::as_i64) {
            self.0.insert(id, (seq, report, value));
        }
    }
}

/// Whether a stored signature says what its entry recorded.
fn same(stored: &SignatureInfo, bytes_hash: &str, report: i64, r: &Value) -> bool {
    let text = |k: &str| {
        r.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    stored.report.get() == report
        && Some(stored.version) == r.get("version").and_then(Value::as_i64)
        && stored.kind == text("kind")
        && stored.signer == text("signer")
        && stored.subject == text("subject")
        && stored.serial == text("serial")
        && stored.issuer == text("issuer")
        && stored.signed_at == r.get("signed_at").and_then(Value::as_i64)
        && stored.digest == text("digest")
        && stored.key == text("key")
        && stored.sha256 == text("sha256")
        && bytes_hash == text("sha256")
}

/// The first stored signature without its entry or unlike it (a few files
/// read at a time).
pub(super) async fn signatures_differ(
    conn: &mut Conn,
    recorded: &RecordedSignatures,
) -> AppResult<Option<Message>> {
    use sha2::Digest;
    let mut after = 0;
    loop {
        let page = signatures_page(conn, after, 16).await?;
        let Some((last, _)) = page.last() else {
            return Ok(None);
        };
        after = last.id;
        for (stored, data) in page {
            let Some((seq, report, value)) = recorded.0.get(&stored.id) else {
                return Ok(Some(
                    Message::new("audit.signature_without_entry")
                        .arg("signature", stored.id)
                        .arg("report", stored.report),
                ));
            };
            let bytes_hash = hex::encode(sha2::Sha256::digest(&data));
            if !same(&stored, &bytes_hash, *report, value) {
                return Ok(Some(
                    Message::new("audit.signature_changed")
                        .arg("signature", stored.id)
                        .arg("report", stored.report)
                        .arg("seq", *seq),
                ));
            }
        }
    }
}
