//! User administration: the list with a form to add a user, and a user's page
//! with their roles, password, e-mail address and whether they may log in.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::Router;
use baocao_app::forms::FormOutcome;
use baocao_app::i18n::{t, Lang};
use baocao_app::users::{UserScreen, UserView, UsersScreen};
use baocao_app::AppError;
use baocao_domain::access::{Role, UserId};
use baocao_domain::unit::OrgUnit;
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
    let screen = state
        .app
        .users_screen(&authed.caller.principal, &query.q, query.page)
        .await
        .page(&authed)?;
    users_view(&authed, screen, NewUserTyped::default(), Vec::new())
}

/// The users page, with the new-user form as typed and why it was refused
/// (422) when it was.
fn users_view(
    authed: &Authed,
    screen: UsersScreen,
    typed: NewUserTyped,
    refused: Vec<String>,
) -> PageResult {
    let link = |p: usize| {
        format!(
            "/admin/users?q={}&page={p}",
            crate::shared::url::url_encode(&screen.search)
        )
    };
    let (page, pages) = (screen.page, screen.pages);
    let page_html = html(
        UsersPage {
            layout: layout(authed, "/admin/users"),
            users: screen
                .users
                .iter()
                .map(|u| user_row(authed.lang, u))
                .collect(),
            roles: role_choices(authed.lang),
            units: unit_choices(authed.lang, &screen.units),
            typed,
            refused: refused.clone(),
            q: screen.search.clone(),
            total: screen.total,
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
fn unit_choices(lang: Lang, units: &[OrgUnit]) -> Vec<(String, String)> {
    units
        .iter()
        .map(|u| {
            (
                u.code.to_string(),
                format!("{} — {}", u.name, t(lang, &format!("level.{}", u.level))),
            )
        })
        .collect()
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
    let form = baocao_app::users::NewUserForm {
        username: form.username,
        display_name: form.display_name,
        password: form.password,
        unit: form.unit,
        locale: form.locale,
        role: form.role,
    };
    match state
        .app
        .create_user_from_form(&authed.caller.principal, &form)
        .await
        .page(&authed)?
    {
        FormOutcome::Done(id) => see_other(&format!("/admin/users/{id}?done=created")),
        FormOutcome::Refused { error, screen } => {
            let lines = refusal(&authed, error)?;
            users_view(&authed, screen, typed, lines)
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
    let screen = state
        .app
        .user_screen(&authed.caller.principal, id)
        .await
        .page(&authed)?;
    user_view(&authed, screen, notice, Vec::new(), GrantTyped::default())
}

/// A user's page; after a refused form, with why and what was typed (422).
fn user_view(
    authed: &Authed,
    screen: UserScreen,
    notice: Option<String>,
    refused: Vec<String>,
    typed: GrantTyped,
) -> PageResult {
    let lang = authed.lang;
    let v = &screen.view;
    let page = html(
        UserPage {
            layout: layout(authed, &format!("/admin/users/{}", v.user.id)),
            user: user_row(lang, v),
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
            units: unit_choices(lang, &screen.units),
            notice,
            refused: refused.clone(),
            typed,
        },
        lang,
    );
    refused_status(page, &refused)
}

/// A form's outcome on a user's page: `done` said back, or the page again
/// with why it was refused.
fn user_form(
    authed: &Authed,
    id: UserId,
    outcome: FormOutcome<(), UserScreen>,
    done: &str,
    typed: GrantTyped,
) -> PageResult {
    match outcome {
        FormOutcome::Done(()) => see_other(&format!("/admin/users/{id}?done={done}")),
        FormOutcome::Refused { error, screen } => {
            let lines = refusal(authed, error)?;
            user_view(authed, screen, None, lines, typed)
        }
    }
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
    let form = baocao_app::users::GrantForm {
        role: form.role,
        unit: form.unit,
        system_wide: form.system_wide == "1",
    };
    let outcome = state
        .app
        .grant_from_form(&authed.caller.principal, id, &form)
        .await
        .page(&authed)?;
    user_form(&authed, id, outcome, "granted", typed)
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
    let outcome = state
        .app
        .reset_password_from_form(&authed.caller.principal, id, &form.password)
        .await
        .page(&authed)?;
    user_form(&authed, id, outcome, "password", GrantTyped::default())
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
    let outcome = state
        .app
        .set_email_from_form(&authed.caller.principal, id, &form.email)
        .await
        .page(&authed)?;
    user_form(&authed, id, outcome, "email", GrantTyped::default())
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
    let outcome = state
        .app
        .set_disabled_from_form(&authed.caller.principal, id, lock, form.confirm == "1")
        .await
        .page(&authed)?;
    let done = if lock { "locked" } else { "unlocked" };
    user_form(&authed, id, outcome, done, GrantTyped::default())
}
