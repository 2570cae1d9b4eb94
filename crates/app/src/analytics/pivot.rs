//! The pivot explorer (bảng tổng hợp động): a table of figures with any two of
//! indicators, units and periods on its rows and columns (the third nests the
//! rows), and the same table as an .xlsx or CSV file.

use std::collections::HashMap;

use baocao_analytics::{Reading, Relation};
use baocao_domain::access::{Permission, Principal};
use baocao_domain::period::PeriodId;
use baocao_domain::unit::UnitId;
use baocao_domain::Message;
use baocao_formats::figure_table::{self, TableCell};
use chrono::Datelike;

use super::dashboard::{default_for, DashUnit};
use super::queries::{reading_name, CellInfo, FigureQuery, FigureTable, MAX_FIGURES, MAX_PERIODS};
use super::readable;
use super::tiles::cell_info;
use crate::i18n::{t, Lang};
use crate::{App, AppError, AppResult};

/// What can go on the rows or the columns of a pivot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dim {
    /// Indicators (or one option of a disaggregation).
    Indicator = 0,
    /// Units.
    Unit = 1,
    /// Periods.
    Period = 2,
}

impl Dim {
    /// Every dimension.
    pub const ALL: [Dim; 3] = [Dim::Indicator, Dim::Unit, Dim::Period];

    /// The stable text in URLs (`indicator`, `unit`, `period`).
    pub fn as_str(self) -> &'static str {
        match self {
            Dim::Indicator => "indicator",
            Dim::Unit => "unit",
            Dim::Period => "period",
        }
    }

    /// Parses the text of [`Dim::as_str`].
    pub fn parse(text: &str) -> Option<Dim> {
        Dim::ALL.into_iter().find(|d| d.as_str() == text)
    }

    /// The catalogue key of its name.
    pub fn label_key(self) -> &'static str {
        match self {
            Dim::Indicator => "pivot.dim_indicator",
            Dim::Unit => "pivot.dim_unit",
            Dim::Period => "pivot.dim_period",
        }
    }
}

/// What a pivot asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct PivotQuery {
    /// The figures.
    pub figures: FigureQuery,
    /// On the rows.
    pub rows: Dim,
    /// On the columns.
    pub columns: Dim,
    /// The most figures the answer may hold (a page shows fewer than a file).
    pub max_figures: usize,
}

/// A pivot: the table of figures arranged in a grid.
#[derive(Debug, Clone, PartialEq)]
pub struct Pivot {
    /// The figures and what they are of.
    pub table: FigureTable,
    /// On the rows.
    pub rows: Dim,
    /// On the columns.
    pub columns: Dim,
    /// The dimension nesting the rows.
    pub outer: Dim,
    /// Each row: the position of its outer and its row item.
    pub row_keys: Vec<(usize, usize)>,
    /// Each row's figures by column: a position in `table.rows`.
    pub grid: Vec<Vec<Option<usize>>>,
}

fn third(a: Dim, b: Dim) -> Dim {
    Dim::ALL
        .into_iter()
        .find(|d| *d != a && *d != b)
        .unwrap_or(Dim::Indicator)
}

/// The periods from `first` to `last` (of the same kind), in order.
pub fn periods_between(first: &str, last: &str) -> AppResult<Vec<PeriodId>> {
    let from = crate::calendar::parse_period(first)?;
    let to = crate::calendar::parse_period(last)?;
    if std::mem::discriminant(&from.kind()) != std::mem::discriminant(&to.kind())
        || to.first_day() < from.first_day()
    {
        return Err(AppError::field(
            "to",
            Message::new("pivot.error.period_range")
                .arg("from", from)
                .arg("to", to),
        ));
    }
    let mut out = vec![from];
    while let Some(last_seen) = out.last().copied() {
        if last_seen == to {
            break;
        }
        if out.len() >= MAX_PERIODS {
            return Err(AppError::field(
                "to",
                Message::new("analytics.error.too_many").arg("max", MAX_PERIODS),
            ));
        }
        match last_seen.next() {
            Some(next) => out.push(next),
            None => break,
        }
    }
    Ok(out)
}

