//! Periods and the working-day calendar: the computed rules of `domain` plus the
//! exceptions administrators enter (the Government's yearly Tết schedule, swapped
//! days, make-up Saturdays).

use baocao_domain::access::{Permission, Principal};
use baocao_domain::calendar::{CalendarException, ExceptionReason, NonWorkingReason, WorkCalendar};
use baocao_domain::catalogue::{Regime, RegimeKind, Request};
use baocao_domain::deadline::deadline;
use baocao_domain::period::{periods_in_year, DateRange, PeriodId};
use baocao_domain::Message;
use baocao_store::calendar::{self as store_calendar, StoredException};
use chrono::NaiveDate;
use serde::Serialize;

use crate::{now, App, AppError, AppResult};
use baocao_domain::audit::AuditEvent;
use baocao_domain::proof::calendar::Exception;

/// Parses a period id (`2025M03`, `2025Q1`, `2025S1`, `2025N9`, `2025`, `ADHOC:…`).
pub fn parse_period(text: &str) -> AppResult<PeriodId> {
    text.parse::<PeriodId>()
        .map_err(|e| AppError::field("period", Message::new(e.code()).arg("value", text)))
}

fn to_domain(e: &StoredException) -> AppResult<CalendarException> {
    let reason =
        ExceptionReason::new(&e.reason).map_err(|err| AppError::Internal(err.to_string()))?;
    Ok(match e.kind.as_str() {
        "working_day" => CalendarException::MakeUpWorkingDay {
            date: e.day,
            reason,
        },
        _ => CalendarException::ExtraDayOff {
            date: e.day,
            reason,
        },
    })
}

/// Who may correct the calendar: an exception moves every unit's deadlines,
/// so only administrators of the whole instance (system-wide, or on a
/// top-level unit) — never a district's regime administrator.
pub fn may_edit_calendar(principal: &Principal) -> bool {
    principal.may_at_top(Permission::ManageUnits) || principal.may_at_top(Permission::DefineRegimes)
}

/// What the calendar page shows of a year.
#[derive(Debug, Clone)]
pub struct CalendarScreen {
    /// Every day off, with why.
    pub days_off: Vec<(NaiveDate, NonWorkingReason)>,
    /// The make-up working days.
    pub make_up: Vec<StoredException>,
    /// The year's exceptions set by administrators.
    pub exceptions: Vec<StoredException>,
}

impl App {
    /// The working-day calendar with every stored exception.
    pub async fn work_calendar(&self) -> AppResult<WorkCalendar> {
        let mut conn = self.store.conn().await?;
        let stored = store_calendar::exceptions(&mut conn).await?;
        let exceptions = stored
            .iter()
            .map(to_domain)
            .collect::<AppResult<Vec<_>>>()?;
        WorkCalendar::new()
            .with_exceptions(exceptions)
            .map_err(|e| AppError::Internal(e.to_string()))
    }

    /// Every non-working day of a year with its reason, and the make-up working days.
    pub async fn calendar_year(
        &self,
        year: i32,
    ) -> AppResult<(Vec<(NaiveDate, NonWorkingReason)>, Vec<StoredException>)> {
        let calendar = self.work_calendar().await?;
        let days = calendar
            .non_working_days(year)
            .map_err(|e| AppError::field("year", Message::new(e.code()).arg("value", year)))?;
        let mut conn = self.store.conn().await?;
        let make_up = store_calendar::exceptions(&mut conn)
            .await?
            .into_iter()
            .filter(|e| e.kind == "working_day" && chrono::Datelike::year(&e.day) == year)
            .collect();
        Ok((days, make_up))
    }

    /// The calendar page of `year`: its days off with their reasons, its
    /// make-up working days, and the exceptions administrators set for it.
    pub async fn calendar_screen(&self, year: i32) -> AppResult<CalendarScreen> {
        let (days_off, make_up) = self.calendar_year(year).await?;
        let exceptions = self
            .calendar_exceptions()
            .await?
            .into_iter()
            .filter(|e| chrono::Datelike::year(&e.day) == year)
            .collect();
        Ok(CalendarScreen {
            days_off,
            make_up,
            exceptions,
        })
    }

    /// Every stored exception, by date.
    pub async fn calendar_exceptions(&self) -> AppResult<Vec<StoredException>> {
        let mut conn = self.store.conn().await?;
        Ok(store_calendar::exceptions(&mut conn).await?)
    }

