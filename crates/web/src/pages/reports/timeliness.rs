//! Who reported on time for a regime, period and receiving unit.

use askama::Template;
use axum::extract::{Query, State};
use baocao_app::i18n::{render, t, Lang};
use baocao_app::reports::TimelinessRow;
use baocao_app::AppError;
use baocao_domain::access::Permission;
use baocao_domain::catalogue::{Metadata, RegimeKind};
use baocao_domain::period::{periods_in_year, PeriodId};
use baocao_domain::unit::UnitId;
use baocao_domain::Message;
use serde::Deserialize;

use crate::extract::{ApiResult, Authed, CsrfForm};
use crate::pages::view::{html, in_lang, layout, screen_date, screen_time, see_other, PageResult};
use crate::shared::downloads::xlsx_response;
use crate::shared::layout::Layout;
use crate::shared::params::optional_text;
use crate::shared::periods::period_name;
use crate::state::AppState;

/// What to show; each part defaults to the caller's first reviewed unit, the
/// first periodic regime and its latest period already ended.
#[derive(Debug, Default, Deserialize)]
pub(super) struct TimelinessQuery {
    regime: Option<String>,
    period: Option<String>,
    unit: Option<i64>,
    /// After a reminder: how many units were reminded.
    reminded: Option<usize>,
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
    let principal = &authed.caller.principal;
    let meta = state.app.metadata().await.page(&authed)?;
    let periodic: Vec<&baocao_domain::catalogue::Regime> = meta
        .regimes
        .iter()
        .filter(|r| r.latest().is_some_and(|v| v.kind == RegimeKind::Periodic))
        .collect();
    let regime = optional_text(q.regime.as_deref())
        .or_else(|| periodic.first().map(|r| r.code.clone()))
        .ok_or(AppError::NotFound)
        .page(&authed)?;
    let period = match optional_text(q.period.as_deref()) {
        Some(p) => p,
        None => latest_ended(&meta, &regime, baocao_app::today())
            .ok_or(AppError::NotFound)
            .page(&authed)?,
    };
    let unit = match q.unit {
        Some(u) => u,
        None => principal
            .units_acting_for(Permission::ReviewReport)
            .into_iter()
            .chain(principal.units_acting_for(Permission::EnterData))
            .next()
            .ok_or(AppError::NotFound)
            .page(&authed)?
            .get(),
    };
    let tl = state
        .app
        .timeliness(principal, &regime, &period, UnitId::new(unit))
        .await
        .page(&authed)?;
    let summary = Message::new("report.timeliness_summary")
        .arg("expected", tl.expected)
        .arg("on_time", tl.on_time)
        .arg("late", tl.late)
        .arg("missing", tl.missing)
        .arg("deadline", tl.deadline.map(screen_date).unwrap_or_default());
    let may_remind =
        tl.missing > 0 && principal.acts_for(Permission::ReviewReport, UnitId::new(unit));
    let notice = q
        .reminded
        .map(|n| render(lang, &Message::new("report.reminded").arg("count", n)));
    html(
        TimelinessPage {
            layout: layout(&authed, "/reports/timeliness"),
            regime: tl.regime.clone(),
            may_remind,
            notice,
            title: format!(
                "{} · {} · {}",
                tl.receiver_name,
                tl.regime,
                tl.period
                    .parse::<PeriodId>()
                    .map(|p| period_name(lang, &p))
                    .unwrap_or_else(|_| tl.period.clone())
            ),
            summary: render(lang, &summary),
            rows: tl.rows.iter().map(|r| row_view(lang, r)).collect(),
            unit,
            export_href: format!(
                "/reports/timeliness/export.xlsx?regime={}&period={}&unit={unit}",
                crate::shared::url::url_encode(&tl.regime),
                crate::shared::url::url_encode(&tl.period)
            ),
            period: tl.period.clone(),
            regimes: periodic
                .iter()
                .filter_map(|r| {
                    let v = r.latest()?;
                    Some((
                        r.code.clone(),
                        in_lang(lang, &v.name_vi, &v.name_en).to_string(),
                        r.code == regime,
                    ))
                })
                .collect(),
        },
        lang,
    )
}

/// The latest period of `regime`'s frequency that has ended by `today`.
fn latest_ended(meta: &Metadata, regime: &str, today: chrono::NaiveDate) -> Option<String> {
    use chrono::Datelike;
    let frequency = meta.regime(regime)?.latest()?.frequency;
    [today.year(), today.year() - 1]
        .into_iter()
        .filter_map(|y| periods_in_year(y, frequency).ok())
        .flatten()
        .filter(|p: &PeriodId| p.last_day() < today)
        .max_by_key(|p| p.last_day())
        .map(|p| p.to_string())
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
    let (Some(regime), Some(period), Some(unit)) = (q.regime, q.period, q.unit) else {
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
