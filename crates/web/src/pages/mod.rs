//! The browser UI: server-rendered pages that work without JavaScript.
//! Every form that changes something carries the session's CSRF token.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{AppendHeaders, Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use baocao_app::auth::random_secret;
use baocao_app::i18n::{render, t, Lang};
use baocao_app::users::UserInput;
use baocao_app::AppError;
use baocao_domain::access::{Permission, Role, UserId};
use baocao_domain::calendar::NonWorkingReason;
use baocao_domain::unit::{OrgUnit, UnitId};
use baocao_domain::Message;
use serde::Deserialize;

use crate::api::units::parse_date;
use crate::error::{ErrorBody, Format, WebError};
use crate::extract::{
    cookie, set_cookie, Authed, PageForm, UserLang, LANG_COOKIE, LOGIN_CSRF_COOKIE, SESSION_COOKIE,
};
use crate::AppState;

mod catalogue;
mod reports;

/// Translation helper handed to templates.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Lang);

impl Tr {
    /// A catalogue entry.
    pub fn t(&self, key: &str) -> String {
        t(self.0, key)
    }
    /// `vi` or `en`.
    pub fn code(&self) -> &'static str {
        self.0.code()
    }
}

/// The logged-in user as the header shows it.
#[derive(Debug, Clone)]
pub struct NavUser {
    /// Name.
    pub display_name: String,
    /// Show the users menu.
    pub can_manage_users: bool,
}

/// What the base layout needs.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Translations.
    pub t: Tr,
    /// The user, if logged in.
    pub user: Option<NavUser>,
    /// CSRF token for forms.
    pub csrf: String,
    /// This page's path, URL-encoded, for the language switch.
    pub here: String,
}

impl Layout {
    fn anonymous(lang: Lang, here: &str) -> Layout {
        Layout {
            t: Tr(lang),
            user: None,
            csrf: String::new(),
            here: url_encode(here),
        }
    }

    fn of(authed: &Authed, here: &str) -> Layout {
        Layout {
            t: Tr(authed.lang),
            user: Some(NavUser {
                display_name: authed.caller.display_name.clone(),
                can_manage_users: authed
                    .caller
                    .principal
                    .may_somewhere(Permission::ManageUsers),
            }),
            csrf: authed.caller.csrf_token.clone().unwrap_or_default(),
            here: url_encode(here),
        }
    }
}

