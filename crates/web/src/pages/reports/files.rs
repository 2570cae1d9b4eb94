//! A report's files from its page: the template to fill in as .xlsx, a filled
//! template sent back, attachments added and downloaded. Uploads are
//! multipart forms carrying the CSRF token as their `_csrf` part.

use axum::extract::{Multipart, Path, State};
use baocao_app::i18n::{render, t};
use baocao_app::AppError;
use baocao_domain::report::ReportId;
use baocao_domain::Message;

use super::report::{render_report, Overlay, Panel};
use crate::extract::{ApiResult, Authed};
use crate::pages::view::{problem_lines, read_upload_form, see_other, PageResult, UploadForm};
use crate::shared::downloads::{
    attachment_response, json_response, pdf_response, signature_response, xlsx_response,
};
use crate::state::AppState;
use baocao_app::forms::FormOutcome;
use baocao_app::reports::ReportScreen;

/// The report's template to fill in, in the caller's language.
pub(super) async fn template(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
) -> PageResult {
    let (name, bytes) = state
        .app
        .report_template(&authed.caller.principal, id, authed.lang)
        .await
        .page(&authed)?;
    Ok(xlsx_response(&name, bytes))
}

/// The canonical bytes of a submitted version, to sign with any standard tool.
pub(super) async fn canonical(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, version)): Path<(ReportId, i64)>,
) -> PageResult {
    let (name, bytes) = state
        .app
        .canonical_version(&authed.caller.principal, id, version)
        .await
        .page(&authed)?;
    Ok(json_response(&name, bytes))
}

/// The draft's canonical bytes as the version it becomes: what a unit head
/// signs before submitting.
pub(super) async fn draft_canonical(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
) -> PageResult {
    let (name, bytes) = state
        .app
        .draft_canonical(&authed.caller.principal, id)
        .await
        .page(&authed)?;
    Ok(json_response(&name, bytes))
}

/// The draft's official PDF as the version it becomes, dated today.
pub(super) async fn draft_pdf(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
) -> PageResult {
    let (name, bytes) = state
        .app
        .draft_pdf(&authed.caller.principal, id)
        .await
        .page(&authed)?;
    Ok(pdf_response(&name, bytes))
}

/// A submitted version's official PDF.
pub(super) async fn version_pdf(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, version)): Path<(ReportId, i64)>,
) -> PageResult {
    let (name, bytes) = state
        .app
        .version_pdf(&authed.caller.principal, id, version)
        .await
        .page(&authed)?;
    Ok(pdf_response(&name, bytes))
}

/// A recorded signature's file.
pub(super) async fn signature_file(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, signature)): Path<(ReportId, i64)>,
) -> PageResult {
    let (name, pdf, bytes) = state
        .app
        .signature_file(&authed.caller.principal, id, signature)
        .await
        .page(&authed)?;
    Ok(signature_response(&name, pdf, bytes))
}

/// Submits the draft with the signature file sent (a `.p7s` or the signed
/// official PDF); a refused signature is said over the report, and nothing
/// is stored.
pub(super) async fn submit_signed(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
    form: Multipart,
) -> PageResult {
    let UploadForm { file, .. } = read_upload_form(&authed, form).await?;
    let outcome = state
        .app
        .submit_signed_from_page(&authed.caller.principal, id, file)
        .await
        .page(&authed)?;
    signature_answer(&authed, id, outcome, "submit")
}

/// Adds a signature of a submitted version.
pub(super) async fn sign_version(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, version)): Path<(ReportId, i64)>,
    form: Multipart,
) -> PageResult {
    let UploadForm { file, .. } = read_upload_form(&authed, form).await?;
    let outcome = state
        .app
        .sign_version_from_page(&authed.caller.principal, id, version, file)
        .await
        .page(&authed)?;
    signature_answer(&authed, id, outcome, "signed")
}

/// The report after a signature: said back when recorded; when refused,
/// why, over the report.
fn signature_answer(
    authed: &Authed,
    id: ReportId,
    outcome: FormOutcome<(), ReportScreen>,
    step: &str,
) -> PageResult {
    let (error, screen) = match outcome {
        FormOutcome::Done(()) => {
            return see_other(&format!("/reports/{id}?done={step}#signatures"))
        }
        FormOutcome::Refused { error, screen } => (error, screen),
    };
    let message = match error {
        AppError::Invalid(fields) if !fields.is_empty() => fields[0].message.clone(),
        AppError::Conflict(message) => message,
        e => return Err(authed.page_error(e)),
    };
    let panel = Panel {
        summary: render(authed.lang, &message),
        ..Panel::default()
    };
    let overlay = Overlay {
        panel: Some(panel),
        ..Overlay::default()
    };
    render_report(authed, screen, overlay)
}

/// A filled template sent by the form; a refused file's problems are shown
/// over the report, and nothing of it is saved.
pub(super) async fn upload(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
    form: Multipart,
) -> PageResult {
    let lang = authed.lang;
    let UploadForm { file, .. } = read_upload_form(&authed, form).await?;
    let outcome = state
        .app
        .upload_from_page(&authed.caller.principal, id, file)
        .await
        .page(&authed)?;
    let (error, screen) = match outcome {
        FormOutcome::Done(()) => return see_other(&format!("/reports/{id}?done=uploaded")),
        FormOutcome::Refused { error, screen } => (error, screen),
    };
    match error {
        AppError::DocumentRejected(found) => {
            let lines = problem_lines(lang, &found);
            let summary = Message::new("error.document_rejected").arg("count", lines.len());
            let panel = Panel {
                summary: render(lang, &summary),
                missing_title: t(lang, "report.upload_problems"),
                missing: lines,
                ..Panel::default()
            };
            let overlay = Overlay {
                panel: Some(panel),
                ..Overlay::default()
            };
            render_report(&authed, screen, overlay)
        }
        e => Err(authed.page_error(e)),
    }
}

/// Attaches the file sent to the draft; then the report.
pub(super) async fn attach(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
    form: Multipart,
) -> PageResult {
    let UploadForm { name, file } = read_upload_form(&authed, form).await?;
    state
        .app
        .add_attachment(&authed.caller.principal, id, &name, file)
        .await
        .page(&authed)?;
    see_other(&format!("/reports/{id}"))
}

/// An attachment, as a download.
pub(super) async fn download(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<i64>,
) -> PageResult {
    let (info, bytes) = state
        .app
        .attachment(&authed.caller.principal, id)
        .await
        .page(&authed)?;
    Ok(attachment_response(&info, bytes))
}
