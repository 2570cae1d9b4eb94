//! Reports through the API: what a unit owes, the review queue, opening a
//! report, saving its draft and the workflow steps.

use axum::extract::DefaultBodyLimit;
use axum::extract::Query;
use axum::extract::{Path, State};
use axum::http::HeaderValue;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use baocao_app::reports::{AttachmentView, Obligation, ReportView, SynthesisView, Timeliness};
use baocao_app::reports::{InboxFilter, InboxQuery};
use baocao_domain::report::{Content, ReportId};
use baocao_domain::unit::UnitId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::doc::{Busy, FileBytes, JsonBodyErrors};
use crate::error::{ErrorBody, WebError};
use crate::extract::{ApiJson, ApiResult, Authed};
use crate::shared::downloads::{attachment_response, csv_response, json_response, xlsx_response};
use crate::shared::limits::{attachment_upload_limit, spreadsheet_upload_limit};
use crate::state::AppState;

/// Which report to open.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OpenRequest {
    /// Regime code.
    pub regime: String,
    /// Reporting unit id.
    #[schema(value_type = i64)]
    pub unit_id: UnitId,
    /// Period id (`2026M02`, or `ADHOC:2026-09-26..2026-09-30` for a request):
    /// one of the regime's frequency that has started, or a request's window.
    #[schema(
        pattern = "^(?:(?:19[0-9]{2}|2[01][0-9]{2}|2200)(?:M(?:0[1-9]|1[0-2])|Q[1-4]|S[12]|N9)?|ADHOC:(?:19[0-9]{2}|2[01][0-9]{2}|2200)-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])\\.\\.(?:19[0-9]{2}|2[01][0-9]{2}|2200)-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01]))$"
    )]
    pub period: String,
}

/// An optional reason (accepting).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReasonRequest {
    /// The reason, at most 2000 characters (spaces around it are dropped).
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub reason: String,
}

/// A reason that must be given (returning, correcting, recalling).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RequiredReasonRequest {
    /// The reason: not blank, at most 2000 characters (spaces around it are dropped).
    #[schema(pattern = "\\S", max_length = 2000)]
    pub reason: String,
}

/// A report's content: values by cell, narrative by outline section,
/// explanations of failed warnings by rule code. Nothing else.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ContentDoc {
    /// Values by cell: an indicator code, or `CODE/dimension:option` for one
    /// option of a disaggregation (`LD01/sex:female`); values are canonical
    /// text: a decimal with `.`, `yes`/`no`, or free text.
    #[serde(default)]
    values: std::collections::BTreeMap<String, String>,
    /// Narrative text by outline section number.
    #[serde(default)]
    sections: std::collections::BTreeMap<String, String>,
    /// Written explanations of failed warnings, by rule code.
    #[serde(default)]
    explanations: std::collections::BTreeMap<String, String>,
}

/// The outcome of a submission.
#[derive(Debug, Serialize, ToSchema)]
pub struct Submitted {
    /// The version number just frozen.
    pub version: i64,
    /// Whether it met the deadline (server time, Vietnam's day).
    pub on_time: bool,
}

/// Refusals of a workflow step on a report.
#[derive(utoipa::IntoResponses)]
pub enum WorkflowErrors {
    /// The caller reads the report but may not take this step (code
    /// `forbidden`), or the CSRF token is missing (code `csrf`).
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// No such report, or one the caller may not read.
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// The report's status does not allow this step, or the report changed
    /// meanwhile (code `conflict`).
    #[response(status = 409)]
    Conflict(ErrorBody),
}

/// Refusals of a file sent as a report's values or attachment.
#[derive(utoipa::IntoResponses)]
pub enum FileErrors {
    /// The caller reads the report but may not change it (code `forbidden`),
    /// or the CSRF token is missing (code `csrf`).
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// No such report, or one the caller may not read.
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// The report is not a draft, or changed meanwhile (code `conflict`).
    #[response(status = 409)]
    Conflict(ErrorBody),
    /// The file is refused: too large, of another type, not this report's
    /// template, or with values the forms refuse (code `invalid` by cell in
    /// `fields`, or `import_rejected` by line in `lines`).
    #[response(status = 422)]
    Refused(ErrorBody),
}

