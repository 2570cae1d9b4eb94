//! API tokens of the caller.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::doc::JsonBodyErrors;
use crate::error::{ErrorBody, WebError};
use crate::extract::{ApiJson, Authed};
use crate::state::AppState;

/// A token as listed (the secret is shown only once, at creation).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenDto {
    /// Identity.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Created (Unix seconds).
    pub created_at: i64,
    /// Last used (Unix seconds).
    pub last_used_at: Option<i64>,
    /// Revoked (Unix seconds).
    pub revoked_at: Option<i64>,
}

/// A token to create.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewTokenRequest {
    /// What it is for (not blank, at most 100 characters).
    #[schema(pattern = "\\S", max_length = 100)]
    pub name: String,
}

/// A created token with its secret.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedToken {
    /// Identity.
    pub id: i64,
    /// Send as `Authorization: Bearer <token>`. Shown once.
    pub token: String,
}

/// The caller's tokens.
#[utoipa::path(get, path = "/api/v1/tokens", operation_id = "list_tokens", tag = "tokens", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = [TokenDto])))]
pub async fn list(
    State(state): State<AppState>,
    authed: Authed,
) -> Result<Json<Vec<TokenDto>>, WebError> {
    let tokens = state
        .app
        .list_tokens(&authed.caller.principal)
        .await
        .map_err(|e| authed.api_error(e))?;
    Ok(Json(
        tokens
            .into_iter()
            .map(|t| TokenDto {
                id: t.id,
                name: t.name,
                created_at: t.created_at,
                last_used_at: t.last_used_at,
                revoked_at: t.revoked_at,
            })
            .collect(),
    ))
}

/// Creates a token for the caller.
#[utoipa::path(post, path = "/api/v1/tokens", operation_id = "create_token", request_body = NewTokenRequest, tag = "tokens",
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = CreatedToken),
        (status = 409, body = ErrorBody, description = "The caller has as many live tokens as allowed (code `conflict`)"),
        JsonBodyErrors))]
pub async fn create(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(body): ApiJson<NewTokenRequest>,
) -> Result<(StatusCode, Json<CreatedToken>), WebError> {
    let (id, token) = state
        .app
        .create_token(&authed.caller.principal, &body.name)
        .await
        .map_err(|e| authed.api_error(e))?;
    Ok((StatusCode::CREATED, Json(CreatedToken { id, token })))
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", operation_id = "revoke_token", tag = "tokens",
    params(("id" = i64, Path, description = "Token id")), security(("bearer" = []), ("session" = [])),
    responses((status = 204, description = "Revoked"),
        (status = 404, body = ErrorBody, description = "No such token of the caller")))]
pub async fn revoke(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    state
        .app
        .revoke_token(&authed.caller.principal, id)
        .await
        .map_err(|e| authed.api_error(e))?;
    Ok(StatusCode::NO_CONTENT)
}

/// The token routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tokens", get(list).post(create))
        .route("/api/v1/tokens/{id}", delete(revoke))
}
