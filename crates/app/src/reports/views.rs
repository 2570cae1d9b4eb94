//! A report as a page shows it: its content and versions, the checks that
//! fail on it, unusual values, the context of the form's other columns (same
//! period last year, year to date, targets) and what the caller may do.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use baocao_domain::access::{Permission, Principal};
use baocao_domain::catalogue::{Metadata, Regime};
use baocao_domain::outlier;
use baocao_domain::period::PeriodId;
use baocao_domain::report::{
    self, targets_for, AcceptedHistory, Content, ReportId, Status, RECENT_ACCEPTED,
};
use baocao_domain::unit::{OrgUnit, UnitId};
use baocao_store::reports::{self as store_reports, HistoryWanted, StoredReport};
use baocao_store::{units as store_units, Conn};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::{decides_on_own_unit, decode, version_of};
use crate::{App, AppError, AppResult};

/// A report with what is needed to show it.
#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    /// Id.
    pub id: ReportId,
    /// Regime code.
    pub regime: String,
    /// The version the report is made with.
    pub regime_version: usize,
    /// Period.
    pub period: PeriodId,
    /// Reporting unit.
    pub unit: UnitId,
    /// Its name.
    pub unit_name: String,
    /// Receiving unit.
    pub receiver: UnitId,
    /// Its name.
    pub receiver_name: String,
    /// Deadline.
    pub deadline: NaiveDate,
    /// Status.
    pub status: Status,
    /// The working copy (or the frozen content once submitted).
    pub content: Content,
    /// Number of the last submitted version.
    pub version: i64,
    /// Changes of the row so far: send it back with a save so that a save
    /// made by someone else in between is not overwritten.
    pub revision: i64,
    /// Reason of an open correction.
    pub correction_reason: Option<String>,
    /// Every submitted version, oldest first.
    pub versions: Vec<VersionView>,
    /// Every workflow step, oldest first.
    pub events: Vec<EventView>,
    /// What the caller may do now.
    pub may: Allowed,
    /// The validation rules and required cells that fail on the content.
    pub checks: Vec<report::RuleResult>,
    /// Values far from the unit's own last 12 accepted periods (informative).
    pub outliers: Vec<outlier::Outlier>,
    /// The same period a year earlier (accepted), for the "same period last year" column.
    pub last_year: Option<Content>,
    /// The accepted reports of the year before this period, for "year to date".
    pub earlier_this_year: Vec<Content>,
    /// The target that applies to the unit this year, by indicator.
    pub targets: BTreeMap<String, Decimal>,
    /// Whether units report to it from below in the report's period (a
    /// commune has none: nothing to synthesize, no timeliness of its own).
    pub has_units_below: bool,
}

/// A frozen version.
#[derive(Debug, Clone, Serialize)]
pub struct VersionView {
    /// Number.
    pub version: i64,
    /// Content.
    pub content: Content,
    /// Reason (corrections).
    pub reason: Option<String>,
    /// Server time of submission (unix seconds).
    pub submitted_at: i64,
    /// Whether it met the deadline.
    pub on_time: bool,
}

/// A workflow step.
#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    /// Version concerned.
    pub version: i64,
    /// `report.submit`, …
    pub action: baocao_domain::audit::Action,
    /// Reason given.
    pub reason: Option<String>,
    /// When (unix seconds).
    pub at: i64,
    /// Who.
    pub by: Option<String>,
}

/// The actions open to the caller.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Allowed {
    /// Save the draft.
    pub edit: bool,
    /// Submit.
    pub submit: bool,
    /// Return or accept.
    pub review: bool,
    /// Reopen for a correction.
    pub correct: bool,
    /// Withdraw the submission before it is reviewed.
    pub recall: bool,
}

/// The accepted history of each of `reports` (its unit's earlier accepted
/// reports for its regime: the columns' context and the outlier checks'), in
/// one statement for the lot; without the year to date unless `whole`.
pub(super) async fn histories(
    conn: &mut Conn,
    reports: &[&StoredReport],
    whole: bool,
) -> AppResult<HashMap<ReportId, AcceptedHistory>> {
    let wanted: Vec<HistoryWanted> = reports
        .iter()
        .map(|r| HistoryWanted {
            key: r.id.get(),
            regime: r.regime_code.clone(),
            unit: r.unit_id,
            period: r.period.to_string(),
            since: AcceptedHistory::reaches_back_to(&r.period),
        })
        .collect();
    let mut found: HashMap<i64, Vec<(String, Content)>> = HashMap::new();
    for (key, period, content) in
        store_reports::accepted_before(conn, &wanted, RECENT_ACCEPTED as i64).await?
    {
        found
            .entry(key)
            .or_default()
            .push((period, decode(&content)?));
    }
    Ok(reports
        .iter()
        .map(|r| {
            let accepted = found.remove(&r.id.get()).unwrap_or_default();
            let history = if whole {
                AcceptedHistory::of(&r.period, accepted)
            } else {
                AcceptedHistory::for_checks(&r.period, accepted)
            };
            (r.id, history)
        })
        .collect())
}

