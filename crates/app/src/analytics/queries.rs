//! Questions leaders ask of the engine: tables of figures for indicators ×
//! units × periods, in the reading asked for, limited to the units the caller
//! may read.

use baocao_analytics::{Reading, Relation, Row, TableQuery};
use baocao_domain::access::{Permission, Principal};
use baocao_domain::catalogue::Metadata;
use baocao_domain::period::PeriodId;
use baocao_domain::unit::UnitId;
use baocao_domain::Message;
use baocao_formats::figure_table::{self, TableCell};
use serde::Serialize;

use super::readable;
use crate::i18n::Lang;
use crate::{App, AppError, AppResult};

/// Cells one table may ask for.
pub const MAX_CELLS: usize = 250;
/// Periods one table may ask for.
pub const MAX_PERIODS: usize = 240;
/// Figures one table may hold (cells × units × periods).
pub const MAX_FIGURES: usize = 200_000;
/// Tables with more figures than this are computed on the heavy-work pool.
const INLINE_FIGURES: usize = 2_000;

/// What a table of figures asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureQuery {
    /// Cell keys: indicator codes, or one option of a disaggregation (`LD01/sex:female`).
    pub cells: Vec<String>,
    /// The unit the relation starts from.
    pub unit: UnitId,
    /// Which units.
    pub relation: Relation,
    /// The periods, in the order of the answer.
    pub periods: Vec<PeriodId>,
    /// Which reading.
    pub reading: Reading,
}

/// A cell of an answer, with its names and unit of measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellInfo {
    /// The key asked for.
    pub key: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// Unit of measure, Vietnamese.
    pub measure_vi: String,
    /// Unit of measure, English.
    pub measure_en: String,
}

/// A unit of an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitInfo {
    /// Id.
    pub id: UnitId,
    /// Code (GSO or agency code).
    pub code: String,
    /// Name.
    pub name: String,
    /// Level (`province`, `district`, `commune`, …).
    pub level: String,
    /// Parent.
    pub parent: Option<UnitId>,
    /// Whether it was made by a reorganisation and its figures before then
    /// are its predecessors'.
    pub has_predecessors: bool,
}

/// A table of figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureTable {
    /// The cells, in the order asked.
    pub cells: Vec<CellInfo>,
    /// The units the caller may read, in the relation's order.
    pub units: Vec<UnitInfo>,
    /// The periods, in the order asked.
    pub periods: Vec<PeriodId>,
    /// One figure per unit × cell × period.
    pub rows: Vec<Row>,
    /// Units the relation names that the caller may not read (left out).
    pub withheld: usize,
    /// The ledger position the figures reflect.
    pub as_of: i64,
}

impl FigureTable {
    /// The unit with `id` among the answer's.
    pub fn unit(&self, id: UnitId) -> Option<&UnitInfo> {
        self.units.iter().find(|u| u.id == id)
    }

    /// The cell with `key` among the answer's.
    pub fn cell(&self, key: &str) -> Option<&CellInfo> {
        self.cells.iter().find(|c| c.key == key)
    }
}

fn out_of_bounds(field: &'static str, max: usize) -> AppError {
    AppError::field(
        field,
        Message::new("analytics.error.too_many").arg("max", max),
    )
}

impl App {
    /// A table of figures: every cell × unit × period asked for, of the
    /// units the caller may read.
    pub async fn figures(&self, principal: &Principal, q: FigureQuery) -> AppResult<FigureTable> {
        if !principal.may_somewhere(Permission::ViewDashboard) {
            return Err(AppError::Forbidden);
        }
        check_bounds(&q)?;
        let cells = cell_infos(&*self.metadata().await?, &q.cells)?;
        let (units, withheld, as_of) = self.analytics.read(|engine| {
            let related = engine.related(q.unit, &q.relation, &q.periods);
            let allowed = readable(engine, principal, &related);
            let units: Vec<UnitInfo> = allowed
                .iter()
                .filter_map(|id| unit_info(engine, *id))
                .collect();
            (units, related.len() - allowed.len(), 0)
        })?;
        if units.is_empty() {
            return Err(AppError::NotFound);
        }
        let figures = units.len() * q.cells.len() * q.periods.len();
        if figures > MAX_FIGURES {
            return Err(AppError::field(
                "units",
                Message::new("analytics.error.too_large")
                    .arg("figures", figures)
                    .arg("max", MAX_FIGURES),
            ));
        }
        let ids: Vec<UnitId> = units.iter().map(|u| u.id).collect();
        let query = TableQuery {
            cells: q.cells.clone(),
            unit: q.unit,
            relation: q.relation.clone(),
            periods: q.periods.clone(),
            reading: q.reading,
        };
        let rows = if figures <= INLINE_FIGURES {
            self.analytics
                .read(|engine| engine.table_of(&query, &ids))?
        } else {
            let analytics = self.analytics.clone();
            self.heavy
                .run(move || analytics.read(|engine| engine.table_of(&query, &ids)))
                .await??
        };
        let as_of = self.analytics.ledger_position().unwrap_or(as_of);
        Ok(FigureTable {
            cells,
            units,
            periods: q.periods,
            rows,
            withheld,
            as_of,
        })
    }
}

