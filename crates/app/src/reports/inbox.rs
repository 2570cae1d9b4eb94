//! The reviewer's inbox: the reports sent to the caller's units, filtered by
//! regime, period, unit and status, sorted, a page at a time, each with the
//! number of warnings and unusual values a reviewer looks at first; the next
//! report waiting after a decision; and a careful bulk accept of the reports
//! with nothing to look at, each still its own workflow step.

use std::collections::{BTreeSet, HashMap};

use baocao_domain::access::{Permission, Principal};
use baocao_domain::catalogue::{Metadata, Severity};
use baocao_domain::message::Message;
use baocao_domain::outlier;
use baocao_domain::period::PeriodId;
use baocao_domain::report::{self, ReportId, Status};
use baocao_domain::unit::UnitId;
use baocao_store::reports::{self as store_reports, StoredReport, WaitingReport};
use baocao_store::Conn;
use serde::Serialize;

use super::obligations::InboxItem;
use super::views::histories;
use super::{decides_on_own_unit, decode, version_of};
use crate::{App, AppError, AppResult};

/// Reports an inbox page lists.
pub const INBOX_PAGE: usize = 25;

/// Reports one bulk accept may decide on.
pub const BULK_ACCEPT_MAX: usize = INBOX_PAGE;

/// How the inbox is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InboxSort {
    /// Earliest deadline first (the default: what is due first is looked at first).
    #[default]
    Deadline,
    /// Earliest submission first.
    Submitted,
    /// Latest submission first.
    Newest,
    /// By the reporting unit's name.
    Unit,
}

impl InboxSort {
    /// Every order, as the page offers them.
    pub const ALL: [InboxSort; 4] = [
        InboxSort::Deadline,
        InboxSort::Submitted,
        InboxSort::Newest,
        InboxSort::Unit,
    ];

    /// The name in addresses.
    pub fn as_str(self) -> &'static str {
        match self {
            InboxSort::Deadline => "deadline",
            InboxSort::Submitted => "submitted",
            InboxSort::Newest => "newest",
            InboxSort::Unit => "unit",
        }
    }

    /// From an address (`None` for an unknown name).
    pub fn parse(text: &str) -> Option<InboxSort> {
        InboxSort::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Its catalogue key.
    pub fn key(self) -> &'static str {
        match self {
            InboxSort::Deadline => "inbox.sort.deadline",
            InboxSort::Submitted => "inbox.sort.submitted",
            InboxSort::Newest => "inbox.sort.newest",
            InboxSort::Unit => "inbox.sort.unit",
        }
    }
}

/// The statuses an inbox can list (a receiving unit never sees drafts).
pub const INBOX_STATUSES: [Status; 3] = [Status::Submitted, Status::Returned, Status::Accepted];

/// What to list.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxQuery {
    /// Only this regime.
    pub regime: Option<String>,
    /// Only this period.
    pub period: Option<PeriodId>,
    /// Only this reporting unit.
    pub unit: Option<UnitId>,
    /// Reports in this status (submitted: waiting for a decision).
    pub status: Status,
    /// The order.
    pub sort: InboxSort,
    /// Which page (from 1).
    pub page: usize,
}

impl Default for InboxQuery {
    fn default() -> Self {
        InboxQuery {
            regime: None,
            period: None,
            unit: None,
            status: Status::Submitted,
            sort: InboxSort::default(),
            page: 1,
        }
    }
}

/// Pages a list may be asked for, at most.
pub const MAX_PAGE: usize = 1_000_000;

/// Regime codes are at most this long in a query.
pub const MAX_REGIME_CODE_CHARS: usize = 64;

/// A page number as an address carries it (from 1, at most [`MAX_PAGE`];
/// none is the first).
pub(crate) fn page_number(text: Option<&str>) -> AppResult<usize> {
    match text {
        None => Ok(1),
        Some(t) => t
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_PAGE).contains(n))
            .ok_or_else(|| bad_filter("page", t)),
    }
}

fn bad_filter(field: &'static str, value: &str) -> AppError {
    AppError::field(
        field,
        Message::new("inbox.error.bad_filter").arg("value", value),
    )
}

