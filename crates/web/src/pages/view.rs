//! What every page handler uses to answer: the frame for the caller, a template
//! rendered into a response, the language's half of bilingual catalogue text,
//! dates and times as screens show them, and refused documents as lines.

use askama::Template;
use axum::response::{Html, IntoResponse, Redirect, Response};
use baocao_app::i18n::{render, Lang};
use baocao_app::AppError;
use baocao_domain::catalogue::Problem;
use chrono::NaiveDate;

use axum::extract::multipart::MultipartError;
use axum::extract::Multipart;
use axum::http::StatusCode;

use crate::error::{Format, RequestProblem, WebError};
use crate::extract::Authed;
use crate::shared::layout::Layout;

/// What a page handler answers.
pub type PageResult = Result<Response, WebError>;

/// The frame of a page at `here` for the logged-in caller.
pub fn layout(authed: &Authed, here: &str) -> Layout {
    Layout::signed_in(&authed.caller, authed.lang, here)
}

/// A rendered template; a template error is an internal error page.
pub fn html(template: impl Template, lang: Lang) -> PageResult {
    template
        .render()
        .map(|body| Html(body).into_response())
        .map_err(|e| WebError::new(AppError::Internal(e.to_string()), lang, Format::Html))
}

/// After a form is done: back to a page (303, so a reload does not post again).
pub fn see_other(path: &str) -> PageResult {
    Ok(Redirect::to(path).into_response())
}

/// The English text in English when there is one, else the Vietnamese.
pub fn in_lang<'a>(lang: Lang, vi: &'a str, en: &'a str) -> &'a str {
    if lang == Lang::En && !en.trim().is_empty() {
        en
    } else {
        vi
    }
}

/// A date as screens show it: dd/mm/yyyy.
pub fn screen_date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// A moment (Unix seconds) in Vietnam time as screens show it:
/// dd/mm/yyyy hh:mm (empty when out of range).
pub fn screen_time(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .map(|d| {
            d.with_timezone(&baocao_domain::report::VIETNAM)
                .format("%d/%m/%Y %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// The problems of a refused document (a regime, a request, a draft), one
/// `path: message` line each, as forms list them above the fields.
pub fn problem_lines(lang: Lang, problems: &[Problem]) -> Vec<String> {
    problems
        .iter()
        .map(|p| format!("{}: {}", p.path, render(lang, &p.message)))
        .collect()
}

/// The fields of an upload form: the file and its name (the CSRF token checked).
pub struct UploadForm {
    /// The file's name as sent.
    pub name: String,
    /// Its bytes.
    pub file: Vec<u8>,
}

/// Reads an upload form and checks its CSRF token; a body over the route's
/// limit or a broken stream is an error in the user's language, never an
/// empty file.
pub async fn read_upload_form(
    authed: &Authed,
    mut form: Multipart,
) -> Result<UploadForm, WebError> {
    let problem = |e: MultipartError| {
        let problem = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            RequestProblem::TooLarge
        } else {
            RequestProblem::Malformed(e.status(), "multipart/form-data".into())
        };
        WebError::request(problem, authed.lang, Format::Html)
    };
    let mut csrf = String::new();
    let mut out = UploadForm {
        name: String::new(),
        file: Vec::new(),
    };
    while let Some(field) = form.next_field().await.map_err(problem)? {
        match field.name() {
            Some("_csrf") => csrf = field.text().await.map_err(problem)?,
            Some("file") => {
                out.name = field.file_name().unwrap_or_default().to_string();
                out.file = field.bytes().await.map_err(problem)?.to_vec();
            }
            _ => {}
        }
    }
    authed.check_csrf(&csrf)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_vietnam_time() {
        // 2026-01-01 17:30 UTC is 00:30 the next day in Hà Nội.
        assert_eq!(screen_time(1_767_288_600), "02/01/2026 00:30");
        assert_eq!(screen_time(i64::MAX), "");
    }
}
