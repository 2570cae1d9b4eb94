//! In-app notifications, computed from what is stored (nothing to keep in
//! step): reports due within a few working days, overdue, returned (with the
//! reason), accepted in the last week; for reviewers, what waits for them.

use baocao_domain::access::{Permission, Principal};
use baocao_domain::Message;
use baocao_store::reports as store_reports;
use chrono::NaiveDate;
use serde::Serialize;

use crate::reports::Urgency;
use crate::{now, App, AppResult};

/// Working days ahead within which a deadline is announced.
pub const DUE_WITHIN_WORKING_DAYS: u32 = 3;

/// One notification.
#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    /// `due_soon`, `overdue`, `returned`, `accepted` or `to_review`.
    pub kind: &'static str,
    /// What to say (translated by the caller).
    #[serde(skip)]
    pub message: Message,
    /// Where to go.
    pub link: String,
}

impl App {
    /// The caller's notifications on `today`, most urgent first.
    pub async fn notifications(
        &self,
        principal: &Principal,
        today: NaiveDate,
    ) -> AppResult<Vec<Notification>> {
        let calendar = self.work_calendar().await?;
        let mut out = Vec::new();
        for o in self.obligations(principal, today).await? {
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
            match o.urgency {
                Urgency::Returned => out.push(Notification {
                    kind: "returned",
                    message: base("notification.returned"),
                    link,
                }),
                Urgency::Overdue => out.push(Notification {
                    kind: "overdue",
                    message: base("notification.overdue"),
                    link,
                }),
                Urgency::DueSoon | Urgency::Upcoming => {
                    let days = calendar
                        .working_days_between(today, o.deadline)
                        .unwrap_or(u32::MAX)
                        .saturating_add(1);
                    if days <= DUE_WITHIN_WORKING_DAYS {
                        out.push(Notification {
                            kind: "due_soon",
                            message: base("notification.due_soon").arg("days", days),
                            link,
                        });
                    }
                }
                Urgency::Waiting | Urgency::Done => {}
            }
        }
        let mut units = principal.units_acting_for(Permission::EnterData);
        units.extend(principal.units_acting_for(Permission::SubmitReport));
        units.sort();
        units.dedup();
        let mut conn = self.store.conn().await?;
        let week_ago = now() - 7 * 24 * 3600;
        for (id, regime, period, _, _, _) in
            store_reports::recent_events(&mut conn, &units, "report.accept", week_ago).await?
        {
            out.push(Notification {
                kind: "accepted",
                message: Message::new("notification.accepted")
                    .arg("regime", regime)
                    .arg("period", period),
                link: format!("/reports/{id}"),
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
        Ok(out)
    }
}
