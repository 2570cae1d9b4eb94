//! Answers: a figure for a cell, a unit and a period, in the reading asked for.
//!
//! - **Reported**: the unit's own accepted values (its consolidated report for
//!   an upper level), over the period's base periods along the indicator's rule
//!   over time.
//! - **Computed**: for each base period, the unit's leaves' values aggregated
//!   along the indicator's rule over units; then over time. Units first, then
//!   time: a province's yearly population (last over time, sum over units) is
//!   the sum over its communes in the last month with data.
//! - **Preferred**: the reported figure where there is one, else the computed one.
//!
//! A computed indicator is evaluated from its operands' figures in the same
//! reading (a province's rate is 100 × ΣA / ΣB, never a mean of rates). Before
//! a unit existed (a commune or province made in the 2025 reform), its figures
//! are its predecessors' together: whole merges add up, the default target of a
//! split takes the split unit (or its share, where one is set).

use rustc_hash::FxHashMap as HashMap;
use std::sync::RwLock;

use baocao_domain::aggregate::{over_time, Acc};
use baocao_domain::catalogue::Aggregation;
use baocao_domain::formula::{evaluate, IndicatorCode, Lookup, Value};
use baocao_domain::period::PeriodId;
use baocao_domain::unit::UnitId;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::engine::Engine;
use crate::model::{CellIx, UnitIx};
use crate::time::{period_of, tiles, Freq};

/// Which figure of a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reading {
    /// The unit's own accepted report.
    Reported,
    /// Aggregated from the units below it.
    Computed,
    /// Reported where there is one, else computed.
    Preferred,
}

/// How many of what was expected contributed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Contributed.
    pub present: u32,
    /// Expected.
    pub expected: u32,
}

/// A figure with what it is made of.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    /// The value; `None` is missing (never zero).
    pub value: Option<Decimal>,
    /// The reading the value is (reported or computed).
    pub reading: Reading,
    /// Base periods with a value, of those in the period.
    pub periods: Coverage,
    /// For a computed figure: the leaves that contributed at the last base
    /// period with data, of those expected to report then.
    pub units: Option<Coverage>,
    /// The predecessor units whose values stand in for the unit before it existed.
    pub predecessors: Vec<UnitId>,
}

impl Figure {
    fn missing(reading: Reading) -> Figure {
        Figure {
            value: None,
            reading,
            periods: Coverage::default(),
            units: None,
            predecessors: Vec::new(),
        }
    }
}

/// Caches what depends only on the unit tree (rebuilt with it).
#[derive(Debug, Default)]
pub(crate) struct Caches {
    expected: RwLock<HashMap<(usize, UnitIx, NaiveDate), u32>>,
}

impl Clone for Caches {
    fn clone(&self) -> Self {
        Caches::default()
    }
}

impl Engine {
    /// The finest frequency with values of `cell` that tiles `period`.
    fn freq_for(&self, cell: CellIx, period: &PeriodId) -> Option<(Freq, std::ops::Range<u32>)> {
        let bits = *self.freqs.get(cell as usize)?;
        Freq::ALL
            .into_iter()
            .filter(|f| bits & f.bit() != 0)
            .find_map(|f| tiles(period, f).map(|r| (f, r)))
    }

    /// The units standing for `unit` at a base period: itself, or — before it
    /// existed — its predecessors with their shares.
    fn stand_ins(&self, unit: UnitIx, freq: Freq, index: u32) -> Vec<(UnitIx, Decimal)> {
        let u = self.units.unit(unit);
        let before = match (u.validity.from, period_of(freq, index)) {
            (Some(from), Some(p)) => p.last_day() < from,
            _ => false,
        };
        match self.units.predecessors.get(&unit) {
            Some(preds) if before => preds.clone(),
            _ => vec![(unit, Decimal::ONE)],
        }
    }

    /// A plain (not computed) cell's figure.
    fn plain(&self, cell: CellIx, unit: UnitIx, period: &PeriodId, reading: Reading) -> Figure {
        let Some((freq, range)) = self.freq_for(cell, period) else {
            return Figure::missing(reading);
        };
        let rule = self.cells.rule(cell);
        let mut values = Vec::with_capacity(range.len());
        let mut last = None;
        let mut predecessors: Vec<UnitId> = Vec::new();
        for index in range.clone() {
            let stand_ins = self.stand_ins(unit, freq, index);
            if stand_ins.len() != 1 || stand_ins[0].0 != unit {
                for (p, _) in &stand_ins {
                    let id = self.units.unit(*p).id;
                    if !predecessors.contains(&id) {
                        predecessors.push(id);
                    }
                }
            }
            let direct = stand_ins.len() == 1 && stand_ins[0] == (unit, Decimal::ONE);
            let mut acc = Acc::default();
            for (u, share) in &stand_ins {
                let part = match reading {
                    Reading::Computed => self.computed_at(cell, *u, freq, index),
                    _ if direct => match self.reported_at(cell, *u, freq, index) {
                        Some(v) => Acc {
                            count: 1,
                            a: v,
                            b: Decimal::ZERO,
                        },
                        None => Acc::default(),
                    },
                    _ => self
                        .reported_at(cell, *u, freq, index)
                        .and_then(|v| {
                            let w = rule
                                .weight
                                .and_then(|w| self.reported_at(w, *u, freq, index));
                            Acc::of(v, w, &rule.over_units)
                        })
                        .unwrap_or_default(),
                };
                acc.merge(&scaled(part, *share, &rule.over_units), &rule.over_units);
            }
            let value = if direct && reading != Reading::Computed {
                (acc.count > 0).then_some(acc.a)
            } else {
                acc.value(&rule.over_units)
            };
            if let Some(v) = value {
                values.push(v);
                last = Some((index, acc.count, stand_ins));
            }
        }
        let units = match (reading, &last) {
            (Reading::Computed, Some((index, count, stand_ins))) => Some(Coverage {
                present: *count,
                expected: stand_ins
                    .iter()
                    .map(|(u, _)| self.expected_leaves(cell, *u, freq, *index))
                    .sum(),
            }),
            _ => None,
        };
        Figure {
            value: over_time(&values, &rule.over_time),
            reading,
            periods: Coverage {
                present: values.len() as u32,
                expected: range.len() as u32,
            },
            units,
            predecessors,
        }
    }

