//! Pages of the metadata catalogue: indicator browser and search, regimes with
//! their forms and outline, a regime's deadline calendar for a year, the
//! regime editor for regime administrators (one version at a time, no script
//! needed), and the form that issues a request for a thematic or ad-hoc report.

use axum::routing::get;
use axum::Router;

use crate::state::AppState;

mod deadlines;
mod editor;
mod indicators;
mod parts;
mod regimes;
mod requests;

/// The catalogue routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/catalogue", get(indicators::catalogue_page))
        .route(
            "/catalogue/indicators/{code}",
            get(indicators::indicator_page),
        )
        .route("/regimes", get(regimes::regimes_page))
        .route(
            "/regimes/new",
            get(editor::new_regime).post(editor::save_regime),
        )
        .route("/regimes/{code}", get(regimes::regime_page))
        .route(
            "/regimes/{code}/edit",
            get(editor::edit_regime).post(editor::save_regime),
        )
        .route("/regimes/{code}/calendar", get(deadlines::calendar_page))
        .route(
            "/requests/new",
            get(requests::new_request).post(requests::save_request),
        )
}
