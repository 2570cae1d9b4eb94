//! User administration through the API.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use baocao_app::users::UserInput;
use baocao_app::AppError;
use baocao_domain::access::{Role, UserId};
use baocao_domain::unit::UnitId;

use super::doc::{Busy, JsonBodyErrors};
use super::dto::{Created, EmailRequest, GrantRequest, NewUserRequest, PasswordRequest, UserDto};
use crate::error::{ErrorBody, WebError};
use crate::extract::{ApiJson, Authed};
use crate::state::AppState;

/// Users the caller manages.
#[utoipa::path(get, path = "/api/v1/users", operation_id = "list_users", tag = "users", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = [UserDto]),
        (status = 403, body = ErrorBody, description = "The caller manages users nowhere (code `forbidden`)")))]
pub async fn list(
    State(state): State<AppState>,
    authed: Authed,
) -> Result<Json<Vec<UserDto>>, WebError> {
    let users = state
        .app
        .list_users(&authed.caller.principal)
        .await
        .map_err(|e| authed.api_error(e))?;
    Ok(Json(users.iter().map(UserDto::from).collect()))
}

/// Creates a user at a unit the caller manages.
#[utoipa::path(post, path = "/api/v1/users", operation_id = "create_user", request_body = NewUserRequest, tag = "users",
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = Created),
        (status = 403, body = ErrorBody, description = "The caller may not manage users at this unit (code `forbidden`), or the CSRF token is missing (code `csrf`)"),
        JsonBodyErrors,
        (status = 422, body = ErrorBody, description = "Refused (code `invalid`, by field): a malformed or taken user name, a blank name, a short password, a unit the caller does not see"),
        Busy))]
pub async fn create(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(body): ApiJson<NewUserRequest>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let role = body
        .role
        .as_deref()
        .map(Role::parse)
        .transpose()
        .map_err(|e| authed.api_error(AppError::field("role", e.message())))?;
    let input = UserInput {
        username: body.username,
        display_name: body.display_name,
        password: body.password,
        unit: body.unit_id.map(UnitId::new),
        locale: body.locale,
        role,
    };
    let id = state
        .app
        .create_user(&authed.caller.principal, &input)
        .await
        .map_err(|e| authed.api_error(e))?;
    Ok((StatusCode::CREATED, Json(Created { id: id.get() })))
}

/// Grants a role on a unit subtree (or system-wide).
#[utoipa::path(post, path = "/api/v1/users/{id}/grants", request_body = GrantRequest, tag = "users",
    params(("id" = i64, Path, description = "User id")), security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = Created),
        (status = 403, body = ErrorBody, description = "The caller may not manage users at this unit (code `forbidden`), or the CSRF token is missing (code `csrf`)"),
        (status = 404, body = ErrorBody, description = "No such user, or one the caller does not manage"),
        (status = 409, body = ErrorBody, description = "The user already has this grant (code `conflict`)"),
        JsonBodyErrors,
        (status = 422, body = ErrorBody, description = "Refused (code `invalid`): a unit the caller does not see")))]
pub async fn grant(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<UserId>,
    ApiJson(body): ApiJson<GrantRequest>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let role = Role::parse(&body.role)
        .map_err(|e| authed.api_error(AppError::field("role", e.message())))?;
    let grant = state
        .app
        .grant_role(
            &authed.caller.principal,
            id,
            role,
            body.unit_id.map(UnitId::new),
        )
        .await
        .map_err(|e| authed.api_error(e))?;
    Ok((StatusCode::CREATED, Json(Created { id: grant })))
}

/// Removes a grant.
#[utoipa::path(delete, path = "/api/v1/users/{id}/grants/{grant_id}", operation_id = "revoke_grant", tag = "users",
    params(("id" = i64, Path, description = "User id"), ("grant_id" = i64, Path, description = "Grant id")), security(("bearer" = []), ("session" = [])),
    responses((status = 204, description = "Revoked"),
        (status = 404, body = ErrorBody, description = "No such user or grant, or a user the caller does not manage")))]
pub async fn revoke(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, grant_id)): Path<(UserId, i64)>,
) -> Result<StatusCode, WebError> {
    state
        .app
        .revoke_role(&authed.caller.principal, id, grant_id)
        .await
        .map_err(|e| authed.api_error(e))?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets a user's password: ends its sessions and revokes its API tokens
/// (unless `keep_tokens`).
#[utoipa::path(put, path = "/api/v1/users/{id}/password", request_body = PasswordRequest, tag = "users",
    params(("id" = i64, Path, description = "User id")), security(("bearer" = []), ("session" = [])),
    responses((status = 204, description = "Set"),
        (status = 404, body = ErrorBody, description = "No such user, or one the caller does not manage"),
        JsonBodyErrors,
        (status = 422, body = ErrorBody, description = "Refused (code `invalid`): a password too short or too long"),
        Busy))]
pub async fn password(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<UserId>,
    ApiJson(body): ApiJson<PasswordRequest>,
) -> Result<StatusCode, WebError> {
    state
        .app
        .set_password(
            &authed.caller.principal,
            id,
            &body.password,
            body.keep_tokens,
        )
        .await
        .map_err(|e| authed.api_error(e))?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets or clears a user's e-mail address (for e-mail notifications): the user
/// themself or an administrator of their unit.
#[utoipa::path(put, path = "/api/v1/users/{id}/email", request_body = EmailRequest, tag = "users",
    params(("id" = i64, Path, description = "User id")), security(("bearer" = []), ("session" = [])),
    responses((status = 204, description = "Set"),
        (status = 404, body = ErrorBody, description = "No such user, or one the caller does not manage"),
        JsonBodyErrors,
        (status = 422, body = ErrorBody, description = "Refused (code `invalid`): not an e-mail address")))]
pub async fn email(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<UserId>,
    ApiJson(body): ApiJson<EmailRequest>,
) -> Result<StatusCode, WebError> {
    state
        .app
        .set_email(
            &authed.caller.principal,
            id,
            body.email.as_deref().unwrap_or(""),
        )
        .await
        .map_err(|e| authed.api_error(e))?;
    Ok(StatusCode::NO_CONTENT)
}

/// The user routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/users", get(list).post(create))
        .route("/api/v1/users/{id}/grants", post(grant))
        .route("/api/v1/users/{id}/grants/{grant_id}", delete(revoke))
        .route("/api/v1/users/{id}/password", put(password))
        .route("/api/v1/users/{id}/email", put(email))
}
