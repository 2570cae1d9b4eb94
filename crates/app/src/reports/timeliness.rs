//! Timeliness and completeness (tính kịp thời, đầy đủ) of the reports a unit
//! receives for one regime and period.

use std::collections::HashMap;

use baocao_domain::access::{Permission, Principal, Target};
use baocao_domain::audit::AuditEvent;
use baocao_domain::catalogue::RegimeKind;
use baocao_domain::period::{latest_ended, PeriodId};
use baocao_domain::report::{ReportId, Status, VIETNAM};
use baocao_domain::unit::UnitId;
use baocao_domain::Message;
use baocao_formats::figure_table::{self, FigureTable, TableCell};
use baocao_store::reminders::{self as store_reminders, NewReminder};
use baocao_store::reports as store_reports;
use chrono::NaiveDate;
use serde::Serialize;

use super::obligations::due_date;
use super::with_ancestors;
use crate::i18n::{self, render, Lang};
use crate::{App, AppError, AppResult};

/// Who was expected, who submitted on time, late, or not at all.
#[derive(Debug, Clone, Serialize)]
pub struct Timeliness {
    /// Regime code.
    pub regime: String,
    /// Period.
    pub period: PeriodId,
    /// The receiving unit.
    pub receiver: UnitId,
    /// Its name.
    pub receiver_name: String,
    /// The deadline of the units reporting to it (the earliest, when groups differ).
    pub deadline: Option<NaiveDate>,
    /// Units expected to report.
    pub expected: usize,
    /// Of which submitted by the deadline (first submission).
    pub on_time: usize,
    /// Submitted after the deadline.
    pub late: usize,
    /// Not submitted at all.
    pub missing: usize,
    /// One row per expected unit.
    pub rows: Vec<TimelinessRow>,
}

/// One expected unit.
#[derive(Debug, Clone, Serialize)]
pub struct TimelinessRow {
    /// Unit id.
    pub unit: UnitId,
    /// Its name.
    pub name: String,
    /// Its report, once opened.
    pub report: Option<ReportId>,
    /// The report's status, `None` when not started.
    pub status: Option<Status>,
    /// Server time of the first submission (unix seconds).
    pub first_submitted_at: Option<i64>,
    /// Whether that first submission met the deadline.
    pub on_time: Option<bool>,
    /// Number of submitted versions.
    pub versions: usize,
}

/// The timeliness table as an .xlsx workbook, in `lang`: the regime, period
/// and counts above, a line per expected unit.
pub fn timeliness_xlsx(t: &Timeliness, lang: Lang) -> AppResult<Vec<u8>> {
    let when = |at: i64| {
        chrono::DateTime::from_timestamp(at, 0)
            .map(|d| {
                d.with_timezone(&baocao_domain::report::VIETNAM)
                    .format("%d/%m/%Y %H:%M")
                    .to_string()
            })
            .unwrap_or_default()
    };
    let table = FigureTable {
        notes: vec![
            format!("{} · {} · {}", t.receiver_name, t.regime, t.period),
            render(
                lang,
                &Message::new("report.timeliness_summary")
                    .arg("expected", t.expected)
                    .arg("on_time", t.on_time)
                    .arg("late", t.late)
                    .arg("missing", t.missing)
                    .arg(
                        "deadline",
                        t.deadline
                            .map(|d| d.format("%d/%m/%Y").to_string())
                            .unwrap_or_default(),
                    ),
            ),
        ],
        header: vec![
            i18n::t(lang, "report.unit"),
            i18n::t(lang, "report.status_title"),
            i18n::t(lang, "report.first_submitted"),
            i18n::t(lang, "report.timing"),
        ],
        rows: t
            .rows
            .iter()
            .map(|r| {
                vec![
                    TableCell::Text(r.name.clone()),
                    TableCell::Text(
                        r.status
                            .map(|s| i18n::t(lang, s.key()))
                            .unwrap_or_else(|| i18n::t(lang, "report.not_started")),
                    ),
                    r.first_submitted_at
                        .map_or(TableCell::Empty, |at| TableCell::Text(when(at))),
                    TableCell::Text(i18n::t(
                        lang,
                        match r.on_time {
                            Some(true) => "report.on_time",
                            Some(false) => "report.late",
                            None => "report.missing",
                        },
                    )),
                ]
            })
            .collect(),
    };
    figure_table::write_xlsx(&table).map_err(|e| AppError::Internal(e.to_string()))
}

