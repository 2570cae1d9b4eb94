//! Request extractors: the user's language, the caller (session cookie or bearer
//! token), CSRF checks, and JSON/form bodies whose rejections become translated errors.
//! Page forms that change something are read with [`CsrfForm`], which checks
//! the form's CSRF token against the caller's session.

use std::net::SocketAddr;

use axum::body::{Body, Bytes};
use axum::extract::rejection::{FormRejection, JsonRejection};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, RawForm, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::{Form, Json};
use baocao_app::auth::Caller;
use baocao_app::i18n::Lang;
use baocao_app::AppError;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::{Format, RequestProblem, WebError};
use crate::server::ClientIp;
use crate::state::AppState;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "baocao_session";
/// Name of the language cookie.
pub const LANG_COOKIE: &str = "lang";
/// Name of the pre-login CSRF cookie (double submit on the login form).
pub const LOGIN_CSRF_COOKIE: &str = "baocao_login_csrf";
/// Header carrying the CSRF token on cookie-authenticated API writes.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A cookie's value.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path /, Secure when configured.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

/// The language to answer in before the user is known. Pages: the `lang` cookie
/// (the user's explicit choice), else Vietnamese — browsers send an Accept-Language
/// that is often not what a Vietnamese official wants. API: the cookie, else the
/// client's Accept-Language, else Vietnamese.
pub fn lang_of(headers: &HeaderMap, format: Format) -> Lang {
    let chosen = cookie(headers, LANG_COOKIE).and_then(|v| Lang::parse(&v));
    match format {
        Format::Html => chosen,
        Format::Json => chosen.or_else(|| accept_language(headers)),
    }
    .unwrap_or_default()
}

/// The first supported language of the Accept-Language header.
fn accept_language(headers: &HeaderMap) -> Option<Lang> {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::from_accept_language)
}

/// JSON under `/api/`, HTML elsewhere.
pub fn format_of_path(path: &str) -> Format {
    if path.starts_with("/api/") {
        Format::Json
    } else {
        Format::Html
    }
}

fn format_of(parts: &Parts) -> Format {
    format_of_path(parts.uri.path())
}

/// The user's language, for handlers that need no caller.
#[derive(Debug, Clone, Copy)]
pub struct UserLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for UserLang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(UserLang(lang_of(&parts.headers, format_of(parts))))
    }
}

