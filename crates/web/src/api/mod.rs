//! The JSON API under `/api/v1`, described by the OpenAPI document at
//! `/api/openapi.json` (generated from these handlers by utoipa). A module per
//! resource, each with its routes.

use axum::routing::get;
use axum::Router;

use crate::state::AppState;

pub mod analytics;
pub mod calendar;
pub mod catalogue;
pub mod doc;
pub mod dto;
pub mod openapi;
pub mod reports;
pub mod session;
pub mod signatures;
pub mod tokens;
pub mod units;
pub mod users;

pub use openapi::ApiDoc;

async fn health() -> &'static str {
    "ok"
}

/// The API routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi::document))
        .route("/healthz", get(health))
        .merge(session::routes())
        .merge(units::routes())
        .merge(users::routes())
        .merge(tokens::routes())
        .merge(calendar::routes())
        .merge(catalogue::routes())
        .merge(reports::routes())
        .merge(signatures::routes())
        .merge(analytics::routes())
}