/// A timeliness table as an address asks for it, each part as typed (a page
/// leaves blank fields out); what is left out takes its default.
#[derive(Debug, Clone, Copy, Default)]
pub struct TimelinessFilter<'a> {
    /// A regime code (default: the first periodic regime).
    pub regime: Option<&'a str>,
    /// A period id (default: the regime's latest period already ended).
    pub period: Option<&'a str>,
    /// The receiving unit's id (default: the caller's first reviewed unit,
    /// else the first it enters data for).
    pub unit: Option<&'a str>,
}

/// The timeliness page: the table, the regimes it may show, and whether the
/// caller may remind the units still to send.
#[derive(Debug, Clone)]
pub struct TimelinessScreen {
    /// The table.
    pub table: Timeliness,
    /// The periodic regimes: code, Vietnamese and English names.
    pub regimes: Vec<(String, String, String)>,
    /// Whether the caller reviews for the receiving unit and some unit has not sent.
    pub may_remind: bool,
}

impl App {
    /// The timeliness page for `today` with the defaults of what `filter`
    /// leaves out.
    pub async fn timeliness_screen(
        &self,
        principal: &Principal,
        filter: TimelinessFilter<'_>,
        today: NaiveDate,
    ) -> AppResult<TimelinessScreen> {
        let meta = self.metadata().await?;
        let periodic: Vec<&baocao_domain::catalogue::Regime> = meta
            .regimes
            .iter()
            .filter(|r| r.latest().is_some_and(|v| v.kind == RegimeKind::Periodic))
            .collect();
        let regime = filter
            .regime
            .map(str::to_string)
            .or_else(|| periodic.first().map(|r| r.code.clone()))
            .ok_or(AppError::NotFound)?;
        let period = match filter.period {
            Some(p) => p.to_string(),
            None => meta
                .regime(&regime)
                .and_then(|r| r.latest())
                .and_then(|v| latest_ended(v.frequency, today))
                .ok_or(AppError::NotFound)?
                .to_string(),
        };
        let unit = match filter.unit {
            Some(u) => u.parse::<i64>().map(UnitId::new).map_err(|_| {
                AppError::field("unit", Message::new("request.bad_number").arg("value", u))
            })?,
            None => principal
                .units_acting_for(Permission::ReviewReport)
                .into_iter()
                .chain(principal.units_acting_for(Permission::EnterData))
                .next()
                .ok_or(AppError::NotFound)?,
        };
        let table = self.timeliness(principal, &regime, &period, unit).await?;
        let may_remind = table.missing > 0 && principal.acts_for(Permission::ReviewReport, unit);
        let regimes = periodic
            .iter()
            .filter_map(|r| {
                let v = r.latest()?;
                Some((r.code.clone(), v.name_vi.clone(), v.name_en.clone()))
            })
            .collect();
        Ok(TimelinessScreen {
            table,
            regimes,
            may_remind,
        })
    }

