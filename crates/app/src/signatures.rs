//! Digital signatures of report versions (docs/decisions/0015): the trust
//! anchors administrators configure, a signature uploaded for a submitted
//! version, and a submission that carries its signature (what a regime that
//! requires signatures needs). A signature is a detached CMS/CAdES file over
//! the canonical bytes or the official PDF signed with PAdES; it is checked
//! off the async workers ([`crate::limits::HeavyWork`]), recorded with what
//! the check found in the same transaction as its ledger entry, and a
//! refused one changes nothing.

use baocao_domain::access::{Permission, Principal};
use baocao_domain::audit::AuditEvent;
use baocao_domain::canonical::{canonical_bytes, VersionHeader};
use baocao_domain::report::ReportId;
use baocao_domain::signature::{Refusal, SignatureKind, Signer};
use baocao_domain::Message;
use baocao_formats::cms::{self, Anchor};
use baocao_store::reports::{self as store_reports, StoredReport};
use baocao_store::signatures as store_signatures;
pub use baocao_store::signatures::{SignatureInfo, StoredAnchor};
use baocao_store::Conn;
use sha2::{Digest, Sha256};

use crate::reports::official::{draw, Printable};
use crate::reports::workflow::{permitted, plan, write_planned, Outcome, Signing, Step};
use crate::{now, App, AppError, AppResult};

/// The largest CA certificate file read (a bundle of a few certificates).
pub const MAX_ANCHOR_BYTES: usize = 64 * 1024;

/// The largest signed file read: a `.p7s`, or a signed official PDF.
pub const MAX_SIGNED_FILE_BYTES: usize = 8 * 1024 * 1024;

/// What a signature must cover: a version's canonical bytes, or its
/// official PDF drawn from the same printable version.
struct Signable {
    canonical: Vec<u8>,
    header: VersionHeader,
    printable: Printable,
}

fn refused(r: Refusal) -> AppError {
    AppError::field("signature", r.message())
}

