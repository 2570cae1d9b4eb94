//! Figures of the operations centre through the API: indicators × units ×
//! periods from the analytics engine, as JSON or CSV, limited to the units
//! the caller may read.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use baocao_app::analytics::{
    parse_reading, parse_relation, reading_name, FigureQuery, FigureTable, Reading,
};
use baocao_app::i18n::Lang;
use baocao_app::AppError;
use baocao_domain::period::PeriodId;
use baocao_domain::unit::UnitId;
use baocao_domain::Message;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::doc::Busy;
use crate::error::{ErrorBody, WebError};
use crate::extract::Authed;
use crate::shared::downloads::csv_response;
use crate::state::AppState;

/// What a table of figures asks for.
#[derive(Debug, Deserialize, IntoParams)]
pub struct FiguresParams {
    /// Indicator codes, or one option of a disaggregation (`LD01/sex:female`), comma-separated.
    #[param(min_length = 1, max_length = 8000, example = "HC02,LD01/sex:female")]
    pub indicators: String,
    /// The unit the relation starts from.
    pub unit: i64,
    /// Which units: `self`, `children`, `subtree`, or `level:<level>` (every unit of that level under it).
    #[param(pattern = "^(self|children|subtree|level:[a-z_]{1,32})$")]
    pub relation: Option<String>,
    /// Period ids, comma-separated (`2025M03,2025Q1,2025`).
    #[param(min_length = 4, max_length = 4000, example = "2025M01,2025M02,2025Q1")]
    pub periods: String,
    /// `reported` (the unit's own accepted report), `computed` (aggregated from
    /// the units below) or `preferred` (reported where there is one), the default.
    #[param(pattern = "^(reported|computed|preferred)$")]
    pub reading: Option<String>,
    /// `json` (the default) or `csv` (one line per figure).
    #[param(pattern = "^(json|csv)$")]
    pub format: Option<String>,
}

/// A cell of the answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorDto {
    /// The key asked for.
    pub key: String,
    /// Its name, in the caller's language.
    pub name: String,
    /// Unit of measure, in the caller's language.
    pub measure: String,
}

/// A unit of the answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct FigureUnitDto {
    /// Id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Level.
    pub level: String,
    /// Parent's id.
    pub parent: Option<i64>,
    /// Made by a reorganisation: its figures before then are its predecessors'.
    pub has_predecessors: bool,
}

/// How many of what was expected contributed.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoverageDto {
    /// Contributed.
    pub present: u32,
    /// Expected.
    pub expected: u32,
}

/// One figure.
#[derive(Debug, Serialize, ToSchema)]
pub struct FigureDto {
    /// Indicator key.
    pub indicator: String,
    /// Unit id.
    pub unit: i64,
    /// Period id.
    pub period: String,
    /// The value as an exact decimal; `null` is missing (never zero).
    pub value: Option<String>,
    /// The reading the value is: `reported` or `computed`.
    pub reading: String,
    /// Base periods (months, quarters) with a value, of those in the period.
    pub periods: CoverageDto,
    /// For a computed figure: the units below that contributed, of those expected.
    pub units: Option<CoverageDto>,
    /// Predecessor units whose figures stand in before this unit existed.
    pub predecessors: Vec<i64>,
}

/// A table of figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct FiguresDto {
    /// The ledger position the figures reflect.
    pub as_of: i64,
    /// The reading asked for.
    pub reading: String,
    /// The indicators, in the order asked.
    pub indicators: Vec<IndicatorDto>,
    /// The units the caller may read, in the relation's order.
    pub units: Vec<FigureUnitDto>,
    /// The periods, in the order asked.
    pub periods: Vec<String>,
    /// Units of the relation left out because the caller may not read them.
    pub withheld_units: usize,
    /// One per unit × indicator × period.
    pub figures: Vec<FigureDto>,
}

fn invalid(field: &'static str, key: &'static str, value: &str) -> AppError {
    AppError::field(field, Message::new(key).arg("value", value))
}

