//! User administration: the list with a form to add a user, and a user's page
//! with their roles, password, e-mail address and whether they may log in.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::Router;
use baocao_app::i18n::{t, Lang};
use baocao_app::users::{UserInput, UserView};
use baocao_app::AppError;
use baocao_domain::access::{Role, UserId};
use baocao_domain::unit::{OrgUnit, UnitId};
use baocao_domain::Message;
use serde::de::IgnoredAny;
use serde::Deserialize;

use super::view::{html, layout, see_other, PageResult};
use crate::extract::{ApiResult, Authed, CsrfForm};
use crate::shared::layout::Layout;
use crate::state::AppState;

/// The user administration routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(users_page).post(users_create))
        .route("/admin/users/{id}", get(user_page))
        .route("/admin/users/{id}/grants", post(user_grant))
        .route(
            "/admin/users/{id}/grants/{grant_id}/delete",
            post(user_revoke),
        )
        .route("/admin/users/{id}/password", post(user_password))
        .route("/admin/users/{id}/email", post(user_email))
        .route("/admin/users/{id}/disable", post(user_disable))
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

/// Where a role applies: a unit, or the whole system.
fn unit_label(lang: Lang, u: Option<&OrgUnit>) -> String {
    u.map(|u| format!("{} ({})", u.name, u.code))
        .unwrap_or_else(|| t(lang, "users.system_wide"))
}

