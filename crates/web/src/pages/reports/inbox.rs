//! The reviewer's inbox on the reports page: filters (regime, period, unit,
//! status) and an order in the URL, a page at a time, the warnings and
//! unusual values of each report, and a careful bulk accept of the reports
//! with nothing to look at.

use std::collections::BTreeMap;

use axum::extract::State;
use baocao_app::i18n::{t, Lang};
use baocao_app::reports::{Inbox, InboxEntry, InboxFilter, InboxQuery, InboxSort, INBOX_STATUSES};
use baocao_app::AppError;
use baocao_domain::catalogue::Metadata;
use baocao_domain::report::{ReportId, Status};
use baocao_domain::Message;
use serde::Deserialize;

use super::archive::{regime_name, Choice};
use crate::extract::{ApiResult, Authed, CsrfForm};
use crate::pages::view::{screen_time, see_other, PageResult};
use crate::shared::params::given;
use crate::shared::periods::period_name;
use crate::shared::url::url_encode;
use crate::state::AppState;

/// The inbox's part of the reports page's address.
#[derive(Debug, Default, Deserialize)]
pub(super) struct InboxParams {
    regime: Option<String>,
    period: Option<String>,
    unit: Option<String>,
    status: Option<String>,
    sort: Option<String>,
    page: Option<String>,
    /// After a bulk accept: how many were accepted and left.
    accepted: Option<usize>,
    skipped: Option<usize>,
}

impl InboxParams {
    /// The filter these parameters give (blank fields left out); the app
    /// reads it as the API's query is read.
    pub(super) fn filter(&self) -> InboxFilter<'_> {
        InboxFilter {
            regime: given(&self.regime),
            period: given(&self.period),
            unit: given(&self.unit),
            status: given(&self.status),
            sort: given(&self.sort),
            page: given(&self.page),
        }
    }

    /// What a bulk accept just did, said back.
    pub(super) fn bulk_notice(&self, lang: Lang) -> Option<String> {
        let accepted = self.accepted?;
        Some(baocao_app::i18n::render(
            lang,
            &Message::new("inbox.bulk_done")
                .arg("accepted", accepted)
                .arg("skipped", self.skipped.unwrap_or(0)),
        ))
    }
}

/// A report as the inbox lists it.
pub(super) struct InboxRow {
    pub(super) id: ReportId,
    pub(super) regime: String,
    pub(super) regime_name: String,
    pub(super) period: String,
    pub(super) submitted: String,
    pub(super) timeliness: String,
    pub(super) late: bool,
    pub(super) unit_name: String,
    pub(super) version: i64,
    pub(super) warnings: usize,
    pub(super) flags: usize,
    /// Waiting, with nothing to look at: it may be accepted with others.
    pub(super) bulk: bool,
}

/// The inbox section of the reports page.
pub(super) struct InboxView {
    pub(super) rows: Vec<InboxRow>,
    pub(super) total: usize,
    pub(super) page: usize,
    pub(super) pages: usize,
    pub(super) regimes: Vec<Choice>,
    pub(super) periods: Vec<Choice>,
    pub(super) units: Vec<Choice>,
    pub(super) statuses: Vec<Choice>,
    pub(super) sorts: Vec<Choice>,
    pub(super) previous: Option<String>,
    pub(super) next: Option<String>,
    pub(super) any_bulk: bool,
    pub(super) bulk_notice: Option<String>,
}

fn row(lang: Lang, meta: &Metadata, e: &InboxEntry) -> InboxRow {
    let r = &e.item;
    InboxRow {
        id: r.id,
        regime: r.regime.clone(),
        regime_name: regime_name(lang, meta, &r.regime),
        period: period_name(lang, &r.period),
        submitted: screen_time(r.submitted_at),
        timeliness: t(
            lang,
            if r.on_time {
                "report.on_time"
            } else {
                "report.late"
            },
        ),
        late: !r.on_time,
        unit_name: r.unit_name.clone(),
        version: r.version,
        warnings: e.warnings,
        flags: e.flags,
        bulk: e.status == Status::Submitted && e.warnings == 0 && e.flags == 0,
    }
}

fn link(q: &InboxQuery, page: usize) -> String {
    format!(
        "/reports?regime={}&period={}&unit={}&status={}&sort={}&page={page}#inbox-title",
        url_encode(q.regime.as_deref().unwrap_or("")),
        q.period.map(|p| p.to_string()).unwrap_or_default(),
        q.unit.map(|u| u.get().to_string()).unwrap_or_default(),
        q.status.as_str(),
        q.sort.as_str(),
    )
}

/// The inbox section as the page shows it.
pub(super) fn view(
    lang: Lang,
    q: &InboxQuery,
    found: Inbox,
    bulk_notice: Option<String>,
) -> InboxView {
    let meta = &*found.meta;
    let rows: Vec<InboxRow> = found.rows.iter().map(|e| row(lang, meta, e)).collect();
    InboxView {
        any_bulk: rows.iter().any(|r| r.bulk),
        rows,
        total: found.total,
        page: found.page,
        pages: found.pages,
        regimes: found
            .regimes
            .iter()
            .map(|c| {
                (
                    c.clone(),
                    regime_name(lang, meta, c),
                    q.regime.as_deref() == Some(c),
                )
            })
            .collect(),
        periods: found
            .periods
            .iter()
            .map(|p| (p.to_string(), period_name(lang, p), q.period == Some(*p)))
            .collect(),
        units: found
            .units
            .iter()
            .map(|(id, name)| (id.get().to_string(), name.clone(), q.unit == Some(*id)))
            .collect(),
        statuses: INBOX_STATUSES
            .iter()
            .map(|s| (s.as_str().to_string(), t(lang, s.key()), q.status == *s))
            .collect(),
        sorts: InboxSort::ALL
            .iter()
            .map(|s| (s.as_str().to_string(), t(lang, s.key()), q.sort == *s))
            .collect(),
        previous: (found.page > 1).then(|| link(q, found.page - 1)),
        next: (found.page < found.pages).then(|| link(q, found.page + 1)),
        bulk_notice,
    }
}

/// Accepts the reports ticked in the inbox (each one its own step), after
/// the reviewer confirmed; then the inbox says how many were accepted and
/// how many were left to look at.
pub(super) async fn accept_many(
    State(state): State<AppState>,
    authed: Authed,
    CsrfForm(form): CsrfForm<BTreeMap<String, String>>,
) -> PageResult {
    if form.get("confirm").map(String::as_str) != Some("1") {
        return Err(AppError::field(
            "confirm",
            Message::new("inbox.error.confirm"),
        ))
        .page(&authed);
    }
    let mut ids = Vec::new();
    for key in form.keys() {
        if let Some(id) = key.strip_prefix("accept_") {
            let id = id
                .parse::<i64>()
                .map_err(|_| {
                    AppError::field(
                        "report",
                        Message::new("inbox.error.bad_filter").arg("value", id),
                    )
                })
                .page(&authed)?;
            ids.push(ReportId::new(id));
        }
    }
    let done = state
        .app
        .accept_many(&authed.caller.principal, &ids)
        .await
        .page(&authed)?;
    see_other(&format!(
        "/reports?accepted={}&skipped={}#inbox-title",
        done.accepted.len(),
        done.skipped.len()
    ))
}