/// What the caller's units owe, most urgent first (returned, overdue, due soon…).
#[utoipa::path(get, path = "/api/v1/reports/mine", tag = "reports", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = [Object], description = "Obligations, most urgent first")))]
pub async fn mine(
    State(state): State<AppState>,
    authed: Authed,
) -> Result<Json<Vec<Obligation>>, WebError> {
    Ok(Json(
        state
            .app
            .obligations(&authed.caller.principal, baocao_app::today())
            .await
            .api(&authed)?,
    ))
}

/// What the inbox lists (every parameter optional).
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct InboxParams {
    /// Only this regime (its code).
    #[param(min_length = 1, max_length = 64)]
    regime: Option<String>,
    /// Only this period.
    #[param(pattern = "^[0-9A-Z:.\\-]{4,40}$", example = "2025M03")]
    period: Option<String>,
    /// Only this reporting unit (its id).
    unit: Option<i64>,
    /// `submitted` (waiting for a decision, the default), `returned` or `accepted`.
    #[param(pattern = "^(submitted|returned|accepted)$")]
    status: Option<String>,
    /// `deadline` (earliest first, the default), `submitted`, `newest` or `unit`.
    #[param(pattern = "^(deadline|submitted|newest|unit)$")]
    sort: Option<String>,
    /// Page, from 1 (25 reports a page).
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<u32>,
}

/// Reports sent to the caller's units: a summary each (open one with `GET
/// /api/v1/reports/{id}`) with its warnings and unusual values, 25 a page;
/// `X-Total-Count` says how many there are on all pages.
#[utoipa::path(get, path = "/api/v1/reports/inbox", params(InboxParams), tag = "reports", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = [Object], description = "Report summaries",
            headers(("x-total-count" = i64, description = "Reports on all pages"))),
        (status = 422, body = ErrorBody, description = "A period that does not exist (code `invalid`)")))]
pub async fn inbox(
    State(state): State<AppState>,
    authed: Authed,
    Query(p): Query<InboxParams>,
) -> Result<Response, WebError> {
    let (unit, page) = (p.unit.map(|u| u.to_string()), p.page.map(|n| n.to_string()));
    let q = InboxQuery::parse(InboxFilter {
        regime: p.regime.as_deref(),
        period: p.period.as_deref(),
        unit: unit.as_deref(),
        status: p.status.as_deref(),
        sort: p.sort.as_deref(),
        page: page.as_deref(),
    })
    .api(&authed)?;
    let found = state
        .app
        .inbox(&authed.caller.principal, q)
        .await
        .api(&authed)?;
    let mut response = Json(found.rows).into_response();
    response
        .headers_mut()
        .insert("x-total-count", HeaderValue::from(found.total));
    Ok(response)
}

/// Opens the report of a unit for a regime and period (an empty draft is made
/// the first time, by someone who may enter the unit's data).
#[utoipa::path(post, path = "/api/v1/reports", tag = "reports", security(("bearer" = []), ("session" = [])),
    request_body = OpenRequest,
    responses((status = 200, body = Object, description = "The report"),
        (status = 403, body = ErrorBody, description = "The caller sees the unit but may not enter its data (code `forbidden`), or the CSRF token is missing (code `csrf`)"),
        (status = 404, body = ErrorBody, description = "No such regime, or a unit the caller may not see"),
        (status = 409, body = ErrorBody, description = "The unit does not report under this regime, or the period has no deadline (code `conflict`)"),
        JsonBodyErrors,
        (status = 422, body = ErrorBody, description = "Not a period id, or a period the unit does not report (code `invalid`)")))]
pub async fn open(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(body): ApiJson<OpenRequest>,
) -> Result<Json<ReportView>, WebError> {
    Ok(Json(
        state
            .app
            .open_report(
                &authed.caller.principal,
                &body.regime,
                body.unit_id,
                &body.period,
            )
            .await
            .api(&authed)?,
    ))
}

/// A report with its versions and workflow steps.
#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "reports", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "Report id")),
    responses((status = 200, body = Object, description = "The report"),
        (status = 404, body = ErrorBody, description = "No such report, or one the caller may not read")))]
