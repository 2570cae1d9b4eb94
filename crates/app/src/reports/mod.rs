//! Reports: what each unit owes, the working copy, and the workflow
//! (save → submit → return or accept → correct), each step one transaction with
//! its audit-ledger entry.
//!
//! Who does what: the reporting unit's data-entry officers save drafts and ask
//! for corrections, its unit head submits, the receiving unit's reviewers
//! return or accept — each only through a grant on that very unit
//! ([`Principal::acts_for`]), so a higher level never edits a lower level's
//! figures. Who reads what: the unit's own staff, the levels above it and the
//! receiving unit's reviewers ([`Principal::may_read_reports`]); for anyone
//! else a report does not exist (the same answer as for an absent one).
//!
//! The files: [`obligations`] (what is owed, the review queue), [`views`] (a
//! report as a page shows it), [`workflow`] (every step through one
//! transition), [`synthesis`], [`timeliness`], [`attachments`].

use std::sync::Arc;

use baocao_domain::access::{Permission, Principal, Target};
use baocao_domain::catalogue::{Metadata, RegimeVersion};
use baocao_domain::report::{Content, ReportId};
use baocao_domain::unit::{OrgUnit, UnitId};
use baocao_store::reports::{self as store_reports, StoredReport};
use baocao_store::{units as store_units, Conn};
use serde::Serialize;

use crate::{App, AppError, AppResult};

pub mod archive;
pub mod attachments;
pub mod inbox;
mod lists;
pub mod obligations;
pub mod official;
mod opening;
pub mod page_forms;
pub mod screen;
pub mod synthesis;
pub mod timeliness;
pub mod views;
pub mod workflow;

pub use archive::{Archive, ArchiveFilter, ArchiveQuery, ArchiveRow, ARCHIVE_PAGE};
pub use attachments::AttachmentView;
pub use inbox::{
    BulkAccepted, Inbox, InboxEntry, InboxFilter, InboxQuery, InboxSort, INBOX_PAGE,
    INBOX_STATUSES, MAX_PAGE,
};
pub use lists::ReportsScreen;
pub use obligations::{InboxItem, Obligation};
pub use page_forms::PageStep;
pub use screen::{ReportScreen, ScreenAfter};
pub use synthesis::{ChildStatus, SynthesisView};
pub use timeliness::{
    timeliness_xlsx, Timeliness, TimelinessFilter, TimelinessRow, TimelinessScreen,
};
pub use views::{Allowed, EventView, ReportView, VersionView};
pub use workflow::{rule_message, rule_problems};

/// A stored report's content (JSON written by this layer; unreadable is corruption).
pub(crate) fn decode(text: &str) -> AppResult<Content> {
    serde_json::from_str(text).map_err(|e| AppError::Internal(format!("report content: {e}")))
}

/// Content as stored.
pub(crate) fn encode(content: &Content) -> AppResult<String> {
    serde_json::to_string(content).map_err(|e| AppError::Internal(e.to_string()))
}

/// A unit and its ancestors (nearest first).
pub(crate) async fn with_ancestors(
    conn: &mut Conn,
    id: UnitId,
) -> AppResult<(OrgUnit, Vec<OrgUnit>)> {
    store_units::with_ancestors(conn, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// The regime version a report was made with.
pub(crate) fn version_of<'a>(meta: &'a Metadata, r: &StoredReport) -> AppResult<&'a RegimeVersion> {
    meta.regime(&r.regime_code)
        .and_then(|regime| regime.version(r.regime_version))
        .ok_or_else(|| {
            AppError::Internal(format!(
                "regime {} version {}",
                r.regime_code, r.regime_version
            ))
        })
}

/// Nobody decides on their own unit's report: not its reviewers, officers or heads.
pub(crate) fn decides_on_own_unit(principal: &Principal, unit: UnitId) -> bool {
    [
        Permission::ReviewReport,
        Permission::EnterData,
        Permission::SubmitReport,
    ]
    .into_iter()
    .any(|p| principal.acts_for(p, unit))
}

/// Whether `principal` may read report `r` of a unit with `ancestors`.
pub(crate) fn may_read(principal: &Principal, r: &StoredReport, ancestors: &[UnitId]) -> bool {
    principal.may_read_reports(
        &Target {
            unit: r.unit_id,
            ancestors,
        },
        r.receiver_id,
    )
}

impl App {
    /// A report the caller may read. An absent report and one the caller may
    /// not read get the same answer, so ids cannot be probed.
    pub(crate) async fn readable_report(
        &self,
        conn: &mut Conn,
        principal: &Principal,
        id: ReportId,
    ) -> AppResult<StoredReport> {
        let r = store_reports::get(conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let ancestors = store_units::ancestor_ids(conn, r.unit_id).await?;
        if may_read(principal, &r, &ancestors) {
            Ok(r)
        } else {
            Err(AppError::NotFound)
        }
    }

    /// A report the caller prepares: its unit's officers and heads (who
    /// download what is to be signed).
    pub(crate) async fn preparing_report(
        &self,
        conn: &mut Conn,
        principal: &Principal,
        id: ReportId,
    ) -> AppResult<StoredReport> {
        let r = self.readable_report(conn, principal, id).await?;
        if principal.acts_for(baocao_domain::access::Permission::EnterData, r.unit_id)
            || principal.acts_for(baocao_domain::access::Permission::SubmitReport, r.unit_id)
        {
            Ok(r)
        } else {
            Err(self.refusal(conn, principal, &r).await?)
        }
    }

    /// The answer to a caller who may not act on `r`: forbidden if it may read
    /// the report, else as if it did not exist.
    pub(crate) async fn refusal(
        &self,
        conn: &mut Conn,
        principal: &Principal,
        r: &StoredReport,
    ) -> AppResult<AppError> {
        let ancestors = store_units::ancestor_ids(conn, r.unit_id).await?;
        Ok(if may_read(principal, r, &ancestors) {
            AppError::Forbidden
        } else {
            AppError::NotFound
        })
    }

    /// A report the caller may read, with its regime version and the catalogue.
    pub(crate) async fn readable_with_version(
        &self,
        principal: &Principal,
        id: ReportId,
    ) -> AppResult<(StoredReport, Arc<Metadata>)> {
        let mut conn = self.store.conn().await?;
        let r = self.readable_report(&mut conn, principal, id).await?;
        drop(conn);
        let meta = self.metadata().await?;
        version_of(&meta, &r)?;
        Ok((r, meta))
    }

    /// How many drafts of a report were kept.
    pub async fn draft_saves(&self, id: ReportId) -> AppResult<i64> {
        let mut conn = self.store.conn().await?;
        Ok(store_reports::draft_save_count(&mut conn, id).await?)
    }
}

/// A unit's id and name, as lists show it.
#[derive(Debug, Clone, Serialize)]
pub struct UnitRef {
    /// Id.
    pub id: UnitId,
    /// Name.
    pub name: String,
}
