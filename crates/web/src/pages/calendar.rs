//! The working-day calendar of a year: every day off with its reason, and for
//! administrators the exceptions with a form to add or remove one.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::Router;
use baocao_app::i18n::{render, t, Lang};
use baocao_domain::calendar::NonWorkingReason;
use baocao_domain::Message;
use chrono::{Datelike, NaiveDate};
use serde::de::IgnoredAny;
use serde::Deserialize;

use super::view::{html, layout, screen_date, see_other, PageResult};
use crate::extract::{ApiResult, Authed, CsrfForm};
use crate::shared::labels::reason_label;
use crate::shared::layout::Layout;
use crate::shared::params::{optional_date, required_date, year_or_this_year};
use crate::state::AppState;

/// The calendar routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/calendar", get(calendar_page))
        .route("/calendar/exceptions", post(calendar_add))
        .route("/calendar/exceptions/{date}/delete", post(calendar_remove))
}

struct DayRow {
    date: String,
    label: String,
}

struct ExceptionRow {
    iso: String,
    date: String,
    kind: String,
    label: String,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    layout: Layout,
    year: i32,
    weekends: String,
    days: Vec<DayRow>,
    make_up: Vec<DayRow>,
    exceptions: Vec<ExceptionRow>,
    can_edit: bool,
}

#[derive(Debug, Deserialize)]
struct YearQuery {
    year: Option<String>,
}

/// The days off of a year, weekends counted rather than listed.
fn days_off(lang: Lang, days: &[(NaiveDate, NonWorkingReason)]) -> (String, Vec<DayRow>) {
    let weekend = |r: &NonWorkingReason| matches!(r, NonWorkingReason::Weekend);
    let weekends = days.iter().filter(|(_, r)| weekend(r)).count();
    let note = render(
        lang,
        &Message::new("calendar.weekends_note").arg("count", weekends),
    );
    let rows = days
        .iter()
        .filter(|(_, r)| !weekend(r))
        .map(|(d, reason)| DayRow {
            date: screen_date(*d),
            label: reason_label(lang, reason),
        })
        .collect();
    (note, rows)
}

/// An exception an administrator entered: a day off or a make-up working day.
fn exception_row(lang: Lang, day: NaiveDate, kind: &str, reason: &str) -> ExceptionRow {
    ExceptionRow {
        iso: day.to_string(),
        date: screen_date(day),
        kind: t(lang, &format!("calendar.kind_{kind}")),
        label: reason.to_string(),
    }
}

async fn calendar_page(
    State(state): State<AppState>,
    authed: Authed,
    Query(q): Query<YearQuery>,
) -> PageResult {
    let lang = authed.lang;
    let year = year_or_this_year(q.year.as_deref()).page(&authed)?;
    let screen = state.app.calendar_screen(year).await.page(&authed)?;
    let (weekends, days) = days_off(lang, &screen.days_off);
    html(
        CalendarPage {
            layout: layout(&authed, "/calendar"),
            year,
            weekends,
            days,
            make_up: screen
                .make_up
                .iter()
                .map(|e| DayRow {
                    date: screen_date(e.day),
                    label: e.reason.clone(),
                })
                .collect(),
            exceptions: screen
                .exceptions
                .iter()
                .map(|e| exception_row(lang, e.day, &e.kind, &e.reason))
                .collect(),
            can_edit: baocao_app::calendar::may_edit_calendar(&authed.caller.principal),
        },
        lang,
    )
}

#[derive(Debug, Deserialize)]
struct ExceptionForm {
    date: String,
    kind: String,
    reason: String,
}

async fn calendar_add(
    State(state): State<AppState>,
    authed: Authed,
    CsrfForm(form): CsrfForm<ExceptionForm>,
) -> PageResult {
    let day = required_date("date", &form.date).page(&authed)?;
    let working = form.kind == "working_day";
    state
        .app
        .add_calendar_exception(&authed.caller.principal, day, working, &form.reason)
        .await
        .page(&authed)?;
    see_other(&format!("/calendar?year={}", day.year()))
}

async fn calendar_remove(
    State(state): State<AppState>,
    authed: Authed,
    Path(date): Path<String>,
    CsrfForm(_): CsrfForm<IgnoredAny>,
) -> PageResult {
    let day = optional_date("date", Some(&date))
        .and_then(|d| d.ok_or(baocao_app::AppError::NotFound))
        .page(&authed)?;
    state
        .app
        .remove_calendar_exception(&authed.caller.principal, day)
        .await
        .page(&authed)?;
    see_other(&format!("/calendar?year={}", day.year()))
}