pub async fn get_report(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
) -> Result<Json<ReportView>, WebError> {
    Ok(Json(
        state
            .app
            .report(&authed.caller.principal, id)
            .await
            .api(&authed)?,
    ))
}

/// Headers of a save.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct SaveHeaders {
    /// The revision the caller's copy was made from (the `ETag` of the last
    /// save, or the report's `revision`), quoted or not.
    #[param(rename = "If-Match", pattern = "^\"?[0-9]{1,18}\"?$", nullable = false)]
    if_match: Option<String>,
}

/// Saves the draft: `{"values": {"LD01": "1234", "LD01/sex:female": "600"}, "sections": {"I": "…"}}`.
/// Cells are checked against the forms; problems come back in `fields`, by cell.
/// Send the report's `revision` (from `GET /api/v1/reports/{id}`) as `If-Match`
/// to be told (409) when someone else saved in between instead of overwriting
/// their save; the new revision comes back in the `ETag` header.
#[utoipa::path(put, path = "/api/v1/reports/{id}/draft", tag = "reports", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "Report id"),
        SaveHeaders),
    request_body = ContentDoc,
    responses((status = 200, body = ContentDoc, description = "The saved draft",
            headers(("ETag" = String, description = "The new revision, quoted"))),
        (status = 403, body = ErrorBody, description = "The caller reads the report but may not change it (code `forbidden`), or the CSRF token is missing (code `csrf`)"),
        (status = 404, body = ErrorBody, description = "No such report, or one the caller may not read"),
        (status = 409, body = ErrorBody, description = "The report is not a draft, or someone else saved since the `If-Match` revision (code `conflict`)"),
        JsonBodyErrors,
        (status = 422, body = ErrorBody, description = "Cells or values the forms refuse, by cell in `fields`; or an `If-Match` that is not a revision (code `invalid`)")))]
pub async fn save(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
    headers: axum::http::HeaderMap,
    ApiJson(content): ApiJson<Content>,
) -> Result<axum::response::Response, WebError> {
    use axum::response::IntoResponse;
    let base = match headers.get(axum::http::header::IF_MATCH) {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .map(|t| t.trim().trim_matches('"'))
                .and_then(|t| t.parse::<i64>().ok())
                .ok_or_else(|| {
                    authed.api_error(baocao_app::AppError::field(
                        "If-Match",
                        baocao_domain::Message::new("request.bad_revision"),
                    ))
                })?,
        ),
    };
    let (saved, revision) = state
        .app
        .save_report(&authed.caller.principal, id, &content, base)
        .await
        .api(&authed)?;
    Ok((
        [(axum::http::header::ETAG, format!("\"{revision}\""))],
        Json(saved),
    )
        .into_response())
}

/// Submits the draft as the next version (the reporting unit's head).
#[utoipa::path(post, path = "/api/v1/reports/{id}/submit", tag = "reports", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "Report id")),
    responses((status = 200, body = Submitted),
        (status = 403, body = ErrorBody, description = "The caller reads the report but may not submit it (code `forbidden`), or the CSRF token is missing (code `csrf`)"),
        (status = 404, body = ErrorBody, description = "No such report, or one the caller may not read"),
        (status = 409, body = ErrorBody, description = "The report cannot be submitted now (code `conflict`)"),
        (status = 422, body = ErrorBody, description = "Rules of the forms fail (code `document_rejected`, by rule in `fields`)")))]
pub async fn submit(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
) -> Result<Json<Submitted>, WebError> {
    let (version, on_time) = state
        .app
        .submit_report(&authed.caller.principal, id)
        .await
        .api(&authed)?;
    Ok(Json(Submitted { version, on_time }))
}

/// Returns a submitted report to its unit with a reason (the receiving unit's reviewers).
#[utoipa::path(post, path = "/api/v1/reports/{id}/return", tag = "reports", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "Report id")), request_body = RequiredReasonRequest,
    responses((status = 204, description = "Returned"), WorkflowErrors, JsonBodyErrors))]
