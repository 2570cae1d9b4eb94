//! Reports: what each unit owes, the working copy, and the workflow
//! (save → submit → return or accept → correct), each step one transaction with
//! its audit-ledger entry.
//!
//! Who does what: the reporting unit's data-entry officers save drafts and ask
//! for corrections, its unit head submits, the receiving unit's reviewers
//! return or accept — each only through a grant on that very unit
//! ([`Principal::acts_for`]), so a higher level never edits a lower level's
//! figures. Submission time is the server's; on time or late is computed from
//! the deadline.

use std::collections::HashMap;

use baocao_domain::access::{Permission, Principal, Target};
use baocao_domain::catalogue::{Metadata, Regime, RegimeKind, RegimeVersion, UnitSelector};
use baocao_domain::deadline::deadline;
use baocao_domain::period::{periods_in_year, DateRange, PeriodId};
use baocao_domain::report::{self, next_status, Action, Content, Status};
use baocao_domain::unit::{OrgUnit, UnitId};
use baocao_domain::Message;
use baocao_store::catalogue as store_catalogue;
use baocao_store::reports::{self as store_reports, NewReport, StoredReport};
use baocao_store::{ledger, units as store_units, Conn};
use chrono::NaiveDate;
use serde::Serialize;

use crate::{now, App, AppError, AppResult};

/// Longest reason of a return or a correction, in characters.
pub const MAX_REASON_CHARS: usize = 2_000;

/// Where a unit sits in a regime version: its group and whom it reports to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// Index of its reporting group.
    pub group: usize,
    /// The unit that receives its report.
    pub receiver: UnitId,
}

fn selector_matches(select: &UnitSelector, unit: &OrgUnit) -> bool {
    if !select.units.is_empty() {
        return select.units.iter().any(|c| c == unit.code.as_str());
    }
    select
        .level
        .as_deref()
        .is_none_or(|l| l == unit.level.as_str())
        && select
            .kind
            .as_deref()
            .is_none_or(|k| k == unit.kind.as_str())
}

/// The group of `unit` in `version` and its receiver: the nearest ancestor that
/// reports at a later stage (commune → district), else the regime's receiving
/// unit. `ancestors` are nearest first; `receiving` are the ids carrying the
/// receiving unit's code.
///
/// The receiving unit itself has its own **consolidated report**, synthesized
/// from what it receives and sent to the level above (outside this system
/// until it is connected): its receiver is itself — so nobody here reviews it —
/// and it is due with the regime's last stage.
pub fn placement(
    version: &RegimeVersion,
    unit: &OrgUnit,
    ancestors: &[OrgUnit],
    receiving: &[UnitId],
) -> Option<Placement> {
    let root = ancestors
        .iter()
        .map(|a| a.id)
        .find(|id| receiving.contains(id));
    let found = version.reporting.iter().enumerate().find(|(_, g)| {
        selector_matches(&g.select, unit) && (root.is_some() || !g.select.units.is_empty())
    });
    let Some((group, g)) = found else {
        if !receiving.contains(&unit.id) {
            return None;
        }
        let last = version
            .reporting
            .iter()
            .enumerate()
            .max_by_key(|(_, g)| g.stage)
            .map(|(i, _)| i)?;
        return Some(Placement {
            group: last,
            receiver: unit.id,
        });
    };
    for a in ancestors {
        if Some(a.id) == root {
            break;
        }
        let reports_later = version
            .reporting
            .iter()
            .any(|h| h.stage > g.stage && selector_matches(&h.select, a));
        if reports_later {
            return Some(Placement {
                group,
                receiver: a.id,
            });
        }
    }
    let receiver = root.or_else(|| receiving.first().copied())?;
    Some(Placement { group, receiver })
}

/// How urgent an obligation is, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// Returned by the receiving unit: to correct and resubmit.
    Returned,
    /// Past the deadline and not submitted.
    Overdue,
    /// Due within the next 5 days.
    DueSoon,
    /// Due later.
    Upcoming,
    /// Submitted, waiting for the receiving unit.
    Waiting,
    /// Accepted.
    Done,
}

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
    pub report_id: Option<i64>,
    /// How urgent.
    pub urgency: Urgency,
}

fn urgency(status: Option<Status>, due: NaiveDate, today: NaiveDate) -> Urgency {
    match status {
        Some(Status::Returned) => Urgency::Returned,
        Some(Status::Accepted) => Urgency::Done,
        Some(Status::Submitted) => Urgency::Waiting,
        _ if due < today => Urgency::Overdue,
        _ if (due - today).num_days() <= 5 => Urgency::DueSoon,
        _ => Urgency::Upcoming,
    }
}

/// A report with what is needed to show it.
#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    /// Id.
    pub id: i64,
    /// Regime code.
    pub regime: String,
    /// The version the report is made with.
    pub regime_version: usize,
    /// Period.
    pub period: String,
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
    pub outliers: Vec<report::Outlier>,
    /// The same period a year earlier (accepted), for the "same period last year" column.
    pub last_year: Option<Content>,
    /// The accepted reports of the year before this period, for "year to date".
    pub earlier_this_year: Vec<Content>,
    /// The target that applies to the unit this year, by indicator.
    pub targets: std::collections::BTreeMap<String, rust_decimal::Decimal>,
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
    pub action: String,
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

fn decode(text: &str) -> AppResult<Content> {
    serde_json::from_str(text).map_err(|e| AppError::Internal(format!("report content: {e}")))
}

