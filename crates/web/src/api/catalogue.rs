//! The metadata catalogue through the API: indicators, disaggregations,
//! regimes, requests, the whole document (export/import), and a regime's
//! deadline calendar. Objects are the documents of `docs/metadata-format.md`.

use axum::extract::DefaultBodyLimit;
use axum::extract::{Path, Query, State};
use axum::routing::{get, put};
use axum::{Json, Router};
use baocao_app::calendar::RegimeCalendar;
use baocao_app::catalogue::MAX_DOCUMENT_BYTES;
use baocao_app::catalogue::{ApplySummary, IndicatorVersion};
use baocao_domain::catalogue::{Disaggregation, Indicator, Metadata, Regime, RegimeKind, Request};
use baocao_domain::period::{Frequency, MAX_YEAR, MIN_YEAR};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::doc::{in_range, Busy};
use crate::error::{ErrorBody, WebError};
use crate::extract::{ApiResult, Authed};
use crate::state::AppState;
use baocao_app::catalogue::CatalogueDocument;

/// Search parameters of the indicator list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct IndicatorQuery {
    /// Part of the code or name (accents and case ignored).
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// One of the nine Decision 293 fields (`growth`, `social`, …).
    pub field: Option<String>,
}

/// A regime in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegimeSummary {
    /// Code.
    pub code: String,
    /// Vietnamese name of the newest version.
    pub name_vi: String,
    /// English name of the newest version.
    pub name_en: String,
    /// `periodic`, `thematic` or `ad_hoc`.
    #[schema(value_type = String)]
    pub kind: RegimeKind,
    /// `monthly`, `quarterly`, … or `ad_hoc`.
    #[schema(value_type = String)]
    pub frequency: Frequency,
    /// Number of versions.
    pub versions: usize,
}

impl RegimeSummary {
    /// The summary of a regime (None without versions).
    pub fn of(regime: &Regime) -> Option<Self> {
        let latest = regime.latest()?;
        Some(RegimeSummary {
            code: regime.code.clone(),
            name_vi: latest.name_vi.clone(),
            name_en: latest.name_en.clone(),
            kind: latest.kind,
            frequency: latest.frequency,
            versions: regime.versions.len(),
        })
    }
}

/// Indicators, optionally searched.
#[utoipa::path(get, path = "/api/v1/indicators", tag = "catalogue", security(("bearer" = []), ("session" = [])),
    params(IndicatorQuery),
    responses((status = 200, body = [Object], description = "Indicator documents"),
        (status = 422, body = ErrorBody, description = "The search text is too long (code `invalid`)")))]
pub async fn indicators(
    State(state): State<AppState>,
    authed: Authed,
    Query(query): Query<IndicatorQuery>,
) -> Result<Json<Vec<Indicator>>, WebError> {
    let found = state
        .app
        .search_indicators(query.q.as_deref().unwrap_or(""), query.field.as_deref())
        .await
        .api(&authed)?;
    Ok(Json(found))
}

/// Every version of one indicator, oldest first.
#[utoipa::path(get, path = "/api/v1/indicators/{code}", tag = "catalogue", security(("bearer" = []), ("session" = [])),
    params(("code" = String, Path, description = "Indicator code")),
    responses((status = 200, body = [Object], description = "Every version, oldest first"),
        (status = 404, body = ErrorBody, description = "No such indicator")))]
pub async fn indicator(
    State(state): State<AppState>,
    authed: Authed,
    Path(code): Path<String>,
) -> Result<Json<Vec<IndicatorVersion>>, WebError> {
    Ok(Json(state.app.indicator_history(&code).await.api(&authed)?))
}

/// Creates or revises an indicator (system-wide regime administrators). A code
/// keeps its meaning: another name, unit of measure or value type is refused.
#[utoipa::path(put, path = "/api/v1/indicators/{code}", tag = "catalogue", security(("bearer" = []), ("session" = [])),
    params(("code" = String, Path, description = "Indicator code")),
    request_body(content = Object, description = "Indicator document"),
    responses((status = 200, body = Object, description = "What changed"),
        (status = 403, body = ErrorBody, description = "The caller may not define this (code `forbidden`), or the CSRF token is missing (code `csrf`)"),
        (status = 409, body = ErrorBody, description = "The catalogue changed while the document was checked (code `conflict`): send it again"),
        (status = 422, body = ErrorBody, description = "The document is refused: not JSON of the documented shape, the code differs from the path's, or its contents break the catalogue's rules (code `document_rejected`, problems by JSON path in `fields`)"),
        Busy))]