/// Percent-encodes a string for a query parameter.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Where a user lands after logging in: where their work is.
pub fn landing(principal: &baocao_domain::access::Principal) -> String {
    let works_on_reports = [
        Permission::EnterData,
        Permission::SubmitReport,
        Permission::ReviewReport,
    ]
    .into_iter()
    .any(|p| principal.may_somewhere(p));
    if works_on_reports {
        "/reports".to_string()
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

fn html(template: impl Template, lang: Lang) -> Result<Response, WebError> {
    template
        .render()
        .map(|body| Html(body).into_response())
        .map_err(|e| WebError::new(AppError::Internal(e.to_string()), lang, Format::Html))
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    status: String,
    message: String,
    problems: Vec<String>,
}

/// The error page (used by [`WebError`]).
pub fn render_error_page(
    lang: Lang,
    status: StatusCode,
    message: &Message,
    body: &ErrorBody,
) -> String {
    let mut problems: Vec<String> = body
        .error
        .fields
        .iter()
        .map(|f| format!("{}: {}", f.field, f.message))
        .collect();
    problems.extend(
        body.error
            .lines
            .iter()
            .map(|l| format!("{} {}: {}", t(lang, "import.line"), l.line, l.message)),
    );
    let page = ErrorPage {
        layout: Layout::anonymous(lang, "/"),
        status: format!("{} · {}", t(lang, "error.title"), status.as_u16()),
        message: render(lang, message),
        problems,
    };
    page.render().unwrap_or_else(|_| render(lang, message))
}

/// The page routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(set_lang))
        .route("/units", get(units_page))
        .route("/units/{id}", get(unit_page))
        .route("/admin/users", get(users_page).post(users_create))
        .route("/admin/users/{id}", get(user_page))
        .route("/admin/users/{id}/grants", post(user_grant))
        .route(
            "/admin/users/{id}/grants/{grant_id}/delete",
            post(user_revoke),
        )
        .route("/admin/users/{id}/password", post(user_password))
        .route("/admin/users/{id}/email", post(user_email))
        .route("/account", get(tokens_page))
        .route("/account/email", post(account_email))
        .route("/admin/users/{id}/disable", post(user_disable))
        .route("/calendar", get(calendar_page))
        .route("/calendar/exceptions", post(calendar_add))
        .route("/calendar/exceptions/{date}/delete", post(calendar_remove))
        .route("/account/tokens", get(tokens_page).post(tokens_create))
        .route("/account/tokens/{id}/revoke", post(tokens_revoke))
        .merge(catalogue::routes())
        .merge(reports::routes())
}

async fn home(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Redirect {
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

fn login_form(
    lang: Lang,
    next: String,
    username: String,
    error: Option<String>,
    expired: bool,
    secure: bool,
) -> Result<Response, WebError> {
    let csrf = random_secret();
    let mut response = html(
        LoginPage {
            layout: Layout::anonymous(lang, "/login"),
            csrf: csrf.clone(),
            next,
            username,
            error,
            expired,
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
) -> Result<Response, WebError> {
    login_form(
        lang,
        safe_next(q.next.as_deref()).unwrap_or_default(),
        String::new(),
        None,
        q.expired.is_some(),
        state.config.secure_cookies,
    )
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    #[serde(rename = "_csrf")]
    csrf: String,
    next: Option<String>,
}

async fn login_submit(
    State(state): State<AppState>,
    request: axum::extract::Request,
) -> Result<Response, WebError> {
    use axum::extract::FromRequest;
    let lang = crate::extract::lang_of(request.headers(), Format::Html);
    let address = crate::extract::client_address(request.extensions());
    let expected = cookie(request.headers(), LOGIN_CSRF_COOKIE).unwrap_or_default();
    let old_session = cookie(request.headers(), SESSION_COOKIE);
    let PageForm(form) = PageForm::<LoginForm>::from_request(request, &state).await?;
    if expected.is_empty()
        || !crate::extract::constant_time_eq(expected.as_bytes(), form.csrf.as_bytes())
    {
        return Err(WebError::request(
            crate::error::RequestProblem::Csrf,
            lang,
            Format::Html,
        ));
    }
    let next = safe_next(form.next.as_deref());
    match state
        .app
        .login(&form.username, &form.password, &address)
        .await
    {
        Ok(session) => {
            // A session id planted before login is dropped: the new one replaces it.
            if let Some(old) = old_session {
                let _ = state.app.logout(&old).await;
            }
            let secure = state.config.secure_cookies;
            let lang_cookie = set_cookie(LANG_COOKIE, &session.locale, Some(31_536_000), secure);
            Ok((
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
                .into_response())
        }
        Err(e @ (AppError::BadCredentials | AppError::Throttled { .. })) => {
            let status = if matches!(e, AppError::Throttled { .. }) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNAUTHORIZED
            };
            let mut response = login_form(
                lang,
                next.unwrap_or_default(),
                form.username,
                Some(render(lang, &e.message())),
                false,
                state.config.secure_cookies,
            )?;
            *response.status_mut() = status;
            Ok(response)
        }
        Err(e) => Err(WebError::new(e, lang, Format::Html)),
    }
}

#[derive(Debug, Deserialize)]
struct CsrfForm {
    #[serde(rename = "_csrf")]
    csrf: String,
}

async fn logout(
    State(state): State<AppState>,
    authed: Authed,
    PageForm(form): PageForm<CsrfForm>,
) -> Result<Response, WebError> {
    authed.check_csrf(&form.csrf)?;
    if let Some(token) = &authed.session_token {
        state
            .app
            .logout(token)
            .await
            .map_err(|e| authed.page_error(e))?;
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
                Some(31_536_000),
                state.config.secure_cookies,
            ),
        )]),
        Redirect::to(&safe_next(q.next.as_deref()).unwrap_or_else(|| "/".to_string())),
    )
        .into_response()
}

/// A unit as lists show it.
struct UnitRow {
    id: i64,
    name: String,
    code: String,
    kind: String,
    level: String,
    division_type: String,
    validity_text: String,
    point: String,
}

fn validity_text(lang: Lang, u: &OrgUnit) -> String {
    let fmt = |d: chrono::NaiveDate| d.format("%d/%m/%Y").to_string();
    match (u.validity.from, u.validity.to) {
        (None, None) => String::new(),
        (Some(f), None) => format!("{} {}", t(lang, "unit.since"), fmt(f)),
        (None, Some(to)) => format!("{} {}", t(lang, "unit.until"), fmt(to)),
        (Some(f), Some(to)) => format!("{} – {}", fmt(f), fmt(to)),
    }
}

fn unit_row(lang: Lang, u: &OrgUnit) -> UnitRow {
    let open = u.validity.from.is_none() && u.validity.to.is_none();
    UnitRow {
        id: u.id.get(),
        name: u.name.clone(),
        code: u.code.to_string(),
        kind: t(lang, &format!("unit.kind_{}", u.kind.as_str())),
        level: t(lang, &format!("level.{}", u.level)),
        division_type: u.division_type.clone(),
        validity_text: if open {
            String::new()
        } else {
            validity_text(lang, u)
        },
        point: match (u.lat, u.lon) {
            (Some(lat), Some(lon)) => format!("{lat:.4}, {lon:.4}"),
            _ => String::new(),
        },
    }
}

#[derive(Template)]
#[template(path = "units.html")]
struct UnitsPage {
    layout: Layout,
    q: String,
    date: String,
    date_query: String,
    searching: bool,
    units: Vec<UnitRow>,
}

#[derive(Debug, Deserialize)]
struct UnitsQuery {
    q: Option<String>,
    date: Option<String>,
}

fn date_query(date: &str) -> String {
    if date.is_empty() {
        String::new()
    } else {
        format!("?date={date}")
    }
}

async fn units_page(
    State(state): State<AppState>,
    authed: Authed,
    Query(q): Query<UnitsQuery>,
) -> Result<Response, WebError> {
    let lang = authed.lang;
    let date_text = q.date.clone().unwrap_or_default();
    let date = parse_date("date", Some(&date_text)).map_err(|e| authed.page_error(e))?;
    let text = q.q.clone().unwrap_or_default();
    let searching = !text.trim().is_empty();
    let units = if searching {
        state
            .app
            .search_units(&authed.caller.principal, Some(&text), None, None, date, 200)
            .await
    } else {
        state.app.unit_roots(&authed.caller.principal, date).await
    }
    .map_err(|e| authed.page_error(e))?;
    html(
        UnitsPage {
            layout: Layout::of(&authed, "/units"),
            q: text,
            date_query: date_query(&date_text),
            date: date_text,
            searching,
            units: units.iter().map(|u| unit_row(lang, u)).collect(),
        },
        lang,
    )
}

struct ReorgRow {
    text: String,
    other_id: i64,
    other_name: String,
    other_code: String,
}

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage {
    layout: Layout,
    unit: UnitRow,
    ancestors: Vec<UnitRow>,
    children: Vec<UnitRow>,
    reorgs: Vec<ReorgRow>,
    date: String,
    date_query: String,
}

async fn unit_page(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<UnitId>,
    Query(q): Query<UnitsQuery>,
) -> Result<Response, WebError> {
    let lang = authed.lang;
    let date_text = q.date.clone().unwrap_or_default();
    let date = parse_date("date", Some(&date_text)).map_err(|e| authed.page_error(e))?;
    let d = state
        .app
        .unit_detail(&authed.caller.principal, id, date)
        .await
        .map_err(|e| authed.page_error(e))?;
    let reorgs = d
        .reorgs
        .iter()
        .map(|(e, other)| {
            let key = match (e.old == d.unit.id, e.kind.as_str()) {
                (true, "whole") => "unit.reorg_to_whole",
                (true, _) => "unit.reorg_to_split",
                (false, "whole") => "unit.reorg_from_whole",
                (false, _) => "unit.reorg_from_split",
            };
            ReorgRow {
                text: render(
                    lang,
                    &Message::new(key).arg("date", e.date.format("%d/%m/%Y")),
                ),
                other_id: other.id.get(),
                other_name: other.name.clone(),
                other_code: other.code.to_string(),
            }
        })
        .collect();
    html(
        UnitPage {
            layout: Layout::of(&authed, &format!("/units/{id}")),
            unit: unit_row(lang, &d.unit),
            ancestors: d.ancestors.iter().map(|u| unit_row(lang, u)).collect(),
            children: d.children.iter().map(|u| unit_row(lang, u)).collect(),
            reorgs,
            date_query: date_query(&date_text),
            date: date_text,
        },
        lang,
    )
}

struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    email: String,
    unit: String,
    roles: String,
    status: String,
    disabled: bool,
}

