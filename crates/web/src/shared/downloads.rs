//! File answers, the same from the API and the pages: the report template as
//! .xlsx, a report as CSV, and stored attachments (always downloaded, never
//! shown inline: they came from a user).

use axum::http::header;
use axum::response::{IntoResponse, Response};
use baocao_app::reports::AttachmentView;

use super::url::url_encode;

/// `Content-Disposition` of a download named `name`: the name itself in
/// UTF-8 (RFC 6266 `filename*`, which every current browser reads) and an
/// ASCII stand-in without accents for older clients.
fn disposition(name: &str) -> String {
    let ascii: String = baocao_domain::text::fold(name)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        url_encode(name)
    )
}

/// An .xlsx download named `name`.
pub fn xlsx_response(name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (header::CONTENT_DISPOSITION, disposition(name)),
        ],
        bytes,
    )
        .into_response()
}

/// The canonical bytes of a report version (JSON) to download under `name`.
pub fn json_response(name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/json; charset=utf-8".to_string(),
            ),
            (header::CONTENT_DISPOSITION, disposition(name)),
        ],
        bytes,
    )
        .into_response()
}

/// The official PDF of a report version, to download under `name`.
pub fn pdf_response(name: &str, bytes: Vec<u8>) -> Response {
    file_response("application/pdf", name, bytes)
}

/// A stored signature: the `.p7s` file, or the signed PDF.
pub fn signature_response(name: &str, pdf: bool, bytes: Vec<u8>) -> Response {
    let kind = if pdf {
        "application/pdf"
    } else {
        "application/pkcs7-signature"
    };
    file_response(kind, name, bytes)
}

fn file_response(content_type: &str, name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition(name)),
        ],
        bytes,
    )
        .into_response()
}

/// A CSV download (UTF-8) named `name`.
pub fn csv_response(name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, disposition(name)),
        ],
        bytes,
    )
        .into_response()
}

/// A stored attachment, as a download under its (encoded) name.
pub fn attachment_response(info: &AttachmentView, bytes: Vec<u8>) -> Response {
    let encoded = url_encode(&info.name);
    (
        [
            (header::CONTENT_TYPE, info.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"attachment\"; filename*=UTF-8''{encoded}"),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response()
}