pub async fn return_report(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
    ApiJson(body): ApiJson<RequiredReasonRequest>,
) -> Result<StatusCode, WebError> {
    state
        .app
        .review_report(&authed.caller.principal, id, false, &body.reason)
        .await
        .api(&authed)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Accepts a submitted report (the receiving unit's reviewers).
#[utoipa::path(post, path = "/api/v1/reports/{id}/accept", tag = "reports", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "Report id")), request_body = ReasonRequest,
    responses((status = 204, description = "Accepted"), WorkflowErrors, JsonBodyErrors))]
pub async fn accept(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
    ApiJson(body): ApiJson<ReasonRequest>,
) -> Result<StatusCode, WebError> {
    state
        .app
        .review_report(&authed.caller.principal, id, true, &body.reason)
        .await
        .api(&authed)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Reopens an accepted report for a correction, with the reason the next
/// version will carry (the reporting unit).
#[utoipa::path(post, path = "/api/v1/reports/{id}/correct", tag = "reports", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "Report id")), request_body = RequiredReasonRequest,
    responses((status = 204, description = "Reopened for a correction"), WorkflowErrors, JsonBodyErrors))]
pub async fn correct(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
    ApiJson(body): ApiJson<RequiredReasonRequest>,
) -> Result<StatusCode, WebError> {
    state
        .app
        .correct_report(&authed.caller.principal, id, &body.reason)
        .await
        .api(&authed)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Withdraws a submitted report before the receiving unit reviews it (the
/// reporting unit's head), with the reason the next version will carry.
#[utoipa::path(post, path = "/api/v1/reports/{id}/recall", tag = "reports", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "Report id")), request_body = RequiredReasonRequest,
    responses((status = 204, description = "Recalled"), WorkflowErrors, JsonBodyErrors))]
pub async fn recall(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
    ApiJson(body): ApiJson<RequiredReasonRequest>,
) -> Result<StatusCode, WebError> {
    state
        .app
        .recall_report(&authed.caller.principal, id, &body.reason)
        .await
        .api(&authed)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Pre-fills the unit's own report from the accepted reports of the units
/// reporting to it; lists the expected units with their status, who
/// contributed to each cell, and what changed.
#[utoipa::path(post, path = "/api/v1/reports/{id}/synthesize", tag = "reports", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "Report id")),
    responses((status = 200, body = Object, description = "The synthesis"), WorkflowErrors))]
pub async fn synthesize(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
) -> Result<Json<SynthesisView>, WebError> {
    Ok(Json(
        state
            .app
            .synthesize_report(&authed.caller.principal, id)
            .await
            .api(&authed)?,
    ))
}

/// Which reports to count.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct TimelinessQuery {
    /// Regime code.
    pub regime: String,
    /// Period id (`2026M02`, `ADHOC:2026-09-26..2026-09-30`, …).
    #[param(
        pattern = "^(?:(?:19[0-9]{2}|2[01][0-9]{2}|2200)(?:M(?:0[1-9]|1[0-2])|Q[1-4]|S[12]|N9)?|ADHOC:(?:19[0-9]{2}|2[01][0-9]{2}|2200)-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])\\.\\.(?:19[0-9]{2}|2[01][0-9]{2}|2200)-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01]))$"
    )]
    pub period: String,
    /// The receiving unit's id.
    #[param(value_type = i64)]
    pub unit: UnitId,
}

/// Timeliness and completeness of the reports a unit receives for a regime and
/// period: expected, on time, late, missing, and one row per expected unit.
#[utoipa::path(get, path = "/api/v1/reports/timeliness", tag = "reports", security(("bearer" = []), ("session" = [])),
    params(TimelinessQuery),
    responses((status = 200, body = Object, description = "Counts and one row per expected unit"),
        (status = 404, body = ErrorBody, description = "No such regime or unit, a unit the caller does not oversee, or a period the regime does not cover"),
        (status = 422, body = ErrorBody, description = "Not a period id (code `invalid`)")))]
pub async fn timeliness(
    State(state): State<AppState>,
    authed: Authed,
    Query(q): Query<TimelinessQuery>,
) -> Result<Json<Timeliness>, WebError> {
    Ok(Json(
        state
            .app
            .timeliness(&authed.caller.principal, &q.regime, &q.period, q.unit)
            .await
            .api(&authed)?,
    ))
}

