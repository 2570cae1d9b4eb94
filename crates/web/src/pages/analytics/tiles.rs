//! Choosing and ordering the tiles of a unit's dashboard
//! (`/dashboard/{unit}/tiles`), for system and regime administrators over
//! the unit: a position beside each indicator, blank to leave it out.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use baocao_app::analytics::{TileSettings, MAX_TILES};
use baocao_app::i18n::{render, Lang};
use baocao_app::AppError;
use baocao_domain::unit::UnitId;
use serde::Deserialize;

use crate::extract::{ApiResult, Authed, CsrfForm};
use crate::pages::view::{html, layout, see_other, PageResult};
use crate::shared::layout::Layout;
use crate::state::AppState;
use baocao_app::forms::FormOutcome;

#[derive(Debug, Deserialize)]
pub(super) struct SavedQuery {
    saved: Option<String>,
}

struct Choice {
    key: String,
    name: String,
    position: String,
}

#[derive(Template)]
#[template(path = "dashboard_tiles.html")]
struct TilesPage {
    layout: Layout,
    unit: UnitId,
    unit_name: String,
    custom: bool,
    saved: bool,
    max: usize,
    errors: Vec<String>,
    choices: Vec<Choice>,
}

fn page(
    authed: &Authed,
    s: &TileSettings,
    positions: &[(String, String)],
    saved: bool,
    errors: Vec<String>,
) -> PageResult {
    let lang = authed.lang;
    let choices = s
        .choices
        .iter()
        .map(|c| Choice {
            key: c.key.clone(),
            name: lang.pick(&c.name_vi, &c.name_en).to_string(),
            position: positions
                .iter()
                .find(|(k, _)| *k == c.key)
                .map(|(_, p)| p.clone())
                .unwrap_or_default(),
        })
        .collect();
    html(
        TilesPage {
            layout: layout(authed, &format!("/dashboard/{}/tiles", s.unit)),
            unit: s.unit,
            unit_name: s.unit_name.clone(),
            custom: s.custom,
            saved,
            max: MAX_TILES,
            errors,
            choices,
        },
        lang,
    )
}

/// The editor: every indicator with the position of those shown.
pub(super) async fn tiles_page(
    State(state): State<AppState>,
    authed: Authed,
    Path(unit): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let settings = state
        .app
        .dashboard_tiles(&authed.caller.principal, UnitId::new(unit))
        .await
        .page(&authed)?;
    let positions: Vec<(String, String)> = settings
        .chosen
        .iter()
        .enumerate()
        .map(|(i, k)| (k.clone(), (i + 1).to_string()))
        .collect();
    page(
        &authed,
        &settings,
        &positions,
        q.saved.is_some(),
        Vec::new(),
    )
}

/// The cells posted with a position, in the order of their positions (ties
/// in the order of the form); `Err` names a position that is not a number.
fn ordered(pairs: &[(String, String)]) -> Result<Vec<String>, String> {
    let mut placed: Vec<(u32, usize, String)> = Vec::new();
    for (i, (key, value)) in pairs.iter().enumerate() {
        let value = value.trim();
        if key.starts_with('_') || value.is_empty() {
            continue;
        }
        let n: u32 = value.parse().map_err(|_| value.to_string())?;
        placed.push((n, i, key.clone()));
    }
    placed.sort();
    Ok(placed.into_iter().map(|(_, _, k)| k).collect())
}

fn error_lines(lang: Lang, e: &AppError) -> Vec<String> {
    match e {
        AppError::Invalid(fields) => fields.iter().map(|f| render(lang, &f.message)).collect(),
        other => vec![render(lang, &other.message())],
    }
}

/// Saves the chosen tiles (or goes back to the default), then shows the
/// editor again.
pub(super) async fn save_tiles(
    State(state): State<AppState>,
    authed: Authed,
    Path(unit): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let lang = authed.lang;
    let unit = UnitId::new(unit);
    let reset = pairs.iter().any(|(k, _)| k == "_reset");
    let cells = if reset {
        Ok(Vec::new())
    } else {
        ordered(&pairs).map_err(|v| {
            AppError::field(
                "tiles",
                baocao_domain::Message::new("request.bad_number").arg("value", v),
            )
        })
    };
    let outcome = state
        .app
        .set_tiles_from_form(&authed.caller.principal, unit, cells)
        .await
        .page(&authed)?;
    match outcome {
        FormOutcome::Done(()) => see_other(&format!("/dashboard/{unit}/tiles?saved=1")),
        FormOutcome::Refused { error, screen } => {
            let mut response = page(&authed, &screen, &pairs, false, error_lines(lang, &error))?;
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response.into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_order_the_tiles_and_blanks_leave_them_out() {
        let pairs: Vec<(String, String)> = [
            ("_csrf", "x"),
            ("A", "2"),
            ("B", ""),
            ("C", "1"),
            ("D", " 2 "),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(
            ordered(&pairs),
            Ok(vec!["C".to_string(), "A".into(), "D".into()])
        );
        let bad = vec![("A".to_string(), "một".to_string())];
        assert_eq!(ordered(&bad), Err("một".to_string()));
    }
}