/// The client's address, for login throttling: the peer, or the address a
/// trusted proxy forwarded ([`ClientIp`]).
pub fn client_address(parts_extensions: &axum::http::Extensions) -> String {
    parts_extensions
        .get::<ClientIp>()
        .map(|c| c.0.to_string())
        .or_else(|| {
            parts_extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// An authenticated caller with the language to answer in.
#[derive(Debug, Clone)]
pub struct Authed {
    /// Who.
    pub caller: Caller,
    /// Language: cookie, else the user's preference.
    pub lang: Lang,
    /// The session token, when authenticated by cookie.
    pub session_token: Option<String>,
}

impl Authed {
    /// An error in this caller's language for a page.
    pub fn page_error(&self, error: AppError) -> WebError {
        WebError::new(error, self.lang, Format::Html)
    }

    /// An error in this caller's language for the API.
    pub fn api_error(&self, error: AppError) -> WebError {
        WebError::new(error, self.lang, Format::Json)
    }

    /// Checks a form's CSRF token against the session's.
    pub fn check_csrf(&self, token: &str) -> Result<(), WebError> {
        match &self.caller.csrf_token {
            Some(expected) if baocao_app::auth::token_matches(expected, token) => Ok(()),
            // Bearer-token callers carry no ambient authority: nothing to forge.
            None => Ok(()),
            Some(_) => Err(WebError::request(
                RequestProblem::Csrf,
                self.lang,
                Format::Html,
            )),
        }
    }
}

pub use baocao_app::auth::constant_time_eq;

/// The caller is looked up once per request: a handler and its [`CsrfForm`]
/// both ask for it, and the second answer is the first one, kept in the
/// request's extensions.
impl FromRequestParts<AppState> for Authed {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(authed) = parts.extensions.get::<Authed>() {
            return Ok(authed.clone());
        }
        let authed = Authed::look_up(parts, state).await?;
        parts.extensions.insert(authed.clone());
        Ok(authed)
    }
}

impl Authed {
    /// The caller of a request, from its bearer token or session cookie.
    async fn look_up(parts: &Parts, state: &AppState) -> Result<Authed, WebError> {
        let format = format_of(parts);
        let cookie_lang = cookie(&parts.headers, LANG_COOKIE).and_then(|v| Lang::parse(&v));
        let fallback = lang_of(&parts.headers, format);
        let fail = |error: AppError| {
            let mut e = WebError::new(error, fallback, format);
            e.path = parts
                .uri
                .path_and_query()
                .map(|p| p.to_string())
                .unwrap_or_else(|| "/".into());
            e
        };
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let (caller, session_token) = if let Some(token) = bearer {
            (state.app.token_caller(token).await.map_err(fail)?, None)
        } else if let Some(token) = cookie(&parts.headers, SESSION_COOKIE) {
            (
                state.app.session_caller(&token).await.map_err(fail)?,
                Some(token),
            )
        } else {
            return Err(fail(AppError::Unauthenticated));
        };
        // Pages: the lang cookie, else the user's preference (browsers always send an
        // Accept-Language, often not the one the user chose). API: a script's explicit
        // Accept-Language wins over the stored preference.
        let lang = match format {
            Format::Json => cookie_lang
                .or_else(|| accept_language(&parts.headers))
                .or_else(|| Lang::parse(&caller.locale)),
            Format::Html => cookie_lang.or_else(|| Lang::parse(&caller.locale)),
        }
        .unwrap_or_default();
        let authed = Authed {
            caller,
            lang,
            session_token,
        };
        // Cookie-authenticated API writes must echo the session's CSRF token in a header.
        let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if format == Format::Json && unsafe_method && authed.session_token.is_some() {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if let Err(mut e) = authed.check_csrf(sent) {
                e.format = Format::Json;
                return Err(e);
            }
        }
        Ok(authed)
    }
}

fn problem_of(status: StatusCode, detail: String) -> RequestProblem {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => RequestProblem::TooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => RequestProblem::UnsupportedMediaType,
        StatusCode::UNPROCESSABLE_ENTITY => RequestProblem::Malformed(status, detail),
        _ => RequestProblem::Malformed(StatusCode::BAD_REQUEST, detail),
    }
}
/// Turns the plain-text rejections of axum's own extractors (`Path`, `Query`,
/// `Multipart`, body limits) into our translated errors, so that every entry
/// point answers bad input the same way: JSON under `/api`, a page elsewhere.
pub async fn translate_rejections(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let format = if req.uri().path().starts_with("/api/") {
        Format::Json
    } else {
        Format::Html
    };
    let lang = lang_of(req.headers(), format);
    let response = next.run(req).await;
    let status = response.status();
    let plain = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !plain || !(status.is_client_error()) || status == StatusCode::NOT_FOUND {
        return response;
    }
    let body = axum::body::to_bytes(response.into_body(), 16 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    WebError::request(problem_of(status, body), lang, format).into_response()
}

/// A JSON object as the body; a rejection is a translated JSON error.
///
/// Only an object is read: serde would also fill a struct from an array of
/// its fields in order (`[]` for a struct whose fields all have defaults),
/// which no client means and the API document does not allow.
///
/// JSON has one kind of number: `477.0` is the integer 477 as much as `477`
/// is (JSON Schema, which the API document uses, says so too), so numbers
/// with no fractional part are read as integers where integers are expected.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = WebError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let lang = lang_of(req.headers(), Format::Json);
        let reject = |rejection: JsonRejection| {
            WebError::request(
                problem_of(rejection.status(), rejection.body_text()),
                lang,
                Format::Json,
            )
        };
        let Json(mut value) = Json::<serde_json::Value>::from_request(req, state)
            .await
            .map_err(reject)?;
        if !value.is_object() {
            return Err(WebError::request(
                RequestProblem::Malformed(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "the body must be a JSON object".into(),
                ),
                lang,
                Format::Json,
            ));
        }
        whole_numbers_as_integers(&mut value);
        // Read from the text again, for errors that name the field.
        let bytes = serde_json::to_vec(&value).unwrap_or_default();
        Json::<T>::from_bytes(&bytes)
            .map(|Json(v)| ApiJson(v))
            .map_err(reject)
    }
}