struct GrantRow {
    id: i64,
    role: String,
    unit: String,
}

fn unit_label(lang: Lang, u: Option<&OrgUnit>) -> String {
    u.map(|u| format!("{} ({})", u.name, u.code))
        .unwrap_or_else(|| t(lang, "users.system_wide"))
}

fn user_row(lang: Lang, v: &baocao_app::users::UserView) -> UserRow {
    UserRow {
        id: v.user.id.get(),
        username: v.user.username.clone(),
        display_name: v.user.display_name.clone(),
        email: v.user.email.clone().unwrap_or_default(),
        unit: v
            .unit
            .as_ref()
            .map(|u| format!("{} ({})", u.name, u.code))
            .unwrap_or_default(),
        roles: v
            .grants
            .iter()
            .map(|(g, u)| {
                format!(
                    "{} — {}",
                    t(lang, g.role.label_key()),
                    unit_label(lang, u.as_ref())
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        status: t(
            lang,
            if v.user.disabled {
                "users.disabled"
            } else {
                "users.active"
            },
        ),
        disabled: v.user.disabled,
    }
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    layout: Layout,
    users: Vec<UserRow>,
    roles: Vec<(String, String)>,
}

fn role_choices(lang: Lang) -> Vec<(String, String)> {
    Role::ALL
        .iter()
        .map(|r| (r.as_str().to_string(), t(lang, r.label_key())))
        .collect()
}

async fn users_page(State(state): State<AppState>, authed: Authed) -> Result<Response, WebError> {
    let users = state
        .app
        .list_users(&authed.caller.principal)
        .await
        .map_err(|e| authed.page_error(e))?;
    html(
        UsersPage {
            layout: Layout::of(&authed, "/admin/users"),
            users: users.iter().map(|u| user_row(authed.lang, u)).collect(),
            roles: role_choices(authed.lang),
        },
        authed.lang,
    )
}

fn optional_id(field: &'static str, text: &str) -> Result<Option<i64>, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<i64>()
        .map(Some)
        .map_err(|_| AppError::field(field, Message::new("request.bad_number").arg("value", text)))
}

#[derive(Debug, Deserialize)]
struct NewUserForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    username: String,
    display_name: String,
    password: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    locale: String,
    #[serde(default)]
    role: String,
}

async fn users_create(
    State(state): State<AppState>,
    authed: Authed,
    PageForm(form): PageForm<NewUserForm>,
) -> Result<Response, WebError> {
    authed.check_csrf(&form.csrf)?;
    let unit = optional_id("unit_id", &form.unit_id).map_err(|e| authed.page_error(e))?;
    let role = match form.role.trim() {
        "" => None,
        r => Some(
            Role::parse(r).map_err(|e| authed.page_error(AppError::field("role", e.message())))?,
        ),
    };
    let input = UserInput {
        username: form.username,
        display_name: form.display_name,
        password: form.password,
        unit: unit.map(UnitId::new),
        locale: form.locale,
        role,
    };
    let id = state
        .app
        .create_user(&authed.caller.principal, &input)
        .await
        .map_err(|e| authed.page_error(e))?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "user.html")]
struct UserPage {
    layout: Layout,
    user: UserRow,
    grants: Vec<GrantRow>,
    roles: Vec<(String, String)>,
}

async fn user_page(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<UserId>,
) -> Result<Response, WebError> {
    let lang = authed.lang;
    let v = state
        .app
        .user_view(&authed.caller.principal, id)
        .await
        .map_err(|e| authed.page_error(e))?;
    html(
        UserPage {
            layout: Layout::of(&authed, &format!("/admin/users/{id}")),
            user: user_row(lang, &v),
            grants: v
                .grants
                .iter()
                .map(|(g, u)| GrantRow {
                    id: g.id,
                    role: t(lang, g.role.label_key()),
                    unit: unit_label(lang, u.as_ref()),
                })
                .collect(),
            roles: role_choices(lang),
        },
        lang,
    )
}

#[derive(Debug, Deserialize)]
struct GrantForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    role: String,
    #[serde(default)]
    unit_id: String,
}