/// The question, read from the parameters (refused field by field).
fn question(p: &FiguresParams) -> Result<FigureQuery, AppError> {
    let items = |text: &str| -> Vec<String> {
        text.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    let periods = items(&p.periods)
        .iter()
        .map(|t| {
            t.parse::<PeriodId>()
                .map_err(|e| invalid("periods", e.code(), t))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let relation = parse_relation(p.relation.as_deref().unwrap_or("self"), "relation")?;
    let reading = parse_reading(p.reading.as_deref().unwrap_or("preferred"), "reading")?;
    Ok(FigureQuery {
        cells: items(&p.indicators),
        unit: UnitId::new(p.unit),
        relation,
        periods,
        reading,
    })
}

fn dto(table: &FigureTable, reading: Reading, lang: Lang) -> FiguresDto {
    FiguresDto {
        as_of: table.as_of,
        reading: reading_name(reading).into(),
        indicators: table
            .cells
            .iter()
            .map(|c| IndicatorDto {
                key: c.key.clone(),
                name: lang.pick(&c.name_vi, &c.name_en).into(),
                measure: lang.pick(&c.measure_vi, &c.measure_en).into(),
            })
            .collect(),
        units: table
            .units
            .iter()
            .map(|u| FigureUnitDto {
                id: u.id.get(),
                code: u.code.clone(),
                name: u.name.clone(),
                level: u.level.clone(),
                parent: u.parent.map(UnitId::get),
                has_predecessors: u.has_predecessors,
            })
            .collect(),
        periods: table.periods.iter().map(ToString::to_string).collect(),
        withheld_units: table.withheld,
        figures: table
            .rows
            .iter()
            .map(|r| FigureDto {
                indicator: r.cell.clone(),
                unit: r.unit.get(),
                period: r.period.to_string(),
                value: r.figure.value.map(|v| v.normalize().to_string()),
                reading: reading_name(r.figure.reading).into(),
                periods: CoverageDto {
                    present: r.figure.periods.present,
                    expected: r.figure.periods.expected,
                },
                units: r.figure.units.map(|c| CoverageDto {
                    present: c.present,
                    expected: c.expected,
                }),
                predecessors: r.figure.predecessors.iter().map(|u| u.get()).collect(),
            })
            .collect(),
    }
}

/// Figures for indicators × units × periods from the analytics engine (kept
/// current within a second of each acceptance). Units the caller may not
/// read are left out (`withheld_units` counts them).
#[utoipa::path(get, path = "/api/v1/analytics", params(FiguresParams), tag = "analytics",
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The figures", content(
            (FiguresDto = "application/json"),
            (String = "text/csv", example = "indicator,indicator_name,measure,unit_id,unit_code,unit_name,period,value,reading,periods_present,periods_expected,units_present,units_expected,predecessors"))),
        (status = 403, body = ErrorBody, description = "The caller reads no dashboards (code `forbidden`)"),
        (status = 404, body = ErrorBody, description = "No such unit, or none the caller may read (code `not_found`)"),
        (status = 422, body = ErrorBody, description = "A parameter is refused: unknown indicator, period or relation, too many figures (code `invalid`)"),
        Busy))]
pub async fn figures(
    State(state): State<AppState>,
    authed: Authed,
    Query(p): Query<FiguresParams>,
) -> Result<Response, WebError> {
    let q = question(&p).map_err(|e| authed.api_error(e))?;
    let reading = q.reading;
    let table = state
        .app
        .figures(&authed.caller.principal, q)
        .await
        .map_err(|e| authed.api_error(e))?;
    if p.format.as_deref() == Some("csv") {
        let bytes = table.to_csv(authed.lang).map_err(|e| authed.api_error(e))?;
        return Ok(csv_response("so-lieu.csv", bytes));
    }
    Ok(Json(dto(&table, reading, authed.lang)).into_response())
}

/// The analytics routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/analytics", get(figures))
}
