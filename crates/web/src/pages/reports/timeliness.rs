//! Who reported on time for a regime, period and receiving unit.

use askama::Template;
use axum::extract::{Query, State};
use baocao_app::i18n::{render, t, Lang};
use baocao_app::reports::{TimelinessFilter, TimelinessRow};
use baocao_app::AppError;
use baocao_domain::unit::UnitId;
use baocao_domain::Message;
use serde::Deserialize;

use crate::extract::{ApiResult, Authed, CsrfForm};
use crate::pages::view::{html, in_lang, layout, screen_date, screen_time, see_other, PageResult};
use crate::shared::downloads::xlsx_response;
use crate::shared::layout::Layout;
use crate::shared::params::given;
use crate::shared::periods::period_name;
use crate::state::AppState;

/// What to show; each part defaults to the caller's first reviewed unit, the
/// first periodic regime and its latest period already ended.
#[derive(Debug, Default, Deserialize)]
pub(super) struct TimelinessQuery {
    regime: Option<String>,
    period: Option<String>,
    unit: Option<String>,
    /// After a reminder: how many units were reminded.
    reminded: Option<usize>,
}

impl TimelinessQuery {
    fn filter(&self) -> TimelinessFilter<'_> {
        TimelinessFilter {
            regime: given(&self.regime),
            period: given(&self.period),
            unit: given(&self.unit),
        }
    }
}

struct TimelinessRowView {
    name: String,
    /// The unit's report, once opened.
    report: Option<baocao_domain::report::ReportId>,
    status: String,
    submitted: String,
    timing: String,
    class: &'static str,
}

#[derive(Template)]
#[template(path = "timeliness.html")]
struct TimelinessPage {
    layout: Layout,
    title: String,
    summary: String,
    rows: Vec<TimelinessRowView>,
    unit: i64,
    period: String,
    regimes: Vec<(String, String, bool)>,
    export_href: String,
    regime: String,
    /// Units still to send, for the reminder button (receiving unit's reviewers).
    may_remind: bool,
    /// After a reminder was sent, said back.
    notice: Option<String>,
}

fn row_view(lang: Lang, r: &TimelinessRow) -> TimelinessRowView {
    TimelinessRowView {
        name: r.name.clone(),
        report: r.report,
        status: r
            .status
            .map(|s| t(lang, s.key()))
            .unwrap_or_else(|| t(lang, "report.not_started")),
        submitted: r.first_submitted_at.map(screen_time).unwrap_or_default(),
        timing: match r.on_time {
            Some(true) => t(lang, "report.on_time"),
            Some(false) => t(lang, "report.late"),
            None => t(lang, "report.missing"),
        },
        class: match r.on_time {
            Some(true) => "",
            Some(false) => "soon",
            None => "late",
        },
    }
}

/// Each expected unit: its status, when it first submitted, on time or late.
pub(super) async fn timeliness_page(
    State(state): State<AppState>,
    authed: Authed,
    Query(q): Query<TimelinessQuery>,
) -> PageResult {
    let lang = authed.lang;
    let screen = state
        .app
        .timeliness_screen(&authed.caller.principal, q.filter(), baocao_app::today())
        .await
        .page(&authed)?;
    let tl = &screen.table;
    let unit = tl.receiver.get();
    let summary = Message::new("report.timeliness_summary")
        .arg("expected", tl.expected)
        .arg("on_time", tl.on_time)
        .arg("late", tl.late)
        .arg("missing", tl.missing)
        .arg("deadline", tl.deadline.map(screen_date).unwrap_or_default());
    let notice = q
        .reminded
        .map(|n| render(lang, &Message::new("report.reminded").arg("count", n)));
    let period = tl.period.to_string();
    html(
        TimelinessPage {
            layout: layout(&authed, "/reports/timeliness"),
            regime: tl.regime.clone(),
            may_remind: screen.may_remind,
            notice,
            title: format!(
                "{} · {} · {}",
                tl.receiver_name,
                tl.regime,
                period_name(lang, &tl.period)
            ),
            summary: render(lang, &summary),
            rows: tl.rows.iter().map(|r| row_view(lang, r)).collect(),
            unit,
            export_href: format!(
                "/reports/timeliness/export.xlsx?regime={}&period={}&unit={unit}",
                crate::shared::url::url_encode(&tl.regime),
                crate::shared::url::url_encode(&period)
            ),
            period,
            regimes: screen
                .regimes
                .iter()
                .map(|(code, vi, en)| {
                    (
                        code.clone(),
                        in_lang(lang, vi, en).to_string(),
                        *code == tl.regime,
                    )
                })
                .collect(),
        },
        lang,
    )
}

/// What the reminder button sends.
#[derive(Debug, Deserialize)]
pub(super) struct RemindForm {
    regime: String,
    period: String,
    unit: i64,
}

/// Reminds the units that have not sent their report; then the table again,
/// saying how many were reminded.
pub(super) async fn remind(
    State(state): State<AppState>,
    authed: Authed,
    CsrfForm(form): CsrfForm<RemindForm>,
) -> PageResult {
    let count = state
        .app
        .remind_missing(
            &authed.caller.principal,
            &form.regime,
            &form.period,
            UnitId::new(form.unit),
        )
        .await
        .page(&authed)?;
    see_other(&format!(
        "/reports/timeliness?regime={}&period={}&unit={}&reminded={count}",
        crate::shared::url::url_encode(&form.regime),
        crate::shared::url::url_encode(&form.period),
        form.unit
    ))
}

/// The table above as an .xlsx file (the same regime, period and unit).
pub(super) async fn timeliness_export(
    State(state): State<AppState>,
    authed: Authed,
    Query(q): Query<TimelinessQuery>,
) -> PageResult {
    let unit = q.unit.as_deref().and_then(|u| u.trim().parse::<i64>().ok());
    let (Some(regime), Some(period), Some(unit)) = (q.regime, q.period, unit) else {
        return Err(authed.page_error(AppError::NotFound));
    };
    let tl = state
        .app
        .timeliness(
            &authed.caller.principal,
            &regime,
            &period,
            UnitId::new(unit),
        )
        .await
        .page(&authed)?;
    let bytes = baocao_app::reports::timeliness_xlsx(&tl, authed.lang).page(&authed)?;
    let name = format!(
        "{}_{}_{}.xlsx",
        t(authed.lang, "report.timeliness_file"),
        tl.regime,
        tl.period
    );
    Ok(xlsx_response(&name, bytes))
}