/// Rewrites numbers that are whole and fit an `i64` (`477.0`, `1e3`) as integers.
fn whole_numbers_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) => {
            // -2^63 ≤ f < 2^63: exactly the whole floats an i64 holds.
            let whole = n.as_f64().filter(|f| {
                n.is_f64()
                    && f.fract() == 0.0
                    && (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(f)
            });
            if let Some(f) = whole {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(map) => map.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

/// Maps a use case's error to a response in the caller's language.
pub trait ApiResult<T> {
    /// As a JSON API error.
    fn api(self, authed: &Authed) -> Result<T, WebError>;
    /// As an error page.
    fn page(self, authed: &Authed) -> Result<T, WebError>;
}

impl<T> ApiResult<T> for Result<T, AppError> {
    fn api(self, authed: &Authed) -> Result<T, WebError> {
        self.map_err(|e| authed.api_error(e))
    }

    fn page(self, authed: &Authed) -> Result<T, WebError> {
        self.map_err(|e| authed.page_error(e))
    }
}

/// A form body; a rejection is a translated error page.
#[derive(Debug)]
pub struct PageForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for PageForm<T> {
    type Rejection = WebError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let lang = lang_of(req.headers(), Format::Html);
        Form::<T>::from_request(req, state)
            .await
            .map(|Form(v)| PageForm(v))
            .map_err(|rejection| form_rejected(rejection, lang))
    }
}

fn form_rejected(rejection: FormRejection, lang: Lang) -> WebError {
    WebError::request(
        problem_of(rejection.status(), rejection.body_text()),
        lang,
        Format::Html,
    )
}

/// A form posted from a page by a logged-in caller, its `_csrf` field checked
/// against the caller's session: every page form that changes something is
/// read this way. `T` holds the other fields (it need not name `_csrf`).
///
/// A body that is not a form, or not one of `T`'s shape, is refused first
/// (415, 413, 422), then a missing or wrong token (403), as [`PageForm`] and
/// [`Authed::check_csrf`] would one after the other.
#[derive(Debug)]
pub struct CsrfForm<T>(pub T);

/// The token every page form carries.
#[derive(Debug, Deserialize)]
struct CsrfField {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = WebError;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let authed = Authed::from_request_parts(&mut parts, state).await?;
        let lang = authed.lang;
        let RawForm(bytes) = RawForm::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|r| {
                WebError::request(problem_of(r.status(), r.body_text()), lang, Format::Html)
            })?;
        // The body is read once and deserialised twice: as the fields, then as the token.
        let fields = read_form::<T>(&bytes)
            .await
            .map_err(|r| form_rejected(r, lang))?;
        let token = read_form::<CsrfField>(&bytes)
            .await
            .map_err(|r| form_rejected(r, lang))?;
        authed.check_csrf(&token.csrf)?;
        Ok(CsrfForm(fields))
    }
}

/// Deserialises an urlencoded body already read.
async fn read_form<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, FormRejection> {
    let mut request = Request::new(Body::from(bytes.clone()));
    *request.method_mut() = Method::POST;
    request.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    Form::<T>::from_request(request, &()).await.map(|Form(v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_are_integers() {
        let mut v =
            serde_json::json!({"a": 477.0, "b": [1e3, 1.5, -0.0], "c": "477.0", "d": 1e300});
        whole_numbers_as_integers(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"a": 477, "b": [1000, 1.5, 0], "c": "477.0", "d": 1e300})
        );
    }
}