/// The report's form as an .xlsx template to fill offline (protected layout,
/// unlocked and validated input cells, the report identified in a hidden sheet).
#[utoipa::path(get, path = "/api/v1/reports/{id}/xlsx", tag = "reports", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "Report id")),
    responses((status = 200, description = "The workbook", body = FileBytes,
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers(("Content-Disposition" = String, description = "attachment, with the file name"))),
        (status = 404, body = ErrorBody, description = "No such report, or one the caller may not read"),
        Busy))]
pub async fn template(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
) -> Result<axum::response::Response, WebError> {
    let (name, bytes) = state
        .app
        .report_template(&authed.caller.principal, id, authed.lang)
        .await
        .api(&authed)?;
    Ok(xlsx_response(&name, bytes))
}

/// The canonical bytes of a submitted version: the one serialization a
/// detached signature is made over (docs/canonical-format.md).
#[utoipa::path(get, path = "/api/v1/reports/{id}/versions/{version}/canonical", tag = "reports", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "Report id"), ("version" = i64, Path, minimum = 1, description = "Version number")),
    responses((status = 200, description = "The canonical bytes (a JSON object in the documented form)", body = Object, content_type = "application/json",
            headers(("Content-Disposition" = String, description = "attachment, with the file name"))),
        (status = 404, body = ErrorBody, description = "No such report or version, or one the caller may not read"),
        Busy))]
pub async fn canonical(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, version)): Path<(ReportId, i64)>,
) -> Result<axum::response::Response, WebError> {
    let (name, bytes) = state
        .app
        .canonical_version(&authed.caller.principal, id, version)
        .await
        .api(&authed)?;
    Ok(json_response(&name, bytes))
}

/// Saves the values of a filled template (the request body is the .xlsx file).
/// Problems come back in `fields`, each with its sheet reference; nothing is
/// stored from a file with problems.
#[utoipa::path(put, path = "/api/v1/reports/{id}/xlsx", tag = "reports", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "Report id")),
    request_body(content = FileBytes, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        description = "The filled template (the Content-Type header is not looked at)"),
    responses((status = 200, body = ContentDoc, description = "The saved draft"),
        FileErrors, Busy))]
pub async fn upload(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
    body: axum::body::Bytes,
) -> Result<Json<Content>, WebError> {
    Ok(Json(
        state
            .app
            .upload_report(&authed.caller.principal, id, body.into())
            .await
            .api(&authed)?,
    ))
}

/// The report's input cells and values as CSV (`cell,value`).
#[utoipa::path(get, path = "/api/v1/reports/{id}/csv", tag = "reports", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "Report id")),
    responses((status = 200, description = "`cell,value` lines after a header", body = String, content_type = "text/csv"),
        (status = 404, body = ErrorBody, description = "No such report, or one the caller may not read")))]
pub async fn csv_get(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
) -> Result<axum::response::Response, WebError> {
    let (name, bytes) = state
        .app
        .report_csv(&authed.caller.principal, id)
        .await
        .api(&authed)?;
    Ok(csv_response(&name, bytes))
}

/// Saves a `cell,value` CSV as the draft; problems come back by line.
#[utoipa::path(put, path = "/api/v1/reports/{id}/csv", tag = "reports", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "Report id")),
    request_body(content = String, content_type = "text/csv",
        description = "`cell,value` lines after a header (the Content-Type header is not looked at)"),
    responses((status = 200, body = ContentDoc, description = "The saved draft"),
        FileErrors, Busy))]
pub async fn csv_put(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
    body: axum::body::Bytes,
) -> Result<Json<Content>, WebError> {
    Ok(Json(
        state
            .app
            .upload_report_csv(&authed.caller.principal, id, body.into())
            .await
            .api(&authed)?,
    ))
}

/// The attachment's name.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AttachmentQuery {
    /// File name (the extension is set from the content; control characters are dropped).
    #[param(pattern = "\\S")]
    pub name: String,
}