/// Refuses a query without indicators or periods, or with too many.
fn check_bounds(q: &FigureQuery) -> AppResult<()> {
    if q.cells.is_empty() {
        return Err(AppError::field(
            "indicators",
            Message::new("analytics.error.no_indicator"),
        ));
    }
    if q.cells.len() > MAX_CELLS {
        return Err(out_of_bounds("indicators", MAX_CELLS));
    }
    if q.periods.is_empty() {
        return Err(AppError::field(
            "periods",
            Message::new("analytics.error.no_period"),
        ));
    }
    if q.periods.len() > MAX_PERIODS {
        return Err(out_of_bounds("periods", MAX_PERIODS));
    }
    Ok(())
}

/// Names and units of measure of the cells asked for; an unknown cell is
/// refused by name.
fn cell_infos(meta: &Metadata, keys: &[String]) -> AppResult<Vec<CellInfo>> {
    let mut cells = Vec::with_capacity(keys.len());
    for key in keys {
        let Some((name_vi, name_en)) = meta.cell_names(key) else {
            return Err(AppError::field(
                "indicators",
                Message::new("analytics.error.unknown_indicator").arg("value", key),
            ));
        };
        let indicator = meta.indicator(key.split('/').next().unwrap_or(key));
        cells.push(CellInfo {
            key: key.clone(),
            name_vi,
            name_en,
            measure_vi: indicator.map(|i| i.measure_vi.clone()).unwrap_or_default(),
            measure_en: indicator.map(|i| i.measure_en.clone()).unwrap_or_default(),
        });
    }
    Ok(cells)
}

pub(super) fn unit_info(engine: &baocao_analytics::Engine, id: UnitId) -> Option<UnitInfo> {
    let units = engine.units();
    let ix = units.ix(id)?;
    let u = units.unit(ix);
    Some(UnitInfo {
        id,
        code: u.code.to_string(),
        name: u.name.clone(),
        level: u.level.as_str().to_string(),
        parent: u.parent,
        has_predecessors: units.predecessors.contains_key(&ix),
    })
}

/// The reading of a figure as a word for answers and files.
pub fn reading_name(reading: Reading) -> &'static str {
    match reading {
        Reading::Reported => "reported",
        Reading::Computed => "computed",
        Reading::Preferred => "preferred",
    }
}

/// The columns of the CSV answer, one line per figure.
const CSV_COLUMNS: [&str; 14] = [
    "indicator",
    "indicator_name",
    "measure",
    "unit_id",
    "unit_code",
    "unit_name",
    "period",
    "value",
    "reading",
    "periods_present",
    "periods_expected",
    "units_present",
    "units_expected",
    "predecessors",
];

impl FigureTable {
    /// The table as CSV, one line per figure (the API's `format=csv`): stable
    /// column names, names in `lang`, exact decimals, empty where missing.
    pub fn to_csv(&self, lang: Lang) -> AppResult<Vec<u8>> {
        let table = self;
        let text = |s: &str| TableCell::Text(s.to_string());
        let count =
            |n: Option<u32>| n.map_or(TableCell::Empty, |n| TableCell::Number(n.to_string()));
        let rows = table
            .rows
            .iter()
            .map(|r| {
                let cell = table.cell(&r.cell);
                let unit = table.unit(r.unit);
                let predecessors: Vec<String> = r
                    .figure
                    .predecessors
                    .iter()
                    .map(|u| u.to_string())
                    .collect();
                vec![
                    text(&r.cell),
                    text(cell.map_or("", |c| lang.pick(&c.name_vi, &c.name_en))),
                    text(cell.map_or("", |c| lang.pick(&c.measure_vi, &c.measure_en))),
                    TableCell::Number(r.unit.to_string()),
                    text(unit.map_or("", |u| u.code.as_str())),
                    text(unit.map_or("", |u| u.name.as_str())),
                    text(&r.period.to_string()),
                    r.figure.value.map_or(TableCell::Empty, |v| {
                        TableCell::Number(v.normalize().to_string())
                    }),
                    text(reading_name(r.figure.reading)),
                    count(Some(r.figure.periods.present)),
                    count(Some(r.figure.periods.expected)),
                    count(r.figure.units.map(|c| c.present)),
                    count(r.figure.units.map(|c| c.expected)),
                    text(&predecessors.join(" ")),
                ]
            })
            .collect();
        let file = figure_table::FigureTable {
            notes: Vec::new(),
            header: CSV_COLUMNS.iter().map(|c| c.to_string()).collect(),
            rows,
        };
        figure_table::write_csv(&file).map_err(|e| AppError::Internal(e.to_string()))
    }
}
