//! Org units through the API.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use baocao_app::AppError;
use baocao_domain::unit::{Level, UnitCode, UnitId, UnitKind, UnitRecord, Validity};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use super::doc::{in_range, optional_iso_date, JsonBodyErrors};
use super::dto::{self, Created, NewUnitRequest, UnitDetailDto, UnitDto};
use crate::error::{ErrorBody, WebError};
use crate::extract::{ApiJson, Authed};
use crate::state::AppState;
use baocao_app::units::MAX_SEARCH_RESULTS;

/// The `date` query parameter, refused in the caller's language when malformed.
fn date_param(authed: &Authed, text: Option<&str>) -> Result<Option<NaiveDate>, WebError> {
    optional_iso_date("date", text).map_err(|e| authed.api_error(e))
}

/// Search parameters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct SearchParams {
    /// Text in the name (accent-insensitive) or a code prefix.
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// Exact code.
    #[param(max_length = 100)]
    pub code: Option<String>,
    /// Level code (`province`, `commune`, …; empty for any).
    #[param(pattern = "^[a-z_]{0,32}$")]
    pub level: Option<String>,
    /// Only units existing on this date.
    #[param(format = Date)]
    pub date: Option<String>,
    /// At most this many (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// Finds units the caller may see.
#[utoipa::path(get, path = "/api/v1/units", params(SearchParams), tag = "units", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = [UnitDto]),
        (status = 422, body = ErrorBody, description = "A parameter is refused (code `invalid`)")))]
pub async fn search(
    State(state): State<AppState>,
    authed: Authed,
    Query(p): Query<SearchParams>,
) -> Result<Json<Vec<UnitDto>>, WebError> {
    let date = date_param(&authed, p.date.as_deref())?;
    let limit = in_range("limit", p.limit.unwrap_or(50), 1, MAX_SEARCH_RESULTS.into())
        .map_err(|e| authed.api_error(e))?;
    let found = state
        .app
        .search_units(
            &authed.caller.principal,
            p.q.as_deref(),
            p.code.as_deref(),
            p.level.as_deref(),
            date,
            u32::try_from(limit).unwrap_or(MAX_SEARCH_RESULTS),
        )
        .await
        .map_err(|e| authed.api_error(e))?;
    Ok(Json(dto::units(&found)))
}

/// Date parameter.
#[derive(Debug, Deserialize, IntoParams)]
pub struct DateParams {
    /// Only units existing on this date.
    #[param(format = Date)]
    pub date: Option<String>,
}

/// Subtree parameters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct SubtreeParams {
    /// Only units existing on this date.
    #[param(format = Date)]
    pub date: Option<String>,
    /// At most this many levels down (0: the unit alone; default and largest 64).
    #[param(minimum = 0, maximum = 64)]
    pub depth: Option<i64>,
}

/// Deepest subtree answered.
const MAX_DEPTH: i64 = 64;

/// The top units the caller may see.
#[utoipa::path(get, path = "/api/v1/units/roots", params(DateParams), tag = "units", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = [UnitDto]),
        (status = 422, body = ErrorBody, description = "The date is refused (code `invalid`)")))]
pub async fn roots(
    State(state): State<AppState>,
    authed: Authed,
    Query(p): Query<DateParams>,
) -> Result<Json<Vec<UnitDto>>, WebError> {
    let date = date_param(&authed, p.date.as_deref())?;
    let roots = state
        .app
        .unit_roots(&authed.caller.principal, date)
        .await
        .map_err(|e| authed.api_error(e))?;
    Ok(Json(dto::units(&roots)))
}

/// A unit with its ancestors, visible children and reorganisations.
#[utoipa::path(get, path = "/api/v1/units/{id}", params(("id" = i64, Path, description = "Unit id"), DateParams), tag = "units",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = UnitDetailDto),
        (status = 404, body = ErrorBody, description = "No such unit, or one the caller may not see"),
        (status = 422, body = ErrorBody, description = "The date is refused (code `invalid`)")))]
pub async fn detail(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<UnitId>,
    Query(p): Query<DateParams>,
) -> Result<Json<UnitDetailDto>, WebError> {
    let date = date_param(&authed, p.date.as_deref())?;
    let d = state
        .app
        .unit_detail(&authed.caller.principal, id, date)
        .await
        .map_err(|e| authed.api_error(e))?;
    Ok(Json((&d).into()))
}

/// The children of a unit the caller may see.
#[utoipa::path(get, path = "/api/v1/units/{id}/children", params(("id" = i64, Path, description = "Unit id"), DateParams),
    tag = "units", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = [UnitDto]),
        (status = 404, body = ErrorBody, description = "No such unit, or one the caller may not see"),
        (status = 422, body = ErrorBody, description = "The date is refused (code `invalid`)")))]
