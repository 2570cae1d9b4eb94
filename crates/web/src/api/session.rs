//! Logging in and out through the API.

use axum::extract::{FromRequest, State};
use axum::http::{header, StatusCode};
use axum::response::{AppendHeaders, IntoResponse};
use axum::routing::post;
use axum::{Json, Router};
use baocao_app::AppError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::doc::{Busy, JsonBodyErrors};
use crate::error::{ErrorBody, Format, WebError};
use crate::extract::{client_address, set_cookie, ApiJson, Authed, UserLang, SESSION_COOKIE};
use crate::state::AppState;

/// Credentials.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    /// Login name.
    pub username: String,
    /// Password.
    pub password: String,
}

/// The logged-in user.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionInfo {
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Send as `X-CSRF-Token` on writes made with the session cookie.
    pub csrf_token: Option<String>,
    /// Roles with the unit ids they cover (absent: system-wide).
    pub grants: Vec<SessionGrant>,
}

/// A role of the logged-in user.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionGrant {
    /// Role code.
    pub role: String,
    /// Unit id.
    pub unit_id: Option<i64>,
}

fn grants(p: &baocao_domain::access::Principal) -> Vec<SessionGrant> {
    p.grants
        .iter()
        .map(|g| SessionGrant {
            role: g.role.as_str().into(),
            unit_id: g.scope.as_ref().map(|s| s.unit.get()),
        })
        .collect()
}

/// Logs in; sets the session cookie.
#[utoipa::path(post, path = "/api/v1/session", request_body = LoginRequest, tag = "session",
    responses((status = 200, body = SessionInfo,
            headers(("Set-Cookie" = String, description = "The session cookie (HttpOnly)"))),
        (status = 401, body = ErrorBody, description = "Wrong user name or password, or a disabled user (code `bad_credentials`)"),
        (status = 413, body = ErrorBody, description = "The body is larger than accepted (code `too_large`)"),
        JsonBodyErrors,
        (status = 429, body = ErrorBody, description = "Too many failed logins for this user or address (code `throttled`)",
            headers(("Retry-After" = u64, description = "Seconds until a new attempt is considered"))),
        Busy))]
pub async fn login(
    State(state): State<AppState>,
    UserLang(lang): UserLang,
    request: axum::extract::Request,
) -> Result<impl IntoResponse, WebError> {
    let address = client_address(request.extensions());
    let ApiJson(body) = ApiJson::<LoginRequest>::from_request(request, &state).await?;
    let session = state
        .app
        .login(&body.username, &body.password, &address)
        .await
        .map_err(|e| WebError::new(e, lang, Format::Json))?;
    let cookie = set_cookie(
        SESSION_COOKIE,
        &session.token,
        None,
        state.config.secure_cookies,
    );
    let display_name = session.display_name.clone();
    Ok((
        AppendHeaders([(header::SET_COOKIE, cookie)]),
        Json(SessionInfo {
            username: session.principal.username.clone(),
            display_name,
            csrf_token: Some(session.csrf_token),
            grants: grants(&session.principal),
        }),
    ))
}

/// Who is logged in.
#[utoipa::path(get, path = "/api/v1/session", tag = "session", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = SessionInfo)))]
pub async fn whoami(authed: Authed) -> Json<SessionInfo> {
    Json(SessionInfo {
        username: authed.caller.principal.username.clone(),
        display_name: authed.caller.display_name.clone(),
        csrf_token: authed.caller.csrf_token.clone(),
        grants: grants(&authed.caller.principal),
    })
}

/// Logs out (ends the session of the cookie).
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", security(("session" = [])),
    responses((status = 204, description = "Logged out; the cookie is cleared",
            headers(("Set-Cookie" = String, description = "Clears the session cookie"))),
        (status = 401, body = ErrorBody, description = "No session cookie (a bearer token has no session to end), or an unknown or expired one")))]
pub async fn logout(
    State(state): State<AppState>,
    authed: Authed,
) -> Result<impl IntoResponse, WebError> {
    let token = authed
        .session_token
        .clone()
        .ok_or_else(|| authed.api_error(AppError::Unauthenticated))?;
    state
        .app
        .logout(&token)
        .await
        .map_err(|e| authed.api_error(e))?;
    Ok((
        StatusCode::NO_CONTENT,
        AppendHeaders([(
            header::SET_COOKIE,
            set_cookie(SESSION_COOKIE, "", Some(0), state.config.secure_cookies),
        )]),
    ))
}

/// The session routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/session", post(login).get(whoami).delete(logout))
}