pub async fn put_indicator(
    State(state): State<AppState>,
    authed: Authed,
    Path(code): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<ApplySummary>, WebError> {
    apply(&state, &authed, CatalogueDocument::Indicator(code), body).await
}

/// Disaggregation dimensions.
#[utoipa::path(get, path = "/api/v1/disaggregations", tag = "catalogue", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = [Object], description = "Disaggregation documents")))]
pub async fn disaggregations(
    State(state): State<AppState>,
    authed: Authed,
) -> Result<Json<Vec<Disaggregation>>, WebError> {
    Ok(Json(
        state
            .app
            .metadata()
            .await
            .api(&authed)?
            .disaggregations
            .clone(),
    ))
}

/// Regimes, newest version's name and kind.
#[utoipa::path(get, path = "/api/v1/regimes", tag = "catalogue", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = [RegimeSummary])))]
pub async fn regimes(
    State(state): State<AppState>,
    authed: Authed,
) -> Result<Json<Vec<RegimeSummary>>, WebError> {
    let meta = state.app.metadata().await.api(&authed)?;
    Ok(Json(
        meta.regimes.iter().filter_map(RegimeSummary::of).collect(),
    ))
}

/// One regime with every version, its forms and outline.
#[utoipa::path(get, path = "/api/v1/regimes/{code}", tag = "catalogue", security(("bearer" = []), ("session" = [])),
    params(("code" = String, Path, description = "Regime code")),
    responses((status = 200, body = Object, description = "Regime document"),
        (status = 404, body = ErrorBody, description = "No such regime")))]
pub async fn regime(
    State(state): State<AppState>,
    authed: Authed,
    Path(code): Path<String>,
) -> Result<Json<Regime>, WebError> {
    Ok(Json(state.app.regime(&code).await.api(&authed)?))
}

/// Creates a regime or changes it: versions may be edited or appended, never
/// removed (regime administrators of the receiving unit).
#[utoipa::path(put, path = "/api/v1/regimes/{code}", tag = "catalogue", security(("bearer" = []), ("session" = [])),
    params(("code" = String, Path, description = "Regime code")),
    request_body(content = Object, description = "Regime document with all its versions"),
    responses((status = 200, body = Object, description = "What changed"),
        (status = 403, body = ErrorBody, description = "The caller may not define this (code `forbidden`), or the CSRF token is missing (code `csrf`)"),
        (status = 409, body = ErrorBody, description = "The catalogue changed while the document was checked (code `conflict`): send it again"),
        (status = 422, body = ErrorBody, description = "The document is refused: not JSON of the documented shape, the code differs from the path's, or its contents break the catalogue's rules (code `document_rejected`, problems by JSON path in `fields`)"),
        Busy))]
pub async fn put_regime(
    State(state): State<AppState>,
    authed: Authed,
    Path(code): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<ApplySummary>, WebError> {
    apply(&state, &authed, CatalogueDocument::Regime(code), body).await
}

/// Each period of a year with its cut-off window and every reporting group's
/// deadline (or, for thematic and ad-hoc regimes, that year's requests).
#[utoipa::path(get, path = "/api/v1/regimes/{code}/calendar/{year}", tag = "catalogue", security(("bearer" = []), ("session" = [])),
    params(("code" = String, Path, description = "Regime code"),
        ("year" = i32, Path, minimum = 1900, maximum = 2200, description = "Year (periods exist in 1900–2200)")),
    responses((status = 200, body = Object, description = "The regime, its periods of the year with their deadlines, and the year's requests"),
        (status = 404, body = ErrorBody, description = "No such regime"),
        (status = 422, body = ErrorBody, description = "A year out of range (code `invalid`)")))]
pub async fn regime_calendar(
    State(state): State<AppState>,
    authed: Authed,
    Path((code, year)): Path<(String, i32)>,
) -> Result<Json<RegimeCalendar>, WebError> {
    in_range("year", year.into(), MIN_YEAR.into(), MAX_YEAR.into()).api(&authed)?;
    Ok(Json(
        state.app.regime_calendar(&code, year).await.api(&authed)?,
    ))
}