pub async fn children(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<UnitId>,
    Query(p): Query<DateParams>,
) -> Result<Json<Vec<UnitDto>>, WebError> {
    let date = date_param(&authed, p.date.as_deref())?;
    let list = state
        .app
        .unit_children(&authed.caller.principal, id, date)
        .await
        .map_err(|e| authed.api_error(e))?;
    Ok(Json(dto::units(&list)))
}

/// A unit and everything below it that the caller may see, parents first.
#[utoipa::path(get, path = "/api/v1/units/{id}/subtree", params(("id" = i64, Path, description = "Unit id"), SubtreeParams),
    tag = "units", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = [UnitDto]),
        (status = 404, body = ErrorBody, description = "No such unit, or one the caller may not see"),
        (status = 422, body = ErrorBody, description = "The date or depth is refused (code `invalid`)")))]
pub async fn subtree(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<UnitId>,
    Query(p): Query<SubtreeParams>,
) -> Result<Json<Vec<UnitDto>>, WebError> {
    let date = date_param(&authed, p.date.as_deref())?;
    let depth = p
        .depth
        .map(|d| in_range("depth", d, 0, MAX_DEPTH))
        .transpose()
        .map_err(|e| authed.api_error(e))?
        .and_then(|d| u32::try_from(d).ok());
    let list = state
        .app
        .unit_subtree(&authed.caller.principal, id, date, depth)
        .await
        .map_err(|e| authed.api_error(e))?;
    Ok(Json(dto::units(&list)))
}

/// The ancestors of a unit, root first.
#[utoipa::path(get, path = "/api/v1/units/{id}/ancestors", params(("id" = i64, Path, description = "Unit id")),
    tag = "units", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = [UnitDto]),
        (status = 404, body = ErrorBody, description = "No such unit, or one the caller may not see")))]
pub async fn ancestors(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<UnitId>,
) -> Result<Json<Vec<UnitDto>>, WebError> {
    let list = state
        .app
        .unit_ancestors(&authed.caller.principal, id)
        .await
        .map_err(|e| authed.api_error(e))?;
    Ok(Json(dto::units(&list)))
}

/// Adds a unit (e.g. an agency) under a parent the caller manages.
#[utoipa::path(post, path = "/api/v1/units", operation_id = "create_unit", request_body = NewUnitRequest, tag = "units",
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = Created),
        (status = 403, body = ErrorBody, description = "The caller may not manage units under this parent (code `forbidden`), or the CSRF token is missing (code `csrf`)"),
        JsonBodyErrors,
        (status = 422, body = ErrorBody, description = "Refused (code `invalid`, by field): a code that does not suit the kind, an unknown level or parent, a code already used, dates out of order")))]
pub async fn create(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(body): ApiJson<NewUnitRequest>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let record = (|| -> Result<(UnitRecord, Validity), AppError> {
        let kind = UnitKind::parse(&body.kind).map_err(|e| AppError::field("kind", e.message()))?;
        let level = Level::parse(&body.level).map_err(|e| AppError::field("level", e.message()))?;
        let code = UnitCode::parse(kind, body.code.trim())
            .map_err(|e| AppError::field("code", e.message()))?;
        let validity = Validity::new(
            optional_iso_date("valid_from", body.valid_from.as_deref())?,
            optional_iso_date("valid_to", body.valid_to.as_deref())?,
        )
        .map_err(|e| AppError::field("valid_to", e.message()))?;
        let record = UnitRecord {
            line: 0,
            kind,
            level,
            code,
            name: body.name.trim().to_string(),
            division_type: body.division_type.trim().to_lowercase(),
            parent_code: None,
            lat: None,
            lon: None,
        };
        Ok((record, validity))
    })()
    .map_err(|e| authed.api_error(e))?;
    let id = state
        .app
        .add_unit(
            &authed.caller.principal,
            record.0,
            body.parent_id.map(UnitId::new),
            record.1,
        )
        .await
        .map_err(|e| authed.api_error(e))?;
    Ok((StatusCode::CREATED, Json(Created { id: id.get() })))
}

/// The unit routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/units", get(search).post(create))
        .route("/api/v1/units/roots", get(roots))
        .route("/api/v1/units/{id}", get(detail))
        .route("/api/v1/units/{id}/children", get(children))
        .route("/api/v1/units/{id}/subtree", get(subtree))
        .route("/api/v1/units/{id}/ancestors", get(ancestors))
}
