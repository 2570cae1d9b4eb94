//! One error type at the HTTP edge: an [`AppError`] with the language and the
//! format (JSON for the API, HTML for pages) to answer in. Internal details are
//! logged, never shown.

use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use baocao_app::i18n::{render, t, Lang};
use baocao_app::AppError;
use baocao_domain::Message;
use serde::Serialize;
use utoipa::ToSchema;

use crate::shared::error_page::render_error_page;
use crate::shared::url::url_encode;

/// How to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `application/json` (API).
    Json,
    /// A page.
    Html,
}

/// An error answered in the user's language.
#[derive(Debug)]
pub struct WebError {
    /// What went wrong.
    pub error: AppError,
    /// In which language to say it.
    pub lang: Lang,
    /// In which format.
    pub format: Format,
    /// For pages: where to come back after logging in.
    pub path: String,
    /// Status and code of request problems that are not use-case errors.
    pub request_problem: Option<(StatusCode, &'static str)>,
}

/// Errors from request parsing that are not use-case errors.
#[derive(Debug, Clone)]
pub enum RequestProblem {
    /// Body larger than allowed.
    TooLarge,
    /// Body not of the expected type.
    UnsupportedMediaType,
    /// Body not parseable (400) or of the wrong shape (422).
    Malformed(StatusCode, String),
    /// A missing or wrong CSRF token.
    Csrf,
}

impl WebError {
    /// An error in a format and language.
    pub fn new(error: AppError, lang: Lang, format: Format) -> Self {
        WebError {
            error,
            lang,
            format,
            path: "/".into(),
            request_problem: None,
        }
    }

    /// Answers with a request problem, as an invalid-input error with its own status.
    pub fn request(problem: RequestProblem, lang: Lang, format: Format) -> Self {
        let message = match &problem {
            RequestProblem::TooLarge => Message::new("request.too_large"),
            RequestProblem::UnsupportedMediaType => Message::new("request.unsupported_media_type"),
            // A page says it in words; the parser's English detail is for
            // API clients only.
            RequestProblem::Malformed(..) if format == Format::Html => {
                Message::new("request.malformed_page")
            }
            RequestProblem::Malformed(_, detail) => {
                Message::new("request.malformed").arg("detail", detail)
            }
            RequestProblem::Csrf => Message::new("request.csrf"),
        };
        let mut e = WebError::new(AppError::Conflict(message), lang, format);
        e.request_problem = Some(match problem {
            RequestProblem::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            RequestProblem::UnsupportedMediaType => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            RequestProblem::Malformed(status, _) => (status, "malformed"),
            RequestProblem::Csrf => (StatusCode::FORBIDDEN, "csrf"),
        });
        e
    }

    fn status(&self) -> StatusCode {
        if let Some((status, _)) = self.request_problem {
            return status;
        }
        match &self.error {
            AppError::Unauthenticated | AppError::SessionExpired | AppError::BadCredentials => {
                StatusCode::UNAUTHORIZED
            }
            AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Invalid(_) | AppError::ImportRejected(_) | AppError::DocumentRejected(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self.request_problem {
            Some((_, code)) => code,
            None => self.error.code(),
        }
    }

    /// The body of an API error.
    pub fn body(&self) -> ErrorBody {
        let lang = self.lang;
        ErrorBody {
            error: ErrorDetail {
                code: self.code().to_string(),
                message: render(lang, &self.error.message()),
                fields: match &self.error {
                    AppError::Invalid(fields) => fields
                        .iter()
                        .map(|f| FieldProblem {
                            field: f.field.to_string(),
                            message: render(lang, &f.message),
                        })
                        .collect(),
                    AppError::DocumentRejected(problems) => problems
                        .iter()
                        .map(|p| FieldProblem {
                            field: p.path.clone(),
                            message: render(lang, &p.message),
                        })
                        .collect(),
                    _ => Vec::new(),
                },
                lines: match &self.error {
                    AppError::ImportRejected(lines) => lines
                        .iter()
                        .map(|l| LineProblem {
                            line: l.line,
                            message: render(lang, &l.message),
                        })
                        .collect(),
                    _ => Vec::new(),
                },
            },
        }
    }
}

/// The JSON body of every API error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

impl ErrorBody {
    /// The field and line problems as the error page lists them, one a line.
    pub fn problem_lines(&self, lang: Lang) -> Vec<String> {
        let fields = self
            .error
            .fields
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message));
        let lines = self
            .error
            .lines
            .iter()
            .map(|l| format!("{} {}: {}", t(lang, "import.line"), l.line, l.message));
        fields.chain(lines).collect()
    }
}

/// An API error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code (`forbidden`, `invalid`, `throttled`, …).
    pub code: String,
    /// Translated message (Accept-Language or the `lang` cookie; Vietnamese by default).
    pub message: String,
    /// Per-field problems of invalid input.
    pub fields: Vec<FieldProblem>,
    /// Per-line problems of a refused import file.
    pub lines: Vec<LineProblem>,
}

/// A problem with one field.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    /// Field name.
    pub field: String,
    /// Translated message.
    pub message: String,
}

/// A problem with one line of a file.
#[derive(Debug, Serialize, ToSchema)]
pub struct LineProblem {
    /// Line number (1 = header).
    pub line: u64,
    /// Translated message.
    pub message: String,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let AppError::Internal(detail) = &self.error {
            tracing::error!(%detail, "internal error");
        }
        let status = self.status();
        let mut response = match self.format {
            Format::Json => (status, axum::Json(self.body())).into_response(),
            Format::Html => {
                if status == StatusCode::UNAUTHORIZED {
                    let next = url_encode(&self.path);
                    let expired = matches!(self.error, AppError::SessionExpired);
                    return Redirect::to(&format!(
                        "/login?next={next}{}",
                        if expired { "&expired=1" } else { "" }
                    ))
                    .into_response();
                }
                (
                    status,
                    Html(render_error_page(
                        self.lang,
                        status,
                        &self.error.message(),
                        self.body().problem_lines(self.lang),
                    )),
                )
                    .into_response()
            }
        };
        // The body of a refused oversized request is left unread, so the connection
        // cannot carry another request: say so, or clients reuse it and fail.
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            response.headers_mut().insert(
                header::CONNECTION,
                header::HeaderValue::from_static("close"),
            );
        }
        let retry_after = match self.error {
            AppError::Throttled { retry_after } => Some(retry_after.max(0).unsigned_abs()),
            AppError::Busy { retry_after } => Some(retry_after),
            _ => None,
        };
        if let Some(Ok(v)) = retry_after.map(|s| s.to_string().parse()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}