fn user_row(lang: Lang, v: &UserView) -> UserRow {
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

fn role_choices(lang: Lang) -> Vec<(String, String)> {
    Role::ALL
        .iter()
        .map(|r| (r.as_str().to_string(), t(lang, r.label_key())))
        .collect()
}

/// Users a page of the list shows.
const USERS_PAGE: usize = 50;

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    layout: Layout,
    users: Vec<UserRow>,
    roles: Vec<(String, String)>,
    units: Vec<(String, String)>,
    /// The new-user form as typed (after a refusal), and why it was refused.
    typed: NewUserTyped,
    refused: Vec<String>,
    q: String,
    total: usize,
    page: usize,
    pages: usize,
    previous: Option<String>,
    next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct UsersQuery {
    #[serde(default)]
    q: String,
    page: Option<usize>,
}

/// The users the administrator manages, searched by login or name (accents
/// ignored), fifty a page.
async fn users_page(
    State(state): State<AppState>,
    authed: Authed,
    Query(query): Query<UsersQuery>,
) -> PageResult {
    users_view(&state, &authed, &query, NewUserTyped::default(), Vec::new()).await
}

/// The users page, with the new-user form as typed and why it was refused
/// (422) when it was.
async fn users_view(
    state: &AppState,
    authed: &Authed,
    query: &UsersQuery,
    typed: NewUserTyped,
    refused: Vec<String>,
) -> PageResult {
    let units = unit_choices(state, authed).await.page(authed)?;
    let users = state
        .app
        .list_users(&authed.caller.principal)
        .await
        .page(authed)?;
    // A search is at most 100 characters (as the field says); more is cut.
    let searched: String = query.q.trim().chars().take(100).collect();
    let needle = baocao_domain::text::fold(&searched);
    let found: Vec<&UserView> = users
        .iter()
        .filter(|u| {
            needle.is_empty()
                || baocao_domain::text::fold(&u.user.username).contains(&needle)
                || baocao_domain::text::fold(&u.user.display_name).contains(&needle)
        })
        .collect();
    let total = found.len();
    let pages = total.div_ceil(USERS_PAGE).max(1);
    let page = query.page.unwrap_or(1).clamp(1, pages);
    let link = |p: usize| {
        format!(
            "/admin/users?q={}&page={p}",
            crate::shared::url::url_encode(&searched)
        )
    };
    let page_html = html(
        UsersPage {
            layout: layout(authed, "/admin/users"),
            users: found
                .iter()
                .skip((page - 1) * USERS_PAGE)
                .take(USERS_PAGE)
                .map(|u| user_row(authed.lang, u))
                .collect(),
            roles: role_choices(authed.lang),
            units,
            typed,
            refused: refused.clone(),
            q: searched.clone(),
            total,
            page,
            pages,
            previous: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
        },
        authed.lang,
    );
    refused_status(page_html, &refused)
}

/// A page shown again after a refused form answers 422.
fn refused_status(page: PageResult, refused: &[String]) -> PageResult {
    let mut response = page?;
    if !refused.is_empty() {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// Why a form was refused, in the caller's words, when the form can be shown
/// again to be corrected (invalid or conflicting input); other errors (not
/// allowed, not found) answer as errors do.
fn refusal(authed: &Authed, e: AppError) -> Result<Vec<String>, crate::error::WebError> {
    match e {
        AppError::Invalid(_) | AppError::Conflict(_) => {
            let body = authed.page_error(e).body();
            let mut lines: Vec<String> = body.error.fields.into_iter().map(|f| f.message).collect();
            if lines.is_empty() {
                lines.push(body.error.message);
            }
            Ok(lines)
        }
        e => Err(authed.page_error(e)),
    }
}

/// The units an administrator may pick, by code with their names (a
/// searchable list: the browser filters it as the code or name is typed).
async fn unit_choices(
    state: &AppState,
    authed: &Authed,
) -> Result<Vec<(String, String)>, AppError> {
    let units = state
        .app
        .search_units(
            &authed.caller.principal,
            None,
            None,
            None,
            Some(baocao_app::today()),
            UNIT_CHOICES,
        )
        .await?;
    Ok(units
        .iter()
        .map(|u| {
            (
                u.code.to_string(),
                format!(
                    "{} — {}",
                    u.name,
                    t(authed.lang, &format!("level.{}", u.level))
                ),
            )
        })
        .collect())
}

/// Units a picker lists at most (a province's units in force; a system-wide
/// administrator types a code or a name to find the others).
const UNIT_CHOICES: u32 = 800;

/// The unit a form names by its code (GSO code, agency code) — as every page
/// shows units — in force today, else the latest that had it (codes are
/// reused across the 2025 reform); blank is none.
async fn unit_by_code(
    state: &AppState,
    authed: &Authed,
    field: &'static str,
    text: &str,
) -> Result<Option<UnitId>, AppError> {
    let code = text.trim();
    if code.is_empty() {
        return Ok(None);
    }
    // No unit code is longer (agency codes are 13 characters): nothing to look up.
    if code.chars().count() > 32 {
        return Err(AppError::field(
            field,
            Message::new("users.error.unknown_unit")
                .arg("value", code.chars().take(32).collect::<String>()),
        ));
    }
    let principal = &authed.caller.principal;
    let today = baocao_app::today();
    for as_of in [Some(today), None] {
        let found = state
            .app
            .search_units(principal, None, Some(code), None, as_of, 50)
            .await?;
        if let Some(unit) = found
            .iter()
            .filter(|u| u.code.as_str() == code)
            .max_by_key(|u| u.validity.from)
        {
            return Ok(Some(unit.id));
        }
    }
    Err(AppError::field(
        field,
        Message::new("users.error.unknown_unit").arg("value", code),
    ))
}

/// An optional role chosen in a form: blank is none.
fn optional_role(text: &str) -> Result<Option<Role>, AppError> {
    match text.trim() {
        "" => Ok(None),
        r => Role::parse(r)
            .map(Some)
            .map_err(|e| AppError::field("role", e.message())),
    }
}

/// The new-user form as typed, but the password (never sent back).
#[derive(Debug, Default)]
struct NewUserTyped {
    username: String,
    display_name: String,
    unit: String,
    role: String,
    locale: String,
}

#[derive(Debug, Deserialize)]
struct NewUserForm {
    username: String,
    display_name: String,
    password: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    locale: String,
    #[serde(default)]
    role: String,
}

async fn users_create(
    State(state): State<AppState>,
    authed: Authed,
    CsrfForm(form): CsrfForm<NewUserForm>,
) -> PageResult {
    let typed = NewUserTyped {
        username: form.username.clone(),
        display_name: form.display_name.clone(),
        unit: form.unit.clone(),
        role: form.role.clone(),
        locale: form.locale.clone(),
    };
    let created = async {
        let unit = unit_by_code(&state, &authed, "unit", &form.unit).await?;
        let role = optional_role(&form.role)?;
        let input = UserInput {
            username: form.username,
            display_name: form.display_name,
            password: form.password,
            unit,
            locale: form.locale,
            role,
        };
        state
            .app
            .create_user(&authed.caller.principal, &input)
            .await
    }
    .await;
    match created {
        Ok(id) => see_other(&format!("/admin/users/{id}?done=created")),
        Err(e) => {
            let lines = refusal(&authed, e)?;
            users_view(&state, &authed, &UsersQuery::default(), typed, lines).await
        }
    }
}

#[derive(Template)]
#[template(path = "user.html")]
struct UserPage {
    layout: Layout,
    user: UserRow,
    grants: Vec<GrantRow>,
    roles: Vec<(String, String)>,
    units: Vec<(String, String)>,
    /// What was just done, said back.
    notice: Option<String>,
    /// A refused form's lines, and the grant form as typed.
    refused: Vec<String>,
    typed: GrantTyped,
}

/// The grant form as typed.
#[derive(Debug, Default)]
struct GrantTyped {
    role: String,
    unit: String,
    system_wide: bool,
}

/// What a user's page says after a change (`?done=created`).
#[derive(Debug, Default, Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

/// The sentence after a change on a user's page; unknown words say nothing.
fn done_notice(lang: Lang, done: &str) -> Option<String> {
    let key = match done {
        "created" => "users.done.created",
        "granted" => "users.done.granted",
        "revoked" => "users.done.revoked",
        "password" => "users.done.password",
        "email" => "users.done.email",
        "locked" => "users.done.locked",
        "unlocked" => "users.done.unlocked",
        _ => return None,
    };
    Some(t(lang, key))
}

async fn user_page(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<UserId>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let notice = q.done.as_deref().and_then(|d| done_notice(authed.lang, d));
    user_view(
        &state,
        &authed,
        id,
        notice,
        Vec::new(),
        GrantTyped::default(),
    )
    .await
}

/// A user's page; after a refused form, with why and what was typed (422).
async fn user_view(
    state: &AppState,
    authed: &Authed,
    id: UserId,
    notice: Option<String>,
    refused: Vec<String>,
    typed: GrantTyped,
) -> PageResult {
    let lang = authed.lang;
    let v = state
        .app
        .user_view(&authed.caller.principal, id)
        .await
        .page(authed)?;
    let units = unit_choices(state, authed).await.page(authed)?;
    let page = html(
        UserPage {
            layout: layout(authed, &format!("/admin/users/{id}")),
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
            units,
            notice,
            refused: refused.clone(),
            typed,
        },
        lang,
    );
    refused_status(page, &refused)
}

#[derive(Debug, Deserialize)]
struct GrantForm {
    role: String,
    #[serde(default)]
    unit: String,
    /// Ticked to grant the role over the whole instance, on purpose.
    #[serde(default)]
    system_wide: String,
}

async fn user_grant(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<UserId>,
    CsrfForm(form): CsrfForm<GrantForm>,
) -> PageResult {
    let typed = GrantTyped {
        role: form.role.clone(),
        unit: form.unit.clone(),
        system_wide: form.system_wide == "1",
    };
    let granted = async {
        let role = Role::parse(&form.role).map_err(|e| AppError::field("role", e.message()))?;
        // System-wide is a choice made on purpose, never a unit left blank.
        let unit = match (form.unit.trim().is_empty(), form.system_wide == "1") {
            (true, true) => None,
            (false, false) => unit_by_code(&state, &authed, "unit", &form.unit).await?,
            (true, false) => {
                return Err(AppError::field(
                    "unit",
                    Message::new("users.error.choose_unit"),
                ))
            }
            (false, true) => {
                return Err(AppError::field(
                    "unit",
                    Message::new("users.error.unit_and_system_wide"),
                ))
            }
        };
        state
            .app
            .grant_role(&authed.caller.principal, id, role, unit)
            .await
    }
    .await;
    match granted {
        Ok(_) => see_other(&format!("/admin/users/{id}?done=granted")),
        Err(e) => {
            let lines = refusal(&authed, e)?;
            user_view(&state, &authed, id, None, lines, typed).await
        }
    }
}

async fn user_revoke(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, grant_id)): Path<(UserId, i64)>,
    CsrfForm(_): CsrfForm<IgnoredAny>,
) -> PageResult {
    state
        .app
        .revoke_role(&authed.caller.principal, id, grant_id)
        .await
        .page(&authed)?;
    see_other(&format!("/admin/users/{id}?done=revoked"))
}

#[derive(Debug, Deserialize)]
struct PasswordForm {
    password: String,
}

async fn user_password(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<UserId>,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> PageResult {
    let set = state
        .app
        .set_password(&authed.caller.principal, id, &form.password, false)
        .await;
    match set {
        Ok(()) => see_other(&format!("/admin/users/{id}?done=password")),
        Err(e) => {
            let lines = refusal(&authed, e)?;
            user_view(&state, &authed, id, None, lines, GrantTyped::default()).await
        }
    }
}

/// An e-mail address; blank removes it.
#[derive(Debug, Deserialize)]
pub(super) struct EmailForm {
    #[serde(default)]
    pub(super) email: String,
}

async fn user_email(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<UserId>,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> PageResult {
    let set = state
        .app
        .set_email(&authed.caller.principal, id, &form.email)
        .await;
    match set {
        Ok(()) => see_other(&format!("/admin/users/{id}?done=email")),
        Err(e) => {
            let lines = refusal(&authed, e)?;
            user_view(&state, &authed, id, None, lines, GrantTyped::default()).await
        }
    }
}

#[derive(Debug, Deserialize)]
struct DisableForm {
    disabled: String,
    /// Ticked to confirm locking the account (a dangerous action).
    #[serde(default)]
    confirm: String,
}

/// Locks (after a confirmation) or unlocks an account.
async fn user_disable(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<UserId>,
    CsrfForm(form): CsrfForm<DisableForm>,
) -> PageResult {
    let lock = form.disabled == "1";
    if lock && form.confirm != "1" {
        let lines = refusal(
            &authed,
            AppError::field("confirm", Message::new("users.error.confirm_lock")),
        )?;
        return user_view(&state, &authed, id, None, lines, GrantTyped::default()).await;
    }
    state
        .app
        .set_disabled(&authed.caller.principal, id, lock)
        .await
        .page(&authed)?;
    let done = if lock { "locked" } else { "unlocked" };
    see_other(&format!("/admin/users/{id}?done={done}"))
}
