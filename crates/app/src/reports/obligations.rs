//! What each unit owes (its obligations, most urgent first) and what waits for
//! a receiving unit's decision (the inbox).

use std::collections::HashMap;

use baocao_domain::access::{Permission, Principal};
use baocao_domain::calendar::WorkCalendar;
use baocao_domain::catalogue::{Metadata, Regime, RegimeKind, RegimeVersion};
use baocao_domain::deadline::deadline;
use baocao_domain::obligation::{placement, reportable, urgency, Urgency};
use baocao_domain::period::{periods_in_year, DateRange, PeriodId};
use baocao_domain::report::{ReportId, Status};
use baocao_domain::unit::{OrgUnit, UnitId};
use baocao_store::catalogue as store_catalogue;
use baocao_store::reports::{self as store_reports, StoredReport};
use baocao_store::Conn;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::with_ancestors;
use crate::{App, AppResult};

/// A report a unit owes.
#[derive(Debug, Clone, Serialize)]
pub struct Obligation {
    /// Regime code.
    pub regime: String,
    /// Regime name, Vietnamese.
    pub regime_name_vi: String,
    /// Regime name, English.
    pub regime_name_en: String,
    /// Period.
    pub period: PeriodId,
    /// Request code, for thematic and ad-hoc reports.
    pub request: Option<String>,
    /// Reporting unit.
    pub unit: UnitId,
    /// Its name.
    pub unit_name: String,
    /// Deadline.
    pub deadline: NaiveDate,
    /// Status, `None` before anything is saved.
    pub status: Option<Status>,
    /// The stored report, if any.
    pub report_id: Option<ReportId>,
    /// How urgent.
    pub urgency: Urgency,
}

/// A report waiting for the receiving unit's decision, as the inbox lists it
/// (a summary: the report itself is one click away).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InboxItem {
    /// The report.
    pub id: ReportId,
    /// Regime code.
    pub regime: String,
    /// Period.
    pub period: PeriodId,
    /// Reporting unit.
    pub unit: UnitId,
    /// Its name.
    pub unit_name: String,
    /// Receiving unit.
    pub receiver: UnitId,
    /// Deadline.
    pub deadline: NaiveDate,
    /// The version waiting.
    pub version: i64,
    /// When it was submitted (Unix seconds).
    pub submitted_at: i64,
    /// Whether it was submitted by the deadline.
    pub on_time: bool,
}

/// The deadline of a unit in `group` of `version` for `period`.
pub(crate) fn due_date(
    version: &RegimeVersion,
    group: usize,
    period: &PeriodId,
    calendar: &WorkCalendar,
) -> Option<NaiveDate> {
    let rule = version.reporting.get(group)?.deadline?;
    deadline(rule, period, version.convention, calendar).ok()
}

/// Accepted reports stay listed this many days after their deadline.
const DONE_LISTED_DAYS: i64 = 90;

/// A report owed: its period, its request (thematic and ad-hoc reports) and
/// its deadline.
type Owed = (PeriodId, Option<String>, NaiveDate);

/// A reporting unit, where it stands, and the day and calendar its
/// obligations are computed for.
struct Reporter<'a> {
    /// The unit.
    unit: &'a OrgUnit,
    /// Its ancestors, root first.
    ancestors: &'a [OrgUnit],
    /// Today.
    today: NaiveDate,
    /// The working-day calendar.
    calendar: &'a WorkCalendar,
}

/// The requests of thematic or ad-hoc regime `regime` that name `unit`, as
/// reports owed.
fn requests_owed(meta: &Metadata, regime: &str, unit: &OrgUnit) -> Vec<Owed> {
    let mut owed = Vec::new();
    for request in meta.requests.iter().filter(|r| r.regime == regime) {
        if !request.units.iter().any(|c| c == unit.code.as_str()) {
            continue;
        }
        let Ok(range) = DateRange::new(request.window_first, request.window_last) else {
            continue;
        };
        let Ok(period) = PeriodId::ad_hoc(range) else {
            continue;
        };
        owed.push((period, Some(request.code.clone()), request.deadline));
    }
    owed
}