fn encode<T: Serialize>(value: &T) -> AppResult<String> {
    serde_json::to_string(value).map_err(|e| AppError::Internal(e.to_string()))
}

/// The principal's user id for the ledger (`None` for the system itself).
pub(crate) fn user_id(principal: &Principal) -> Option<i64> {
    Some(principal.user_id).filter(|id| *id > 0)
}

/// A unit and its ancestors (nearest first).
async fn with_ancestors(conn: &mut Conn, id: UnitId) -> AppResult<(OrgUnit, Vec<OrgUnit>)> {
    let unit = store_units::get(conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let ids = store_units::ancestor_ids(conn, id).await?;
    let mut ancestors = store_units::get_many(conn, &ids).await?;
    ancestors.sort_by_key(|u| ids.iter().position(|a| *a == u.id));
    Ok((unit, ancestors))
}

fn reason_text(reason: &str) -> AppResult<String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::field(
            "reason",
            Message::new("report.error.reason_required"),
        ));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(AppError::field(
            "reason",
            Message::new("report.error.too_long").arg("value", MAX_REASON_CHARS),
        ));
    }
    Ok(reason.to_string())
}

/// The deadline of `unit`'s report in `version` for `period`.
fn due_date(
    version: &RegimeVersion,
    group: usize,
    period: &PeriodId,
    calendar: &baocao_domain::calendar::WorkCalendar,
) -> Option<NaiveDate> {
    let rule = version.reporting.get(group)?.deadline?;
    deadline(rule, period, version.convention, calendar).ok()
}

impl App {
    async fn receiving_ids(&self, conn: &mut Conn, code: &str) -> AppResult<Vec<UnitId>> {
        let found = store_catalogue::units_by_code(conn, &[code.to_string()]).await?;
        Ok(found.get(code).cloned().unwrap_or_default())
    }