    /// Timeliness of the reports `receiver` gets for `regime` and `period`, for
    /// the receiving unit's own staff and the levels above it (a unit below
    /// does not see how its neighbours stand; for it the page does not exist).
    pub async fn timeliness(
        &self,
        principal: &Principal,
        regime_code: &str,
        period_text: &str,
        receiver_id: UnitId,
    ) -> AppResult<Timeliness> {
        let period = crate::calendar::parse_period(period_text)?;
        let receiver = {
            let mut conn = self.store.conn().await?;
            let (receiver, above) = with_ancestors(&mut conn, receiver_id).await?;
            let above_ids: Vec<UnitId> = above.iter().map(|u| u.id).collect();
            if !principal.oversees(&Target {
                unit: receiver_id,
                ancestors: &above_ids,
            }) {
                return Err(AppError::NotFound);
            }
            receiver
        };
        // Read before taking a connection for the rest: a request never holds
        // one connection while waiting for another (under load that waits
        // for ever once every connection is held by such a request).
        let meta = self.metadata().await?;
        let regime = meta.regime(regime_code).ok_or(AppError::NotFound)?;
        let (_, version) = regime.version_for(&period).ok_or(AppError::NotFound)?;
        let calendar = self.work_calendar().await?;
        let mut conn = self.store.conn().await?;
        let children = self
            .expected_children(&mut conn, &receiver, version, &period)
            .await?;
        let reports = store_reports::received(&mut conn, receiver_id, regime_code, &period).await?;
        let ids: Vec<_> = reports.iter().map(|r| r.id).collect();
        let submitted: HashMap<_, _> = store_reports::submission_summaries(&mut conn, &ids)
            .await?
            .into_iter()
            .map(|(id, at, on_time, n)| (id, (at, on_time, n)))
            .collect();
        let rows: Vec<TimelinessRow> = children
            .iter()
            .map(|child| {
                let report = reports.iter().find(|r| r.unit_id == child.id);
                let first = report.and_then(|r| submitted.get(&r.id));
                TimelinessRow {
                    unit: child.id,
                    name: child.name.clone(),
                    report: report.map(|r| r.id),
                    status: report.map(|r| r.status),
                    first_submitted_at: first.map(|f| f.0),
                    on_time: first.map(|f| f.1),
                    versions: first.map_or(0, |f| usize::try_from(f.2).unwrap_or(0)),
                }
            })
            .collect();
        let deadline = version
            .reporting
            .iter()
            .enumerate()
            .filter_map(|(g, _)| due_date(version, g, &period, &calendar))
            .min();
        Ok(Timeliness {
            regime: regime.code.clone(),
            period,
            receiver: receiver_id,
            receiver_name: receiver.name.clone(),
            deadline,
            expected: rows.len(),
            on_time: rows.iter().filter(|r| r.on_time == Some(true)).count(),
            late: rows.iter().filter(|r| r.on_time == Some(false)).count(),
            missing: rows.iter().filter(|r| r.on_time.is_none()).count(),
            rows,
        })
    }

    /// Reminds the units that have not sent their report of `regime` and
    /// `period` to `receiver` (the receiving unit's reviewers only): an
    /// in-app notification and an e-mail to their officers and heads, and a
    /// ledger entry naming them, all in one transaction. A unit reminded of
    /// the same report the same day is not reminded again. Returns how many
    /// units were reminded.
    pub async fn remind_missing(
        &self,
        principal: &Principal,
        regime: &str,
        period: &str,
        receiver: UnitId,
    ) -> AppResult<usize> {
        // Not found for those who may not see it; refused to those who only watch.
        let table = self.timeliness(principal, regime, period, receiver).await?;
        if !principal.acts_for(Permission::ReviewReport, receiver) {
            return Err(AppError::Forbidden);
        }
        let missing: Vec<&TimelinessRow> = table
            .rows
            .iter()
            .filter(|r| r.first_submitted_at.is_none())
            .collect();
        let at = crate::now();
        let day = chrono::DateTime::from_timestamp(at, 0)
            .map(|d| d.with_timezone(&VIETNAM).date_naive().to_string())
            .unwrap_or_default();
        let deadline = table
            .deadline
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_default();
        let period_text = table.period.to_string();
        let mut tx = self.store.begin_write().await?;
        let mut reminded = Vec::new();
        for row in missing {
            let new = NewReminder {
                regime: &table.regime,
                period: &period_text,
                unit: row.unit,
                receiver,
                day: &day,
                at,
                by: principal.actor(),
            };
            if !store_reminders::insert(&mut tx, &new).await? {
                continue;
            }
            let message = Message::new("mail.reminded")
                .arg("regime", &table.regime)
                .arg("period", table.period)
                .arg("receiver", &table.receiver_name)
                .arg("deadline", &deadline);
            let link = row
                .report
                .map_or("/reports".to_string(), |id| format!("/reports/{id}"));
            let dedup = format!(
                "remind/{}/{}/{}/{day}",
                table.regime, table.period, row.unit
            );
            crate::mail::queue_to_unit(
                &mut tx,
                row.unit,
                ("mail.subject.reminded", &message),
                &link,
                &dedup,
                at,
            )
            .await?;
            reminded.push(row.unit);
        }
        if !reminded.is_empty() {
            let event = AuditEvent::Reminded {
                receiver,
                regime: table.regime.clone(),
                period: table.period.to_string(),
                units: reminded.clone(),
            };
            crate::ledger::record(&mut tx, &crate::ledger::Actor::of(principal), &event, at)
                .await?;
        }
        baocao_store::commit(tx).await?;
        Ok(reminded.len())
    }
}