/// An inbox query as an address carries it, each parameter as typed (a page
/// leaves its blank fields out: blank is "any").
#[derive(Debug, Clone, Copy, Default)]
pub struct InboxFilter<'a> {
    /// A regime code.
    pub regime: Option<&'a str>,
    /// A period id.
    pub period: Option<&'a str>,
    /// A reporting unit's id.
    pub unit: Option<&'a str>,
    /// `submitted`, `returned` or `accepted`.
    pub status: Option<&'a str>,
    /// `deadline`, `submitted`, `newest` or `unit`.
    pub sort: Option<&'a str>,
    /// A page, from 1.
    pub page: Option<&'a str>,
}

impl InboxQuery {
    /// The query a filter asks for, for the API and the page alike: a
    /// parameter given is read strictly — blank, unknown or out of bounds is
    /// refused by name, never taken for the default.
    pub fn parse(f: InboxFilter<'_>) -> AppResult<InboxQuery> {
        let period = f
            .period
            .map(|p| p.parse::<PeriodId>().map_err(|_| bad_filter("period", p)))
            .transpose()?;
        let unit = f
            .unit
            .map(|u| {
                u.parse::<i64>()
                    .map(UnitId::new)
                    .map_err(|_| bad_filter("unit", u))
            })
            .transpose()?;
        let status = match f.status {
            None => Status::Submitted,
            Some(s) => Status::parse(s)
                .filter(|s| INBOX_STATUSES.contains(s))
                .ok_or_else(|| bad_filter("status", s))?,
        };
        let sort = match f.sort {
            None => InboxSort::default(),
            Some(s) => InboxSort::parse(s).ok_or_else(|| bad_filter("sort", s))?,
        };
        if let Some(regime) = f
            .regime
            .filter(|r| r.is_empty() || r.chars().count() > MAX_REGIME_CODE_CHARS)
        {
            return Err(bad_filter("regime", regime));
        }
        Ok(InboxQuery {
            regime: f.regime.map(str::to_string),
            period,
            unit,
            status,
            sort,
            page: page_number(f.page)?,
        })
    }
}

/// One report listed, with what its checks found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InboxEntry {
    /// The report.
    #[serde(flatten)]
    pub item: InboxItem,
    /// Its status.
    pub status: Status,
    /// Failed warning rules (explained by the unit, or not).
    pub warnings: usize,
    /// Values unusual against the unit's own history.
    pub flags: usize,
}

/// A page of the inbox, with what the filters may choose from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inbox {
    /// This page's reports.
    pub rows: Vec<InboxEntry>,
    /// Reports listed in all (all pages).
    pub total: usize,
    /// This page (from 1).
    pub page: usize,
    /// Pages in all.
    pub pages: usize,
    /// Regimes of the reports in this status.
    pub regimes: Vec<String>,
    /// Their periods, newest first.
    pub periods: Vec<PeriodId>,
    /// Their reporting units, by name.
    pub units: Vec<(UnitId, String)>,
    /// The catalogue the regimes are named from.
    #[serde(skip)]
    pub meta: std::sync::Arc<Metadata>,
}

/// What a bulk accept did with each report asked for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BulkAccepted {
    /// Accepted, each in its own workflow step and ledger entry.
    pub accepted: Vec<ReportId>,
    /// Left for a person to look at, with why.
    pub skipped: Vec<(ReportId, Message)>,
}

fn sort(rows: &mut [WaitingReport], by: InboxSort) {
    match by {
        InboxSort::Deadline => {
            rows.sort_by(|a, b| a.deadline.cmp(&b.deadline).then(a.id.cmp(&b.id)))
        }
        InboxSort::Submitted => {
            rows.sort_by(|a, b| a.submitted_at.cmp(&b.submitted_at).then(a.id.cmp(&b.id)))
        }
        InboxSort::Newest => {
            rows.sort_by(|a, b| b.submitted_at.cmp(&a.submitted_at).then(b.id.cmp(&a.id)))
        }
        InboxSort::Unit => rows.sort_by(|a, b| a.unit_name.cmp(&b.unit_name).then(a.id.cmp(&b.id))),
    }
}

