//! The unit tree: roots or search results, and a unit with its ancestors,
//! children and reorganisations, as of a date.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::Router;
use baocao_app::i18n::{render, t, Lang};
use baocao_app::units::UnitDetail;
use baocao_domain::unit::{OrgUnit, UnitId};
use baocao_domain::Message;
use serde::Deserialize;

use super::view::{html, layout, screen_date, PageResult};
use crate::extract::{ApiResult, Authed};
use crate::shared::layout::Layout;
use crate::shared::params::optional_date;
use crate::state::AppState;

/// The unit routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/units", get(units_page))
        .route("/units/{id}", get(unit_page))
}

/// A unit as lists show it.
struct UnitRow {
    id: i64,
    name: String,
    code: String,
    kind: String,
    level: String,
    division_type: String,
    validity_text: String,
    point: String,
}

fn validity_text(lang: Lang, u: &OrgUnit) -> String {
    match (u.validity.from, u.validity.to) {
        (None, None) => String::new(),
        (Some(f), None) => format!("{} {}", t(lang, "unit.since"), screen_date(f)),
        (None, Some(to)) => format!("{} {}", t(lang, "unit.until"), screen_date(to)),
        (Some(f), Some(to)) => format!("{} – {}", screen_date(f), screen_date(to)),
    }
}

fn unit_row(lang: Lang, u: &OrgUnit) -> UnitRow {
    UnitRow {
        id: u.id.get(),
        name: u.name.clone(),
        code: u.code.to_string(),
        kind: t(lang, &format!("unit.kind_{}", u.kind.as_str())),
        level: t(lang, &format!("level.{}", u.level)),
        division_type: u.division_type.clone(),
        validity_text: validity_text(lang, u),
        point: match (u.lat, u.lon) {
            (Some(lat), Some(lon)) => format!("{lat:.4}, {lon:.4}"),
            _ => String::new(),
        },
    }
}

#[derive(Template)]
#[template(path = "units.html")]
struct UnitsPage {
    layout: Layout,
    q: String,
    date: String,
    date_query: String,
    searching: bool,
    units: Vec<UnitRow>,
}

#[derive(Debug, Deserialize)]
struct UnitsQuery {
    q: Option<String>,
    date: Option<String>,
}

/// `?date=…` for links that keep the chosen date.
fn date_query(date: &str) -> String {
    if date.is_empty() {
        String::new()
    } else {
        format!("?date={date}")
    }
}

async fn units_page(
    State(state): State<AppState>,
    authed: Authed,
    Query(q): Query<UnitsQuery>,
) -> PageResult {
    let lang = authed.lang;
    let date_text = q.date.unwrap_or_default();
    let date = optional_date("date", Some(&date_text)).page(&authed)?;
    let text = q.q.unwrap_or_default();
    let searching = !text.trim().is_empty();
    let units = state
        .app
        .units_screen(&authed.caller.principal, &text, date)
        .await
        .page(&authed)?;
    html(
        UnitsPage {
            layout: layout(&authed, "/units"),
            q: text,
            date_query: date_query(&date_text),
            date: date_text,
            searching,
            units: units.iter().map(|u| unit_row(lang, u)).collect(),
        },
        lang,
    )
}

struct ReorgRow {
    text: String,
    other_id: i64,
    other_name: String,
    other_code: String,
}

/// A reorganisation the unit took part in, said from its side: merged or
/// split into another unit, or another merged or split into it.
fn reorg_rows(lang: Lang, d: &UnitDetail) -> Vec<ReorgRow> {
    d.reorgs
        .iter()
        .map(|(e, other)| {
            let key = match (e.old == d.unit.id, e.kind.as_str()) {
                (true, "whole") => "unit.reorg_to_whole",
                (true, _) => "unit.reorg_to_split",
                (false, "whole") => "unit.reorg_from_whole",
                (false, _) => "unit.reorg_from_split",
            };
            ReorgRow {
                text: render(lang, &Message::new(key).arg("date", screen_date(e.date))),
                other_id: other.id.get(),
                other_name: other.name.clone(),
                other_code: other.code.to_string(),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage {
    layout: Layout,
    unit: UnitRow,
    ancestors: Vec<UnitRow>,
    children: Vec<UnitRow>,
    reorgs: Vec<ReorgRow>,
    date: String,
    date_query: String,
}

async fn unit_page(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<UnitId>,
    Query(q): Query<UnitsQuery>,
) -> PageResult {
    let lang = authed.lang;
    let date_text = q.date.unwrap_or_default();
    let date = optional_date("date", Some(&date_text)).page(&authed)?;
    let d = state
        .app
        .unit_detail(&authed.caller.principal, id, date)
        .await
        .page(&authed)?;
    html(
        UnitPage {
            layout: layout(&authed, &format!("/units/{id}")),
            unit: unit_row(lang, &d.unit),
            ancestors: d.ancestors.iter().map(|u| unit_row(lang, u)).collect(),
            children: d.children.iter().map(|u| unit_row(lang, u)).collect(),
            reorgs: reorg_rows(lang, &d),
            date_query: date_query(&date_text),
            date: date_text,
        },
        lang,
    )
}