    /// What the caller's units owe (as reporting units) around `today`, most
    /// urgent first: periods whose cut-off window has started, this year and
    /// last, and the requests naming the units.
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
        let stored: HashMap<(String, UnitId, String), StoredReport> =
            store_reports::of_units(&mut conn, &units)
                .await?
                .into_iter()
                .map(|r| ((r.regime_code.clone(), r.unit_id, r.period.clone()), r))
                .collect();
        let mut out = Vec::new();
        for unit_id in units {
            let (unit, ancestors) = with_ancestors(&mut conn, unit_id).await?;
            for regime in &meta.regimes {
                let Some(latest) = regime.latest() else {
                    continue;
                };
                let receiving = self
                    .receiving_ids(&mut conn, &latest.receiving_unit)
                    .await?;
                let mut owed: Vec<(PeriodId, Option<String>, NaiveDate, usize)> = Vec::new();
                if latest.kind == RegimeKind::Periodic {
                    use chrono::Datelike;
                    for year in [today.year() - 1, today.year()] {
                        let Ok(periods) = periods_in_year(year, latest.frequency) else {
                            continue;
                        };
                        for period in periods {
                            let Some((_, version)) = regime.version_for(&period) else {
                                continue;
                            };
                            let window = period.cutoff_window(version.convention);
                            if window.first() > today || !unit.validity.contains(window.last()) {
                                continue;
                            }
                            let Some(place) = placement(version, &unit, &ancestors, &receiving)
                            else {
                                continue;
                            };
                            if let Some(due) = due_date(version, place.group, &period, &calendar) {
                                owed.push((period, None, due, place.group));
                            }
                        }
                    }
                } else {
                    for request in meta.requests.iter().filter(|r| r.regime == regime.code) {
                        if !request.units.iter().any(|c| c == unit.code.as_str()) {
                            continue;
                        }
                        let Ok(range) = DateRange::new(request.window_first, request.window_last)
                        else {
                            continue;
                        };
                        let Ok(period) = PeriodId::ad_hoc(range) else {
                            continue;
                        };
                        owed.push((period, Some(request.code.clone()), request.deadline, 0));
                    }
                }
                for (period, request, due, _) in owed {
                    let key = (regime.code.clone(), unit.id, period.to_string());
                    let report = stored.get(&key);
                    let status = report.and_then(|r| Status::parse(&r.status));
                    let urgency = urgency(status, due, today);
                    // Accepted reports stay listed for 90 days, then leave the list.
                    if urgency == Urgency::Done && (today - due).num_days() > 90 {
                        continue;
                    }
                    out.push(Obligation {
                        regime: regime.code.clone(),
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
                    });
                }
            }
        }
        out.sort_by(|a, b| a.urgency.cmp(&b.urgency).then(a.deadline.cmp(&b.deadline)));
        Ok(out)
    }

    /// Reports sent to the units the caller reviews for, waiting for a decision.
    pub async fn review_queue(&self, principal: &Principal) -> AppResult<Vec<StoredReport>> {
        let units = principal.units_acting_for(Permission::ReviewReport);
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.store.conn().await?;
        Ok(store_reports::of_units(&mut conn, &units)
            .await?
            .into_iter()
            .filter(|r| {
                units.contains(&r.receiver_id)
                    && !decides_on_own_unit(principal, r.unit_id)
                    && r.status == Status::Submitted.as_str()
            })
            .collect())
    }

    /// The report of `unit` for `regime` and `period`, created as an empty draft
    /// on first opening by someone who may enter its data.
    pub async fn open_report(
        &self,
        principal: &Principal,
        regime_code: &str,
        unit_id: UnitId,
        period_text: &str,
    ) -> AppResult<ReportView> {
        let period = crate::calendar::parse_period(period_text)?;
        let mut conn = self.store.conn().await?;
        if let Some(existing) =
            store_reports::find(&mut conn, regime_code, unit_id, &period.to_string()).await?
        {
            drop(conn);
            return self.report(principal, existing.id).await;
        }
        drop(conn);
        if !principal.acts_for(Permission::EnterData, unit_id)
            && !principal.acts_for(Permission::SubmitReport, unit_id)
        {
            return Err(AppError::Forbidden);
        }
        let meta = self.metadata().await?;
        let regime = meta.regime(regime_code).ok_or(AppError::NotFound)?;
        let calendar = self.work_calendar().await?;
        let mut tx = self.store.begin_write().await?;
        let (unit, ancestors) = with_ancestors(&mut tx, unit_id).await?;
        let (number, version) = regime.version_for(&period).ok_or(AppError::NotFound)?;
        let receiving = self.receiving_ids(&mut tx, &version.receiving_unit).await?;
        let place = placement(version, &unit, &ancestors, &receiving).ok_or_else(|| {
            AppError::Conflict(
                Message::new("report.error.not_reporting")
                    .arg("unit", &unit.name)
                    .arg("regime", &regime.code),
            )
        })?;
        let due = if version.kind == RegimeKind::Periodic {
            due_date(version, place.group, &period, &calendar)
        } else {
            meta.requests
                .iter()
                .filter(|r| r.regime == regime.code)
                .filter(|r| r.units.iter().any(|c| c == unit.code.as_str()))
                .find(|r| {
                    r.window_first == period.first_day() && r.window_last == period.last_day()
                })
                .map(|r| r.deadline)
        }
        .ok_or(AppError::NotFound)?;
        let draft = encode(&Content::default())?;
        let at = now();
        let new = NewReport {
            regime_code: &regime.code,
            regime_version: i64::try_from(number).unwrap_or(i64::MAX),
            unit_id,
            period: &period.to_string(),
            receiver_id: place.receiver,
            deadline: &due.to_string(),
            draft: &draft,
        };
        let id = match store_reports::insert(&mut tx, &new, at).await {
            Ok(id) => id,
            Err(e) if e.is_unique_violation() => {
                // Someone opened it at the same moment: use theirs.
                drop(tx);
                let mut conn = self.store.conn().await?;
                let r = store_reports::find(&mut conn, regime_code, unit_id, &period.to_string())
                    .await?
                    .ok_or(AppError::NotFound)?;
                return self.report(principal, r.id).await;
            }
            Err(e) => return Err(e.into()),
        };
        let payload = encode(&serde_json::json!({
            "regime": regime.code, "regime_version": number, "unit": unit_id.0,
            "period": period.to_string(), "receiver": place.receiver.0, "deadline": due,
        }))?;
        ledger::append(
            &mut tx,
            user_id(principal),
            &principal.username,
            "report.create",
            &format!("report:{id}"),
            &payload,
            at,
        )
        .await?;
        baocao_store::commit(tx).await?;
        self.report(principal, id).await
    }

    /// A report as the caller may see it.
    pub async fn report(&self, principal: &Principal, id: i64) -> AppResult<ReportView> {
        let mut conn = self.store.conn().await?;
        let r = store_reports::get(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let may_see = |unit: UnitId, ancestors: &[UnitId]| {
            principal.may(Permission::ViewUnit, &Target { unit, ancestors })
        };
        let unit_ancestors = store_units::ancestor_ids(&mut conn, r.unit_id).await?;
        if !may_see(r.unit_id, &unit_ancestors)
            && !principal.acts_for(Permission::ReviewReport, r.receiver_id)
        {
            return Err(AppError::Forbidden);
        }
        let names = store_units::get_many(&mut conn, &[r.unit_id, r.receiver_id]).await?;
        let name_of = |id: UnitId| {
            names
                .iter()
                .find(|u| u.id == id)
                .map(|u| u.name.clone())
                .unwrap_or_default()
        };
        let status = status_of(&r)?;
        let versions = store_reports::versions(&mut conn, id)
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
            .collect::<AppResult<Vec<_>>>()?;
        let events = store_reports::events(&mut conn, id)
            .await?
            .into_iter()
            .map(|e| EventView {
                version: e.version,
                action: e.action,
                reason: e.reason,
                at: e.at,
                by: e.by,
            })
            .collect();
        let content = decode(&r.draft)?;
        let history =
            store_reports::previous_contents(&mut conn, &r.regime_code, r.unit_id, &r.period, 12)
                .await?
                .iter()
                .map(|text| decode(text))
                .collect::<AppResult<Vec<_>>>()?;
        let outliers = report::outliers(&content, &history, rust_decimal::Decimal::from(3));
        // Context of the other columns: last year, earlier this year, targets.
        let year = r.period.get(..4).unwrap_or("");
        let rest = r.period.get(4..).unwrap_or("");
        let mut last_year = None;
        let mut earlier_this_year = Vec::new();
        if let Ok(y) = year.parse::<i32>() {
            let before = format!("{}{rest}", y - 1);
            let upto = format!("{before}\u{10ffff}");
            let found = store_reports::contents_between(
                &mut conn,
                &r.regime_code,
                r.unit_id,
                &before,
                &upto,
            )
            .await?;
            last_year = found
                .iter()
                .find(|(p, _)| *p == before)
                .map(|(_, c)| decode(c))
                .transpose()?;
            for (_, c) in store_reports::contents_between(
                &mut conn,
                &r.regime_code,
                r.unit_id,
                year,
                &r.period,
            )
            .await?
            {
                earlier_this_year.push(decode(&c)?);
            }
        }
        let unit = store_units::get(&mut conn, r.unit_id).await?;
        drop(conn);
        let meta = self.metadata().await?;
        let targets = target_values(&meta, unit.as_ref(), year.parse().ok());
        let checks = report::validate(&content, version_of(&meta, &r)?, &meta);
        let enter = principal.acts_for(Permission::EnterData, r.unit_id);
        let submit = principal.acts_for(Permission::SubmitReport, r.unit_id);
        let review = principal.acts_for(Permission::ReviewReport, r.receiver_id)
            && !decides_on_own_unit(principal, r.unit_id);
        Ok(ReportView {
            id,
            regime: r.regime_code.clone(),
            regime_version: usize::try_from(r.regime_version).unwrap_or(0),
            period: r.period.clone(),
            unit: r.unit_id,
            unit_name: name_of(r.unit_id),
            receiver: r.receiver_id,
            receiver_name: name_of(r.receiver_id),
            deadline: r
                .deadline
                .parse()
                .map_err(|_| AppError::Internal(format!("deadline {}", r.deadline)))?,
            status,
            content,
            version: r.version,
            correction_reason: r.correction_reason.clone(),
            versions,
            events,
            may: Allowed {
                edit: enter && status.editable(),
                submit: submit && status.editable(),
                review: review && status == Status::Submitted,
                correct: (enter || submit) && status == Status::Accepted,
                recall: submit && status == Status::Submitted,
            },
            checks,
            outliers,
            last_year,
            earlier_this_year,
            targets,
        })
    }

    /// The regime version a report was made with.
    pub async fn report_regime(
        &self,
        view: &ReportView,
    ) -> AppResult<(Regime, std::sync::Arc<Metadata>)> {
        let meta = self.metadata().await?;
        let regime = meta
            .regime(&view.regime)
            .cloned()
            .ok_or(AppError::NotFound)?;
        Ok((regime, meta))
    }

    /// Saves the working copy. Every save is kept; a returned report becomes a
    /// draft again. Values are checked cell by cell against the forms.
    pub async fn save_report(
        &self,
        principal: &Principal,
        id: i64,
        typed: &Content,
    ) -> AppResult<Content> {
        let meta = self.metadata().await?;
        let mut tx = self.store.begin_write().await?;
        let r = store_reports::get(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !principal.acts_for(Permission::EnterData, r.unit_id) {
            return Err(AppError::Forbidden);
        }
        let status = status_of(&r)?;
        let next = next_status(status, Action::Save).map_err(AppError::Conflict)?;
        let version = version_of(&meta, &r)?;
        let content = report::normalize(typed, version, &meta).map_err(|problems| {
            AppError::DocumentRejected(
                problems
                    .into_iter()
                    .map(|p| baocao_domain::catalogue::Problem {
                        path: p.cell,
                        message: p.message,
                    })
                    .collect(),
            )
        })?;
        let text = encode(&content)?;
        let at = now();
        let changed = store_reports::update(
            &mut tx,
            id,
            status.as_str(),
            next.as_str(),
            &text,
            r.version,
            r.correction_reason.as_deref(),
            at,
        )
        .await?;
        if !changed {
            return Err(AppError::Conflict(Message::new("report.error.changed")));
        }
        store_reports::insert_draft_save(&mut tx, id, &text, at, user_id(principal)).await?;
        ledger::append(
            &mut tx,
            user_id(principal),
            &principal.username,
            Action::Save.as_str(),
            &format!("report:{id}"),
            &text,
            at,
        )
        .await?;
        baocao_store::commit(tx).await?;
        Ok(content)
    }

    /// Submits the working copy as the next version (unit heads). Returns the
    /// version number and whether it was on time. With group commit on
    /// ([`App::with_group_commit`]), concurrent submissions share one
    /// transaction and one disk sync; each is still all or nothing.
    pub async fn submit_report(&self, principal: &Principal, id: i64) -> AppResult<(i64, bool)> {
        if let Some(committer) = &self.committer {
            return committer.submit(principal.clone(), id).await;
        }
        let meta = self.metadata().await?;
        let mut tx = self.store.begin_write().await?;
        let done = submit_in(&mut tx, &meta, principal, id, now()).await?;
        baocao_store::commit(tx).await?;
        Ok(done)
    }

    /// The receiving unit returns a submitted report with a reason, or accepts it.
    pub async fn review_report(
        &self,
        principal: &Principal,
        id: i64,
        accept: bool,
        reason: &str,
    ) -> AppResult<()> {
        let reason = if accept {
            Some(reason.trim().to_string()).filter(|r| !r.is_empty())
        } else {
            Some(reason_text(reason)?)
        };
        if let Some(committer) = &self.committer {
            return committer
                .review(principal.clone(), id, accept, reason)
                .await;
        }
        let mut tx = self.store.begin_write().await?;
        review_in(&mut tx, principal, id, accept, reason, now()).await?;
        baocao_store::commit(tx).await?;
        Ok(())
    }

    /// Reopens an accepted report for a correction (with the reason that the
    /// next version will carry); the accepted version stays as it was.
    pub async fn correct_report(
        &self,
        principal: &Principal,
        id: i64,
        reason: &str,
    ) -> AppResult<()> {
        self.reopen_report(principal, id, Action::Correct, reason)
            .await
    }

    /// Withdraws a submitted report that the receiving unit has not reviewed
    /// yet (its unit head, with the reason the next version will carry); the
    /// submitted version stays readable, and the first submission still
    /// counts for timeliness.
    pub async fn recall_report(
        &self,
        principal: &Principal,
        id: i64,
        reason: &str,
    ) -> AppResult<()> {
        self.reopen_report(principal, id, Action::Recall, reason)
            .await
    }

    /// Back to a draft by the reporting unit: a correction after acceptance or
    /// a recall before review.
    async fn reopen_report(
        &self,
        principal: &Principal,
        id: i64,
        action: Action,
        reason: &str,
    ) -> AppResult<()> {
        let reason = reason_text(reason)?;
        let mut tx = self.store.begin_write().await?;
        let r = store_reports::get(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let allowed = principal.acts_for(Permission::SubmitReport, r.unit_id)
            || (action == Action::Correct && principal.acts_for(Permission::EnterData, r.unit_id));
        if !allowed {
            return Err(AppError::Forbidden);
        }
        let status = status_of(&r)?;
        let next = next_status(status, action).map_err(AppError::Conflict)?;
        let at = now();
        if !store_reports::update(
            &mut tx,
            id,
            status.as_str(),
            next.as_str(),
            &r.draft,
            r.version,
            Some(&reason),
            at,
        )
        .await?
        {
            return Err(AppError::Conflict(Message::new("report.error.changed")));
        }
        store_reports::insert_event(
            &mut tx,
            id,
            r.version,
            action.as_str(),
            Some(&reason),
            at,
            user_id(principal),
        )
        .await?;
        let payload = encode(&serde_json::json!({"version": r.version, "reason": reason}))?;
        ledger::append(
            &mut tx,
            user_id(principal),
            &principal.username,
            action.as_str(),
            &format!("report:{id}"),
            &payload,
            at,
        )
        .await?;
        baocao_store::commit(tx).await?;
        Ok(())
    }

    /// How many drafts of a report were kept.
    pub async fn draft_saves(&self, id: i64) -> AppResult<i64> {
        let mut conn = self.store.conn().await?;
        Ok(store_reports::draft_save_count(&mut conn, id).await?)
    }

    /// Verifies the whole audit ledger; the head hash and entry count, or the
    /// first broken entry.
    pub async fn verify_ledger(
        &self,
    ) -> AppResult<Result<(String, i64), baocao_domain::ledger::Break>> {
        let mut conn = self.store.conn().await?;
        let mut all = Vec::new();
        let mut after = 0;
        loop {
            let batch = ledger::entries(&mut conn, after, 10_000).await?;
            let Some(last) = batch.last() else { break };
            after = last.entry.seq;
            all.extend(batch);
        }
        let verified = baocao_domain::ledger::verify(&all);
        if let Ok((hash, _)) = &verified {
            // The head row must agree with the last entry.
            let (_, head) = ledger::head(&mut conn).await?;
            if *hash != head {
                return Ok(Err(baocao_domain::ledger::Break {
                    seq: all.len() as i64 + 1,
                    reason: "audit.head_mismatch",
                }));
            }
        }
        Ok(verified)
    }
}

fn version_of<'a>(meta: &'a Metadata, r: &StoredReport) -> AppResult<&'a RegimeVersion> {
    let regime = meta.regime(&r.regime_code).ok_or(AppError::NotFound)?;
    usize::try_from(r.regime_version)
        .ok()
        .and_then(|n| n.checked_sub(1))
        .and_then(|i| regime.versions.get(i))
        .ok_or_else(|| AppError::Internal(format!("regime version {}", r.regime_version)))
}

