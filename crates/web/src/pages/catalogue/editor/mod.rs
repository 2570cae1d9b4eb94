//! The regime editor for regime administrators: a new regime, or a version of
//! one to change or to start a new version from. The posted fields are read
//! into a version ([`fields`], [`reading`]), checked with the whole catalogue
//! and stored; a refused form comes back as it was typed, with the problems.

use askama::Template;
use axum::extract::{Path, Query, State};
use baocao_app::i18n::t;
use baocao_app::AppError;
use serde::Deserialize;

use super::parts::{frequency_key, may_edit, Choice};
use crate::extract::{ApiResult, Authed, CsrfForm};
use crate::pages::view::{html, in_lang, layout, see_other, PageResult};
use crate::shared::layout::Layout;
use crate::shared::url::url_encode;
use crate::state::AppState;
use baocao_app::catalogue::{EditorOutcome, EditorPost, EditorScreen};
use fields::{EditorFields, FREQUENCIES, KINDS};

mod fields;
mod places;
mod reading;

#[derive(Template)]
#[template(path = "regime_edit.html")]
struct EditorPage {
    layout: Layout,
    is_new: bool,
    /// Starting a new version of an existing regime (not changing one).
    new_version: bool,
    severities: Vec<Choice>,
    sources: Vec<Choice>,
    f: EditorFields,
    levels: Vec<Choice>,
    kinds: Vec<Choice>,
    frequencies: Vec<Choice>,
    problems: Vec<String>,
    indicators: Vec<(String, String)>,
}

/// The editor showing `fields`, with the problems of the last try.
fn editor(
    authed: &Authed,
    screen: EditorScreen,
    (is_new, new_version): (bool, bool),
    fields: EditorFields,
    problems: Vec<String>,
) -> PageResult {
    let lang = authed.lang;
    if !may_edit(authed) {
        return Err(authed.page_error(AppError::Forbidden));
    }
    let EditorScreen { levels, meta, .. } = screen;
    let here = if is_new {
        "/regimes/new".to_string()
    } else {
        format!("/regimes/{}/edit", fields.code)
    };
    let choice = |value: &str, key: &str, selected: &str| Choice {
        value: value.to_string(),
        label: t(lang, key),
        selected: value == selected,
    };
    html(
        EditorPage {
            layout: layout(authed, &here),
            is_new,
            new_version,
            severities: vec![
                choice("error", "regime.severity_error", ""),
                choice("warning", "regime.severity_warning", ""),
            ],
            sources: fields::SOURCES
                .iter()
                .map(|s| choice(s, &format!("column_source.{s}"), ""))
                .collect(),
            levels: levels
                .into_iter()
                .map(|l| Choice {
                    label: t(lang, &format!("level.{l}")),
                    value: l,
                    selected: false,
                })
                .collect(),
            kinds: KINDS
                .iter()
                .map(|(value, kind)| choice(value, kind.key(), &fields.kind))
                .collect(),
            frequencies: FREQUENCIES
                .iter()
                .map(|(value, f)| choice(value, frequency_key(*f), &fields.frequency))
                .collect(),
            f: fields,
            problems,
            indicators: meta
                .indicators
                .iter()
                .map(|i| {
                    (
                        i.code.clone(),
                        in_lang(lang, &i.name_vi, &i.name_en).to_string(),
                    )
                })
                .collect(),
        },
        lang,
    )
}

/// A blank editor for a new regime.
pub(super) async fn new_regime(State(state): State<AppState>, authed: Authed) -> PageResult {
    let screen = state.app.editor_screen(None).await.page(&authed)?;
    editor(
        &authed,
        screen,
        (true, false),
        EditorFields::blank(),
        Vec::new(),
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct EditQuery {
    version: Option<usize>,
    /// `new`: start a new version from the chosen one.
    mode: Option<String>,
}

/// The editor filled with a version (the newest unless `?version=N`).
pub(super) async fn edit_regime(
    State(state): State<AppState>,
    authed: Authed,
    Path(code): Path<String>,
    Query(query): Query<EditQuery>,
) -> PageResult {
    let screen = state.app.editor_screen(Some(&code)).await.page(&authed)?;
    let regime = screen
        .regime
        .clone()
        .ok_or(AppError::NotFound)
        .page(&authed)?;
    let number = query.version.unwrap_or(regime.versions.len());
    let version = regime
        .version(number)
        .ok_or(AppError::NotFound)
        .page(&authed)?;
    let mut fields = EditorFields::of(&code, version);
    let new_version = query.mode.as_deref() == Some("new");
    if new_version {
        fields.from.clear();
    }
    editor(&authed, screen, (false, new_version), fields, Vec::new())
}

/// Saves the posted version; then the regime's page.
pub(super) async fn save_regime(
    State(state): State<AppState>,
    authed: Authed,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let lang = authed.lang;
    let posted = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let is_new = posted("is_new") == Some("1");
    let mode = (is_new, posted("mode") == Some("new"));
    let fields = EditorFields::from_pairs(&pairs);
    // A row button (add, move, remove): the editor again, nothing saved.
    let op = posted("op");
    let post = match op {
        Some(_) => EditorPost::Rearranged,
        None => EditorPost::Save(fields.to_version().map(Box::new)),
    };
    let outcome = state
        .app
        .post_regime_editor(&authed.caller.principal, &fields.code, post, is_new)
        .await
        .page(&authed)?;
    match outcome {
        EditorOutcome::Saved => see_other(&format!("/regimes/{}", url_encode(&fields.code))),
        EditorOutcome::Shown { screen, problems } => {
            let mut shown = fields.clone().padded();
            if let Some(op) = op {
                shown.operate(op);
            }
            let lines = places::attach(lang, &mut shown, &problems);
            editor(&authed, screen, mode, shown, lines)
        }
    }
}
