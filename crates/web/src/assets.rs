//! Static assets, embedded in the binary: government intranets have no CDN.

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use crate::state::AppState;

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
const REPORT_JS: &str = include_str!("../assets/report.js");

async fn report_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        REPORT_JS,
    )
}

/// Asset routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assets/style.css", get(style))
        .route("/assets/report.js", get(report_js))
}
