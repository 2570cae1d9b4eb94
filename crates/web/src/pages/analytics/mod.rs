//! The operations centre (trung tâm điều hành): a unit's dashboard, the same
//! for the screen wall, the choice of its tiles, where consolidated reports
//! differ from what the units below reported, and the pivot explorer.
//! Charts and maps are SVG computed here and written by the templates
//! (decision record 0012); everything works without JavaScript.

use axum::routing::get;
use axum::Router;

use crate::state::AppState;

mod board;
mod charts;
mod dashboard;
mod discrepancies;
mod format;
mod maps;
mod pivot;
mod tiles;

/// The operations centre's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(dashboard::own_dashboard))
        .route("/dashboard/{unit}", get(dashboard::unit_dashboard))
        .route("/dashboard/{unit}/wall", get(dashboard::wall))
        .route(
            "/dashboard/{unit}/discrepancies",
            get(discrepancies::discrepancies_page),
        )
        .route(
            "/dashboard/{unit}/tiles",
            get(tiles::tiles_page).post(tiles::save_tiles),
        )
        .route("/analytics", get(pivot::pivot_page))
        .route("/analytics/export.xlsx", get(pivot::export_xlsx))
        .route("/analytics/export.csv", get(pivot::export_csv))
}
