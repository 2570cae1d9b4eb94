//! Logging in and out with the login form, the start page, and the language switch.

use askama::Template;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use baocao_app::auth::{random_secret, NewSession};
use baocao_app::i18n::{render, Lang};
use baocao_app::AppError;
use baocao_domain::access::{Permission, Principal, Role};
use serde::de::IgnoredAny;
use serde::Deserialize;

use super::view::{html, PageResult};
use crate::error::{Format, RequestProblem, WebError};
use crate::extract::{
    client_address, constant_time_eq, cookie, lang_of, set_cookie, ApiResult, Authed, CsrfForm,
    PageForm, UserLang, LANG_COOKIE, LOGIN_CSRF_COOKIE, SESSION_COOKIE,
};
use crate::shared::layout::Layout;
use crate::state::AppState;

/// How long the language cookie lasts: a year.
const LANG_COOKIE_SECONDS: i64 = 31_536_000;

/// The session routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(set_lang))
}

/// Where a user lands after logging in: where their work is — the reports
/// for those who enter, submit or review them, the dashboard for leaders,
/// the units for everyone else.
fn landing(principal: &Principal) -> String {
    let works_on_reports = [
        Permission::EnterData,
        Permission::SubmitReport,
        Permission::ReviewReport,
    ]
    .into_iter()
    .any(|p| principal.may_somewhere(p));
    if works_on_reports {
        "/reports".to_string()
    } else if principal.grants.iter().any(|g| g.role == Role::Leader) {
        "/dashboard".to_string()
    } else {
        "/units".to_string()
    }
}

/// A local path to return to; anything else (another host, `//evil`, a
/// control character that would split the `Location` header) is refused.
fn safe_next(next: Option<&str>) -> Option<String> {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && n.len() <= 2048
                && n.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            Some(n.to_string())
        }
        _ => None,
    }
}

async fn home(State(state): State<AppState>, headers: HeaderMap) -> Redirect {
    let caller = match cookie(&headers, SESSION_COOKIE) {
        Some(token) => state.app.session_caller(&token).await.ok(),
        None => None,
    };
    match caller {
        Some(caller) => Redirect::to(&landing(&caller.principal)),
        None => Redirect::to("/login"),
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
    expired: bool,
}

#[derive(Debug, Deserialize)]
struct LoginQuery {
    next: Option<String>,
    expired: Option<String>,
}

/// The login form as shown: where to go next, the name typed, why it is shown again.
struct LoginForm {
    next: String,
    username: String,
    error: Option<String>,
    expired: bool,
}

/// The login form with a fresh pre-login CSRF token (double submit: the token
/// is in the form and in a cookie).
fn login_form(lang: Lang, form: LoginForm, secure: bool) -> PageResult {
    let csrf = random_secret();
    let mut response = html(
        LoginPage {
            layout: Layout::anonymous(lang, "/login"),
            csrf: csrf.clone(),
            next: form.next,
            username: form.username,
            error: form.error,
            expired: form.expired,
        },
        lang,
    )?;
    if let Ok(v) = set_cookie(LOGIN_CSRF_COOKIE, &csrf, Some(3600), secure).parse() {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(response)
}

async fn login_page(
    State(state): State<AppState>,
    UserLang(lang): UserLang,
    Query(q): Query<LoginQuery>,
) -> PageResult {
    let form = LoginForm {
        next: safe_next(q.next.as_deref()).unwrap_or_default(),
        username: String::new(),
        error: None,
        expired: q.expired.is_some(),
    };
    login_form(lang, form, state.config.secure_cookies)
}

#[derive(Debug, Deserialize)]
struct Credentials {
    username: String,
    password: String,
    #[serde(rename = "_csrf")]
    csrf: String,
    next: Option<String>,
}

/// The login form posted. There is no session yet, so its CSRF token is
/// checked against the pre-login cookie rather than with [`CsrfForm`].
async fn login_submit(State(state): State<AppState>, request: Request) -> PageResult {
    let lang = lang_of(request.headers(), Format::Html);
    let address = client_address(request.extensions());
    let expected = cookie(request.headers(), LOGIN_CSRF_COOKIE).unwrap_or_default();
    let old_session = cookie(request.headers(), SESSION_COOKIE);
    let PageForm(form) = PageForm::<Credentials>::from_request(request, &state).await?;
    if expected.is_empty() || !constant_time_eq(expected.as_bytes(), form.csrf.as_bytes()) {
        return Err(WebError::request(RequestProblem::Csrf, lang, Format::Html));
    }
    let next = safe_next(form.next.as_deref());
    // A session id planted before login is dropped: the new one replaces it.
    match state
        .app
        .login_replacing(
            &form.username,
            &form.password,
            &address,
            old_session.as_deref(),
        )
        .await
    {
        Ok(session) => Ok(logged_in(&state, &session, next)),
        Err(e @ (AppError::BadCredentials | AppError::Throttled { .. })) => {
            let status = if matches!(e, AppError::Throttled { .. }) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNAUTHORIZED
            };
            let again = LoginForm {
                next: next.unwrap_or_default(),
                username: form.username,
                error: Some(render(lang, &e.message())),
                expired: false,
            };
            let mut response = login_form(lang, again, state.config.secure_cookies)?;
            *response.status_mut() = status;
            Ok(response)
        }
        Err(e) => Err(WebError::new(e, lang, Format::Html)),
    }
}

/// The session, language and spent pre-login cookies, and the way on.
fn logged_in(state: &AppState, session: &NewSession, next: Option<String>) -> Response {
    let secure = state.config.secure_cookies;
    let lang_cookie = set_cookie(
        LANG_COOKIE,
        &session.locale,
        Some(LANG_COOKIE_SECONDS),
        secure,
    );
    (
        AppendHeaders([
            (
                header::SET_COOKIE,
                set_cookie(SESSION_COOKIE, &session.token, None, secure),
            ),
            (
                header::SET_COOKIE,
                set_cookie(LOGIN_CSRF_COOKIE, "", Some(0), secure),
            ),
            (header::SET_COOKIE, lang_cookie),
        ]),
        Redirect::to(&next.unwrap_or_else(|| landing(&session.principal))),
    )
        .into_response()
}

async fn logout(
    State(state): State<AppState>,
    authed: Authed,
    CsrfForm(_): CsrfForm<IgnoredAny>,
) -> PageResult {
    if let Some(token) = &authed.session_token {
        state.app.logout(token).await.page(&authed)?;
    }
    Ok((
        AppendHeaders([(
            header::SET_COOKIE,
            set_cookie(SESSION_COOKIE, "", Some(0), state.config.secure_cookies),
        )]),
        Redirect::to("/login"),
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn set_lang(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
) -> Response {
    let lang = Lang::parse(&code).unwrap_or_default();
    (
        AppendHeaders([(
            header::SET_COOKIE,
            set_cookie(
                LANG_COOKIE,
                lang.code(),
                Some(LANG_COOKIE_SECONDS),
                state.config.secure_cookies,
            ),
        )]),
        Redirect::to(&safe_next(q.next.as_deref()).unwrap_or_else(|| "/".to_string())),
    )
        .into_response()
}