impl Pivot {
    fn arrange(table: FigureTable, rows: Dim, columns: Dim) -> Pivot {
        let outer = third(rows, columns);
        let cells: HashMap<&str, usize> = table
            .cells
            .iter()
            .enumerate()
            .map(|(i, c)| (c.key.as_str(), i))
            .collect();
        let units: HashMap<_, usize> = table
            .units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.id, i))
            .collect();
        let periods: HashMap<_, usize> = table
            .periods
            .iter()
            .enumerate()
            .map(|(i, p)| (*p, i))
            .collect();
        let mut at: HashMap<[usize; 3], usize> = HashMap::with_capacity(table.rows.len());
        for (n, r) in table.rows.iter().enumerate() {
            if let (Some(c), Some(u), Some(p)) = (
                cells.get(r.cell.as_str()),
                units.get(&r.unit),
                periods.get(&r.period),
            ) {
                at.insert([*c, *u, *p], n);
            }
        }
        let len = |d: Dim| match d {
            Dim::Indicator => table.cells.len(),
            Dim::Unit => table.units.len(),
            Dim::Period => table.periods.len(),
        };
        let mut row_keys = Vec::with_capacity(len(outer) * len(rows));
        let mut grid = Vec::with_capacity(row_keys.capacity());
        for o in 0..len(outer) {
            for r in 0..len(rows) {
                let line = (0..len(columns))
                    .map(|c| {
                        let mut key = [0usize; 3];
                        for (dim, i) in [(outer, o), (rows, r), (columns, c)] {
                            key[dim as usize] = i;
                        }
                        at.get(&key).copied()
                    })
                    .collect();
                row_keys.push((o, r));
                grid.push(line);
            }
        }
        Pivot {
            table,
            rows,
            columns,
            outer,
            row_keys,
            grid,
        }
    }

    /// How many items a dimension has.
    pub fn len(&self, dim: Dim) -> usize {
        match dim {
            Dim::Indicator => self.table.cells.len(),
            Dim::Unit => self.table.units.len(),
            Dim::Period => self.table.periods.len(),
        }
    }

    /// Whether the pivot holds no row.
    pub fn is_empty(&self) -> bool {
        self.grid.is_empty()
    }

    /// The label of item `i` of a dimension, in `lang`: an indicator's code,
    /// name and unit of measure, a unit's name, a period's id.
    pub fn label(&self, dim: Dim, i: usize, lang: Lang) -> String {
        match dim {
            Dim::Indicator => self.table.cells.get(i).map_or_else(String::new, |c| {
                let name = lang.pick(&c.name_vi, &c.name_en);
                let measure = lang.pick(&c.measure_vi, &c.measure_en);
                if measure.is_empty() {
                    format!("{} {name}", c.key)
                } else {
                    format!("{} {name} ({measure})", c.key)
                }
            }),
            Dim::Unit => self
                .table
                .units
                .get(i)
                .map_or_else(String::new, |u| u.name.clone()),
            Dim::Period => self
                .table
                .periods
                .get(i)
                .map_or_else(String::new, |p| p.to_string()),
        }
    }

    /// The pivot as a file's table: the outer and row labels, then one
    /// column per column item; notes above it say what it is.
    pub fn file_table(&self, lang: Lang) -> figure_table::FigureTable {
        let mut header = vec![
            t(lang, self.outer.label_key()),
            t(lang, self.rows.label_key()),
        ];
        header.extend((0..self.len(self.columns)).map(|c| self.label(self.columns, c, lang)));
        let rows = self
            .row_keys
            .iter()
            .zip(&self.grid)
            .map(|((o, r), line)| {
                let mut cells = vec![
                    TableCell::Text(self.label(self.outer, *o, lang)),
                    TableCell::Text(self.label(self.rows, *r, lang)),
                ];
                cells.extend(line.iter().map(|at| {
                    match at.and_then(|n| self.table.rows[n].figure.value) {
                        Some(v) => TableCell::Number(v.round_dp(6).normalize().to_string()),
                        None => TableCell::Empty,
                    }
                }));
                cells
            })
            .collect();
        let reading = self
            .table
            .rows
            .first()
            .map(|r| reading_name(r.figure.reading));
        figure_table::FigureTable {
            notes: vec![
                t(lang, "pivot.title"),
                format!("{}: {}", t(lang, "pivot.as_of"), self.table.as_of),
                format!("{}: {}", t(lang, "pivot.reading"), reading.unwrap_or("")),
            ],
            header,
            rows,
        }
    }
}

