//! Report pages: what my units owe and what waits for my review, and a report
//! itself — its forms as an input table (numbers in Vietnamese notation), its
//! outline as text areas, the workflow buttons the caller may use, and every
//! submitted version side by side — with its files and who reported on time.

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use crate::shared::limits::{
    attachment_upload_limit, signature_upload_limit, spreadsheet_upload_limit,
};
use crate::state::AppState;

mod actions;
mod archive;
mod files;
mod history;
mod inbox;
mod lists;
mod report;
mod table;
mod timeliness;

/// The report routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports", get(lists::reports_page))
        .route("/reports/archive", get(archive::archive_page))
        .route("/notifications", get(lists::notifications_page))
        .route("/reports/open", post(lists::open_report))
        .route("/reports/accept-many", post(inbox::accept_many))
        .route("/reports/timeliness", get(timeliness::timeliness_page))
        .route("/reports/timeliness/remind", post(timeliness::remind))
        .route(
            "/reports/timeliness/export.xlsx",
            get(timeliness::timeliness_export),
        )
        .route("/reports/{id}", get(report::report_page))
        .route("/reports/{id}/save", post(actions::save))
        .route(
            "/reports/{id}/submit-signed",
            post(files::submit_signed).layer(DefaultBodyLimit::max(signature_upload_limit())),
        )
        .route(
            "/reports/{id}/versions/{version}/signatures",
            post(files::sign_version).layer(DefaultBodyLimit::max(signature_upload_limit())),
        )
        .route(
            "/reports/{id}/signatures/{signature}",
            get(files::signature_file),
        )
        .route(
            "/reports/{id}/draft/canonical.json",
            get(files::draft_canonical),
        )
        .route("/reports/{id}/draft/official.pdf", get(files::draft_pdf))
        .route(
            "/reports/{id}/versions/{version}/official.pdf",
            get(files::version_pdf),
        )
        // submit, return, accept, correct, recall (static routes take precedence).
        .route("/reports/{id}/{step}", post(actions::workflow_step))
        .route("/reports/{id}/synthesize", post(actions::synthesize))
        .route("/reports/{id}/template.xlsx", get(files::template))
        .route(
            "/reports/{id}/versions/{version}/canonical.json",
            get(files::canonical),
        )
        .route(
            "/reports/{id}/attachments",
            post(files::attach).layer(DefaultBodyLimit::max(attachment_upload_limit())),
        )
        .route("/attachments/{id}", get(files::download))
        .route(
            "/reports/{id}/upload",
            post(files::upload).layer(DefaultBodyLimit::max(spreadsheet_upload_limit())),
        )
}