async fn user_grant(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<UserId>,
    PageForm(form): PageForm<GrantForm>,
) -> Result<Response, WebError> {
    authed.check_csrf(&form.csrf)?;
    let role = Role::parse(&form.role)
        .map_err(|e| authed.page_error(AppError::field("role", e.message())))?;
    let unit = optional_id("unit_id", &form.unit_id).map_err(|e| authed.page_error(e))?;
    state
        .app
        .grant_role(&authed.caller.principal, id, role, unit.map(UnitId::new))
        .await
        .map_err(|e| authed.page_error(e))?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

async fn user_revoke(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, grant_id)): Path<(UserId, i64)>,
    PageForm(form): PageForm<CsrfForm>,
) -> Result<Response, WebError> {
    authed.check_csrf(&form.csrf)?;
    state
        .app
        .revoke_role(&authed.caller.principal, id, grant_id)
        .await
        .map_err(|e| authed.page_error(e))?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

#[derive(Debug, Deserialize)]
struct PasswordForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    password: String,
}

async fn user_password(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<UserId>,
    PageForm(form): PageForm<PasswordForm>,
) -> Result<Response, WebError> {
    authed.check_csrf(&form.csrf)?;
    state
        .app
        .set_password(&authed.caller.principal, id, &form.password, false)
        .await
        .map_err(|e| authed.page_error(e))?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

#[derive(Debug, Deserialize)]
struct EmailForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    email: String,
}