/// Requests of thematic and ad-hoc regimes.
#[utoipa::path(get, path = "/api/v1/requests", tag = "catalogue", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = [Object], description = "Request documents")))]
pub async fn requests(
    State(state): State<AppState>,
    authed: Authed,
) -> Result<Json<Vec<Request>>, WebError> {
    Ok(Json(
        state.app.metadata().await.api(&authed)?.requests.clone(),
    ))
}

/// Issues or changes a request (regime administrators of the issuing unit).
#[utoipa::path(put, path = "/api/v1/requests/{code}", tag = "catalogue", security(("bearer" = []), ("session" = [])),
    params(("code" = String, Path, description = "Request code")),
    request_body(content = Object, description = "Request document"),
    responses((status = 200, body = Object, description = "What changed"),
        (status = 403, body = ErrorBody, description = "The caller may not define this (code `forbidden`), or the CSRF token is missing (code `csrf`)"),
        (status = 409, body = ErrorBody, description = "The catalogue changed while the document was checked (code `conflict`): send it again"),
        (status = 422, body = ErrorBody, description = "The document is refused: not JSON of the documented shape, the code differs from the path's, or its contents break the catalogue's rules (code `document_rejected`, problems by JSON path in `fields`)"),
        Busy))]
pub async fn put_request(
    State(state): State<AppState>,
    authed: Authed,
    Path(code): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<ApplySummary>, WebError> {
    apply(&state, &authed, CatalogueDocument::Request(code), body).await
}

/// The whole catalogue as one metadata document (`baocao-metadata/1`).
#[utoipa::path(get, path = "/api/v1/metadata", tag = "catalogue", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Object, description = "The metadata document")))]
pub async fn export(
    State(state): State<AppState>,
    authed: Authed,
) -> Result<Json<Metadata>, WebError> {
    Ok(Json(Metadata::clone(
        &*state.app.metadata().await.api(&authed)?,
    )))
}

/// Imports a metadata document: checked as a whole, stored all or nothing.
/// Problems come back in `fields`, each with its JSON path.
#[utoipa::path(post, path = "/api/v1/metadata", tag = "catalogue", security(("bearer" = []), ("session" = [])),
    request_body(content = Object, description = "Metadata document"),
    responses((status = 200, body = Object, description = "What changed"),
        (status = 403, body = ErrorBody, description = "The caller may not define this (code `forbidden`), or the CSRF token is missing (code `csrf`)"),
        (status = 409, body = ErrorBody, description = "The catalogue changed while the document was checked (code `conflict`): send it again"),
        (status = 422, body = ErrorBody, description = "The document is refused: not JSON of the documented shape, the code differs from the path's, or its contents break the catalogue's rules (code `document_rejected`, problems by JSON path in `fields`)"),
        Busy))]
pub async fn import(
    State(state): State<AppState>,
    authed: Authed,
    body: axum::body::Bytes,
) -> Result<Json<ApplySummary>, WebError> {
    apply(&state, &authed, CatalogueDocument::Whole, body).await
}

/// Reads and applies a catalogue document from the body (once the caller
/// may change the catalogue somewhere: cheap refusals first).
async fn apply(
    state: &AppState,
    authed: &Authed,
    kind: CatalogueDocument,
    body: axum::body::Bytes,
) -> Result<Json<ApplySummary>, WebError> {
    let summary = state
        .app
        .apply_document(&authed.caller.principal, kind, body.into())
        .await
        .api(authed)?;
    Ok(Json(summary))
}

/// The catalogue routes: indicators, disaggregations, regimes, requests and
/// the whole document.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/indicators", get(indicators))
        .route(
            "/api/v1/indicators/{code}",
            get(indicator).put(put_indicator),
        )
        .route("/api/v1/disaggregations", get(disaggregations))
        .route("/api/v1/regimes", get(regimes))
        .route("/api/v1/regimes/{code}", get(regime).put(put_regime))
        .route(
            "/api/v1/regimes/{code}/calendar/{year}",
            get(regime_calendar),
        )
        .route("/api/v1/requests", get(requests))
        .route("/api/v1/requests/{code}", put(put_request))
        .route(
            "/api/v1/metadata",
            get(export)
                .post(import)
                .layer(DefaultBodyLimit::max(MAX_DOCUMENT_BYTES)),
        )
}
