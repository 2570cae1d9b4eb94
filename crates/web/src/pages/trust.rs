//! The trust anchors (system administrators): the CA certificates whose
//! chains a digital signature must end in, with a form to add a PEM file and
//! a button to remove one.

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::routing::{get, post};
use axum::Router;
use baocao_app::i18n::{render, Lang};
use baocao_app::AppError;
use baocao_domain::Message;
use serde::de::IgnoredAny;
use serde::Deserialize;

use super::view::{html, layout, read_upload_form, screen_time, see_other, PageResult, UploadForm};
use crate::extract::{ApiResult, Authed, CsrfForm};
use crate::shared::layout::Layout;
use crate::shared::limits::anchor_upload_limit;
use crate::state::AppState;
use baocao_app::forms::FormOutcome;
use baocao_app::signatures::StoredAnchor;

/// The trust anchor routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/trust", get(trust_page))
        .route(
            "/admin/trust",
            post(trust_add).layer(DefaultBodyLimit::max(anchor_upload_limit())),
        )
        .route("/admin/trust/{id}/delete", post(trust_remove))
}

struct AnchorRow {
    id: i64,
    subject: String,
    fingerprint: String,
    not_after: String,
}

#[derive(Template)]
#[template(path = "trust.html")]
struct TrustPage {
    layout: Layout,
    anchors: Vec<AnchorRow>,
    notice: Option<String>,
    problem: Option<String>,
}

#[derive(Debug, Deserialize)]
struct DoneQuery {
    added: Option<usize>,
}

fn render_page(
    authed: &Authed,
    anchors: Vec<StoredAnchor>,
    notice: Option<String>,
    problem: Option<String>,
) -> PageResult {
    html(
        TrustPage {
            layout: layout(authed, "/admin/trust"),
            anchors: anchors
                .into_iter()
                .map(|a| AnchorRow {
                    id: a.id,
                    subject: a.subject,
                    fingerprint: a.fingerprint,
                    not_after: screen_time(a.not_after),
                })
                .collect(),
            notice,
            problem,
        },
        authed.lang,
    )
}

async fn trust_page(
    State(state): State<AppState>,
    authed: Authed,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let notice = q
        .added
        .map(|n| render(authed.lang, &Message::new("trust.added").arg("count", n)));
    let anchors = state
        .app
        .trust_anchors(&authed.caller.principal)
        .await
        .page(&authed)?;
    render_page(&authed, anchors, notice, None)
}

/// Adds the CA certificates of the PEM file sent; a refused file is said
/// over the page and adds nothing.
async fn trust_add(State(state): State<AppState>, authed: Authed, form: Multipart) -> PageResult {
    let lang: Lang = authed.lang;
    let UploadForm { file, .. } = read_upload_form(&authed, form).await?;
    let outcome = state
        .app
        .add_trust_from_form(&authed.caller.principal, file)
        .await
        .page(&authed)?;
    match outcome {
        FormOutcome::Done(added) => see_other(&format!("/admin/trust?added={}", added.len())),
        FormOutcome::Refused {
            error: AppError::Invalid(fields),
            screen,
        } if !fields.is_empty() => {
            let said = render(lang, &fields[0].message);
            render_page(&authed, screen, None, Some(said))
        }
        FormOutcome::Refused { error, .. } => Err(authed.page_error(error)),
    }
}

async fn trust_remove(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<IgnoredAny>,
) -> PageResult {
    state
        .app
        .remove_trust_anchor(&authed.caller.principal, id)
        .await
        .page(&authed)?;
    see_other("/admin/trust")
}
