//! Periods and the working-day calendar through the API.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use baocao_app::calendar::parse_period;
use baocao_app::AppError;
use baocao_domain::calendar::NonWorkingReason;
use baocao_domain::lunar::{MAX_SOLAR_YEAR, MIN_SOLAR_YEAR};
use baocao_domain::period::{Convention, DateRange};
use baocao_domain::Message;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::doc::{in_range, iso_date, JsonBodyErrors};
use crate::error::{ErrorBody, WebError};
use crate::extract::{ApiJson, Authed};
use crate::shared::labels::reason_label;
use crate::state::AppState;

/// An inclusive date range.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RangeDto {
    /// First day (ISO).
    pub first: String,
    /// Last day (ISO).
    pub last: String,
}

impl From<DateRange> for RangeDto {
    fn from(r: DateRange) -> Self {
        RangeDto {
            first: r.first().to_string(),
            last: r.last().to_string(),
        }
    }
}

/// A reporting period.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PeriodDto {
    /// Canonical id.
    pub id: String,
    /// Calendar dates of the period.
    pub dates: RangeDto,
    /// Data cut-off window of administrative reports (Decree 09/2019/NĐ-CP art. 12).
    pub administrative_window: RangeDto,
    /// Data cut-off window of statistical reports (calendar period).
    pub calendar_window: RangeDto,
    /// The period it rolls up into (month → quarter → year).
    pub parent: Option<String>,
    /// The periods it is made of.
    pub children: Vec<String>,
    /// The next period of the same kind.
    pub next: Option<String>,
    /// The previous period of the same kind.
    pub previous: Option<String>,
}

/// A period's dates and cut-off windows.
#[utoipa::path(get, path = "/api/v1/periods/{id}", tag = "calendar", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, pattern = "^(?:(?:19[0-9]{2}|2[01][0-9]{2}|2200)(?:M(?:0[1-9]|1[0-2])|Q[1-4]|S[12]|N9)?|ADHOC:(?:19[0-9]{2}|2[01][0-9]{2}|2200)-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])\\.\\.(?:19[0-9]{2}|2[01][0-9]{2}|2200)-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01]))$",
        description = "2025M03, 2025Q1, 2025S1, 2025N9, 2025 or ADHOC:2025-03-01..2025-03-20 (years 1900–2200; \
            an ad-hoc window's dates exist and are in order)")),
    responses((status = 200, body = PeriodDto),
        (status = 422, body = ErrorBody, description = "Not a period id (code `invalid`)")))]
pub async fn period(authed: Authed, Path(id): Path<String>) -> Result<Json<PeriodDto>, WebError> {
    let p = parse_period(&id).map_err(|e| authed.api_error(e))?;
    Ok(Json(PeriodDto {
        id: p.to_string(),
        dates: p.calendar_range().into(),
        administrative_window: p.cutoff_window(Convention::Administrative).into(),
        calendar_window: p.cutoff_window(Convention::Calendar).into(),
        parent: p.parent().map(|x| x.to_string()),
        children: p.children().iter().map(ToString::to_string).collect(),
        next: p.next().map(|x| x.to_string()),
        previous: p.previous().map(|x| x.to_string()),
    }))
}

/// A day that is not a working day.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DayOffDto {
    /// The date (ISO).
    pub date: String,
    /// `weekend`, `holiday`, `compensatory` (nghỉ bù) or `exception` (an administrator's day off).
    pub reason: String,
    /// For holidays and compensatory days: `new_year`, `lunar_new_year`, `hung_kings_day`,
    /// `reunification_day`, `labour_day`, `national_day`.
    pub holiday: Option<String>,
    /// Why, in the user's language.
    pub label: String,
}

/// A make-up working day (ngày làm bù) an administrator entered.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WorkingDayDto {
    /// The date (ISO).
    pub date: String,
    /// The administrator's reason.
    pub reason: String,
}

/// A year of the working-day calendar.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CalendarYearDto {
    /// The year.
    pub year: i32,
    /// Every non-working day with its reason.
    pub non_working_days: Vec<DayOffDto>,
    /// Weekend days made working days.
    pub make_up_working_days: Vec<WorkingDayDto>,
}

/// Every non-working day of a year with its reason: weekends, statutory holidays
/// (lunar ones computed for UTC+7), compensatory days, administrators' exceptions.
#[utoipa::path(get, path = "/api/v1/calendar/{year}", tag = "calendar", security(("bearer" = []), ("session" = [])),
    params(("year" = i32, Path, minimum = 1800, maximum = 2299, description = "Year (the computed calendar covers 1800–2299)")),
    responses((status = 200, body = CalendarYearDto),
        (status = 422, body = ErrorBody, description = "Not a year the calendar covers (code `invalid`)")))]
