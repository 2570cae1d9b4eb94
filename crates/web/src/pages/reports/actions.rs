//! What the report page's forms do: save the draft (shown again over the
//! report when refused or when someone saved in between), the workflow buttons,
//! and synthesis from the units reporting to this one.

use axum::extract::{Path, State};
use baocao_app::forms::FormOutcome;
use baocao_app::i18n::{render, t, Lang};
use baocao_app::reports::{PageStep, SynthesisView};
use baocao_app::AppError;
use baocao_domain::report::{Content, ReportId, Status};
use baocao_domain::Message;
use serde::de::IgnoredAny;
use serde::Deserialize;

use super::report::{render_report, Overlay, Panel};
use super::table::display;
use crate::extract::{ApiResult, Authed, CsrfForm};
use crate::pages::view::{see_other, PageResult};
use crate::state::AppState;

/// The draft's fields: `v:CELL` values, `s:NUMBER` sections and `x:RULE`
/// explanations of warnings.
fn posted_content(pairs: &[(String, String)]) -> Content {
    let mut content = Content::default();
    for (k, v) in pairs {
        if let Some(cell) = k.strip_prefix("v:") {
            content.values.insert(cell.to_string(), v.clone());
        } else if let Some(number) = k.strip_prefix("s:") {
            content.sections.insert(number.to_string(), v.clone());
        } else if let Some(code) = k.strip_prefix("x:") {
            content.explanations.insert(code.to_string(), v.clone());
        }
    }
    content
}

/// The revision the form was drawn from, for the save to refuse overwriting
/// a newer one.
fn posted_revision(pairs: &[(String, String)]) -> Option<i64> {
    pairs
        .iter()
        .find(|(k, _)| k == "revision")
        .and_then(|(_, v)| v.trim().parse::<i64>().ok())
}

/// Saves the draft; then the report. Refused values are shown cell by cell
/// over the report, as typed.
pub(super) async fn save(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let lang = authed.lang;
    let content = posted_content(&pairs);
    let base = posted_revision(&pairs);
    let outcome = state
        .app
        .save_from_page(&authed.caller.principal, id, &content, base)
        .await
        .page(&authed)?;
    let (error, screen) = match outcome {
        FormOutcome::Done(()) => return see_other(&format!("/reports/{id}?done=saved")),
        FormOutcome::Refused { error, screen } => (error, screen),
    };
    let typed = Some(content);
    let overlay = match error {
        // Someone saved in between: show what this user typed over the
        // current report, with the new revision, to check and save again.
        AppError::Conflict(message) if message.key == "report.error.edited_elsewhere" => Overlay {
            typed,
            panel: Some(Panel {
                summary: render(lang, &message),
                ..Panel::default()
            }),
            ..Overlay::default()
        },
        AppError::DocumentRejected(found) => Overlay {
            typed,
            problems: found
                .into_iter()
                .map(|p| (p.path, render(lang, &p.message)))
                .collect(),
            ..Overlay::default()
        },
        e => return Err(authed.page_error(e)),
    };
    render_report(&authed, screen, overlay)
}

/// A workflow form: a reason for returning, correcting or recalling.
#[derive(Debug, Deserialize)]
pub(super) struct ReasonForm {
    #[serde(default)]
    reason: String,
    /// Ticked to confirm a submission (the page asks; the API does not).
    #[serde(default)]
    confirm: String,
}

/// One workflow button: `submit`, `return` (with a reason), `accept`,
/// `correct` or `recall` (with a reason); then back to the report.
pub(super) async fn workflow_step(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, step)): Path<(ReportId, String)>,
    CsrfForm(form): CsrfForm<ReasonForm>,
) -> PageResult {
    let taken = PageStep::named(&step, form.reason, form.confirm == "1")
        .ok_or(AppError::NotFound)
        .page(&authed)?;
    state
        .app
        .take_page_step(&authed.caller.principal, id, taken)
        .await
        .page(&authed)?;
    see_other(&format!("/reports/{id}?done={step}"))
}

/// What a synthesis did: how many reports it added up, which units are
/// missing (with their status), which cells changed and who contributed.
fn synthesis_panel(lang: Lang, done: &SynthesisView) -> Panel {
    let missing = done
        .expected
        .iter()
        .filter(|c| c.status != Some(Status::Accepted))
        .map(|c| {
            let status = c
                .status
                .map(|s| t(lang, s.key()))
                .unwrap_or_else(|| t(lang, "report.not_started"));
            format!("{} — {status}", c.name)
        })
        .collect();
    let summary = Message::new("report.synthesis_summary")
        .arg("aggregated", done.aggregated)
        .arg("expected", done.expected.len());
    Panel {
        missing_title: t(lang, "report.synthesis_missing"),
        summary: render(lang, &summary),
        missing,
        changed: done
            .changed
            .iter()
            .map(|(cell, before, after)| {
                let before = before.as_deref().map(display);
                format!(
                    "{cell}: {} → {}",
                    before.unwrap_or_else(|| "—".into()),
                    display(after)
                )
            })
            .collect(),
        contributors: done
            .contributors
            .iter()
            .map(|(cell, units)| format!("{cell} ({}): {}", units.len(), units.join(", ")))
            .collect(),
    }
}

/// Fills the draft from the accepted reports of the units reporting to this
/// one; then the report with what the synthesis did.
pub(super) async fn synthesize(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
    CsrfForm(_): CsrfForm<IgnoredAny>,
) -> PageResult {
    let (done, screen) = state
        .app
        .synthesize_from_page(&authed.caller.principal, id)
        .await
        .page(&authed)?;
    let overlay = Overlay {
        panel: Some(synthesis_panel(authed.lang, &done)),
        ..Overlay::default()
    };
    render_report(&authed, screen, overlay)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn a_posted_draft_is_read_by_prefix() {
        let pairs: Vec<(String, String)> = [
            ("_csrf", "t"),
            ("revision", " 7 "),
            ("v:LD01", "1.234"),
            ("s:I", "Kết quả"),
            ("x:R1", "Vì mưa lũ"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let content = posted_content(&pairs);
        assert_eq!(posted_revision(&pairs), Some(7));
        assert_eq!(
            content.values,
            BTreeMap::from([("LD01".into(), "1.234".into())])
        );
        assert_eq!(content.sections["I"], "Kết quả");
        assert_eq!(content.explanations["R1"], "Vì mưa lũ");
    }
}
