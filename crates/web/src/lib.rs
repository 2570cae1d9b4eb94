//! HTTP: the JSON API under `/api/v1` (OpenAPI at `/api/openapi.json`) and the
//! server-rendered browser UI. Handlers parse the request, call one `app`
//! function and render; they hold no business rules.
//!
//! Modules depend on each other in one direction only (the crate root, which
//! builds the router, sits above them all):
//!
//! ```text
//! api, pages  -> extract, error, shared, state   (never each other)
//! assets      -> state
//! extract     -> error, state, server
//! error       -> shared
//! state       -> server
//! shared, server: nothing of this crate
//! ```
//!
//! `api` and `pages` never use each other: what both need (URL encoding, the
//! page frame and error page, form dates, downloads, labels, upload limits)
//! is in `shared`, which knows neither of them nor `error`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use axum::Router;
use baocao_app::App;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub mod api;
pub mod assets;
pub mod error;
pub mod extract;
pub mod pages;
pub mod server;
mod shared;
pub mod state;

pub use server::{ClientIp, ConnectionLimits};

use error::WebError;
pub use state::{AppState, WebConfig};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Request ids: a per-process prefix and a counter, cheap and unique enough to
/// find one request in the logs.
#[derive(Clone)]
struct RequestIds {
    prefix: u64,
    next: Arc<AtomicU64>,
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        format!("{:06x}-{n}", self.prefix & 0xff_ffff)
            .parse()
            .ok()
            .map(RequestId::new)
    }
}

/// The whole HTTP application.
pub fn router(app: App, config: WebConfig) -> Router {
    let state = AppState {
        app,
        config: Arc::new(config.clone()),
    };
    let ids = RequestIds {
        prefix: std::process::id() as u64 ^ baocao_app::now() as u64,
        next: Arc::new(AtomicU64::new(1)),
    };
    let trace = TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
        let id = req
            .headers()
            .get(&REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-");
        tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
    });
    Router::new()
        .merge(api::routes())
        .merge(pages::routes())
        .merge(assets::routes())
        .fallback(unknown_address)
        .with_state(state)
        .layer(axum::middleware::from_fn(extract::translate_rejections))
        .layer(axum::middleware::from_fn(security_headers))
        .layer(compression())
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(trace)
        .layer(SetRequestIdLayer::new(REQUEST_ID, ids))
}

/// An address no route answers: the application's own "not found", in the
/// caller's language, as a page or as the API's JSON error.
async fn unknown_address(uri: axum::http::Uri, headers: axum::http::HeaderMap) -> WebError {
    let format = extract::format_of_path(uri.path());
    WebError::new(
        baocao_app::AppError::NotFound,
        extract::lang_of(&headers, format),
        format,
    )
}

/// Gzip for clients that accept it (a report form's 24 KB of HTML travel as
/// about 5 KB on a commune's weak link), except files that are compressed
/// already (.xlsx is a zip; attachments are PDF, Word, Excel). Pages carry
/// their CSRF token masked afresh each time, so compression reveals nothing
/// of it (BREACH). Decision record 0013.
fn compression() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new().compress_when(
        DefaultPredicate::new()
            .and(NotForContentType::const_new(
                "application/vnd.openxmlformats",
            ))
            .and(NotForContentType::const_new("application/pdf"))
            .and(NotForContentType::const_new("application/msword"))
            .and(NotForContentType::const_new("application/zip")),
    )
}

/// The content security policy of every answer: our own scripts, styles and
/// images only, no framing, forms posting to ourselves.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Headers that keep pages from being framed, sniffed or leaked through the
/// referrer, and keep the caches of shared computers (an officer's office PC,
/// a proxy) from holding pages and data: only the static assets are cacheable.
async fn security_headers(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::header::{self, HeaderValue};
    let is_asset = req.uri().path().starts_with("/assets/");
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if !is_asset {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Serves the application until `shutdown` completes, then finishes the
/// requests in flight; connections are bounded as `config.connections` says.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: App,
    config: WebConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = config.connections.clone();
    server::serve(listener, router(app, config), limits, shutdown).await
}
