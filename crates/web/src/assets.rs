//! Static assets, embedded in the binary: government intranets have no CDN.
//! Each is served under a name carrying a hash of its content
//! (`/assets/style.1a2b3c4d5e6f7a8b.css`), so a browser on a weak link keeps it
//! for a year and still gets a new one the moment a release changes it; the
//! plain names stay served (an hour's cache) for pages saved before.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::state::AppState;

/// One embedded file.
struct Asset {
    /// Its plain name (`style.css`).
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
    /// Its name with the content's hash (`style.<hash>.css`).
    hashed: String,
}

impl Asset {
    fn new(name: &'static str, content_type: &'static str, body: &'static str) -> Asset {
        let mut hasher = DefaultHasher::new();
        body.hash(&mut hasher);
        let (stem, extension) = name.rsplit_once('.').unwrap_or((name, ""));
        let hashed = format!("{stem}.{:016x}.{extension}", hasher.finish());
        Asset {
            name,
            content_type,
            body,
            hashed,
        }
    }
}

static ASSETS: LazyLock<[Asset; 2]> = LazyLock::new(|| {
    [
        Asset::new(
            "style.css",
            "text/css; charset=utf-8",
            include_str!("../assets/style.css"),
        ),
        Asset::new(
            "report.js",
            "text/javascript; charset=utf-8",
            include_str!("../assets/report.js"),
        ),
    ]
});

/// The address of the style sheet, by its content's hash.
pub fn style_href() -> String {
    format!("/assets/{}", ASSETS[0].hashed)
}

/// The address of the report form's script, by its content's hash.
pub fn report_js_href() -> String {
    format!("/assets/{}", ASSETS[1].hashed)
}

/// An asset by its hashed name (kept a year, never changes) or its plain name
/// (kept an hour).
async fn asset(Path(name): Path<String>) -> Response {
    let found = ASSETS.iter().find_map(|a| {
        if a.hashed == name {
            Some((a, "public, max-age=31536000, immutable"))
        } else if a.name == name {
            Some((a, "public, max-age=3600"))
        } else {
            None
        }
    });
    match found {
        Some((a, cache)) => (
            [
                (header::CONTENT_TYPE, a.content_type),
                (header::CACHE_CONTROL, cache),
            ],
            a.body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Asset routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/assets/{name}", get(asset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_follow_the_content() {
        let a = Asset::new("style.css", "text/css", "body { color: red }");
        let b = Asset::new("style.css", "text/css", "body { color: blue }");
        assert!(a.hashed.starts_with("style.") && a.hashed.ends_with(".css"));
        assert_eq!(a.hashed.len(), "style..css".len() + 16);
        assert_ne!(
            a.hashed, b.hashed,
            "a change in the content changes the name"
        );
        assert_eq!(
            a.hashed,
            Asset::new("style.css", "text/css", "body { color: red }").hashed
        );
    }
}