    /// Leaves under `unit` expected to report the cell's regime at a base period.
    fn expected_leaves(&self, cell: CellIx, unit: UnitIx, freq: Freq, index: u32) -> u32 {
        let Some(r) = self.cells.rule(cell).regimes.first().copied() else {
            return 0;
        };
        let Some(period) = period_of(freq, index) else {
            return 0;
        };
        self.expected_reporters(r, unit, &period)
    }

    /// Units under `unit` (leaves) expected to report regime `r` for `period`.
    pub(crate) fn expected_reporters(&self, r: usize, unit: UnitIx, period: &PeriodId) -> u32 {
        let day = self.cells.regimes[r]
            .versions
            .iter()
            .rev()
            .find(|(from, _, _)| *from <= period.first_day())
            .map(|(_, convention, _)| period.cutoff_window(*convention).last())
            .unwrap_or_else(|| period.last_day());
        if let Ok(cache) = self.caches.expected.read() {
            if let Some(n) = cache.get(&(r, unit, day)) {
                return *n;
            }
        }
        let n = self
            .units
            .subtree(unit)
            .into_iter()
            .filter(|u| self.units.is_leaf(*u) && self.cells.expects(r, self.units.unit(*u), day))
            .count() as u32;
        if let Ok(mut cache) = self.caches.expected.write() {
            cache.insert((r, unit, day), n);
        }
        n
    }

    /// The figure of a cell (a plain cell, or a computed indicator evaluated
    /// from its operands' figures) for a unit and a period.
    pub fn figure(
        &self,
        cell: &str,
        unit: UnitId,
        period: &PeriodId,
        reading: Reading,
    ) -> Option<Figure> {
        let cell = self.cells.ix(cell)?;
        let unit = self.units.ix(unit)?;
        Some(self.figure_ix(cell, unit, period, reading))
    }

    pub(crate) fn figure_ix(
        &self,
        cell: CellIx,
        unit: UnitIx,
        period: &PeriodId,
        reading: Reading,
    ) -> Figure {
        if reading == Reading::Preferred {
            let reported = self.figure_ix(cell, unit, period, Reading::Reported);
            if reported.value.is_some() {
                return reported;
            }
            return self.figure_ix(cell, unit, period, Reading::Computed);
        }
        let rule = self.cells.rule(cell);
        let Some(expr) = &rule.formula else {
            return self.plain(cell, unit, period, reading);
        };
        // Operands in the same reading; the figure takes the coverage of the
        // first operand (they are reported together).
        let mut first: Option<Figure> = None;
        let lookup = |code: &IndicatorCode| match self.cells.ix(code.as_str()) {
            Some(c) => {
                let f = self.figure_ix(c, unit, period, reading);
                match f.value {
                    Some(v) => Lookup::Value(v),
                    None => Lookup::Missing,
                }
            }
            None => Lookup::Unknown,
        };
        let value = match evaluate(expr, &lookup) {
            Ok(Value::Number(d)) => Some(d),
            _ => None,
        };
        if let Some(code) = first_operand(expr) {
            if let Some(c) = self.cells.ix(&code) {
                first = Some(self.figure_ix(c, unit, period, reading));
            }
        }
        let mut figure = first.unwrap_or_else(|| Figure::missing(reading));
        figure.value = value;
        figure
    }
}

/// A share of a unit's aggregate (a split unit's part): sums and weights scale,
/// extremes do not.
fn scaled(acc: Acc, share: Decimal, rule: &Aggregation) -> Acc {
    if share == Decimal::ONE || matches!(rule, Aggregation::Min | Aggregation::Max) {
        return acc;
    }
    Acc {
        count: acc.count,
        a: acc.a.checked_mul(share).unwrap_or(acc.a),
        b: acc.b.checked_mul(share).unwrap_or(acc.b),
    }
}

/// The first indicator a formula reads.
fn first_operand(expr: &baocao_domain::formula::Expr) -> Option<String> {
    expr.references()
        .into_iter()
        .next()
        .map(|c| c.as_str().to_string())
}
