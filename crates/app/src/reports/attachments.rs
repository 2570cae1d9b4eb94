//! Attachments (tài liệu đính kèm) of a report's draft, frozen with the
//! version they are submitted with.

use baocao_domain::access::Principal;
use baocao_domain::attachment::{clean_name, detect, FileType, MAX_BYTES};
use baocao_domain::audit::AuditEvent;
use baocao_domain::report::ReportId;
use baocao_domain::Message;
use baocao_store::reports::{self as store_reports, NewAttachment};
use serde::Serialize;

use super::workflow::{changed, permitted, plan, write_planned, Step};
use crate::{now, App, AppError, AppResult};

/// An attachment as listed with its report.
#[derive(Debug, Clone, Serialize)]
pub struct AttachmentView {
    /// Id.
    pub id: i64,
    /// The version it belongs to; `None` while in the draft.
    pub version: Option<i64>,
    /// File name (cleaned, with the extension of its detected type).
    pub name: String,
    /// Media type (detected from the content).
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
    /// SHA-256 (hex), for checking a copy.
    pub sha256: String,
}

impl From<store_reports::AttachmentInfo> for AttachmentView {
    fn from(a: store_reports::AttachmentInfo) -> Self {
        AttachmentView {
            id: a.id,
            version: a.version,
            name: a.name,
            content_type: a.content_type,
            size: a.size,
            sha256: a.sha256,
        }
    }
}

/// A file to attach, examined.
struct Upload {
    /// Clean name, with the extension of its type.
    name: String,
    /// Its type, by content.
    kind: FileType,
    /// SHA-256 (hex).
    sha: String,
    /// The content.
    bytes: Vec<u8>,
}

impl App {
    /// Attaches a file to a report's draft (its data-entry officers): a PDF,
    /// Word or Excel file by content, at most 5 MB. The report row is changed
    /// in the same transaction, so a submission running at the same moment
    /// either freezes this file with its version or comes after it — never a
    /// file frozen into a version it was not part of.
    pub async fn add_attachment(
        &self,
        principal: &Principal,
        id: ReportId,
        name: &str,
        bytes: Vec<u8>,
    ) -> AppResult<AttachmentView> {
        // Who may, before the file is looked at.
        let mut conn = self.store.conn().await?;
        let r = store_reports::get(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !permitted(principal, &r, &Step::Touch) {
            return Err(self.refusal(&mut conn, principal, &r).await?);
        }
        drop(conn);
        let file = self.examine_attachment(name, bytes).await?;
        let meta = self.metadata().await?;
        let mut tx = self.store.begin_write().await?;
        let r = store_reports::get(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let at = now();
        let planned = plan(&meta, principal, &r, &Step::Touch, at)?;
        if !write_planned(&mut tx, std::slice::from_ref(&planned))
            .await?
            .first()
            .copied()
            .unwrap_or(false)
        {
            return Err(changed());
        }
        let attachment = store_reports::insert_attachment(
            &mut tx,
            &NewAttachment {
                report: id,
                name: &file.name,
                content_type: file.kind.media_type(),
                sha256: &file.sha,
                data: &file.bytes,
                by: principal.actor(),
                at,
            },
        )
        .await?;
        let event = AuditEvent::Attached {
            report: id,
            attachment,
            name: file.name.clone(),
            size: file.bytes.len(),
            sha256: file.sha.clone(),
        };
        crate::ledger::record(&mut tx, &planned.actor, &event, at).await?;
        baocao_store::commit(tx).await?;
        Ok(AttachmentView {
            id: attachment,
            version: None,
            name: file.name,
            content_type: file.kind.media_type().to_string(),
            size: i64::try_from(file.bytes.len()).unwrap_or(i64::MAX),
            sha256: file.sha,
        })
    }

    /// An uploaded file as it will be stored: at most [`MAX_BYTES`], of a type
    /// told by its content, with a clean name. Typed and hashed off the async
    /// workers, outside any write transaction.
    async fn examine_attachment(&self, name: &str, bytes: Vec<u8>) -> AppResult<Upload> {
        if bytes.len() > MAX_BYTES {
            return Err(AppError::field(
                "file",
                Message::new("report.attachment.too_large").arg("max", MAX_BYTES / (1024 * 1024)),
            ));
        }
        let (kind, sha, bytes) = self
            .heavy
            .run(move || {
                let kind = detect(&bytes);
                let sha = crate::auth::secret_hash_bytes(&bytes);
                (kind, sha, bytes)
            })
            .await?;
        let kind = kind.ok_or_else(|| {
            AppError::field(
                "file",
                Message::new("report.attachment.bad_type").arg("value", name),
            )
        })?;
        let name = clean_name(name, kind)
            .ok_or_else(|| AppError::field("file", Message::new("report.attachment.no_name")))?;
        Ok(Upload {
            name,
            kind,
            sha,
            bytes,
        })
    }

    /// A report's attachments (for whoever may read the report).
    pub async fn attachments(
        &self,
        principal: &Principal,
        id: ReportId,
    ) -> AppResult<Vec<AttachmentView>> {
        let mut conn = self.store.conn().await?;
        self.readable_report(&mut conn, principal, id).await?;
        Ok(store_reports::attachments(&mut conn, id)
            .await?
            .into_iter()
            .map(AttachmentView::from)
            .collect())
    }

    /// One attachment's bytes (for whoever may read its report; for anyone
    /// else it does not exist).
    pub async fn attachment(
        &self,
        principal: &Principal,
        attachment: i64,
    ) -> AppResult<(AttachmentView, Vec<u8>)> {
        let mut conn = self.store.conn().await?;
        let report = store_reports::attachment_report(&mut conn, attachment)
            .await?
            .ok_or(AppError::NotFound)?;
        self.readable_report(&mut conn, principal, report).await?;
        let (info, data) = store_reports::attachment_data(&mut conn, attachment)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok((info.into(), data))
    }
}
