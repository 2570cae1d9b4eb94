//! What the JSON API, the pages and the error answers have in common, kept
//! below all three so that none of them depends on another: URL encoding, the
//! frame of every HTML answer and the error page drawn in it, form and query
//! parameters, file downloads, labels both kinds of answer show, and the
//! upload limits of the routes that take files.
//!
//! Nothing here knows a handler, an extractor or [`crate::error::WebError`]:
//! helpers take and return plain values and [`baocao_app::AppError`]s.

pub mod downloads;
pub mod error_page;
pub mod labels;
pub mod layout;
pub mod limits;
pub mod params;
pub mod periods;
pub mod url;