/// What a reviewer looks at first in a report: failed error rules, failed
/// warnings and unusual values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct CheckCounts {
    errors: usize,
    warnings: usize,
    flags: usize,
}

/// The [`CheckCounts`] of each of `ids`' current content, read in three
/// statements for the lot.
async fn check_counts(
    conn: &mut Conn,
    meta: &Metadata,
    ids: &[ReportId],
) -> AppResult<HashMap<ReportId, CheckCounts>> {
    let reports = store_reports::get_many(conn, ids).await?;
    let listed: Vec<&StoredReport> = reports.iter().collect();
    let mut histories = histories(conn, &listed, false).await?;
    let mut out = HashMap::new();
    for r in &reports {
        let content = decode(&r.draft)?;
        let history = histories.remove(&r.id).unwrap_or_default();
        let failed = report::validate(&content, version_of(meta, r)?, meta);
        let errors = failed
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        let flags = outlier::outliers(&content, &history.recent, history.last_year.as_ref()).len();
        out.insert(
            r.id,
            CheckCounts {
                errors,
                warnings: failed.len() - errors,
                flags,
            },
        );
    }
    Ok(out)
}

fn item(w: WaitingReport) -> InboxItem {
    InboxItem {
        id: w.id,
        regime: w.regime,
        period: w.period,
        unit: w.unit,
        unit_name: w.unit_name,
        receiver: w.receiver,
        deadline: w.deadline,
        version: w.version,
        submitted_at: w.submitted_at,
        on_time: w.on_time,
    }
}

/// The reports sent to the units `principal` reviews for, in `status`, minus
/// those of its own units (nobody decides on their own), on `conn`.
async fn received_on(
    conn: &mut Conn,
    principal: &Principal,
    status: Status,
) -> AppResult<Vec<WaitingReport>> {
    let units = principal.units_acting_for(Permission::ReviewReport);
    if units.is_empty() {
        return Ok(Vec::new());
    }
    let mut rows = store_reports::received_in(conn, &units, status).await?;
    rows.retain(|r| !decides_on_own_unit(principal, r.unit));
    Ok(rows)
}

/// [`App::next_waiting`] on `conn`.
pub(super) async fn next_waiting_on(
    conn: &mut Conn,
    principal: &Principal,
    after: ReportId,
) -> AppResult<Option<ReportId>> {
    let mut queue = received_on(conn, principal, Status::Submitted).await?;
    sort(&mut queue, InboxSort::Deadline);
    let at = queue.iter().position(|r| r.id == after);
    let later = at.map_or(0, |i| i + 1);
    Ok(queue
        .iter()
        .skip(later)
        .chain(queue.iter().take(later))
        .map(|r| r.id)
        .find(|id| *id != after))
}

impl App {
    /// The reports sent to the units the caller reviews for, in `status`,
    /// minus those of the caller's own units (nobody decides on their own).
    async fn received(
        &self,
        principal: &Principal,
        status: Status,
    ) -> AppResult<Vec<WaitingReport>> {
        let mut conn = self.store.conn().await?;
        received_on(&mut conn, principal, status).await
    }

    /// The reports waiting for the caller's decision, earliest deadline first.
    pub async fn review_queue(&self, principal: &Principal) -> AppResult<Vec<InboxItem>> {
        Ok(self
            .received(principal, Status::Submitted)
            .await?
            .into_iter()
            .map(item)
            .collect())
    }

