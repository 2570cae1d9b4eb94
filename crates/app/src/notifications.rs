//! In-app notifications, computed from what is stored (nothing to keep in
//! step): reports due within a few working days, overdue, returned (with the
//! reason), accepted in the last week, reminded by the receiving unit; for
//! reviewers, what waits for them.

use std::collections::{HashMap, HashSet};

use baocao_domain::access::{Permission, Principal};
use baocao_domain::calendar::WorkCalendar;
use baocao_domain::catalogue::{Metadata, RegimeKind};
use baocao_domain::deadline::deadline;
use baocao_domain::period::periods_in_year;
use baocao_domain::report::ReportId;
use baocao_domain::unit::UnitId;
use baocao_domain::Message;
use baocao_store::reminders as store_reminders;
use baocao_store::reports as store_reports;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::reports::Obligation;
use crate::{now, App, AppResult};
use baocao_domain::obligation::Urgency;

/// Days a reminder from the receiving unit stays among the notifications
/// (while the report is still not sent).
const REMINDERS_SHOWN_DAYS: i64 = 14;

/// Working days ahead within which a deadline is announced.
pub const DUE_WITHIN_WORKING_DAYS: u32 = 3;

/// One notification.
#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    /// `due_soon`, `overdue`, `returned`, `reminded`, `accepted` or `to_review`.
    pub kind: &'static str,
    /// What to say (translated by the caller).
    #[serde(skip)]
    pub message: Message,
    /// Where to go.
    pub link: String,
}

/// What the notifications of the reports owed are computed with.
struct Owed<'a> {
    today: NaiveDate,
    calendar: &'a WorkCalendar,
    /// Why each returned report was returned.
    reasons: &'a HashMap<ReportId, String>,
    /// The reports the receiving units reminded the caller's units of.
    reminded: &'a HashSet<(String, String, UnitId)>,
}

impl Owed<'_> {
    /// The notifications of one report owed: reminded, returned, overdue or
    /// due within a few working days.
    fn of(&self, o: &Obligation) -> Vec<Notification> {
        let link = match o.report_id {
            Some(id) => format!("/reports/{id}"),
            None => "/reports".to_string(),
        };
        let base = |key: &'static str| {
            Message::new(key)
                .arg("regime", &o.regime)
                .arg("period", o.period)
                .arg("unit", &o.unit_name)
                .arg("deadline", o.deadline.format("%d/%m/%Y"))
        };
        let mut out = Vec::new();
        // Still not sent, and the receiving unit asked for it.
        let unsent = !matches!(o.urgency, Urgency::Waiting | Urgency::Done);
        if unsent
            && self
                .reminded
                .contains(&(o.regime.clone(), o.period.to_string(), o.unit))
        {
            out.push(Notification {
                kind: "reminded",
                message: base("notification.reminded"),
                link: link.clone(),
            });
        }
        let (kind, message) = match o.urgency {
            Urgency::Returned => (
                "returned",
                base("notification.returned").arg(
                    "reason",
                    o.report_id
                        .and_then(|id| self.reasons.get(&id).cloned())
                        .unwrap_or_default(),
                ),
            ),
            Urgency::Overdue => ("overdue", base("notification.overdue")),
            Urgency::DueSoon | Urgency::Upcoming => {
                let days = self
                    .calendar
                    .working_days_between(self.today, o.deadline)
                    .unwrap_or(u32::MAX)
                    .saturating_add(1);
                if days > DUE_WITHIN_WORKING_DAYS {
                    return out;
                }
                ("due_soon", base("notification.due_soon").arg("days", days))
            }
            Urgency::Waiting | Urgency::Done => return out,
        };
        out.push(Notification {
            kind,
            message,
            link,
        });
        out
    }
}

impl App {
    /// The caller's notifications on `today`, most urgent first.
    pub async fn notifications(
        &self,
        principal: &Principal,
        today: NaiveDate,
    ) -> AppResult<Vec<Notification>> {
        let calendar = self.work_calendar().await?;
        let obligations = self.obligations(principal, today).await?;
        let reasons = self.return_reasons(&obligations).await?;
        let mut units = principal.units_acting_for(Permission::EnterData);
        units.extend(principal.units_acting_for(Permission::SubmitReport));
        units.sort();
        units.dedup();
        let reminded: HashSet<(String, String, UnitId)> = {
            let mut conn = self.store.conn().await?;
            store_reminders::received_since(
                &mut conn,
                &units,
                now() - REMINDERS_SHOWN_DAYS * 24 * 3600,
            )
            .await?
            .into_iter()
            .map(|r| (r.regime, r.period, r.unit))
            .collect()
        };
        let owed = Owed {
            today,
            calendar: &calendar,
            reasons: &reasons,
            reminded: &reminded,
        };
        let mut out: Vec<Notification> = obligations.iter().flat_map(|o| owed.of(o)).collect();
        let mut conn = self.store.conn().await?;
        let week_ago = now() - 7 * 24 * 3600;
        for e in store_reports::recent_events(
            &mut conn,
            &units,
            baocao_domain::audit::Action::ReportAccept,
            week_ago,
        )
        .await?
        {
            out.push(Notification {
                kind: "accepted",
                message: Message::new("notification.accepted")
                    .arg("regime", e.regime)
                    .arg("period", e.period),
                link: format!("/reports/{}", e.report),
            });
        }
        drop(conn);
        let waiting = self.review_queue(principal).await?;
        if !waiting.is_empty() {
            out.push(Notification {
                kind: "to_review",
                message: Message::new("notification.to_review").arg("count", waiting.len()),
                link: "/reports".into(),
            });
        }
        out.extend(self.reviewer_digest(principal, today).await?);
        Ok(out)
    }