/// What a synthesis did, for the reviewer.
#[derive(Debug, Clone, Serialize)]
pub struct SynthesisView {
    /// Units expected to report to this unit, with the status of their report.
    pub expected: Vec<ChildStatus>,
    /// How many accepted reports were aggregated.
    pub aggregated: usize,
    /// For each cell, the units that contributed.
    pub contributors: std::collections::BTreeMap<String, Vec<String>>,
    /// Cells whose value changed: (cell, before, after).
    pub changed: Vec<(String, Option<String>, String)>,
    /// Cells the unit fills itself (not aggregated).
    pub manual: Vec<String>,
}

/// A unit below and where its report stands.
#[derive(Debug, Clone, Serialize)]
pub struct ChildStatus {
    /// Unit id.
    pub unit: UnitId,
    /// Its name.
    pub name: String,
    /// Its report's status; `None` when it has not even started one.
    pub status: Option<Status>,
}

impl App {
    /// The units expected to report to `receiver` for `version` and `period`,
    /// with their reports (if any).
    async fn expected_children(
        &self,
        conn: &mut Conn,
        receiver: &OrgUnit,
        version: &RegimeVersion,
        period: &PeriodId,
    ) -> AppResult<Vec<OrgUnit>> {
        let day = period.cutoff_window(version.convention).last();
        let receiving = self.receiving_ids(conn, &version.receiving_unit).await?;
        let (_, above) = with_ancestors(conn, receiver.id).await?;
        let below = store_units::subtree(conn, receiver.id, Some(day), None).await?;
        let mut by_id: HashMap<UnitId, OrgUnit> = above.iter().map(|u| (u.id, u.clone())).collect();
        by_id.insert(receiver.id, receiver.clone());
        for u in &below {
            by_id.insert(u.id, u.clone());
        }
        let mut out = Vec::new();
        for u in below.iter().filter(|u| u.id != receiver.id) {
            let mut ancestors = Vec::new();
            let mut cursor = u.parent;
            while let Some(p) = cursor {
                let Some(parent) = by_id.get(&p) else { break };
                ancestors.push(parent.clone());
                cursor = parent.parent;
            }
            if let Some(place) = placement(version, u, &ancestors, &receiving) {
                if place.receiver == receiver.id {
                    out.push(u.clone());
                }
            }
        }
        Ok(out)
    }