    /// Records an exception for a date: a day off (`working = false`) or a make-up
    /// working day (`working = true`), with the reason.
    pub async fn add_calendar_exception(
        &self,
        principal: &Principal,
        day: NaiveDate,
        working: bool,
        reason: &str,
    ) -> AppResult<()> {
        if !may_edit_calendar(principal) {
            return Err(AppError::Forbidden);
        }
        let reason = ExceptionReason::new(reason)
            .map_err(|e| AppError::field("reason", Message::new(e.code())))?;
        // The computed calendar must cover the date.
        WorkCalendar::new()
            .is_working_day(day)
            .map_err(|e| AppError::field("date", Message::new(e.code()).arg("value", day)))?;
        let stored = StoredException {
            day,
            kind: if working { "working_day" } else { "day_off" }.into(),
            reason: reason.as_str().to_string(),
        };
        let mut tx = self.store.begin_write().await?;
        match store_calendar::insert_exception(&mut tx, &stored, principal.actor(), now()).await {
            Ok(()) => {}
            Err(e) if e.is_unique_violation() => {
                return Err(AppError::Conflict(
                    Message::new("calendar.duplicate_exception").arg("value", day),
                ))
            }
            Err(e) => return Err(e.into()),
        }
        let added = AuditEvent::CalendarExceptionAdded {
            exception: Exception {
                day,
                kind: stored.kind.clone(),
                reason: stored.reason.clone(),
            },
        };
        crate::ledger::record_change(&mut tx, principal, &added).await?;
        baocao_store::commit(tx).await?;
        tracing::info!(by = %principal.username, %day, working, "calendar exception added");
        Ok(())
    }

    /// Removes the exception of a date.
    pub async fn remove_calendar_exception(
        &self,
        principal: &Principal,
        day: NaiveDate,
    ) -> AppResult<()> {
        if !may_edit_calendar(principal) {
            return Err(AppError::Forbidden);
        }
        let mut tx = self.store.begin_write().await?;
        if !store_calendar::delete_exception(&mut tx, day).await? {
            return Err(AppError::NotFound);
        }
        let removed = AuditEvent::CalendarExceptionRemoved { day };
        crate::ledger::record_change(&mut tx, principal, &removed).await?;
        baocao_store::commit(tx).await?;
        Ok(())
    }
}

/// One period of a regime's calendar.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalendarPeriod {
    /// The period.
    pub period: PeriodId,
    /// Number of the regime version that applies.
    pub version: usize,
    /// The data cut-off window.
    pub window: DateRange,
    /// Each reporting group's deadline, in the version's order.
    pub deadlines: Vec<GroupDeadline>,
}

/// A reporting group's deadline for one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupDeadline {
    /// Group name, Vietnamese.
    pub name_vi: String,
    /// Group name, English.
    pub name_en: String,
    /// Stage in the cascade.
    pub stage: u8,
    /// The deadline.
    pub deadline: NaiveDate,
}

/// A regime's calendar for a year: each period's window and deadlines, or for
/// thematic and ad-hoc regimes the requests of that year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegimeCalendar {
    /// The regime.
    pub regime: Regime,
    /// The year.
    pub year: i32,
    /// Periods of a periodic regime.
    pub periods: Vec<CalendarPeriod>,
    /// Requests whose window starts or ends in the year.
    pub requests: Vec<Request>,
}

impl App {
    /// Each period of `year` with its window and each group's deadline.
    pub async fn regime_calendar(&self, code: &str, year: i32) -> AppResult<RegimeCalendar> {
        let meta = self.metadata().await?;
        let regime = meta.regime(code).cloned().ok_or(AppError::NotFound)?;
        let calendar = self.work_calendar().await?;
        let bad_year = || {
            AppError::field(
                "year",
                Message::new("calendar.out_of_range").arg("value", year),
            )
        };
        let mut periods = Vec::new();
        if let Some(latest) = regime.latest() {
            if latest.kind == RegimeKind::Periodic {
                for period in periods_in_year(year, latest.frequency).map_err(|_| bad_year())? {
                    let Some((number, version)) = regime.version_for(&period) else {
                        continue;
                    };
                    let mut deadlines = Vec::new();
                    for group in &version.reporting {
                        let Some(rule) = group.deadline else { continue };
                        let due = deadline(rule, &period, version.convention, &calendar)
                            .map_err(|_| bad_year())?;
                        deadlines.push(GroupDeadline {
                            name_vi: group.name_vi.clone(),
                            name_en: group.name_en.clone(),
                            stage: group.stage,
                            deadline: due,
                        });
                    }
                    periods.push(CalendarPeriod {
                        period,
                        version: number,
                        window: period.cutoff_window(version.convention),
                        deadlines,
                    });
                }
            }
        }
        let requests = meta
            .requests
            .iter()
            .filter(|r| r.regime == regime.code)
            .filter(|r| {
                chrono::Datelike::year(&r.window_first) == year
                    || chrono::Datelike::year(&r.window_last) == year
            })
            .cloned()
            .collect();
        Ok(RegimeCalendar {
            regime,
            year,
            periods,
            requests,
        })
    }
}