    /// The reviewers' daily digest: for each unit they review for and each
    /// regime, the reports that arrived in the last day and, for the latest
    /// period whose deadline has passed, how many are still missing.
    async fn reviewer_digest(
        &self,
        principal: &Principal,
        today: NaiveDate,
    ) -> AppResult<Vec<Notification>> {
        let receivers = principal.units_acting_for(Permission::ReviewReport);
        if receivers.is_empty() {
            return Ok(Vec::new());
        }
        let meta = self.metadata().await?;
        let calendar = self.work_calendar().await?;
        let day_ago = now() - 24 * 3600;
        let last_due = last_periods_due(&meta, &calendar, today);
        let mut out = Vec::new();
        for receiver in receivers {
            let mut conn = self.store.conn().await?;
            let arrived = store_reports::arrived_since(&mut conn, receiver, day_ago).await?;
            drop(conn);
            // The periods that received reports today, and the latest period
            // whose deadline has passed.
            let mut periods: Vec<(String, String)> = arrived.clone();
            periods.extend(last_due.iter().cloned());
            periods.sort();
            periods.dedup();
            for (regime, period) in periods {
                let count = arrived
                    .iter()
                    .filter(|(r, p)| *r == regime && *p == period)
                    .count();
                if let Some(n) = self
                    .digest_line(principal, receiver, &regime, &period, count)
                    .await
                {
                    out.push(n);
                }
            }
        }
        Ok(out)
    }

    /// One line of the digest: `arrived` reports of `regime` for `period`
    /// received by `receiver` in the last day, and how many are missing; none
    /// when the receiver expects nothing (or its timeliness cannot be read).
    async fn digest_line(
        &self,
        principal: &Principal,
        receiver: UnitId,
        regime: &str,
        period: &str,
        arrived: usize,
    ) -> Option<Notification> {
        let tl = self
            .timeliness(principal, regime, period, receiver)
            .await
            .ok()?;
        if tl.expected == 0 {
            return None;
        }
        Some(Notification {
            kind: "digest",
            message: Message::new("notification.digest")
                .arg("unit", &tl.receiver_name)
                .arg("regime", regime)
                .arg("arrived", arrived)
                .arg("period", period)
                .arg("missing", tl.missing)
                .arg("expected", tl.expected),
            link: format!(
                "/reports/timeliness?regime={regime}&period={period}&unit={}",
                receiver.get()
            ),
        })
    }
}

/// For each periodic regime, its latest period (of this year or last) whose
/// earliest deadline has passed on `today`, as (regime code, period).
fn last_periods_due(
    meta: &Metadata,
    calendar: &WorkCalendar,
    today: NaiveDate,
) -> Vec<(String, String)> {
    let mut periods = Vec::new();
    for regime in &meta.regimes {
        let Some(latest) = regime.latest() else {
            continue;
        };
        if latest.kind != RegimeKind::Periodic {
            continue;
        }
        let mut last_due = None;
        for year in [today.year() - 1, today.year()] {
            let Ok(all) = periods_in_year(year, latest.frequency) else {
                continue;
            };
            for period in all {
                let Some((_, version)) = regime.version_for(&period) else {
                    continue;
                };
                let due = version
                    .reporting
                    .iter()
                    .filter_map(|g| g.deadline)
                    .filter_map(|rule| deadline(rule, &period, version.convention, calendar).ok())
                    .min();
                if due.is_some_and(|d| d < today) {
                    last_due = Some(period);
                }
            }
        }
        if let Some(period) = last_due {
            periods.push((regime.code.clone(), period.to_string()));
        }
    }
    periods
}

impl App {
    /// The reason each returned report was last returned with, by report.
    async fn return_reasons(
        &self,
        obligations: &[crate::reports::Obligation],
    ) -> AppResult<std::collections::HashMap<baocao_domain::report::ReportId, String>> {
        let returned: Vec<_> = obligations
            .iter()
            .filter(|o| o.urgency == Urgency::Returned)
            .filter_map(|o| o.report_id)
            .collect();
        let mut reasons = std::collections::HashMap::new();
        if returned.is_empty() {
            return Ok(reasons);
        }
        let mut conn = self.store.conn().await?;
        for id in returned {
            let events = store_reports::events(&mut conn, id).await?;
            if let Some(reason) = events
                .iter()
                .rev()
                .find(|e| e.action == baocao_domain::audit::Action::ReportReturn)
                .and_then(|e| e.reason.clone())
            {
                reasons.insert(id, reason);
            }
        }
        Ok(reasons)
    }
}
