//! The signed-in user's own account page: their e-mail address and API tokens.

use askama::Template;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::Router;
use serde::de::IgnoredAny;
use serde::Deserialize;

use super::users::EmailForm;
use super::view::{html, layout, screen_time, see_other, PageResult};
use crate::extract::{ApiResult, Authed, CsrfForm};
use crate::shared::layout::Layout;
use crate::state::AppState;
use baocao_app::account::AccountScreen;

/// The account routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account", get(account_page))
        .route("/account/email", post(account_email))
        .route("/account/tokens", get(account_page).post(tokens_create))
        .route("/account/tokens/{id}/revoke", post(tokens_revoke))
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
struct AccountPage {
    layout: Layout,
    tokens: Vec<TokenRow>,
    new_secret: Option<String>,
    email: String,
    email_saved: bool,
}

/// What the account page says besides the account: a token just created
/// (its secret, shown once) or an address just saved.
#[derive(Default)]
struct JustDone {
    new_secret: Option<String>,
    email_saved: bool,
}

fn render_account(authed: &Authed, screen: AccountScreen, done: JustDone) -> PageResult {
    html(
        AccountPage {
            layout: layout(authed, "/account"),
            tokens: screen
                .tokens
                .into_iter()
                .map(|tk| TokenRow {
                    id: tk.id,
                    name: tk.name,
                    created: screen_time(tk.created_at),
                    last_used: tk.last_used_at.map(screen_time).unwrap_or_default(),
                    revoked: tk.revoked_at.is_some(),
                })
                .collect(),
            new_secret: done.new_secret,
            email: screen.email.unwrap_or_default(),
            email_saved: done.email_saved,
        },
        authed.lang,
    )
}

async fn account_page(State(state): State<AppState>, authed: Authed) -> PageResult {
    let screen = state
        .app
        .account_screen(&authed.caller.principal)
        .await
        .page(&authed)?;
    render_account(&authed, screen, JustDone::default())
}

/// The signed-in user's own e-mail address.
async fn account_email(
    State(state): State<AppState>,
    authed: Authed,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> PageResult {
    let screen = state
        .app
        .set_own_email(&authed.caller.principal, &form.email)
        .await
        .page(&authed)?;
    let done = JustDone {
        email_saved: true,
        ..JustDone::default()
    };
    render_account(&authed, screen, done)
}

#[derive(Debug, Deserialize)]
struct TokenForm {
    name: String,
}

async fn tokens_create(
    State(state): State<AppState>,
    authed: Authed,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> PageResult {
    let (secret, screen) = state
        .app
        .create_own_token(&authed.caller.principal, &form.name)
        .await
        .page(&authed)?;
    let done = JustDone {
        new_secret: Some(secret),
        ..JustDone::default()
    };
    render_account(&authed, screen, done)
}

async fn tokens_revoke(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<IgnoredAny>,
) -> PageResult {
    state
        .app
        .revoke_token(&authed.caller.principal, id)
        .await
        .page(&authed)?;
    see_other("/account/tokens")
}
