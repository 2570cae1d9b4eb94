//! The dashboard pages: `/dashboard` (the caller's own unit),
//! `/dashboard/{unit}`, and the same full-screen for the leaders' screen wall
//! (`/dashboard/{unit}/wall`), which reloads itself and moves to the next
//! panel every half minute.

use askama::Template;
use axum::extract::{Path, Query, State};
use baocao_app::analytics::{Dashboard, DashboardQuery};
use baocao_app::i18n::{render, t, Lang};
use baocao_domain::unit::UnitId;
use baocao_domain::Message;
use serde::Deserialize;

use super::board::{board_view, BoardView};
use super::maps::MapKind;
use crate::extract::{ApiResult, Authed};
use crate::pages::view::{html, layout, screen_time, PageResult};
use crate::shared::layout::{Layout, Tr};
use crate::shared::url::url_encode;
use crate::state::AppState;

/// Seconds between two panels of the wall.
pub const WALL_SECONDS: u32 = 30;

#[derive(Debug, Default, Deserialize)]
pub(super) struct BoardQuery {
    focus: Option<String>,
    map: Option<String>,
    panel: Option<usize>,
}

/// A link.
pub struct Link {
    /// Where.
    pub href: String,
    /// Text.
    pub label: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    unit_name: String,
    trail: Vec<Link>,
    roots: Vec<Link>,
    as_of: String,
    view: BoardView,
    tiles_href: Option<String>,
    wall_href: String,
    pivot_href: String,
    discrepancies_href: String,
    map_links: Vec<(Link, bool)>,
    custom_tiles: bool,
    table_label: String,
}

fn dashboard_query(unit: Option<UnitId>, q: &BoardQuery) -> DashboardQuery {
    DashboardQuery {
        unit,
        focus: q.focus.clone().filter(|f| !f.trim().is_empty()),
    }
}

fn as_of(lang: Lang, board: &Dashboard) -> String {
    render(
        lang,
        &Message::new("dashboard.as_of")
            .arg("time", screen_time(baocao_app::now()))
            .arg("seq", board.as_of),
    )
}

fn focus_key(board: &Dashboard) -> String {
    board
        .tiles
        .get(board.focus)
        .map(|t| t.cell.key.clone())
        .unwrap_or_default()
}

async fn show(state: AppState, authed: Authed, unit: Option<UnitId>, q: BoardQuery) -> PageResult {
    let lang = authed.lang;
    let board = state
        .app
        .dashboard(&authed.caller.principal, dashboard_query(unit, &q))
        .await
        .page(&authed)?;
    let kind = MapKind::parse(q.map.as_deref());
    let id = board.unit.id;
    let focus = url_encode(&focus_key(&board));
    let here = format!("/dashboard/{id}");
    let map_links = [MapKind::Areas, MapKind::Bubbles]
        .into_iter()
        .map(|k| {
            let link = Link {
                href: format!("{here}?focus={focus}&map={}#map", k.as_str()),
                label: t(lang, &format!("map.kind_{}", k.as_str())),
            };
            (link, k == kind)
        })
        .collect();
    let link = |u: &baocao_app::analytics::DashUnit| Link {
        href: format!("/dashboard/{}", u.id),
        label: u.name.clone(),
    };
    html(
        DashboardPage {
            layout: layout(&authed, &here),
            unit_name: board.unit.name.clone(),
            trail: board.trail.iter().map(link).collect(),
            roots: board
                .roots
                .iter()
                .filter(|r| r.id != id)
                .map(link)
                .collect(),
            as_of: as_of(lang, &board),
            view: board_view(lang, &board, kind),
            tiles_href: board.may_edit_tiles.then(|| format!("{here}/tiles")),
            wall_href: format!("{here}/wall?focus={focus}"),
            pivot_href: format!("/analytics?i={focus}&unit={id}&rel=children"),
            discrepancies_href: format!("{here}/discrepancies"),
            map_links,
            custom_tiles: board.custom_tiles,
            table_label: t(lang, "chart.data_table"),
        },
        lang,
    )
}

/// The caller's own dashboard (the unit of its first grant that lets it
/// read dashboards).
pub(super) async fn own_dashboard(
    State(state): State<AppState>,
    authed: Authed,
    Query(q): Query<BoardQuery>,
) -> PageResult {
    show(state, authed, None, q).await
}

/// A unit's dashboard.
pub(super) async fn unit_dashboard(
    State(state): State<AppState>,
    authed: Authed,
    Path(unit): Path<i64>,
    Query(q): Query<BoardQuery>,
) -> PageResult {
    show(state, authed, Some(UnitId::new(unit)), q).await
}

#[derive(Template)]
#[template(path = "wall.html")]
struct WallPage {
    t: Tr,
    unit_name: String,
    as_of: String,
    view: BoardView,
    panel: &'static str,
    panels: Vec<(Link, bool)>,
    refresh: u32,
    next_href: String,
    desk_href: String,
    table_label: String,
    style_href: String,
}

/// The panels a wall shows, those with something to show.
fn wall_panels(view: &BoardView) -> Vec<&'static str> {
    let mut panels = vec!["tiles"];
    if !view.trends.is_empty() {
        panels.push("trends");
    }
    if view.ranking.is_some() {
        panels.push("ranking");
    }
    if view.map.is_some() {
        panels.push("map");
    }
    if !view.targets.is_empty() || !view.timeliness.is_empty() {
        panels.push("status");
    }
    panels
}

/// The dashboard for the screen wall: one panel at a time in large type,
/// moving on to the next panel with each reload.
pub(super) async fn wall(
    State(state): State<AppState>,
    authed: Authed,
    Path(unit): Path<i64>,
    Query(q): Query<BoardQuery>,
) -> PageResult {
    let lang = authed.lang;
    let board = state
        .app
        .dashboard(
            &authed.caller.principal,
            dashboard_query(Some(UnitId::new(unit)), &q),
        )
        .await
        .page(&authed)?;
    let view = board_view(lang, &board, MapKind::parse(q.map.as_deref()));
    let panels = wall_panels(&view);
    let at = q.panel.unwrap_or(0) % panels.len();
    let focus = url_encode(&focus_key(&board));
    let here = format!("/dashboard/{}/wall", board.unit.id);
    let href = |n: usize| format!("{here}?focus={focus}&panel={n}");
    html(
        WallPage {
            t: Tr(lang),
            unit_name: board.unit.name.clone(),
            as_of: as_of(lang, &board),
            panel: panels[at],
            panels: panels
                .iter()
                .enumerate()
                .map(|(n, p)| {
                    let link = Link {
                        href: href(n),
                        label: t(lang, &format!("wall.panel_{p}")),
                    };
                    (link, n == at)
                })
                .collect(),
            view,
            refresh: WALL_SECONDS,
            next_href: href((at + 1) % panels.len()),
            desk_href: format!("/dashboard/{}?focus={focus}", board.unit.id),
            table_label: t(lang, "chart.data_table"),
            style_href: crate::assets::style_href(),
        },
        lang,
    )
}
