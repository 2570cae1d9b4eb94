//! Signatures proven by the ledger: every stored signature has its
//! `report.sign` entry, and says what the entry recorded (report, version,
//! signer, certificate, algorithms, the file's SHA-256 — the column and the
//! bytes themselves); and every trusted CA was added through the application
//! (`baocao_domain::proof::trust`).

use std::collections::HashMap;

use baocao_domain::audit::AuditEvent;
use baocao_domain::report::ReportId;
use baocao_domain::signature::{SignatureKind, Signer};
use baocao_domain::Message;
use baocao_store::signatures::{signatures_page, SignatureInfo};
use baocao_store::Conn;

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

/// A signature as its `report.sign` entry recorded it, with the entry.
#[derive(Debug)]
struct RecordedSignature {
    seq: i64,
    report: ReportId,
    version: i64,
    kind: SignatureKind,
    signer: Signer,
    sha256: String,
}

/// The `report.sign` entries, by signature id.
#[derive(Debug, Default)]
pub(super) struct RecordedSignatures(HashMap<i64, RecordedSignature>);

impl RecordedSignatures {
    /// Takes an entry if it records a signature.
    pub fn feed(&mut self, seq: i64, event: &AuditEvent) {
        if let AuditEvent::Signed {
            report,
            signature,
            version,
            kind,
            signer,
            sha256,
        } = event
        {
            let recorded = RecordedSignature {
                seq,
                report: *report,
                version: *version,
                kind: *kind,
                signer: signer.clone(),
                sha256: sha256.clone(),
            };
            self.0.insert(*signature, recorded);
        }
    }
}

/// Whether a stored signature says what its entry recorded.
fn same(stored: &SignatureInfo, bytes_hash: &str, r: &RecordedSignature) -> bool {
    let s = &r.signer;
    stored.report == r.report
        && stored.version == r.version
        && stored.kind == r.kind.as_str()
        && stored.signer == s.name
        && stored.subject == s.subject
        && stored.serial == s.serial
        && stored.issuer == s.issuer
        && stored.signed_at == s.signed_at
        && stored.digest == s.digest
        && stored.key == s.key
        && stored.sha256 == r.sha256
        && bytes_hash == r.sha256
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
            let Some(recorded) = recorded.0.get(&stored.id) else {
                return Ok(Some(
                    Message::new("audit.signature_without_entry")
                        .arg("signature", stored.id)
                        .arg("report", stored.report),
                ));
            };
            let bytes_hash = hex::encode(sha2::Sha256::digest(&data));
            if !same(&stored, &bytes_hash, recorded) {
                return Ok(Some(
                    Message::new("audit.signature_changed")
                        .arg("signature", stored.id)
                        .arg("report", stored.report)
                        .arg("seq", recorded.seq),
                ));
            }
        }
    }
}
