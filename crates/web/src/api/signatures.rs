//! Digital signatures through the API: what to sign (the draft's canonical
//! bytes, a version's official PDF), a submission that carries its
//! signature, a signature added to a submitted version, and the recorded
//! signatures. A signature file is the request body as it is: a detached
//! CMS/CAdES signature (`.p7s`, DER or PEM) over the canonical bytes, or the
//! official PDF signed with PAdES.

use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use baocao_app::signatures::SignatureInfo;
use baocao_domain::report::ReportId;
use serde::Serialize;
use utoipa::ToSchema;

use super::doc::{Busy, FileBytes};
use super::reports::FileErrors;
use crate::error::{ErrorBody, WebError};
use crate::extract::{ApiResult, Authed};
use crate::shared::downloads::{json_response, pdf_response};
use crate::shared::limits::signature_upload_limit;
use crate::state::AppState;

/// A verified signature as recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignatureDto {
    /// Id.
    pub id: i64,
    /// The version signed.
    pub version: i64,
    /// `cms` (a .p7s over the canonical bytes) or `pades` (the signed official PDF).
    pub kind: String,
    /// Always `valid`: a refused signature is never recorded.
    pub verdict: &'static str,
    /// The signer (the certificate's common name).
    pub signer: String,
    /// The certificate's subject.
    pub subject: String,
    /// The certificate's serial number (hex).
    pub serial: String,
    /// The issuing CA.
    pub issuer: String,
    /// The signing time the signature states (Unix seconds).
    pub signed_at: Option<i64>,
    /// Digest algorithm (`SHA-256`).
    pub digest: String,
    /// Key (`RSA 2048`, `ECDSA 256`).
    pub key: String,
    /// SHA-256 of the file (hex).
    pub sha256: String,
    /// When it was recorded (Unix seconds).
    pub uploaded_at: i64,
}

impl From<SignatureInfo> for SignatureDto {
    fn from(s: SignatureInfo) -> Self {
        SignatureDto {
            id: s.id,
            version: s.version,
            kind: s.kind,
            verdict: "valid",
            signer: s.signer,
            subject: s.subject,
            serial: s.serial,
            issuer: s.issuer,
            signed_at: s.signed_at,
            digest: s.digest,
            key: s.key,
            sha256: s.sha256,
            uploaded_at: s.uploaded_at,
        }
    }
}

/// A submission with its signature.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignedSubmission {
    /// The version number just frozen.
    pub version: i64,
    /// Whether it met the deadline.
    pub on_time: bool,
    /// The signature recorded with it.
    pub signature: SignatureDto,
}

/// The draft's canonical bytes as the version it becomes: what the unit head
/// signs before submitting (docs/canonical-format.md).
#[utoipa::path(get, path = "/api/v1/reports/{id}/draft/canonical", tag = "reports", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "Report id")),
    responses((status = 200, description = "The canonical bytes", body = Object, content_type = "application/json"),
        (status = 403, body = ErrorBody, description = "The caller reads the report but does not prepare it (code `forbidden`)"),
        (status = 404, body = ErrorBody, description = "No such report, or one the caller may not read")))]
pub async fn draft_canonical(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
) -> Result<axum::response::Response, WebError> {
    let (name, bytes) = state
        .app
        .draft_canonical(&authed.caller.principal, id)
        .await
        .api(&authed)?;
    Ok(json_response(&name, bytes))
}

/// A submitted version's official PDF (Decree 30 layout; the same bytes
/// every time).
#[utoipa::path(get, path = "/api/v1/reports/{id}/versions/{version}/pdf", tag = "reports", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "Report id"), ("version" = i64, Path, minimum = 1, description = "Version number")),
    responses((status = 200, description = "The PDF", body = FileBytes, content_type = "application/pdf"),
        (status = 404, body = ErrorBody, description = "No such report or version, or one the caller may not read"),
        Busy))]
pub async fn version_pdf(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, version)): Path<(ReportId, i64)>,
) -> Result<axum::response::Response, WebError> {
    let (name, bytes) = state
        .app
        .version_pdf(&authed.caller.principal, id, version)
        .await
        .api(&authed)?;
    Ok(pdf_response(&name, bytes))
}

/// Submits the draft with its signature (the request body): it must sign
/// the draft as the version it becomes, chained to a configured trust
/// anchor. A refusal says why in `fields` (field `signature`) and stores
/// nothing.
#[utoipa::path(post, path = "/api/v1/reports/{id}/submit-signed", tag = "reports", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "Report id")),
    request_body(content = FileBytes, content_type = "application/octet-stream",
        description = "A .p7s (DER or PEM) over the draft's canonical bytes, or the signed official PDF"),
    responses((status = 200, body = SignedSubmission), FileErrors, Busy))]
pub async fn submit_signed(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
    body: axum::body::Bytes,
) -> Result<Json<SignedSubmission>, WebError> {
    let (version, on_time, info) = state
        .app
        .submit_signed(&authed.caller.principal, id, body.into())
        .await
        .api(&authed)?;
    Ok(Json(SignedSubmission {
        version,
        on_time,
        signature: info.into(),
    }))
}

/// Adds a signature (the request body) to a submitted version.
#[utoipa::path(post, path = "/api/v1/reports/{id}/versions/{version}/signatures", tag = "reports", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "Report id"), ("version" = i64, Path, minimum = 1, description = "Version number")),
    request_body(content = FileBytes, content_type = "application/octet-stream",
        description = "A .p7s (DER or PEM) over the version's canonical bytes, or its signed official PDF"),
    responses((status = 201, body = SignatureDto), FileErrors, Busy))]
pub async fn sign_version(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, version)): Path<(ReportId, i64)>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<SignatureDto>), WebError> {
    let info = state
        .app
        .sign_version(&authed.caller.principal, id, version, body.into())
        .await
        .api(&authed)?;
    Ok((StatusCode::CREATED, Json(info.into())))
}

/// A report's recorded signatures.
#[utoipa::path(get, path = "/api/v1/reports/{id}/signatures", tag = "reports", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "Report id")),
    responses((status = 200, body = [SignatureDto]),
        (status = 404, body = ErrorBody, description = "No such report, or one the caller may not read")))]
pub async fn signatures(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
) -> Result<Json<Vec<SignatureDto>>, WebError> {
    let list = state
        .app
        .report_signatures(&authed.caller.principal, id)
        .await
        .api(&authed)?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// The signature routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/reports/{id}/draft/canonical", get(draft_canonical))
        .route(
            "/api/v1/reports/{id}/versions/{version}/pdf",
            get(version_pdf),
        )
        .route(
            "/api/v1/reports/{id}/submit-signed",
            post(submit_signed).layer(DefaultBodyLimit::max(signature_upload_limit())),
        )
        .route(
            "/api/v1/reports/{id}/versions/{version}/signatures",
            post(sign_version).layer(DefaultBodyLimit::max(signature_upload_limit())),
        )
        .route("/api/v1/reports/{id}/signatures", get(signatures))
}