async fn user_email(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<UserId>,
    PageForm(form): PageForm<EmailForm>,
) -> Result<Response, WebError> {
    authed.check_csrf(&form.csrf)?;
    state
        .app
        .set_email(&authed.caller.principal, id, &form.email)
        .await
        .map_err(|e| authed.page_error(e))?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

/// The signed-in user's own e-mail address, from the account page.
async fn account_email(
    State(state): State<AppState>,
    authed: Authed,
    PageForm(form): PageForm<EmailForm>,
) -> Result<Response, WebError> {
    authed.check_csrf(&form.csrf)?;
    let me = authed.caller.principal.user_id;
    state
        .app
        .set_email(&authed.caller.principal, me, &form.email)
        .await
        .map_err(|e| authed.page_error(e))?;
    render_tokens(&state, &authed, None, true).await
}

#[derive(Debug, Deserialize)]
struct DisableForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    disabled: String,
}

async fn user_disable(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<UserId>,
    PageForm(form): PageForm<DisableForm>,
) -> Result<Response, WebError> {
    authed.check_csrf(&form.csrf)?;
    state
        .app
        .set_disabled(&authed.caller.principal, id, form.disabled == "1")
        .await
        .map_err(|e| authed.page_error(e))?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

struct TokenRow {
    id: i64,
    name: String,
    created: String,
    last_used: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    layout: Layout,
    tokens: Vec<TokenRow>,
    new_secret: Option<String>,
    email: String,
    email_saved: bool,
}

fn timestamp(ts: i64) -> String {
    // Screens show Vietnam time (UTC+7) as dd/mm/yyyy hh:mm.
    chrono::DateTime::from_timestamp(ts + 7 * 3600, 0)
        .map(|d| d.format("%d/%m/%Y %H:%M").to_string())
        .unwrap_or_default()
}

/// The account page: the user's e-mail address and API tokens.
async fn render_tokens(
    state: &AppState,
    authed: &Authed,
    new_secret: Option<String>,
    email_saved: bool,
) -> Result<Response, WebError> {
    let tokens = state
        .app
        .list_tokens(&authed.caller.principal)
        .await
        .map_err(|e| authed.page_error(e))?;
    let me = state
        .app
        .user_by_name(&authed.caller.principal.username)
        .await
        .map_err(|e| authed.page_error(e))?;
    html(
        TokensPage {
            layout: Layout::of(authed, "/account"),
            tokens: tokens
                .into_iter()
                .map(|tk| TokenRow {
                    id: tk.id,
                    name: tk.name,
                    created: timestamp(tk.created_at),
                    last_used: tk.last_used_at.map(timestamp).unwrap_or_default(),
                    revoked: tk.revoked_at.is_some(),
                })
                .collect(),
            new_secret,
            email: me.email.unwrap_or_default(),
            email_saved,
        },
        authed.lang,
    )
}

async fn tokens_page(State(state): State<AppState>, authed: Authed) -> Result<Response, WebError> {
    render_tokens(&state, &authed, None, false).await
}

#[derive(Debug, Deserialize)]
struct TokenForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    name: String,
}

async fn tokens_create(
    State(state): State<AppState>,
    authed: Authed,
    PageForm(form): PageForm<TokenForm>,
) -> Result<Response, WebError> {
    authed.check_csrf(&form.csrf)?;
    let (_, secret) = state
        .app
        .create_token(&authed.caller.principal, &form.name)
        .await
        .map_err(|e| authed.page_error(e))?;
    render_tokens(&state, &authed, Some(secret), false).await
}