    /// A page of the inbox.
    pub async fn inbox(&self, principal: &Principal, q: InboxQuery) -> AppResult<Inbox> {
        if !INBOX_STATUSES.contains(&q.status) {
            return Err(AppError::field(
                "status",
                Message::new("inbox.error.status"),
            ));
        }
        let all = self.received(principal, q.status).await?;
        let regimes: BTreeSet<String> = all.iter().map(|r| r.regime.clone()).collect();
        let mut periods: Vec<PeriodId> = all.iter().map(|r| r.period).collect();
        periods.sort_by_key(|p| (std::cmp::Reverse(p.last_day()), p.to_string()));
        periods.dedup();
        let mut units: Vec<(UnitId, String)> =
            all.iter().map(|r| (r.unit, r.unit_name.clone())).collect();
        units.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        units.dedup_by_key(|u| u.0);
        let mut found: Vec<WaitingReport> = all
            .into_iter()
            .filter(|r| q.regime.as_ref().is_none_or(|g| *g == r.regime))
            .filter(|r| q.period.is_none_or(|p| p == r.period))
            .filter(|r| q.unit.is_none_or(|u| u == r.unit))
            .collect();
        sort(&mut found, q.sort);
        let total = found.len();
        let pages = total.div_ceil(INBOX_PAGE).max(1);
        let page = q.page.clamp(1, pages);
        let listed: Vec<WaitingReport> = found
            .into_iter()
            .skip((page - 1) * INBOX_PAGE)
            .take(INBOX_PAGE)
            .collect();
        let meta = self.metadata().await?;
        let mut conn = self.store.conn().await?;
        let ids: Vec<ReportId> = listed.iter().map(|w| w.id).collect();
        let counts = check_counts(&mut conn, &meta, &ids).await?;
        let rows = listed
            .into_iter()
            .map(|w| {
                let c = counts.get(&w.id).copied().unwrap_or_default();
                InboxEntry {
                    status: q.status,
                    warnings: c.warnings,
                    flags: c.flags,
                    item: item(w),
                }
            })
            .collect();
        Ok(Inbox {
            rows,
            total,
            page,
            pages,
            regimes: regimes.into_iter().collect(),
            periods,
            units,
            meta,
        })
    }

    /// The report waiting for the caller's decision that comes after `after`
    /// in the inbox's default order (the first one if `after` is not there
    /// any more), other than `after` itself.
    pub async fn next_waiting(
        &self,
        principal: &Principal,
        after: ReportId,
    ) -> AppResult<Option<ReportId>> {
        let mut conn = self.store.conn().await?;
        next_waiting_on(&mut conn, principal, after).await
    }

    /// Accepts each of `ids` that waits for the caller's decision and has no
    /// failed rule and no unusual value; each acceptance is its own workflow
    /// step with its own ledger entry. The others are left with the reason.
    pub async fn accept_many(
        &self,
        principal: &Principal,
        ids: &[ReportId],
    ) -> AppResult<BulkAccepted> {
        if ids.is_empty() {
            return Err(AppError::field(
                "report",
                Message::new("inbox.error.none_chosen"),
            ));
        }
        if ids.len() > BULK_ACCEPT_MAX {
            return Err(AppError::field(
                "report",
                Message::new("inbox.error.too_many").arg("max", BULK_ACCEPT_MAX),
            ));
        }
        let waiting: Vec<ReportId> = self
            .received(principal, Status::Submitted)
            .await?
            .iter()
            .map(|r| r.id)
            .collect();
        let meta = self.metadata().await?;
        // Only what waits for the caller is read (the rest is skipped below).
        let asked: Vec<ReportId> = ids
            .iter()
            .filter(|id| waiting.contains(id))
            .copied()
            .collect();
        let counts = {
            let mut conn = self.store.conn().await?;
            check_counts(&mut conn, &meta, &asked).await?
        };
        let mut out = BulkAccepted::default();
        for id in ids {
            if !waiting.contains(id) {
                out.skipped
                    .push((*id, Message::new("inbox.skipped.not_waiting")));
                continue;
            }
            let Some(counts) = counts.get(id) else {
                continue;
            };
            let reason = match *counts {
                CheckCounts {
                    errors: 0,
                    warnings: 0,
                    flags: 0,
                } => None,
                CheckCounts {
                    warnings, flags, ..
                } => Some(
                    Message::new("inbox.skipped.to_look_at")
                        .arg("warnings", warnings)
                        .arg("flags", flags),
                ),
            };
            if let Some(reason) = reason {
                out.skipped.push((*id, reason));
                continue;
            }
            match self.review_report(principal, *id, true, "").await {
                Ok(()) => out.accepted.push(*id),
                Err(AppError::Conflict(m)) => out.skipped.push((*id, m)),
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }
}
