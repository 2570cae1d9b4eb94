//! Finding past reports (`/reports/archive`): every report of the caller's
//! units, filtered by regime, year and status with a plain GET form (the
//! view is in its URL), a page at a time.

use askama::Template;
use axum::extract::{Query, State};
use baocao_app::i18n::{t, Lang};
use baocao_app::reports::{Archive, ArchiveFilter, ArchiveQuery};
use baocao_domain::catalogue::Metadata;
use baocao_domain::report::{ReportId, Status};
use serde::Deserialize;

use crate::extract::{ApiResult, Authed};
use crate::pages::view::{html, in_lang, layout, screen_date, PageResult};
use crate::shared::layout::Layout;
use crate::shared::params::given;
use crate::shared::periods::period_name;
use crate::shared::url::url_encode;
use crate::state::AppState;

const STATUSES: [Status; 4] = [
    Status::Draft,
    Status::Submitted,
    Status::Returned,
    Status::Accepted,
];

#[derive(Debug, Default, Deserialize)]
pub(super) struct ArchiveParams {
    regime: Option<String>,
    year: Option<String>,
    status: Option<String>,
    page: Option<String>,
}

struct Row {
    id: ReportId,
    regime_name: String,
    regime: String,
    period: String,
    unit_name: String,
    status: String,
    deadline: String,
    version: i64,
}

/// A choice of a filter: value, label, whether chosen.
pub(super) type Choice = (String, String, bool);

#[derive(Template)]
#[template(path = "archive.html")]
struct ArchivePage {
    layout: Layout,
    rows: Vec<Row>,
    total: usize,
    page: usize,
    pages: usize,
    regimes: Vec<Choice>,
    years: Vec<Choice>,
    statuses: Vec<Choice>,
    previous: Option<String>,
    next: Option<String>,
}

/// A regime's name in `lang` (its code when the catalogue lacks it).
pub(super) fn regime_name(lang: Lang, meta: &Metadata, code: &str) -> String {
    meta.regime(code)
        .and_then(|g| g.latest())
        .map(|v| in_lang(lang, &v.name_vi, &v.name_en).to_string())
        .unwrap_or_else(|| code.to_string())
}

/// The reports of the caller's units, as filtered.
pub(super) async fn archive_page(
    State(state): State<AppState>,
    authed: Authed,
    Query(p): Query<ArchiveParams>,
) -> PageResult {
    let lang = authed.lang;
    let filter = ArchiveFilter {
        regime: given(&p.regime),
        year: given(&p.year),
        status: given(&p.status),
        page: given(&p.page),
    };
    let (q, found) = state
        .app
        .report_archive(&authed.caller.principal, filter)
        .await
        .page(&authed)?;
    html(page(lang, &authed, &q, found), lang)
}

fn page(lang: Lang, authed: &Authed, q: &ArchiveQuery, found: Archive) -> ArchivePage {
    let meta = &*found.meta;
    let link = |page: usize| {
        format!(
            "/reports/archive?regime={}&year={}&status={}&page={page}",
            url_encode(q.regime.as_deref().unwrap_or("")),
            q.year.map(|y| y.to_string()).unwrap_or_default(),
            q.status.map(Status::as_str).unwrap_or("")
        )
    };
    ArchivePage {
        layout: layout(authed, "/reports/archive"),
        rows: found
            .rows
            .iter()
            .map(|r| Row {
                id: r.id,
                regime_name: regime_name(lang, meta, &r.regime),
                regime: r.regime.clone(),
                period: period_name(lang, &r.period),
                unit_name: r.unit_name.clone(),
                status: t(lang, r.status.key()),
                deadline: screen_date(r.deadline),
                version: r.version,
            })
            .collect(),
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
        years: found
            .years
            .iter()
            .map(|y| (y.to_string(), y.to_string(), q.year == Some(*y)))
            .collect(),
        statuses: STATUSES
            .iter()
            .map(|s| {
                (
                    s.as_str().to_string(),
                    t(lang, s.key()),
                    q.status == Some(*s),
                )
            })
            .collect(),
        previous: (found.page > 1).then(|| link(found.page - 1)),
        next: (found.page < found.pages).then(|| link(found.page + 1)),
    }
}