async fn tokens_revoke(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<i64>,
    PageForm(form): PageForm<CsrfForm>,
) -> Result<Response, WebError> {
    authed.check_csrf(&form.csrf)?;
    state
        .app
        .revoke_token(&authed.caller.principal, id)
        .await
        .map_err(|e| authed.page_error(e))?;
    Ok(Redirect::to("/account/tokens").into_response())
}

struct DayRow {
    date: String,
    label: String,
}

struct ExceptionRow {
    iso: String,
    date: String,
    kind: String,
    label: String,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    layout: Layout,
    year: i32,
    weekends: String,
    days: Vec<DayRow>,
    make_up: Vec<DayRow>,
    exceptions: Vec<ExceptionRow>,
    can_edit: bool,
}

#[derive(Debug, Deserialize)]
struct YearQuery {
    year: Option<String>,
}

fn screen_date(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// The working-day calendar of a year: every day off with its reason, and for
/// administrators the exceptions with a form to add one.
async fn calendar_page(
    State(state): State<AppState>,
    authed: Authed,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    use chrono::Datelike;
    let lang = authed.lang;
    let year = match q.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        None => chrono::Local::now().year(),
        Some(y) => y.parse::<i32>().map_err(|_| {
            authed.page_error(AppError::field(
                "year",
                Message::new("request.bad_number").arg("value", y),
            ))
        })?,
    };
    let (days, make_up) = state
        .app
        .calendar_year(year)
        .await
        .map_err(|e| authed.page_error(e))?;
    let exceptions = state
        .app
        .calendar_exceptions()
        .await
        .map_err(|e| authed.page_error(e))?;
    html(
        CalendarPage {
            layout: Layout::of(&authed, "/calendar"),
            year,
            weekends: render(
                lang,
                &Message::new("calendar.weekends_note").arg(
                    "count",
                    days.iter()
                        .filter(|(_, r)| matches!(r, NonWorkingReason::Weekend))
                        .count(),
                ),
            ),
            days: days
                .iter()
                .filter(|(_, r)| !matches!(r, NonWorkingReason::Weekend))
                .map(|(d, reason)| DayRow {
                    date: screen_date(*d),
                    label: crate::api::calendar::reason_label(lang, reason),
                })
                .collect(),
            make_up: make_up
                .iter()
                .map(|e| DayRow {
                    date: screen_date(e.day),
                    label: e.reason.clone(),
                })
                .collect(),
            exceptions: exceptions
                .iter()
                .filter(|e| e.day.year() == year)
                .map(|e| ExceptionRow {
                    iso: e.day.to_string(),
                    date: screen_date(e.day),
                    kind: t(lang, &format!("calendar.kind_{}", e.kind)),
                    label: e.reason.clone(),
                })
                .collect(),
            can_edit: baocao_app::calendar::may_edit_calendar(&authed.caller.principal),
        },
        lang,
    )
}

#[derive(Debug, Deserialize)]
struct ExceptionForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    date: String,
    kind: String,
    reason: String,
}

async fn calendar_add(
    State(state): State<AppState>,
    authed: Authed,
    PageForm(form): PageForm<ExceptionForm>,
) -> Result<Response, WebError> {
    authed.check_csrf(&form.csrf)?;
    let day = parse_date("date", Some(&form.date))
        .and_then(|d| {
            d.ok_or_else(|| {
                AppError::field("date", Message::new("request.bad_date").arg("value", ""))
            })
        })
        .map_err(|e| authed.page_error(e))?;
    let working = form.kind == "working_day";
    state
        .app
        .add_calendar_exception(&authed.caller.principal, day, working, &form.reason)
        .await
        .map_err(|e| authed.page_error(e))?;
    Ok(Redirect::to(&format!("/calendar?year={}", chrono::Datelike::year(&day))).into_response())
}

async fn calendar_remove(
    State(state): State<AppState>,
    authed: Authed,
    Path(date): Path<String>,
    PageForm(form): PageForm<CsrfForm>,
) -> Result<Response, WebError> {
    authed.check_csrf(&form.csrf)?;
    let day = parse_date("date", Some(&date))
        .and_then(|d| d.ok_or(AppError::NotFound))
        .map_err(|e| authed.page_error(e))?;
    state
        .app
        .remove_calendar_exception(&authed.caller.principal, day)
        .await
        .map_err(|e| authed.page_error(e))?;
    Ok(Redirect::to(&format!("/calendar?year={}", chrono::Datelike::year(&day))).into_response())
}
