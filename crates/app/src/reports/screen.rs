//! The report page's read model: the report as the caller may see it, its
//! regime version and catalogue, files, signatures, ledger history and — after
//! a decision — the next report waiting, read on one connection after one
//! permission check, in a number of statements that does not grow with the
//! report's history or the ledger's length.

use std::sync::Arc;

use baocao_domain::access::{Permission, Principal};
use baocao_domain::catalogue::{Metadata, RegimeVersion};
use baocao_domain::report::ReportId;
use baocao_store::reports as store_reports;
use baocao_store::signatures::{self as store_signatures, SignatureInfo};

use super::inbox::next_waiting_on;
use super::views::view_of;
use super::{AttachmentView, ReportView};
use crate::audit::{history_of, HistoryLine};
use crate::{App, AppError, AppResult};

/// What the report page shows.
#[derive(Debug, Clone)]
pub struct ReportScreen {
    /// The report.
    pub view: ReportView,
    /// The catalogue it is read with.
    pub meta: Arc<Metadata>,
    /// Its files.
    pub attachments: Vec<AttachmentView>,
    /// Its verified signatures.
    pub signatures: Vec<SignatureInfo>,
    /// Its history from the ledger, oldest first.
    pub history: Vec<HistoryLine>,
    /// After a decision: the next report waiting for the caller.
    pub next_waiting: Option<ReportId>,
    /// Whether the caller signs this unit's reports (its heads).
    pub may_sign: bool,
}

impl ReportScreen {
    /// The regime version the report is made with.
    pub fn version(&self) -> AppResult<&RegimeVersion> {
        self.meta
            .regime(&self.view.regime)
            .and_then(|r| r.version(self.view.regime_version))
            .ok_or(AppError::NotFound)
    }
}

/// What the page is drawn after.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ScreenAfter {
    /// Opened, or after a save or any other step.
    #[default]
    Reading,
    /// Right after the caller returned or accepted it: the next report
    /// waiting is offered.
    Decision,
}

impl App {
    /// Everything report `id`'s page shows (not found for a caller who may
    /// not read it).
    pub async fn report_screen(
        &self,
        principal: &Principal,
        id: ReportId,
        after: ScreenAfter,
    ) -> AppResult<ReportScreen> {
        let mut conn = self.store.conn().await?;
        let (r, units) = self.readable_with_units(&mut conn, principal, id).await?;
        let meta = self.catalogue_cache.current(&mut conn).await?;
        let may_sign = principal.acts_for(Permission::SubmitReport, r.unit_id);
        let view = view_of(&mut conn, principal, r, &units, &meta).await?;
        let attachments = store_reports::attachments(&mut conn, id)
            .await?
            .into_iter()
            .map(AttachmentView::from)
            .collect();
        let signatures = store_signatures::signatures(&mut conn, id).await?;
        let history = history_of(&mut conn, id).await?;
        let next_waiting = match after {
            ScreenAfter::Decision => next_waiting_on(&mut conn, principal, id).await?,
            ScreenAfter::Reading => None,
        };
        Ok(ReportScreen {
            view,
            meta,
            attachments,
            signatures,
            history,
            next_waiting,
            may_sign,
        })
    }
}