fn may_manage_trust(principal: &Principal) -> AppResult<()> {
    if principal.may_at_top(Permission::ManageUsers) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

impl App {
    /// The configured trust anchors (system administrators).
    pub async fn trust_anchors(&self, principal: &Principal) -> AppResult<Vec<StoredAnchor>> {
        may_manage_trust(principal)?;
        let mut conn = self.store.conn().await?;
        Ok(store_signatures::anchors(&mut conn).await?)
    }

    /// Trusts the CA certificates of a PEM file sent from the trust page;
    /// refused, the anchors as they are, to show the page again with why.
    pub async fn add_trust_from_form(
        &self,
        principal: &Principal,
        pem: Vec<u8>,
    ) -> AppResult<crate::forms::FormOutcome<Vec<StoredAnchor>, Vec<StoredAnchor>>> {
        let added = self.add_trust_anchors(principal, pem).await;
        crate::forms::or_again(added, || self.trust_anchors(principal)).await
    }

    /// Trusts the CA certificates of a PEM file (system administrators);
    /// returns those added (one already trusted is skipped). A file that
    /// holds anything but CA certificates is refused whole.
    pub async fn add_trust_anchors(
        &self,
        principal: &Principal,
        pem: Vec<u8>,
    ) -> AppResult<Vec<StoredAnchor>> {
        may_manage_trust(principal)?;
        if pem.len() > MAX_ANCHOR_BYTES {
            return Err(AppError::field(
                "certificate",
                Message::new("signature.anchor.too_large"),
            ));
        }
        let read = self
            .heavy
            .run(move || cms::read_anchors(&pem))
            .await?
            .ok_or_else(|| {
                AppError::field("certificate", Message::new("signature.anchor.not_ca"))
            })?;
        let at = now();
        let mut tx = self.store.begin_write().await?;
        let mut added = Vec::new();
        for a in read {
            let mut anchor = StoredAnchor {
                id: 0,
                fingerprint: a.fingerprint,
                subject: a.subject,
                not_after: a.not_after,
                pem: a.pem,
                added_at: at,
            };
            let Some(id) =
                store_signatures::insert_anchor(&mut tx, &anchor, principal.actor()).await?
            else {
                continue;
            };
            anchor.id = id;
            crate::ledger::record_change(
                &mut tx,
                principal,
                &AuditEvent::AnchorAdded {
                    anchor: id,
                    fingerprint: anchor.fingerprint.clone(),
                    subject: anchor.subject.clone(),
                },
            )
            .await?;
            added.push(anchor);
        }
        baocao_store::commit(tx).await?;
        Ok(added)
    }

    /// Stops trusting an anchor (system administrators). Signatures verified
    /// before stay recorded as they were.
    pub async fn remove_trust_anchor(&self, principal: &Principal, id: i64) -> AppResult<()> {
        may_manage_trust(principal)?;
        let mut tx = self.store.begin_write().await?;
        let removed = store_signatures::remove_anchor(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        crate::ledger::record_change(
            &mut tx,
            principal,
            &AuditEvent::AnchorRemoved {
                anchor: id,
                fingerprint: removed.fingerprint,
            },
        )
        .await?;
        baocao_store::commit(tx).await?;
        Ok(())
    }

    /// A report's verified signatures, for anyone who may read it.
    pub async fn report_signatures(
        &self,
        principal: &Principal,
        id: ReportId,
    ) -> AppResult<Vec<SignatureInfo>> {
        let mut conn = self.store.conn().await?;
        self.readable_report(&mut conn, principal, id).await?;
        Ok(store_signatures::signatures(&mut conn, id).await?)
    }

    /// A signature's file (the `.p7s` or the signed PDF), for anyone who may
    /// read its report: a file name, whether it is a PDF, and the bytes.
    pub async fn signature_file(
        &self,
        principal: &Principal,
        id: ReportId,
        signature: i64,
    ) -> AppResult<(String, bool, Vec<u8>)> {
        let mut conn = self.store.conn().await?;
        let r = self.readable_report(&mut conn, principal, id).await?;
        let (info, data) = store_signatures::signature_data(&mut conn, signature)
            .await?
            .filter(|(info, _)| info.report == id)
            .ok_or(AppError::NotFound)?;
        let pdf = info.kind == SignatureKind::Pades.as_str();
        let name = format!(
            "{}_{}_v{}_{}.{}",
            r.regime_code,
            r.period,
            info.version,
            info.id,
            if pdf { "pdf" } else { "p7s" }
        );
        Ok((name, pdf, data))
    }

    /// The canonical bytes of the draft as the version it will become once
    /// submitted: what a unit head signs before submitting (the unit's heads
    /// and officers).
    pub async fn draft_canonical(
        &self,
        principal: &Principal,
        id: ReportId,
    ) -> AppResult<(String, Vec<u8>)> {
        let mut conn = self.store.conn().await?;
        let r = self.preparing_report(&mut conn, principal, id).await?;
        let signable = self.signable(&mut conn, &r, None).await?;
        Ok((signable.file_name("json"), signable.canonical))
    }

    /// Records a signature of submitted version `version` (the unit's heads):
    /// the file is verified first; a refusal says why and stores nothing.
    pub async fn sign_version(
        &self,
        principal: &Principal,
        id: ReportId,
        version: i64,
        file: Vec<u8>,
    ) -> AppResult<SignatureInfo> {
        let mut conn = self.store.conn().await?;
        let r = self.readable_report(&mut conn, principal, id).await?;
        if !principal.acts_for(Permission::SubmitReport, r.unit_id) {
            return Err(AppError::Forbidden);
        }
        if file.len() > MAX_SIGNED_FILE_BYTES {
            return Err(refused(Refusal::Malformed));
        }
        let signable = self.signable(&mut conn, &r, Some(version)).await?;
        let inputs = self.check_inputs(&mut conn, &signable, &file).await?;
        drop(conn);
        let (kind, signer, sha256) = self.verify_upload(inputs, &file).await?;
        let at = now();
        let mut tx = self.store.begin_write().await?;
        let info = record(
            &mut tx, principal, &r, version, kind, signer, sha256, &file, at,
        )
        .await?;
        baocao_store::commit(tx).await?;
        Ok(info)
    }

    /// Submits the draft with its signature (the unit's heads): the file must
    /// sign the draft as the version it becomes, and the draft must not
    /// change between the check and the submission. The version, the
    /// signature and both ledger entries are written in one transaction.
    pub async fn submit_signed(
        &self,
        principal: &Principal,
        id: ReportId,
        file: Vec<u8>,
    ) -> AppResult<(i64, bool, SignatureInfo)> {
        let mut conn = self.store.conn().await?;
        let r = store_reports::get(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !permitted(principal, &r, &submit_step(Signing::Unsigned)) {
            return Err(self.refusal(&mut conn, principal, &r).await?);
        }
        if file.len() > MAX_SIGNED_FILE_BYTES {
            return Err(refused(Refusal::Malformed));
        }
        let signable = self.signable(&mut conn, &r, None).await?;
        let inputs = self.check_inputs(&mut conn, &signable, &file).await?;
        drop(conn);
        let (kind, signer, sha256) = self.verify_upload(inputs, &file).await?;

        let meta = self.metadata().await?;
        let at = now();
        let mut tx = self.store.begin_write().await?;
        let current = store_reports::get(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let step = submit_step(Signing::Verified {
            revision: r.revision,
        });
        let planned = plan(&meta, principal, &current, &step, at)?;
        if !write_planned(&mut tx, std::slice::from_ref(&planned))
            .await?
            .first()
            .copied()
            .unwrap_or(false)
        {
            return Err(crate::reports::workflow::changed());
        }
        let Outcome::Submitted { version, on_time } = planned.outcome else {
            return Err(AppError::Internal("submission gave no version".into()));
        };
        let info = record(
            &mut tx, principal, &r, version, kind, signer, sha256, &file, at,
        )
        .await?;
        baocao_store::commit(tx).await?;
        self.analytics.wake();
        Ok((version, on_time, info))
    }

    async fn anchors(&self, conn: &mut Conn) -> AppResult<Vec<Anchor>> {
        Ok(store_signatures::anchors(conn)
            .await?
            .into_iter()
            .map(|a| Anchor {
                subject: a.subject,
                fingerprint: a.fingerprint,
                not_after: a.not_after,
                pem: a.pem,
            })
            .collect())
    }

    /// What a signature of report `r` must cover: submitted version
    /// `version`, or (`None`) the draft as the next version.
    async fn signable(
        &self,
        conn: &mut Conn,
        r: &StoredReport,
        version: Option<i64>,
    ) -> AppResult<Signable> {
        let printable = self.printable(conn, r, version).await?;
        let header = self.version_header(conn, r, printable.version).await?;
        Ok(Signable {
            canonical: canonical_bytes(&header, &printable.content),
            header,
            printable,
        })
    }

    /// The header of version `version` of report `r` in the canonical bytes.
    pub(crate) async fn version_header(
        &self,
        conn: &mut Conn,
        r: &StoredReport,
        version: i64,
    ) -> AppResult<VersionHeader> {
        let unit = self.one_unit(conn, r.unit_id).await?;
        Ok(VersionHeader {
            regime: r.regime_code.clone(),
            regime_version: r.regime_version,
            unit_code: unit.code.to_string(),
            period: r.period.to_string(),
            version,
        })
    }

    /// What checking `file` against `signable` needs from the store: the
    /// anchors and, for a PDF, what its official PDF prints. Read before
    /// the check, so no connection is held while the check waits for a turn.
    async fn check_inputs(
        &self,
        conn: &mut Conn,
        signable: &Signable,
        file: &[u8],
    ) -> AppResult<CheckInputs> {
        Ok(CheckInputs {
            anchors: self.anchors(conn).await?,
            canonical: signable.canonical.clone(),
            official: if file.starts_with(b"%PDF-") {
                Some(self.official_document(conn, &signable.printable).await?)
            } else {
                None
            },
        })
    }

    /// Verifies an uploaded signature file off the async workers: a PDF is
    /// taken as the official PDF signed with PAdES (the official PDF drawn in
    /// the same turn), anything else as a detached CMS signature of the
    /// canonical bytes.
    async fn verify_upload(
        &self,
        inputs: CheckInputs,
        file: &[u8],
    ) -> AppResult<(SignatureKind, Signer, String)> {
        let file = file.to_vec();
        let at = now();
        self.heavy
            .run(move || {
                let sha256 = hex::encode(Sha256::digest(&file));
                let CheckInputs {
                    anchors,
                    canonical,
                    official,
                } = inputs;
                Ok::<_, AppError>(match official {
                    Some(doc) => {
                        let official = draw(&doc)?;
                        cms::verify_pades(&file, &official, &anchors, at)
                            .map(|s| (SignatureKind::Pades, s, sha256))
                    }
                    None => cms::verify_detached(&file, &canonical, &anchors, at)
                        .map(|s| (SignatureKind::Cms, s, sha256)),
                })
            })
            .await??
            .map_err(refused)
    }
}

/// What a check of an uploaded file needs, read from the store.
struct CheckInputs {
    anchors: Vec<Anchor>,
    canonical: Vec<u8>,
    official: Option<baocao_formats::official_pdf::OfficialDocument>,
}

fn submit_step(signing: Signing) -> Step {
    Step::Submit { signing }
}

impl Signable {
    fn file_name(&self, extension: &str) -> String {
        format!(
            "{}_{}_{}_v{}.{extension}",
            self.header.regime, self.header.period, self.header.unit_code, self.header.version
        )
    }
}

/// Stores a verified signature and its ledger entry in `tx`.
#[allow(clippy::too_many_arguments)]
async fn record(
    tx: &mut Conn,
    principal: &Principal,
    r: &StoredReport,
    version: i64,
    kind: SignatureKind,
    signer: Signer,
    sha256: String,
    file: &[u8],
    at: i64,
) -> AppResult<SignatureInfo> {
    let mut info = SignatureInfo {
        id: 0,
        report: r.id,
        version,
        kind: kind.as_str().to_string(),
        signer: signer.name.clone(),
        subject: signer.subject.clone(),
        serial: signer.serial.clone(),
        issuer: signer.issuer.clone(),
        signed_at: signer.signed_at,
        digest: signer.digest.clone(),
        key: signer.key.clone(),
        sha256: sha256.clone(),
        uploaded_by: principal.actor(),
        uploaded_at: at,
    };
    info.id = store_signatures::insert_signature(tx, &info, file).await?;
    crate::ledger::record_change(
        tx,
        principal,
        &AuditEvent::Signed {
            report: r.id,
            signature: info.id,
            version,
            kind,
            signer,
            sha256,
        },
    )
    .await?;
    Ok(info)
}
