//! A regime's deadline calendar for a year: each period's cut-off window and
//! each reporting group's deadline, and the requests of the year.

use askama::Template;
use axum::extract::{Path, Query, State};
use baocao_app::calendar::CalendarPeriod;
use serde::Deserialize;

use super::parts::RequestRow;
use crate::extract::{ApiResult, Authed};
use crate::pages::view::{html, in_lang, layout, screen_date, PageResult};
use crate::shared::layout::Layout;
use crate::shared::params::year_or_this_year;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub(super) struct YearQuery {
    year: Option<String>,
}

struct CalendarRow {
    period: String,
    version: usize,
    window: String,
    deadlines: Vec<String>,
}

impl CalendarRow {
    fn of(p: &CalendarPeriod) -> CalendarRow {
        CalendarRow {
            period: p.period.to_string(),
            version: p.version,
            window: format!(
                "{} – {}",
                screen_date(p.window.first()),
                screen_date(p.window.last())
            ),
            deadlines: p
                .deadlines
                .iter()
                .map(|d| screen_date(d.deadline))
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "regime_calendar.html")]
struct CalendarPage {
    layout: Layout,
    code: String,
    title: String,
    year: i32,
    groups: Vec<String>,
    rows: Vec<CalendarRow>,
    requests: Vec<RequestRow>,
}

/// The calendar of `?year=` (this year by default).
pub(super) async fn calendar_page(
    State(state): State<AppState>,
    authed: Authed,
    Path(code): Path<String>,
    Query(query): Query<YearQuery>,
) -> PageResult {
    let lang = authed.lang;
    let year = year_or_this_year(query.year.as_deref()).page(&authed)?;
    let cal = state.app.regime_calendar(&code, year).await.page(&authed)?;
    let latest = cal.regime.latest();
    // The groups that have a deadline, one column each.
    let groups = latest
        .map(|v| {
            v.reporting
                .iter()
                .filter(|g| g.deadline.is_some())
                .map(|g| in_lang(lang, &g.name_vi, &g.name_en).to_string())
                .collect()
        })
        .unwrap_or_default();
    html(
        CalendarPage {
            layout: layout(&authed, &format!("/regimes/{code}/calendar")),
            title: latest
                .map(|v| in_lang(lang, &v.name_vi, &v.name_en).to_string())
                .unwrap_or_default(),
            code: cal.regime.code.clone(),
            year,
            groups,
            rows: cal.periods.iter().map(CalendarRow::of).collect(),
            requests: cal
                .requests
                .iter()
                .map(|r| RequestRow::of(lang, r))
                .collect(),
        },
        lang,
    )
}
