//! The browser UI: server-rendered pages that work without JavaScript, a module
//! per resource as in `api/`, each with its routes. Every form that changes
//! something carries the session's CSRF token and is read with
//! [`crate::extract::CsrfForm`]; a handler then calls one use case and either
//! goes back to a page (`view::see_other`) or shows the form again with what
//! was refused.

use axum::Router;

use crate::state::AppState;

mod account;
mod analytics;
mod calendar;
mod catalogue;
mod reports;
mod session;
mod trust;
mod units;
mod users;
mod view;

/// The page routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(session::routes())
        .merge(units::routes())
        .merge(users::routes())
        .merge(account::routes())
        .merge(calendar::routes())
        .merge(trust::routes())
        .merge(catalogue::routes())
        .merge(reports::routes())
        .merge(analytics::routes())
}
