//! The JSON API under `/api/v1`, described by the OpenAPI document at
//! `/api/openapi.json` (generated from these handlers by utoipa).

use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use baocao_app::catalogue::MAX_DOCUMENT_BYTES;
use utoipa::OpenApi;

use crate::AppState;
use doc::CommonErrors;

pub mod calendar;
pub mod catalogue;
pub mod doc;
pub mod dto;
pub mod reports;
pub mod session;
pub mod tokens;
pub mod units;
pub mod users;

/// The OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "Baocao API", description = "Reporting information system (Hệ thống thông tin báo cáo). \
        Authenticate with POST /api/v1/session (cookie; send the returned csrf_token as X-CSRF-Token on writes) \
        or with `Authorization: Bearer <token>`. Errors are JSON with a stable code and a message in the \
        language of Accept-Language (Vietnamese by default)."),
    paths(
        session::login, session::whoami, session::logout,
        units::search, units::roots, units::detail, units::children, units::subtree, units::ancestors, units::create,
        users::list, users::create, users::grant, users::revoke, users::password, users::email,
        tokens::list, tokens::create, tokens::revoke,
        calendar::period, calendar::year, calendar::add_exception, calendar::remove_exception,
        catalogue::indicators, catalogue::indicator, catalogue::put_indicator, catalogue::disaggregations,
        catalogue::regimes, catalogue::regime, catalogue::put_regime, catalogue::regime_calendar,
        catalogue::requests, catalogue::put_request, catalogue::export, catalogue::import,
        reports::mine, reports::inbox, reports::open, reports::get_report, reports::save,
        reports::submit, reports::return_report, reports::accept, reports::correct, reports::recall,
        reports::synthesize, reports::timeliness, reports::template, reports::upload,
        reports::csv_get, reports::csv_put,
        reports::attach, reports::attachments, reports::download, reports::notifications,
    ),
    components(schemas(crate::error::ErrorBody)),
    modifiers(&BearerAuth, &CommonErrors),
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::extract::SESSION_COOKIE,
            ))),
        );
    }
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

async fn health() -> &'static str {
    "ok"
}

/// The API routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .route("/healthz", get(health))
        .route(
            "/api/v1/session",
            post(session::login)
                .get(session::whoami)
                .delete(session::logout),
        )
        .route("/api/v1/units", get(units::search).post(units::create))
        .route("/api/v1/units/roots", get(units::roots))
        .route("/api/v1/units/{id}", get(units::detail))
        .route("/api/v1/units/{id}/children", get(units::children))
        .route("/api/v1/units/{id}/subtree", get(units::subtree))
        .route("/api/v1/units/{id}/ancestors", get(units::ancestors))
        .route("/api/v1/users", get(users::list).post(users::create))
        .route("/api/v1/users/{id}/grants", post(users::grant))
        .route(
            "/api/v1/users/{id}/grants/{grant_id}",
            delete(users::revoke),
        )
        .route("/api/v1/users/{id}/password", put(users::password))
        .route("/api/v1/users/{id}/email", put(users::email))
        .route("/api/v1/tokens", get(tokens::list).post(tokens::create))
        .route("/api/v1/tokens/{id}", delete(tokens::revoke))
        .route("/api/v1/periods/{id}", get(calendar::period))
        .route("/api/v1/calendar/{year}", get(calendar::year))
        .route("/api/v1/calendar/exceptions", post(calendar::add_exception))
        .route(
            "/api/v1/calendar/exceptions/{date}",
            delete(calendar::remove_exception),
        )
        .route("/api/v1/indicators", get(catalogue::indicators))
        .route(
            "/api/v1/indicators/{code}",
            get(catalogue::indicator).put(catalogue::put_indicator),
        )
        .route("/api/v1/disaggregations", get(catalogue::disaggregations))
        .route("/api/v1/regimes", get(catalogue::regimes))
        .route(
            "/api/v1/regimes/{code}",
            get(catalogue::regime).put(catalogue::put_regime),
        )
        .route(
            "/api/v1/regimes/{code}/calendar/{year}",
            get(catalogue::regime_calendar),
        )
        .route("/api/v1/reports", post(reports::open))
        .route("/api/v1/reports/mine", get(reports::mine))
        .route("/api/v1/reports/inbox", get(reports::inbox))
        .route("/api/v1/reports/timeliness", get(reports::timeliness))
        .route("/api/v1/reports/{id}", get(reports::get_report))
        .route("/api/v1/reports/{id}/draft", put(reports::save))
        .route("/api/v1/reports/{id}/submit", post(reports::submit))
        .route("/api/v1/reports/{id}/return", post(reports::return_report))
        .route("/api/v1/reports/{id}/accept", post(reports::accept))
        .route("/api/v1/reports/{id}/correct", post(reports::correct))
        .route("/api/v1/reports/{id}/recall", post(reports::recall))
        .route("/api/v1/reports/{id}/synthesize", post(reports::synthesize))
        .route(
            "/api/v1/reports/{id}/attachments",
            get(reports::attachments)
                .post(reports::attach)
                .layer(DefaultBodyLimit::max(attachment_limit())),
        )
        .route("/api/v1/attachments/{id}", get(reports::download))
        .route("/api/v1/notifications", get(reports::notifications))
        .route(
            "/api/v1/reports/{id}/csv",
            get(reports::csv_get).put(reports::csv_put),
        )
        .route(
            "/api/v1/reports/{id}/xlsx",
            get(reports::template)
                .put(reports::upload)
                .layer(DefaultBodyLimit::max(baocao_formats_limit())),
        )
        .route("/api/v1/requests", get(catalogue::requests))
        .route("/api/v1/requests/{code}", put(catalogue::put_request))
        .route(
            "/api/v1/metadata",
            get(catalogue::export)
                .post(catalogue::import)
                .layer(DefaultBodyLimit::max(MAX_DOCUMENT_BYTES)),
        )
}

/// Largest spreadsheet upload, a little above what the reader accepts so that
/// the reader's own, translated refusal is what the user sees.
pub fn baocao_formats_limit() -> usize {
    baocao_app::spreadsheets::MAX_UPLOAD_BYTES + 64 * 1024
}

/// Largest attachment upload, a little above the accepted size so that the
/// translated refusal is what the user sees.
pub fn attachment_limit() -> usize {
    baocao_domain::attachment::MAX_BYTES + 64 * 1024
}