/// The obligation of `unit` for `owed` under `regime` (its `latest` version
/// names it), with its stored `report` if any; none once accepted long ago.
fn obligation(
    regime: &str,
    latest: &RegimeVersion,
    unit: &OrgUnit,
    report: Option<&StoredReport>,
    (period, request, due): Owed,
    today: NaiveDate,
) -> Option<Obligation> {
    let status = report.map(|r| r.status);
    let urgency = urgency(status, due, today);
    if urgency == Urgency::Done && (today - due).num_days() > DONE_LISTED_DAYS {
        return None;
    }
    Some(Obligation {
        regime: regime.to_string(),
        regime_name_vi: latest.name_vi.clone(),
        regime_name_en: latest.name_en.clone(),
        period,
        request,
        unit: unit.id,
        unit_name: unit.name.clone(),
        deadline: due,
        status,
        report_id: report.map(|r| r.id),
        urgency,
    })
}

impl App {
    /// The ids of the units carrying a receiving unit's code.
    pub(crate) async fn receiving_ids(
        &self,
        conn: &mut Conn,
        code: &str,
    ) -> AppResult<Vec<UnitId>> {
        let found = store_catalogue::units_by_code(conn, &[code.to_string()]).await?;
        Ok(found.get(code).cloned().unwrap_or_default())
    }

    /// What the caller's units owe (as reporting units) around `today`, most
    /// urgent first: periods whose cut-off window has started, this year and
    /// last (placed with the regime version of each period), and the requests
    /// naming the units.
    pub async fn obligations(
        &self,
        principal: &Principal,
        today: NaiveDate,
    ) -> AppResult<Vec<Obligation>> {
        let mut units = principal.units_acting_for(Permission::EnterData);
        units.extend(principal.units_acting_for(Permission::SubmitReport));
        units.sort();
        units.dedup();
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let meta = self.metadata().await?;
        let calendar = self.work_calendar().await?;
        let mut conn = self.store.conn().await?;
        let stored: HashMap<(String, UnitId, PeriodId), StoredReport> =
            store_reports::of_units(&mut conn, &units)
                .await?
                .into_iter()
                .map(|r| ((r.regime_code.clone(), r.unit_id, r.period), r))
                .collect();
        let mut receiving: HashMap<String, Vec<UnitId>> = HashMap::new();
        let mut out = Vec::new();
        for unit_id in units {
            let (unit, ancestors) = with_ancestors(&mut conn, unit_id).await?;
            let reporter = Reporter {
                unit: &unit,
                ancestors: &ancestors,
                today,
                calendar: &calendar,
            };
            for regime in &meta.regimes {
                let Some(latest) = regime.latest() else {
                    continue;
                };
                let owed = if latest.kind == RegimeKind::Periodic {
                    self.periods_owed(&mut conn, &mut receiving, regime, latest, &reporter)
                        .await?
                } else {
                    requests_owed(&meta, &regime.code, &unit)
                };
                for owed in owed {
                    let report = stored.get(&(regime.code.clone(), unit.id, owed.0));
                    out.extend(obligation(&regime.code, latest, &unit, report, owed, today));
                }
            }
        }
        out.sort_by(|a, b| a.urgency.cmp(&b.urgency).then(a.deadline.cmp(&b.deadline)));
        Ok(out)
    }

    /// The periods of this year and last that `reporter`'s unit owes for
    /// periodic `regime` (placed with the regime version of each period),
    /// with their deadlines; `receiving` caches the ids of receiving units.
    async fn periods_owed(
        &self,
        conn: &mut Conn,
        receiving: &mut HashMap<String, Vec<UnitId>>,
        regime: &Regime,
        latest: &RegimeVersion,
        reporter: &Reporter<'_>,
    ) -> AppResult<Vec<Owed>> {
        let (unit, today) = (reporter.unit, reporter.today);
        let mut owed = Vec::new();
        for year in [today.year() - 1, today.year()] {
            let Ok(periods) = periods_in_year(year, latest.frequency) else {
                continue;
            };
            for period in periods {
                let Some((_, version)) = regime.version_for(&period) else {
                    continue;
                };
                if reportable(version, unit, &period, today).is_err() {
                    continue;
                }
                let code = &version.receiving_unit;
                if !receiving.contains_key(code) {
                    let ids = self.receiving_ids(conn, code).await?;
                    receiving.insert(code.clone(), ids);
                }
                let ids = receiving.get(code).map(Vec::as_slice).unwrap_or(&[]);
                let Some(place) = placement(version, unit, reporter.ancestors, ids) else {
                    continue;
                };
                if let Some(due) = due_date(version, place.group, &period, reporter.calendar) {
                    owed.push((period, None, due));
                }
            }
        }
        Ok(owed)
    }
}