    /// Pre-fills a receiving unit's own report from the accepted reports of the
    /// units reporting to it (their latest accepted version), cell by cell along
    /// each indicator's aggregation rule. Running it again after a late report is
    /// accepted updates the draft and lists what changed.
    pub async fn synthesize_report(
        &self,
        principal: &Principal,
        id: i64,
    ) -> AppResult<SynthesisView> {
        let meta = self.metadata().await?;
        let mut tx = self.store.begin_write().await?;
        let r = store_reports::get(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !principal.acts_for(Permission::EnterData, r.unit_id) {
            return Err(AppError::Forbidden);
        }
        let status = status_of(&r)?;
        let next = next_status(status, Action::Save).map_err(AppError::Conflict)?;
        let version = version_of(&meta, &r)?;
        let period = crate::calendar::parse_period(&r.period)?;
        let receiver = store_units::get(&mut tx, r.unit_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let children = self
            .expected_children(&mut tx, &receiver, version, &period)
            .await?;
        let reports =
            store_reports::received(&mut tx, r.unit_id, &r.regime_code, &r.period).await?;
        let mut expected = Vec::new();
        let mut accepted = Vec::new();
        for child in &children {
            let report = reports.iter().find(|x| x.unit_id == child.id);
            let child_status = report.and_then(|x| Status::parse(&x.status));
            if let (Some(report), Some(Status::Accepted)) = (report, child_status) {
                let versions = store_reports::versions(&mut tx, report.id).await?;
                if let Some(last) = versions.iter().find(|v| v.version == report.version) {
                    accepted.push((child.name.clone(), decode(&last.content)?));
                }
            }
            expected.push(ChildStatus {
                unit: child.id,
                name: child.name.clone(),
                status: child_status,
            });
        }
        let synthesis = baocao_domain::aggregate::synthesize(&meta, version, &accepted);
        let mut content = decode(&r.draft)?;
        let mut changed = Vec::new();
        for (cell, value) in &synthesis.values {
            let before = content.values.insert(cell.clone(), value.clone());
            if before.as_deref() != Some(value.as_str()) {
                changed.push((cell.clone(), before, value.clone()));
            }
        }
        let text = encode(&content)?;
        let at = now();
        if !store_reports::update(
            &mut tx,
            id,
            status.as_str(),
            next.as_str(),
            &text,
            r.version,
            r.correction_reason.as_deref(),
            at,
        )
        .await?
        {
            return Err(AppError::Conflict(Message::new("report.error.changed")));
        }
        store_reports::insert_draft_save(&mut tx, id, &text, at, user_id(principal)).await?;
        let payload = encode(&serde_json::json!({
            "aggregated": accepted.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            "expected": expected.len(),
            "changed": changed,
        }))?;
        ledger::append(
            &mut tx,
            user_id(principal),
            &principal.username,
            "report.synthesize",
            &format!("report:{id}"),
            &payload,
            at,
        )
        .await?;
        baocao_store::commit(tx).await?;
        Ok(SynthesisView {
            expected,
            aggregated: accepted.len(),
            contributors: synthesis.contributors,
            changed,
            manual: synthesis.manual,
        })
    }
}

/// The submission itself, inside the caller's transaction.
pub(crate) async fn submit_in(
    tx: &mut Conn,
    meta: &Metadata,
    principal: &Principal,
    id: i64,
    at: i64,
) -> AppResult<(i64, bool)> {
    let r = store_reports::get(tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !principal.acts_for(Permission::SubmitReport, r.unit_id) {
        return Err(AppError::Forbidden);
    }
    let status = status_of(&r)?;
    let next = next_status(status, Action::Submit).map_err(AppError::Conflict)?;
    let content = decode(&r.draft)?;
    if content.values.is_empty() && content.sections.is_empty() {
        return Err(AppError::Conflict(Message::new("report.error.empty")));
    }
    let failed = report::validate(&content, version_of(meta, &r)?, meta);
    if report::blocks_submission(&failed) {
        return Err(AppError::DocumentRejected(rule_problems(&failed)));
    }
    let due: NaiveDate = r
        .deadline
        .parse()
        .map_err(|_| AppError::Internal(format!("deadline {}", r.deadline)))?;
    let on_time = report::on_time(at, due);
    let number = r.version + 1;
    if !store_reports::update(
        tx,
        id,
        status.as_str(),
        next.as_str(),
        &r.draft,
        number,
        None,
        at,
    )
    .await?
    {
        return Err(AppError::Conflict(Message::new("report.error.changed")));
    }
    let reason = r.correction_reason.as_deref();
    store_reports::freeze_attachments(tx, id, number).await?;
    store_reports::insert_version(
        tx,
        id,
        number,
        &r.draft,
        reason,
        at,
        user_id(principal),
        on_time,
    )
    .await?;
    store_reports::insert_event(
        tx,
        id,
        number,
        Action::Submit.as_str(),
        reason,
        at,
        user_id(principal),
    )
    .await?;
    let payload = encode(&serde_json::json!({
        "version": number, "on_time": on_time, "reason": reason, "content": content,
    }))?;
    ledger::append(
        tx,
        user_id(principal),
        &principal.username,
        Action::Submit.as_str(),
        &format!("report:{id}"),
        &payload,
        at,
    )
    .await?;
    Ok((number, on_time))
}

/// Nobody decides on their own unit's report: not its reviewers, officers or heads.
fn decides_on_own_unit(principal: &Principal, unit: UnitId) -> bool {
    [
        Permission::ReviewReport,
        Permission::EnterData,
        Permission::SubmitReport,
    ]
    .into_iter()
    .any(|p| principal.acts_for(p, unit))
}

/// A return or an acceptance, inside the caller's transaction.
pub(crate) async fn review_in(
    tx: &mut Conn,
    principal: &Principal,
    id: i64,
    accept: bool,
    reason: Option<String>,
    at: i64,
) -> AppResult<()> {
    let r = store_reports::get(tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !principal.acts_for(Permission::ReviewReport, r.receiver_id) {
        return Err(AppError::Forbidden);
    }
    if decides_on_own_unit(principal, r.unit_id) {
        return Err(AppError::Conflict(Message::new("report.error.own_report")));
    }
    let action = if accept {
        Action::Accept
    } else {
        Action::Return
    };
    let status = status_of(&r)?;
    let next = next_status(status, action).map_err(AppError::Conflict)?;
    if !store_reports::update(
        tx,
        id,
        status.as_str(),
        next.as_str(),
        &r.draft,
        r.version,
        None,
        at,
    )
    .await?
    {
        return Err(AppError::Conflict(Message::new("report.error.changed")));
    }
    store_reports::insert_event(
        tx,
        id,
        r.version,
        action.as_str(),
        reason.as_deref(),
        at,
        user_id(principal),
    )
    .await?;
    let payload = encode(&serde_json::json!({"version": r.version, "reason": reason}))?;
    ledger::append(
        tx,
        user_id(principal),
        &principal.username,
        action.as_str(),
        &format!("report:{id}"),
        &payload,
        at,
    )
    .await?;
    Ok(())
}

/// Timeliness and completeness of the reports a unit receives for one regime
/// and period: who was expected, who submitted on time, late, or not at all.
#[derive(Debug, Clone, Serialize)]
pub struct Timeliness {
    /// Regime code.
    pub regime: String,
    /// Period.
    pub period: String,
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
    /// The report's status, `None` when not started.
    pub status: Option<Status>,
    /// Server time of the first submission (unix seconds).
    pub first_submitted_at: Option<i64>,
    /// Whether that first submission met the deadline.
    pub on_time: Option<bool>,
    /// Number of submitted versions.
    pub versions: usize,
}

impl App {
    /// Timeliness of the reports `receiver` gets for `regime` and `period`
    /// (for anyone who may see the receiving unit).
    pub async fn timeliness(
        &self,
        principal: &Principal,
        regime_code: &str,
        period_text: &str,
        receiver_id: UnitId,
    ) -> AppResult<Timeliness> {
        let period = crate::calendar::parse_period(period_text)?;
        let meta = self.metadata().await?;
        let regime = meta.regime(regime_code).ok_or(AppError::NotFound)?;
        let (_, version) = regime.version_for(&period).ok_or(AppError::NotFound)?;
        let calendar = self.work_calendar().await?;
        let mut conn = self.store.conn().await?;
        let (receiver, above) = with_ancestors(&mut conn, receiver_id).await?;
        let above_ids: Vec<UnitId> = above.iter().map(|u| u.id).collect();
        if !principal.may(
            Permission::ViewUnit,
            &Target {
                unit: receiver_id,
                ancestors: &above_ids,
            },
        ) {
            return Err(AppError::Forbidden);
        }
        let children = self
            .expected_children(&mut conn, &receiver, version, &period)
            .await?;
        let reports =
            store_reports::received(&mut conn, receiver_id, regime_code, &period.to_string())
                .await?;
        let mut rows = Vec::new();
        for child in &children {
            let report = reports.iter().find(|r| r.unit_id == child.id);
            let versions = match report {
                Some(r) => store_reports::versions(&mut conn, r.id).await?,
                None => Vec::new(),
            };
            let first = versions.first();
            rows.push(TimelinessRow {
                unit: child.id,
                name: child.name.clone(),
                status: report.and_then(|r| Status::parse(&r.status)),
                first_submitted_at: first.map(|v| v.submitted_at),
                on_time: first.map(|v| v.on_time),
                versions: versions.len(),
            });
        }
        let deadline = version
            .reporting
            .iter()
            .enumerate()
            .filter_map(|(g, _)| due_date(version, g, &period, &calendar))
            .min();
        Ok(Timeliness {
            regime: regime.code.clone(),
            period: period.to_string(),
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
}

/// Failed rules that block a submission, as problems with their paths.
pub fn rule_problems(failed: &[report::RuleResult]) -> Vec<baocao_domain::catalogue::Problem> {
    use baocao_domain::catalogue::Severity;
    failed
        .iter()
        .filter(|r| r.severity == Severity::Error || !r.explained)
        .map(|r| baocao_domain::catalogue::Problem {
            path: r.code.clone(),
            message: rule_message(r),
        })
        .collect()
}

/// The message of a failed rule in the catalogue's words, with the author's text.
pub fn rule_message(r: &report::RuleResult) -> Message {
    use baocao_domain::catalogue::Severity;
    if r.required {
        return Message::new("report.error.required_cell").arg("value", r.cells.join(", "));
    }
    let en = if r.message_en.is_empty() {
        &r.message_vi
    } else {
        &r.message_en
    };
    let key = match r.severity {
        Severity::Error => "report.error.rule_failed",
        Severity::Warning => "report.error.warning_unexplained",
    };
    Message::new(key)
        .arg("code", &r.code)
        .arg("text_vi", &r.message_vi)
        .arg("text_en", en)
}

/// An attachment as listed with its report.
#[derive(Debug, Clone, Serialize)]
pub struct AttachmentView {
    /// Id.
    pub id: i64,
    /// The version it belongs to; `None` while in the draft.
    pub version: Option<i64>,
    /// File name.
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

impl App {
    /// Attaches a file to a report's draft (its data-entry officers): a PDF,
    /// Word or Excel file by content, at most 5 MB. Submitting freezes it with
    /// the version.
    pub async fn add_attachment(
        &self,
        principal: &Principal,
        id: i64,
        name: &str,
        bytes: &[u8],
    ) -> AppResult<AttachmentView> {
        use baocao_domain::attachment::{clean_name, detect, MAX_BYTES};
        let name = clean_name(name)
            .ok_or_else(|| AppError::field("file", Message::new("report.attachment.no_name")))?;
        if bytes.len() > MAX_BYTES {
            return Err(AppError::field(
                "file",
                Message::new("report.attachment.too_large").arg("max", MAX_BYTES / (1024 * 1024)),
            ));
        }
        let kind = detect(bytes).ok_or_else(|| {
            AppError::field(
                "file",
                Message::new("report.attachment.bad_type").arg("value", &name),
            )
        })?;
        let mut tx = self.store.begin_write().await?;
        let r = store_reports::get(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !principal.acts_for(Permission::EnterData, r.unit_id) {
            return Err(AppError::Forbidden);
        }
        let status = status_of(&r)?;
        next_status(status, Action::Save).map_err(AppError::Conflict)?;
        let sha = crate::auth::secret_hash_bytes(bytes);
        let at = now();
        let attachment = store_reports::insert_attachment(
            &mut tx,
            id,
            &name,
            kind.media_type(),
            &sha,
            bytes,
            user_id(principal),
            at,
        )
        .await?;
        let payload = encode(&serde_json::json!({
            "attachment": attachment, "name": name, "size": bytes.len(), "sha256": sha,
        }))?;
        ledger::append(
            &mut tx,
            user_id(principal),
            &principal.username,
            "report.attach",
            &format!("report:{id}"),
            &payload,
            at,
        )
        .await?;
        baocao_store::commit(tx).await?;
        Ok(AttachmentView {
            id: attachment,
            version: None,
            name,
            content_type: kind.media_type().to_string(),
            size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
            sha256: sha,
        })
    }

    /// A report's attachments (for whoever may see the report).
    pub async fn attachments(
        &self,
        principal: &Principal,
        id: i64,
    ) -> AppResult<Vec<AttachmentView>> {
        self.report(principal, id).await?;
        let mut conn = self.store.conn().await?;
        Ok(store_reports::attachments(&mut conn, id)
            .await?
            .into_iter()
            .map(AttachmentView::from)
            .collect())
    }

    /// One attachment's bytes (for whoever may see its report).
    pub async fn attachment(
        &self,
        principal: &Principal,
        attachment: i64,
    ) -> AppResult<(AttachmentView, Vec<u8>)> {
        let mut conn = self.store.conn().await?;
        let (report, info, data) = store_reports::attachment_data(&mut conn, attachment)
            .await?
            .ok_or(AppError::NotFound)?;
        drop(conn);
        self.report(principal, report).await?;
        Ok((info.into(), data))
    }
}

/// The target of each indicator for `unit` in `year`: one set for the unit
/// itself wins over one for its level, which wins over one for all units; a
/// lower bound is shown, else the upper one.
fn target_values(
    meta: &Metadata,
    unit: Option<&OrgUnit>,
    year: Option<i32>,
) -> std::collections::BTreeMap<String, rust_decimal::Decimal> {
    use baocao_domain::catalogue::TargetScope;
    let mut out = std::collections::BTreeMap::new();
    let (Some(unit), Some(year)) = (unit, year) else {
        return out;
    };
    for indicator in &meta.indicators {
        let rank = |scope: &TargetScope| match scope {
            TargetScope::Unit(code) if code == unit.code.as_str() => Some(0),
            TargetScope::Level(level) if level == unit.level.as_str() => Some(1),
            TargetScope::All => Some(2),
            _ => None,
        };
        let best = indicator
            .targets
            .iter()
            .filter(|t| t.year == year)
            .filter_map(|t| rank(&t.applies_to).map(|r| (r, t)))
            .min_by_key(|(r, _)| *r);
        if let Some((_, t)) = best {
            if let Some(bound) = t.at_least.or(t.at_most) {
                out.insert(indicator.code.clone(), bound);
            }
        }
    }
    out
}

/// A stored report's status (a value outside the CHECK constraint is corruption).
fn status_of(r: &StoredReport) -> AppResult<Status> {
    Status::parse(&r.status).ok_or_else(|| AppError::Internal(format!("status {}", r.status)))
}