/// Attaches a file (the request body) to the report's draft: PDF, Word or
/// Excel by content, at most 5 MB.
#[utoipa::path(post, path = "/api/v1/reports/{id}/attachments", tag = "reports", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "Report id"), AttachmentQuery),
    request_body(content = FileBytes, content_type = "application/octet-stream",
        description = "The file (the Content-Type header is not looked at)"),
    responses((status = 201, body = Object, description = "The attachment"),
        FileErrors, Busy))]
pub async fn attach(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
    Query(q): Query<AttachmentQuery>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<AttachmentView>), WebError> {
    let view = state
        .app
        .add_attachment(&authed.caller.principal, id, &q.name, body.into())
        .await
        .api(&authed)?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// A report's attachments.
#[utoipa::path(get, path = "/api/v1/reports/{id}/attachments", tag = "reports", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "Report id")),
    responses((status = 200, body = [Object], description = "The attachments"),
        (status = 404, body = ErrorBody, description = "No such report, or one the caller may not read")))]
pub async fn attachments(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
) -> Result<Json<Vec<AttachmentView>>, WebError> {
    Ok(Json(
        state
            .app
            .attachments(&authed.caller.principal, id)
            .await
            .api(&authed)?,
    ))
}

/// An attachment's bytes.
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "reports", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "Attachment id")),
    responses((status = 200, description = "The file, as a download",
            content(
                (FileBytes = "application/pdf"),
                (FileBytes = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                (FileBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
            headers(("Content-Disposition" = String, description = "attachment, with the file name"))),
        (status = 404, body = ErrorBody, description = "No such attachment, or one of a report the caller may not read")))]
pub async fn download(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<i64>,
) -> Result<axum::response::Response, WebError> {
    let (info, bytes) = state
        .app
        .attachment(&authed.caller.principal, id)
        .await
        .api(&authed)?;
    Ok(attachment_response(&info, bytes))
}

/// A notification as the API gives it.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationDto {
    /// `due_soon`, `overdue`, `returned`, `accepted` or `to_review`.
    pub kind: String,
    /// Translated text.
    pub text: String,
    /// Page to open.
    pub link: String,
}

/// The caller's notifications: due soon, overdue, returned, accepted this
/// week, and reports waiting for review.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "reports", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = [NotificationDto])))]
pub async fn notifications(
    State(state): State<AppState>,
    authed: Authed,
) -> Result<Json<Vec<NotificationDto>>, WebError> {
    let list = state
        .app
        .notifications(&authed.caller.principal, baocao_app::today())
        .await
        .api(&authed)?;
    Ok(Json(
        list.into_iter()
            .map(|n| NotificationDto {
                kind: n.kind.to_string(),
                text: baocao_app::i18n::render(authed.lang, &n.message),
                link: n.link,
            })
            .collect(),
    ))
}

/// The report routes: lists, the report and its workflow, its files and
/// attachments, and the caller's notifications.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/reports", post(open))
        .route("/api/v1/reports/mine", get(mine))
        .route("/api/v1/reports/inbox", get(inbox))
        .route("/api/v1/reports/timeliness", get(timeliness))
        .route("/api/v1/reports/{id}", get(get_report))
        .route("/api/v1/reports/{id}/draft", put(save))
        .route("/api/v1/reports/{id}/submit", post(submit))
        .route("/api/v1/reports/{id}/return", post(return_report))
        .route("/api/v1/reports/{id}/accept", post(accept))
        .route("/api/v1/reports/{id}/correct", post(correct))
        .route("/api/v1/reports/{id}/recall", post(recall))
        .route("/api/v1/reports/{id}/synthesize", post(synthesize))
        .route(
            "/api/v1/reports/{id}/attachments",
            get(attachments)
                .post(attach)
                .layer(DefaultBodyLimit::max(attachment_upload_limit())),
        )
        .route("/api/v1/attachments/{id}", get(download))
        .route("/api/v1/notifications", get(notifications))
        .route("/api/v1/reports/{id}/csv", get(csv_get).put(csv_put))
        .route(
            "/api/v1/reports/{id}/versions/{version}/canonical",
            get(canonical),
        )
        .route(
            "/api/v1/reports/{id}/xlsx",
            get(template)
                .put(upload)
                .layer(DefaultBodyLimit::max(spreadsheet_upload_limit())),
        )
}
