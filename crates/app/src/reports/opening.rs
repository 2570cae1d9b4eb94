//! Opening a report: the empty draft of a unit's report for a period,
//! created on first opening by someone who may enter its data, with its
//! receiver and deadline fixed from the regime version in force.

use baocao_domain::access::{Permission, Principal};
use baocao_domain::audit::AuditEvent;
use baocao_domain::catalogue::Metadata;
use baocao_domain::obligation::{placement, reportable};
use baocao_domain::period::PeriodId;
use baocao_domain::report::{Content, ReportId};
use baocao_domain::unit::{OrgUnit, UnitId};
use baocao_domain::Message;
use baocao_store::reports::{self as store_reports, NewReport};
use chrono::NaiveDate;

use super::{encode, with_ancestors, ReportView};
use crate::{now, App, AppError, AppResult};

/// The deadline of the request of thematic or ad-hoc regime `regime` that
/// names `unit` and whose window is `period`.
fn requested_deadline(
    meta: &Metadata,
    regime: &str,
    unit: &OrgUnit,
    period: &PeriodId,
) -> Option<NaiveDate> {
    meta.requests
        .iter()
        .filter(|r| r.regime == regime)
        .filter(|r| r.units.iter().any(|c| c == unit.code.as_str()))
        .find(|r| r.window_first == period.first_day() && r.window_last == period.last_day())
        .map(|r| r.deadline)
}

/// The ledger event of report `id` created as `new`.
fn created_event(id: ReportId, new: &NewReport<'_>) -> AuditEvent {
    AuditEvent::ReportCreated {
        report: id,
        regime: new.regime_code.to_string(),
        regime_version: new.regime_version,
        unit: new.unit_id,
        period: new.period.to_string(),
        receiver: new.receiver_id,
        deadline: new.deadline,
    }
}

impl App {
    /// The report of `unit` for `regime` and `period`, created as an empty draft
    /// on first opening by someone who may enter its data. Only periods the
    /// unit reports can be opened: of the regime's frequency (or a request's
    /// window), started, and while the unit exists.
    pub async fn open_report(
        &self,
        principal: &Principal,
        regime_code: &str,
        unit_id: UnitId,
        period_text: &str,
    ) -> AppResult<ReportView> {
        let period = crate::calendar::parse_period(period_text)?;
        if let Some(id) = self
            .opened_before(principal, regime_code, unit_id, &period)
            .await?
        {
            return self.report(principal, id).await;
        }
        let meta = self.metadata().await?;
        let regime = meta.regime(regime_code).ok_or(AppError::NotFound)?;
        let calendar = self.work_calendar().await?;
        let mut tx = self.store.begin_write().await?;
        let (unit, ancestors) = with_ancestors(&mut tx, unit_id).await?;
        let not_reported = |m: Message| AppError::field("period", m);
        let (number, version) = regime.version_for(&period).ok_or_else(|| {
            not_reported(Message::new("report.error.wrong_period").arg("value", period_text))
        })?;
        let receiving = self.receiving_ids(&mut tx, &version.receiving_unit).await?;
        let place = placement(version, &unit, &ancestors, &receiving).ok_or_else(|| {
            AppError::Conflict(
                Message::new("report.error.not_reporting")
                    .arg("unit", &unit.name)
                    .arg("regime", &regime.code),
            )
        })?;
        let due = if version.kind == baocao_domain::catalogue::RegimeKind::Periodic {
            reportable(version, &unit, &period, crate::today()).map_err(not_reported)?;
            super::obligations::due_date(version, place.group, &period, &calendar).ok_or_else(
                || {
                    AppError::Conflict(
                        Message::new("report.error.no_deadline").arg("value", period_text),
                    )
                },
            )?
        } else {
            requested_deadline(&meta, &regime.code, &unit, &period).ok_or_else(|| {
                not_reported(Message::new("report.error.no_request").arg("value", period_text))
            })?
        };
        let draft = encode(&Content::default())?;
        let at = now();
        let new = NewReport {
            regime_code: &regime.code,
            regime_version: number,
            unit_id,
            period: &period,
            receiver_id: place.receiver,
            deadline: due,
            draft: &draft,
        };
        let id = match store_reports::insert(&mut tx, &new, at).await {
            Ok(id) => id,
            Err(e) if e.is_unique_violation() => {
                // Someone opened it at the same moment: use theirs.
                drop(tx);
                return self
                    .opened_meanwhile(principal, regime_code, unit_id, &period)
                    .await;
            }
            Err(e) => return Err(e.into()),
        };
        let event = created_event(id, &new);
        crate::ledger::record(&mut tx, &crate::ledger::Actor::of(principal), &event, at).await?;
        baocao_store::commit(tx).await?;
        self.report(principal, id).await
    }

    /// The report of `unit_id` for `regime_code` and `period` that someone
    /// else created while the caller was opening it.
    async fn opened_meanwhile(
        &self,
        principal: &Principal,
        regime_code: &str,
        unit_id: UnitId,
        period: &PeriodId,
    ) -> AppResult<ReportView> {
        let id = {
            let mut conn = self.store.conn().await?;
            store_reports::find(&mut conn, regime_code, unit_id, period)
                .await?
                .ok_or(AppError::NotFound)?
                .id
        };
        self.report(principal, id).await
    }

    /// The report of `unit_id` for `regime_code` and `period` if it was opened
    /// before; else whether `principal` may open it at all (forbidden, or not
    /// found for a unit the caller may not see).
    async fn opened_before(
        &self,
        principal: &Principal,
        regime_code: &str,
        unit_id: UnitId,
        period: &PeriodId,
    ) -> AppResult<Option<ReportId>> {
        let mut conn = self.store.conn().await?;
        if let Some(existing) = store_reports::find(&mut conn, regime_code, unit_id, period).await?
        {
            return Ok(Some(existing.id));
        }
        if !principal.acts_for(Permission::EnterData, unit_id)
            && !principal.acts_for(Permission::SubmitReport, unit_id)
        {
            return Err(
                match crate::units::may_view(&mut conn, principal, unit_id).await? {
                    true => AppError::Forbidden,
                    false => AppError::NotFound,
                },
            );
        }
        Ok(None)
    }
}