/// Report `r` as the caller may see it; `units` holds its unit and its
/// receiving unit.
pub(super) async fn view_of(
    conn: &mut Conn,
    principal: &Principal,
    r: StoredReport,
    units: &[OrgUnit],
    meta: &Metadata,
) -> AppResult<ReportView> {
    let id = r.id;
    let name_of = |id: UnitId| {
        units
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    let versions = versions(conn, id).await?;
    let events = events(conn, id).await?;
    let content = decode(&r.draft)?;
    let history = histories(conn, &[&r], true)
        .await?
        .remove(&id)
        .unwrap_or_default();
    let has_units_below = store_units::has_children(conn, r.unit_id, r.period.last_day()).await?;
    let outliers = outlier::outliers(&content, &history.recent, history.last_year.as_ref());
    let targets = units
        .iter()
        .find(|u| u.id == r.unit_id)
        .map(|u| targets_for(meta, u.code.as_str(), u.level.as_str(), r.period.year()))
        .unwrap_or_default();
    let checks = report::validate(&content, version_of(meta, &r)?, meta);
    Ok(ReportView {
        id,
        regime: r.regime_code.clone(),
        regime_version: r.regime_version,
        period: r.period,
        unit: r.unit_id,
        unit_name: name_of(r.unit_id),
        receiver: r.receiver_id,
        receiver_name: name_of(r.receiver_id),
        deadline: r.deadline,
        status: r.status,
        content,
        version: r.version,
        revision: r.revision,
        correction_reason: r.correction_reason.clone(),
        versions,
        events,
        may: allowed(principal, &r),
        checks,
        outliers,
        last_year: history.last_year,
        earlier_this_year: history.earlier_this_year,
        targets,
        has_units_below,
    })
}

/// Every submitted version of report `id`, oldest first.
async fn versions(conn: &mut Conn, id: ReportId) -> AppResult<Vec<VersionView>> {
    store_reports::versions(conn, id)
        .await?
        .into_iter()
        .map(|v| {
            Ok(VersionView {
                version: v.version,
                content: decode(&v.content)?,
                reason: v.reason,
                submitted_at: v.submitted_at,
                on_time: v.on_time,
            })
        })
        .collect()
}

/// Every workflow step of report `id`, oldest first.
async fn events(conn: &mut Conn, id: ReportId) -> AppResult<Vec<EventView>> {
    Ok(store_reports::events(conn, id)
        .await?
        .into_iter()
        .map(|e| EventView {
            version: e.version,
            action: e.action,
            reason: e.reason,
            at: e.at,
            by: e.by,
        })
        .collect())
}

/// What `principal` may do now with report `r`, by its grants and the
/// report's status (nobody reviews its own unit's report).
fn allowed(principal: &Principal, r: &StoredReport) -> Allowed {
    let enter = principal.acts_for(Permission::EnterData, r.unit_id);
    let submit = principal.acts_for(Permission::SubmitReport, r.unit_id);
    let review = principal.acts_for(Permission::ReviewReport, r.receiver_id)
        && !decides_on_own_unit(principal, r.unit_id);
    let status = r.status;
    Allowed {
        edit: enter && status.editable(),
        submit: submit && status.editable(),
        review: review && status == Status::Submitted,
        correct: (enter || submit) && status == Status::Accepted,
        recall: submit && status == Status::Submitted,
    }
}

impl App {
    /// A report as the caller may see it (not found for a caller who may not read it).
    pub async fn report(&self, principal: &Principal, id: ReportId) -> AppResult<ReportView> {
        let mut conn = self.store.conn().await?;
        let (r, chain) = self.readable_with_units(&mut conn, principal, id).await?;
        let meta = self.catalogue_cache.current(&mut conn).await?;
        view_of(&mut conn, principal, r, &chain, &meta).await
    }

    /// A report the caller may read, with its unit, the unit's ancestors and
    /// its receiving unit (what its page names), in two statements.
    pub(crate) async fn readable_with_units(
        &self,
        conn: &mut Conn,
        principal: &Principal,
        id: ReportId,
    ) -> AppResult<(StoredReport, Vec<OrgUnit>)> {
        let r = store_reports::get(conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let (unit, ancestors) = store_units::with_ancestors(conn, r.unit_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let ancestor_ids: Vec<UnitId> = ancestors.iter().map(|u| u.id).collect();
        if !super::may_read(principal, &r, &ancestor_ids) {
            return Err(AppError::NotFound);
        }
        let mut chain = vec![unit];
        chain.extend(ancestors);
        if !chain.iter().any(|u| u.id == r.receiver_id) {
            chain.extend(store_units::get(conn, r.receiver_id).await?);
        }
        Ok((r, chain))
    }

    /// The regime a report was made with, and the catalogue.
    pub async fn report_regime(&self, view: &ReportView) -> AppResult<(Regime, Arc<Metadata>)> {
        let meta = self.metadata().await?;
        let regime = meta
            .regime(&view.regime)
            .cloned()
            .ok_or(AppError::NotFound)?;
        Ok((regime, meta))
    }
}
