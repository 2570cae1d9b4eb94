//! Static assets, embedded in the binary: government intranets have no CDN.

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use crate::AppState;

const STYLE: &str = include_str!("../assets/style.css");

async fn style() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE,
    )
}

/// Asset routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/assets/style.css", get(style))
}