pub async fn year(
    State(state): State<AppState>,
    authed: Authed,
    Path(year): Path<String>,
) -> Result<Json<CalendarYearDto>, WebError> {
    let year: i64 = year.parse().map_err(|_| {
        authed.api_error(AppError::field(
            "year",
            Message::new("request.bad_number").arg("value", &year),
        ))
    })?;
    // In range, so it fits an i32.
    let year = in_range("year", year, MIN_SOLAR_YEAR.into(), MAX_SOLAR_YEAR.into())
        .map_err(|e| authed.api_error(e))? as i32;
    let (days, make_up) = state
        .app
        .calendar_year(year)
        .await
        .map_err(|e| authed.api_error(e))?;
    let lang = authed.lang;
    Ok(Json(CalendarYearDto {
        year,
        non_working_days: days
            .into_iter()
            .map(|(date, reason)| {
                let (code, holiday) = match &reason {
                    NonWorkingReason::Weekend => ("weekend", None),
                    NonWorkingReason::Holiday(h) => ("holiday", Some(*h)),
                    NonWorkingReason::CompensatoryDayOff { holiday, .. } => {
                        ("compensatory", Some(*holiday))
                    }
                    NonWorkingReason::ExtraDayOff { .. } => ("exception", None),
                };
                DayOffDto {
                    date: date.to_string(),
                    reason: code.into(),
                    holiday: holiday.map(|h| h.code().trim_start_matches("holiday.").to_string()),
                    label: reason_label(lang, &reason),
                }
            })
            .collect(),
        make_up_working_days: make_up
            .into_iter()
            .map(|e| WorkingDayDto {
                date: e.day.to_string(),
                reason: e.reason,
            })
            .collect(),
    }))
}

/// An exception to the computed calendar.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ExceptionRequest {
    /// The date, in the years the computed calendar covers (1800–2299).
    #[schema(format = Date, pattern = "^(?:1[89]|2[0-2])[0-9]{2}-")]
    pub date: String,
    /// `day_off` or `working_day`.
    #[schema(pattern = "^(day_off|working_day)$")]
    pub kind: String,
    /// Why (e.g. the Government's notice): not blank, at most 500 characters.
    #[schema(pattern = "\\S", max_length = 500)]
    pub reason: String,
}

/// Records an extra day off or a make-up working day (system-wide or regime administrators).
#[utoipa::path(post, path = "/api/v1/calendar/exceptions", tag = "calendar", security(("bearer" = []), ("session" = [])),
    request_body = ExceptionRequest,
    responses((status = 201, description = "Recorded"),
        (status = 403, body = ErrorBody, description = "Only administrators of the whole instance correct the calendar (code `forbidden`), or the CSRF token is missing (code `csrf`)"),
        (status = 409, body = ErrorBody, description = "The date already has an exception (code `conflict`)"),
        JsonBodyErrors))]
pub async fn add_exception(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(body): ApiJson<ExceptionRequest>,
) -> Result<StatusCode, WebError> {
    let day = iso_date("date", &body.date).map_err(|e| authed.api_error(e))?;
    let working = match body.kind.as_str() {
        "working_day" => true,
        "day_off" => false,
        other => {
            return Err(authed.api_error(AppError::field(
                "kind",
                Message::new("calendar.bad_kind").arg("value", other),
            )))
        }
    };
    state
        .app
        .add_calendar_exception(&authed.caller.principal, day, working, &body.reason)
        .await
        .map_err(|e| authed.api_error(e))?;
    Ok(StatusCode::CREATED)
}

/// Removes the exception of a date.
#[utoipa::path(delete, path = "/api/v1/calendar/exceptions/{date}", tag = "calendar", security(("bearer" = []), ("session" = [])),
    params(("date" = String, Path, format = Date, description = "The date of the exception")),
    responses((status = 204, description = "Removed"),
        (status = 403, body = ErrorBody, description = "Only administrators of the whole instance correct the calendar (code `forbidden`), or the CSRF token is missing (code `csrf`)"),
        (status = 404, body = ErrorBody, description = "The date has no exception"),
        (status = 422, body = ErrorBody, description = "Not a date (code `invalid`)")))]
pub async fn remove_exception(
    State(state): State<AppState>,
    authed: Authed,
    Path(date): Path<String>,
) -> Result<StatusCode, WebError> {
    let day = iso_date("date", &date).map_err(|e| authed.api_error(e))?;
    state
        .app
        .remove_calendar_exception(&authed.caller.principal, day)
        .await
        .map_err(|e| authed.api_error(e))?;
    Ok(StatusCode::NO_CONTENT)
}

/// The calendar routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/periods/{id}", get(period))
        .route("/api/v1/calendar/{year}", get(year))
        .route("/api/v1/calendar/exceptions", post(add_exception))
        .route(
            "/api/v1/calendar/exceptions/{date}",
            delete(remove_exception),
        )
}