/// What the explorer's form offers.
#[derive(Debug, Clone, PartialEq)]
pub struct PivotChoices {
    /// Every numeric indicator.
    pub indicators: Vec<CellInfo>,
    /// Units to start from: the caller's own, the chosen one's ancestors
    /// the caller may read, the chosen one and the units below it.
    pub units: Vec<DashUnit>,
    /// The unit to start from when none is chosen.
    pub unit: Option<UnitId>,
    /// The indicator shown when none is chosen.
    pub cell: Option<String>,
    /// The latest period with its figure, when none is chosen.
    pub latest: Option<PeriodId>,
}

impl App {
    /// The explorer's choices for a caller, around `unit` (the caller's own
    /// when `None`).
    pub async fn pivot_choices(
        &self,
        principal: &Principal,
        unit: Option<UnitId>,
    ) -> AppResult<PivotChoices> {
        if !principal.may_somewhere(Permission::ViewDashboard) {
            return Err(AppError::Forbidden);
        }
        let meta = self.metadata().await?;
        let indicators = meta
            .indicators
            .iter()
            .filter(|i| i.value_type.is_numeric())
            .filter_map(|i| cell_info(&meta, &i.code))
            .collect();
        let today = crate::today();
        let (units, unit, cell, latest) = self.analytics.read(|engine| {
            let roots = super::dashboard::caller_roots(engine, principal, today);
            // A unit the caller may not read is not chosen: not even the
            // period of its latest figure is told.
            let asked = unit.filter(|u| !readable(engine, principal, &[*u]).is_empty());
            let chosen = asked.or_else(|| roots.first().copied());
            let mut ids = roots;
            if let Some(u) = chosen {
                if let Some(ix) = engine.units().ix(u) {
                    let mut above: Vec<UnitId> = engine
                        .units()
                        .ancestors(ix)
                        .map(|a| engine.units().unit(a).id)
                        .collect();
                    above.reverse();
                    ids.extend(above);
                }
                ids.push(u);
                ids.extend(engine.related(u, &Relation::Children, &[]));
            }
            let mut unique: Vec<UnitId> = Vec::with_capacity(ids.len());
            for id in ids {
                if !unique.contains(&id) {
                    unique.push(id);
                }
            }
            let units: Vec<DashUnit> = readable(engine, principal, &unique)
                .into_iter()
                .filter_map(|id| {
                    let units = engine.units();
                    units.ix(id).map(|ix| DashUnit::of(units.unit(ix)))
                })
                .collect();
            let cell = chosen.and_then(|u| default_for(engine, &meta, u).into_iter().next());
            let latest = chosen.zip(cell.as_ref()).and_then(|(u, c)| {
                engine
                    .latest(c, u, today.year(), today.month(), Reading::Preferred)
                    .map(|(p, _)| p)
            });
            (units, chosen, cell, latest)
        })?;
        Ok(PivotChoices {
            indicators,
            units,
            unit,
            cell,
            latest,
        })
    }

    /// A pivot of figures, bounded by `q.max_figures` before anything is
    /// computed (the units a relation names, times cells and periods).
    pub async fn pivot(&self, principal: &Principal, q: PivotQuery) -> AppResult<Pivot> {
        if q.rows == q.columns {
            return Err(AppError::field(
                "columns",
                Message::new("pivot.error.same_axes"),
            ));
        }
        let named = self.analytics.read(|engine| {
            engine
                .related(q.figures.unit, &q.figures.relation, &q.figures.periods)
                .len()
        })?;
        let figures = named
            .saturating_mul(q.figures.cells.len())
            .saturating_mul(q.figures.periods.len());
        let max = q.max_figures.min(MAX_FIGURES);
        if figures > max {
            return Err(AppError::field(
                "units",
                Message::new("analytics.error.too_large")
                    .arg("figures", figures)
                    .arg("max", max),
            ));
        }
        let table = self.figures(principal, q.figures).await?;
        Ok(Pivot::arrange(table, q.rows, q.columns))
    }
}

/// The pivot as an .xlsx workbook.
pub fn pivot_xlsx(pivot: &Pivot, lang: Lang) -> AppResult<Vec<u8>> {
    figure_table::write_xlsx(&pivot.file_table(lang)).map_err(|e| AppError::Internal(e.to_string()))
}

/// The pivot as CSV.
pub fn pivot_csv(pivot: &Pivot, lang: Lang) -> AppResult<Vec<u8>> {
    figure_table::write_csv(&pivot.file_table(lang)).map_err(|e| AppError::Internal(e.to_string()))
}
