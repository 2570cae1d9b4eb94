//! Tables: figures for several cells, units and periods at once, and the
//! completeness of reporting.

use baocao_domain::period::PeriodId;
use baocao_domain::unit::UnitId;
use serde::Serialize;

use crate::engine::Engine;
use crate::model::UnitIx;
use crate::query::{Coverage, Figure, Reading};
use crate::time::base;

/// Which units, relative to one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Relation {
    /// The unit itself.
    Itself,
    /// The units directly below it.
    Children,
    /// Every unit of a level below it (`district`, `commune`).
    Level(String),
    /// The unit and every unit below it.
    Subtree,
}

/// What a table asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct TableQuery {
    /// Cell keys (`HC02`, `LD01/sex:female`).
    pub cells: Vec<String>,
    /// The unit the relation starts from.
    pub unit: UnitId,
    /// Which units.
    pub relation: Relation,
    /// Periods.
    pub periods: Vec<PeriodId>,
    /// Which reading.
    pub reading: Reading,
}

/// One figure of a table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Cell key.
    pub cell: String,
    /// Unit.
    pub unit: UnitId,
    /// Period.
    pub period: PeriodId,
    /// The figure.
    pub figure: Figure,
}

impl Engine {
    /// The units a relation names, among those that existed at some time in
    /// `periods` (an abolished district is not a child of its province in 2026).
    pub fn related(&self, unit: UnitId, relation: &Relation, periods: &[PeriodId]) -> Vec<UnitId> {
        let Some(root) = self.units.ix(unit) else {
            return Vec::new();
        };
        let alive = |u: UnitIx| {
            let v = &self.units.unit(u).validity;
            periods.is_empty()
                || periods.iter().any(|p| {
                    v.from.is_none_or(|f| f <= p.last_day())
                        && v.to.is_none_or(|t| t >= p.first_day())
                })
        };
        let picked: Vec<UnitIx> = match relation {
            Relation::Itself => vec![root],
            Relation::Children => self.units.children[root as usize]
                .iter()
                .copied()
                .filter(|u| alive(*u))
                .collect(),
            Relation::Level(level) => self
                .units
                .subtree(root)
                .into_iter()
                .filter(|u| *u != root && self.units.unit(*u).level.as_str() == level)
                .filter(|u| alive(*u))
                .collect(),
            Relation::Subtree => self
                .units
                .subtree(root)
                .into_iter()
                .filter(|u| *u == root || alive(*u))
                .collect(),
        };
        picked.into_iter().map(|u| self.units.unit(u).id).collect()
    }

    /// Every figure a table asks for, cells × units × periods (units in the
    /// relation's order, missing figures included as missing).
    pub fn table(&self, q: &TableQuery) -> Vec<Row> {
        let units = self.related(q.unit, &q.relation, &q.periods);
        self.table_of(q, &units)
    }

    /// The figures of a table for the given units only (those of the
    /// relation a caller may read).
    pub fn table_of(&self, q: &TableQuery, units: &[UnitId]) -> Vec<Row> {
        let mut rows = Vec::with_capacity(units.len() * q.cells.len() * q.periods.len());
        for unit in units {
            for cell in &q.cells {
                for period in &q.periods {
                    if let Some(figure) = self.figure(cell, *unit, period, q.reading) {
                        rows.push(Row {
                            cell: cell.clone(),
                            unit: *unit,
                            period: *period,
                            figure,
                        });
                    }
                }
            }
        }
        rows
    }

    /// How many of the units expected to report a regime under `unit` for a
    /// period have an accepted report (`None` for an unknown regime or unit).
    pub fn completeness(&self, regime: &str, unit: UnitId, period: &PeriodId) -> Option<Coverage> {
        let r = self.cells.regimes.iter().position(|x| x.code == regime)?;
        let root = self.units.ix(unit)?;
        let (freq, index) = base(period)?;
        let expected = self.expected_reporters(r, root, period);
        let present = self
            .units
            .subtree(root)
            .into_iter()
            .filter(|u| self.units.is_leaf(*u) && self.has_report(r, *u, freq, index))
            .count() as u32;
        Some(Coverage { present, expected })
    }
}
